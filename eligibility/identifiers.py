"""Device IDs and Device Models, parsed and shown one way.

A Device ID is an EUI-64 (``00-DB-12-34-56-78-90-A0``); a Device Model is a ZigBee manufacturer
code (4 hex) plus the model as DUIS writes it (8 hex: OTA image type, hardware version,
hardware revision).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eligibility.errors import InvalidIdentifier, excerpt

__all__ = [
    "DeviceModel",
    "parse_device_id",
    "parse_manufacturer",
    "parse_model",
]

_EUI_DASHED = re.compile(r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}")
_EUI_PLAIN = re.compile(r"[0-9A-Fa-f]{16}")
_HEX = re.compile(r"[0-9A-Fa-f]+")


def parse_device_id(text: str, *, field: str = "device_id") -> str:
    """Normalise an EUI-64 Device ID to upper case with ``-`` between octets.

    >>> parse_device_id("00db1234567890a0")
    '00-DB-12-34-56-78-90-A0'

    Raises InvalidIdentifier when ``text`` is neither 8 dash-separated octets nor 16 hex digits.
    """
    s = text.strip()
    if _EUI_DASHED.fullmatch(s):
        return s.upper()
    if _EUI_PLAIN.fullmatch(s):
        u = s.upper()
        return "-".join(u[i : i + 2] for i in range(0, 16, 2))
    raise InvalidIdentifier(
        f"{field}: {excerpt(text)} is not a Device ID; expected an EUI-64 as 8 hex octets separated by '-' "
        "(00-DB-12-34-56-78-90-A0) or 16 hex digits",
        field=field,
    )


def _hex_exact(text: str, digits: int, what: str, example: str, field: str) -> str:
    s = text.strip()
    if len(s) == digits and _HEX.fullmatch(s):
        return s.upper()
    why = ""
    if _HEX.fullmatch(s) and len(s) < digits:
        why = " (too short: were leading zeros dropped?)"
    elif s and not _HEX.fullmatch(s):
        # ASCII only: a fullwidth '１' is a digit to str.isdigit but not to the pattern
        bad = next(c for c in s if c.upper() not in "0123456789ABCDEF")
        why = f" ({bad!r} is not a hex digit)"
    raise InvalidIdentifier(
        f"{field}: {excerpt(text)} is not a {what}; expected {digits} hex digits, e.g. {example}{why}",
        field=field,
    )


def parse_manufacturer(text: str, *, field: str = "manufacturer") -> str:
    """Normalise a ZigBee manufacturer identifier (4 hex digits, upper case).

    >>> parse_manufacturer("106c")
    '106C'

    Raises InvalidIdentifier for anything but exactly 4 hex digits.
    """
    return _hex_exact(text, 4, "manufacturer identifier", "1086", field)


def parse_model(text: str, *, field: str = "model") -> str:
    """Normalise a Device Model identifier as DUIS writes it (8 hex digits, upper case).

    >>> parse_model("54311f52")
    '54311F52'

    Raises InvalidIdentifier for anything but exactly 8 hex digits.
    """
    return _hex_exact(text, 8, "model (image type + hardware version + revision)", "54311F52", field)


@dataclass(frozen=True, slots=True, order=True)
class DeviceModel:
    """A Device Model: manufacturer (4 hex) and model (8 hex), both upper case.

    >>> DeviceModel.parse("1086", "54311f52")
    DeviceModel(manufacturer='1086', model='54311F52')
    """

    manufacturer: str
    model: str

    @classmethod
    def parse(cls, manufacturer: str, model: str) -> DeviceModel:
        """Parse both parts; raises InvalidIdentifier naming the bad one."""
        return cls(parse_manufacturer(manufacturer), parse_model(model))

    def __str__(self) -> str:
        return f"{self.manufacturer}/{self.model}"
