"""The firmware version inside an SR 11.2 (Read Firmware Version) response's GBCS payload.

The payload is base64. Near its end, the DLMS access-response carries the version as an
octet-string of four bytes: tag ``09``, length ``04``, then the version big-endian (real
responses: Toshiba CHF ``0C230000``, ``0C150000``). The response's list of data holds one item,
so the octet-string follows a count of ``01``; that form is looked for first, the bare
octet-string second, and the last match wins (headers come first, the 12-byte MAC last).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

from eligibility.errors import DataError

__all__ = ["firmware_from_payload"]

_ONE_ITEM: Final = re.compile(rb"\x01\x09\x04(.{4})", re.DOTALL)
_OCTETS: Final = re.compile(rb"\x09\x04(.{4})", re.DOTALL)


def firmware_from_payload(payload: str, *, source: str = "GBCSPayload") -> str:
    """The 8-hex firmware version in a base64 GBCS payload of an SR 11.2 response.

    >>> firmware_from_payload("AAEJBAwjAAABAQAA")
    '0C230000'

    Raises DataError when the payload is not base64 or carries no 4-byte octet-string.
    """
    try:
        raw = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        raise DataError(f"{source}: the GBCS payload is not base64; check the response is whole") from None
    for pattern in (_ONE_ITEM, _OCTETS):
        found = pattern.findall(raw[:-12] if len(raw) > 16 else raw)
        if found:
            return bytes(found[-1]).hex().upper()
    raise DataError(
        f"{source}: no firmware version in the GBCS payload (no DLMS octet-string 09 04 and 4 bytes); "
        "is it a Read Firmware Version (11.2) response?"
    )
