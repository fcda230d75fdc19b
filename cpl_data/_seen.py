"""Device IDs met so far in a stream, to find a device listed again in a later chunk.

An EUI-64 is 64 bits, so a canonical Device ID is kept exactly as one unsigned 64-bit integer
(:func:`device_keys`): 8 bytes a device, no object per device, no string kept, no false match.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["SeenDevices", "device_keys"]

Keys = npt.NDArray[np.uint64]


def device_keys(ids: pl.Series) -> pl.Series:
    """Canonical Device IDs (``00-DB-12-34-56-78-90-A0``) as the 64-bit integers they write (null stays null)."""
    return ids.str.replace_all("-", "", literal=True).str.to_integer(base=16, dtype=pl.UInt64, strict=False)


class SeenDevices:
    """A set of Device ID keys held as sorted runs, merged like a binary counter.

    Each chunk's keys become a run; two runs of about the same size merge (a linear merge of
    sorted arrays), so adding n keys costs O(n log n) in all and a lookup one binary search per
    run (a few dozen runs at most). Lookups of sorted keys walk memory in order.

    >>> seen = SeenDevices()
    >>> seen.add(np.array([5, 1], dtype=np.uint64))
    >>> seen.contains(np.array([1, 2], dtype=np.uint64)).tolist()
    [True, False]
    """

    def __init__(self) -> None:
        self._runs: list[Keys] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs)

    def contains(self, keys: Keys) -> npt.NDArray[np.bool_]:
        """Which of ``keys`` were added before (sorted keys are looked up fastest)."""
        found = np.zeros(len(keys), dtype=np.bool_)
        for run in self._runs:
            at = np.searchsorted(run, keys).clip(max=len(run) - 1)
            found |= run[at] == keys
        return found

    def add(self, keys: Keys, *, ordered: bool = False) -> None:
        """Remember ``keys`` (``ordered`` when they are sorted already)."""
        if len(keys) == 0:
            return
        run = keys if ordered else np.sort(keys)
        while self._runs and len(self._runs[-1]) <= len(run):
            # two sorted runs side by side: the stable (tim)sort merges them in linear time
            run = np.sort(np.concatenate([self._runs.pop(), run]), kind="stable")
        self._runs.append(run)
