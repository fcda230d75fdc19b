from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.errors import InvalidFirmwareVersion, UnknownChoice
from eligibility.versions import FirmwareVersion, SpecVersion, format_version, parse_firmware

uint32 = st.integers(min_value=0, max_value=0xFFFFFFFF)


@pytest.mark.parametrize(
    ("text", "pad", "expected"),
    [
        ("0c240000", False, "0C240000"),
        ("0x0C240000", False, "0C240000"),
        (" 124074DA ", False, "124074DA"),
        # inventory inputs (DUIS allows 1-8 digits) are left-padded
        ("9001", True, "00009001"),
        ("A6900", True, "000A6900"),
        ("0", True, "00000000"),
    ],
)
def test_parse_firmware(text: str, pad: bool, expected: str) -> None:
    assert parse_firmware(text, pad=pad) == expected


@pytest.mark.parametrize(
    ("text", "pad", "message"),
    [
        # the CPL never pads: a short value means a spreadsheet dropped leading zeros
        ("A6900", False, "dropped leading zeros"),
        ("9001", False, "dropped leading zeros"),
        ("0C2400000", True, "1 to 8 hex digits"),
        ("0C24000G", False, "8 hex digits"),
        ("", True, "not a firmware version"),
        ("12.36", True, "not a firmware version"),
    ],
)
def test_parse_firmware_refused(text: str, pad: bool, message: str) -> None:
    with pytest.raises(InvalidFirmwareVersion, match=message):
        parse_firmware(text, pad=pad)


@given(uint32, st.booleans(), st.booleans())
def test_parse_firmware_roundtrip(raw: int, lower: bool, strip: bool) -> None:
    text = f"{raw:08x}" if lower else f"{raw:08X}"
    if strip:
        text = text.lstrip("0") or "0"
    out = parse_firmware(text, pad=True)
    assert out == f"{raw:08X}"
    assert int(out, 16) == raw
    assert parse_firmware(out) == out


@given(st.integers(min_value=0, max_value=0xFFFFFFF))
def test_short_firmware_refused_without_padding(raw: int) -> None:
    text = f"{raw:X}"  # fewer than 8 digits
    with pytest.raises(InvalidFirmwareVersion):
        parse_firmware(text)


# fwupd's documented conversions of a uint32 (its own test table for fu_version_from_uint32),
# and its documented layouts for pair (AABB.CCDD) and bcd (each octet as two decimal digits).
@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        (0x0, "quad", "0.0.0.0"),
        (0xFF, "quad", "0.0.0.255"),
        (0xFF01, "quad", "0.0.255.1"),
        (0xFF0001, "quad", "0.255.0.1"),
        (0xFF000100, "quad", "255.0.1.0"),
        (0x0, "triplet", "0.0.0"),
        (0xFF, "triplet", "0.0.255"),
        (0xFF01, "triplet", "0.0.65281"),
        (0xFF0001, "triplet", "0.255.1"),
        (0xFF000100, "triplet", "255.0.256"),
        (0x0, "number", "0"),
        (0xFF000100, "number", "4278190336"),
        (0xFF000100, "plain", "4278190336"),
        (0xC8, "hex", "0x000000c8"),
        (0xFF, "pair", "0.255"),
        (0x00FF0001, "pair", "255.1"),
        (0x12345678, "bcd", "12.34.56.78"),
        (0x00010110, "bcd", "0.1.1.10"),
        # the brief's own example, and the real Toshiba CHF version
        (0x0C240000, "quad", "12.36.0.0"),
        (0x0C230000, "quad", "12.35.0.0"),
        # a nibble above 9 is decoded the same way, as fwupd does
        (0x0000000A, "bcd", "0.0.0.10"),
    ],
)
def test_format_version_matches_fwupd(raw: int, fmt: str, expected: str) -> None:
    assert format_version(raw, fmt) == expected


@given(uint32)
def test_formats_are_faithful(raw: int) -> None:
    # every lossless format reads back to the same number
    a, b, c, d = (int(x) for x in format_version(raw, "quad").split("."))
    assert (a << 24) | (b << 16) | (c << 8) | d == raw
    a, b, cd = (int(x) for x in format_version(raw, "triplet").split("."))
    assert (a << 24) | (b << 16) | cd == raw
    hi, lo = (int(x) for x in format_version(raw, "pair").split("."))
    assert (hi << 16) | lo == raw
    assert int(format_version(raw, "number")) == raw
    assert int(format_version(raw, "hex"), 16) == raw


@given(st.lists(st.integers(min_value=0, max_value=99), min_size=4, max_size=4))
def test_bcd_reads_back_decimal_digits(parts: list[int]) -> None:
    raw = 0
    for p in parts:
        raw = (raw << 8) | ((p // 10) << 4) | (p % 10)
    assert format_version(raw, "bcd") == ".".join(str(p) for p in parts)


def test_unknown_format_refused() -> None:
    with pytest.raises(UnknownChoice, match="plain, number, pair, triplet, quad, bcd, hex"):
        format_version(1, "semver")
    with pytest.raises(ValueError, match="unsigned 32-bit"):
        format_version(-1, "quad")


def test_firmware_version_has_no_numeric_order() -> None:
    a, b = FirmwareVersion.parse("124074DA"), FirmwareVersion.parse("1220665A")
    assert a == FirmwareVersion.parse("124074da")
    assert a != b
    with pytest.raises(TypeError):
        _ = a < b  # type: ignore[operator]
    assert a.display("quad") == "18.64.116.218"
    assert a.display(None) == "124074DA"


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("CHTS V1.0 ", "CHTS V1.1"),
        ("CHTS V1.1", "CHTS V1.3"),
        ("GBCS Version 1.0 ", "GBCS Version 1.1  "),
        ("GBCS Version 2.1", "GBCS Version 3.2"),
        ("SMETS V2.0", "SMETS V4.2"),
        # as versions, not as text: 1.10 is after 1.9
        ("CHTS V1.9", "CHTS V1.10"),
    ],
)
def test_spec_versions_order_as_versions(lower: str, higher: str) -> None:
    assert SpecVersion.parse(lower) < SpecVersion.parse(higher)
    assert SpecVersion.parse(higher) > SpecVersion.parse(lower)


def test_spec_versions_of_different_families_do_not_compare() -> None:
    assert str(SpecVersion.parse("GBCS Version 1.0 ")) == "GBCS Version 1.0"
    assert str(SpecVersion.parse("CHTS V1.1")) == "CHTS V1.1"
    with pytest.raises(TypeError, match="different specifications"):
        _ = SpecVersion.parse("CHTS V1.1") < SpecVersion.parse("GBCS Version 2.0")
    with pytest.raises(ValueError, match="not a SMETS, CHTS or GBCS version"):
        SpecVersion.parse("Version 1.1")
