"""Firmware versions, their display formats, and SMETS/CHTS/GBCS specification versions.

A firmware version is the OTA header File Version: an unsigned 32-bit number written as 8 hex
digits, big-endian. Manufacturers code it as they like (BCD, hex, their own scheme) but always so
that a later image has a higher number, so release order is numeric (``FirmwareVersion.raw``)
unless a catalogue states a model's order (see :mod:`eligibility.releases`, the one place that
orders versions). :class:`FirmwareVersion` itself compares for equality only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from packaging.version import InvalidVersion, Version

from eligibility.errors import InvalidFirmwareVersion, UnknownChoice

__all__ = [
    "VERSION_FORMATS",
    "FirmwareVersion",
    "SpecVersion",
    "VersionFormat",
    "format_version",
    "parse_firmware",
]

VersionFormat = Literal["plain", "number", "pair", "triplet", "quad", "bcd", "hex"]
VERSION_FORMATS: Final[tuple[str, ...]] = get_args(VersionFormat)

_HEX = re.compile(r"[0-9A-Fa-f]{1,8}")


def parse_firmware(text: str, *, pad: bool = False, field: str = "firmware") -> str:
    """Normalise a firmware version to 8 upper-case hex digits.

    >>> parse_firmware("0c240000")
    '0C240000'
    >>> parse_firmware("9001", pad=True)
    '00009001'

    With ``pad`` (inventory inputs: DUIS allows 1-8 digits) a short value is left-padded with
    zeros; without it (the CPL) a short value is refused, because there it means a spreadsheet
    dropped the leading zeros. Raises InvalidFirmwareVersion.
    """
    s = text.strip()
    if s[:2] in ("0x", "0X"):
        s = s[2:]
    if _HEX.fullmatch(s):
        if len(s) == 8:
            return s.upper()
        if pad:
            return s.upper().rjust(8, "0")
        raise InvalidFirmwareVersion(
            f"{field}: {text!r} has {len(s)} hex digits, 8 expected; a spreadsheet may have dropped "
            "leading zeros - export the cells as text",
            field=field,
        )
    expected = "1 to 8 hex digits" if pad else "8 hex digits"
    raise InvalidFirmwareVersion(
        f"{field}: {text!r} is not a firmware version; expected {expected}, e.g. 0C240000",
        field=field,
    )


def _bcd(octet: int) -> int:
    # Each nibble is one decimal digit; a nibble above 9 is decoded the same way (no error),
    # which is what fwupd does.
    return ((octet >> 4) & 0x0F) * 10 + (octet & 0x0F)


def format_version(raw: int, fmt: str) -> str:
    """Render a uint32 firmware version in an fwupd version format.

    >>> format_version(0x0C240000, "quad")
    '12.36.0.0'
    >>> format_version(0x0C240000, "triplet")
    '12.36.0'
    >>> format_version(0x12345678, "bcd")
    '12.34.56.78'

    The results match fwupd's ``fu_version_from_uint32``: quad ``AA.BB.CC.DD``, triplet
    ``AA.BB.CCDD``, pair ``AABB.CCDD``, plain and number the decimal value, bcd each octet
    read as two decimal digits, hex ``0x`` and 8 lower-case digits.
    Raises UnknownChoice for another format, ValueError when ``raw`` is not a uint32.
    """
    if not 0 <= raw <= 0xFFFFFFFF:
        raise ValueError(f"{raw} is not an unsigned 32-bit firmware version")
    a, b, c, d = (raw >> 24) & 0xFF, (raw >> 16) & 0xFF, (raw >> 8) & 0xFF, raw & 0xFF
    if fmt == "quad":
        return f"{a}.{b}.{c}.{d}"
    if fmt == "triplet":
        return f"{a}.{b}.{raw & 0xFFFF}"
    if fmt == "pair":
        return f"{(raw >> 16) & 0xFFFF}.{raw & 0xFFFF}"
    if fmt in ("plain", "number"):
        return str(raw)
    if fmt == "bcd":
        return f"{_bcd(a)}.{_bcd(b)}.{_bcd(c)}.{_bcd(d)}"
    if fmt == "hex":
        return f"0x{raw:08x}"
    raise UnknownChoice(
        f"display_format: {fmt!r} is not a version format; use one of {', '.join(VERSION_FORMATS)}",
        field="display_format",
    )


@dataclass(frozen=True, slots=True)
class FirmwareVersion:
    """A firmware version: 8 upper-case hex digits; equality only (release order lives in
    :func:`eligibility.releases.release_order`).

    >>> FirmwareVersion.parse("0c240000").display("quad")
    '12.36.0.0'
    """

    hex: str

    @classmethod
    def parse(cls, text: str, *, pad: bool = False) -> FirmwareVersion:
        """Parse as :func:`parse_firmware` does; raises InvalidFirmwareVersion."""
        return cls(parse_firmware(text, pad=pad))

    @property
    def raw(self) -> int:
        """The unsigned 32-bit value."""
        return int(self.hex, 16)

    def display(self, fmt: str | None) -> str:
        """The version in an fwupd format, or the hex form when ``fmt`` is None."""
        return self.hex if fmt is None else format_version(self.raw, fmt)

    def __str__(self) -> str:
        return self.hex


_SPEC = re.compile(r"^\s*(SMETS|CHTS|GBCS)\s*(?:V|Version)\s*([0-9]+(?:\.[0-9]+)*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SpecVersion:
    """A SMETS, CHTS or GBCS version from the CPL (``CHTS V1.1``, ``GBCS Version 1.0``).

    Versions of the same family compare as versions (``CHTS V1.1 < CHTS V1.3``); comparing
    different families is a TypeError.

    >>> SpecVersion.parse("CHTS V1.1 ") < SpecVersion.parse("CHTS V1.3")
    True
    """

    family: str
    version: Version

    @classmethod
    def parse(cls, text: str) -> SpecVersion:
        """Parse ``SMETS V4.2``, ``CHTS V1.0`` or ``GBCS Version 3.2``; raises ValueError."""
        m = _SPEC.match(text)
        if m is None:
            raise ValueError(f"{text!r} is not a SMETS, CHTS or GBCS version (e.g. 'CHTS V1.1')")
        try:
            return cls(m.group(1).upper(), Version(m.group(2)))
        except InvalidVersion as exc:  # pragma: no cover - the regex admits only dotted numbers
            raise ValueError(str(exc)) from exc

    def _key(self, other: object) -> tuple[Version, Version]:
        if not isinstance(other, SpecVersion):
            raise TypeError(f"cannot order {self} against {other!r}")
        if other.family != self.family:
            raise TypeError(f"cannot order {self} against {other}: different specifications")
        return self.version, other.version

    def __lt__(self, other: SpecVersion) -> bool:
        a, b = self._key(other)
        return a < b

    def __le__(self, other: SpecVersion) -> bool:
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: SpecVersion) -> bool:
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: SpecVersion) -> bool:
        a, b = self._key(other)
        return a >= b

    def __str__(self) -> str:
        prefix = "Version " if self.family == "GBCS" else "V"
        return f"{self.family} {prefix}{self.version}"
