"""Hex text columns from integers, vectorised (numpy byte tables, no Python object per row).

Used by the synthetic fleet generator for Device IDs (``00-DB-12-34-56-78-90-A0``), models and
firmware versions.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["hex_series"]

_PAIRS: Final = np.frombuffer(b"".join(f"{i:02X}".encode() for i in range(256)), dtype=np.uint8).reshape(
    256, 2
)


def hex_series(values: npt.NDArray[np.uint64], octets: int, *, sep: str = "", name: str = "") -> pl.Series:
    """The low ``octets`` bytes of each value as upper-case hex, big-endian, ``sep`` between octets.

    >>> hex_series(np.array([0x00DB1234567890A0], dtype=np.uint64), 8, sep="-").to_list()
    ['00-DB-12-34-56-78-90-A0']
    >>> hex_series(np.array([0x0C240000], dtype=np.uint64), 4).to_list()
    ['0C240000']

    Raises ValueError for ``octets`` outside 1-8 or a separator longer than one character.
    """
    if not 1 <= octets <= 8 or len(sep) > 1:
        raise ValueError("octets must be 1 to 8 and sep at most one character")
    n = len(values)
    step = 2 + len(sep)
    width = octets * step - len(sep)
    as_bytes = values.astype(">u8").view(np.uint8).reshape(n, 8)[:, 8 - octets :]
    out = np.empty((n, octets * step), dtype=np.uint8)
    cells = out.reshape(n, octets, step)
    cells[:, :, :2] = _PAIRS[as_bytes]
    if sep:
        cells[:, :, 2] = ord(sep)
    text = np.ascontiguousarray(out[:, :width]).view(f"S{width}").ravel()
    return pl.Series(name, text).cast(pl.String)
