from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.errors import InvalidIdentifier
from eligibility.identifiers import DeviceModel, parse_device_id, parse_manufacturer, parse_model


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # dashed form, either case, shown upper case
        ("00-db-12-34-56-78-90-a0", "00-DB-12-34-56-78-90-A0"),
        ("00-DB-12-34-56-78-90-A0", "00-DB-12-34-56-78-90-A0"),
        # 16 hex digits get their dashes
        ("00db1234567890a0", "00-DB-12-34-56-78-90-A0"),
        # surrounding blanks are not part of it
        ("  00DB1234567890A0 ", "00-DB-12-34-56-78-90-A0"),
    ],
)
def test_device_id_normalised(text: str, expected: str) -> None:
    assert parse_device_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "00-DB-12-34-56-78-90",  # 7 octets
        "00-DB-12-34-56-78-90-A0-11",  # 9 octets
        "00:DB:12:34:56:78:90:A0",  # colons are not the EUI form DUIS uses
        "00DB1234567890AG",  # G is not hex
        "00-DB-1234-56-78-90-A0",  # a dash missing
        "",
    ],
)
def test_device_id_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier, match="device_id"):
        parse_device_id(text)


@given(st.binary(min_size=8, max_size=8), st.booleans(), st.booleans())
def test_device_id_roundtrip(raw: bytes, dashed: bool, lower: bool) -> None:
    text = "-".join(f"{b:02X}" for b in raw) if dashed else raw.hex().upper()
    if lower:
        text = text.lower()
    out = parse_device_id(text)
    assert out == "-".join(f"{b:02X}" for b in raw)
    assert parse_device_id(out) == out


@pytest.mark.parametrize(
    ("manufacturer", "model", "message"),
    [
        ("108", "54311F52", "too short"),  # leading zero lost
        ("1086", "54311G52", "'G' is not a hex digit"),
        ("1086", "54311F5", "too short"),
        ("10866", "54311F52", "4 hex digits"),
    ],
)
def test_device_model_refused_names_the_fault(manufacturer: str, model: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message):
        DeviceModel.parse(manufacturer, model)


def test_device_model_normalised() -> None:
    assert DeviceModel.parse("106c", "433100ac") == DeviceModel("106C", "433100AC")
    assert parse_manufacturer(" 1086 ") == "1086"
    assert parse_model("54311f52") == "54311F52"
    assert str(DeviceModel("1086", "54311F52")) == "1086/54311F52"
