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
    """A set of Device ID keys: a filter of bytes in front of the exact keys, held as sorted runs.

    A stream's Device IDs are almost never repeated, so most lookups are settled by the filter
    (two hashed slots of a byte map, a Bloom filter without bit packing: vectorised reads and
    writes, no per-key work): a key whose slots are not both set was never added. Only the few
    keys the filter cannot rule out are looked up exactly, one binary search per run; each
    chunk's keys become a run, and runs are merged only when they grow many. Adding and looking
    up a chunk are then linear in the chunk, not in what came before.

    >>> seen = SeenDevices()
    >>> seen.add(np.array([5, 1], dtype=np.uint64))
    >>> seen.contains(np.array([1, 2], dtype=np.uint64)).tolist()
    [True, False]
    """

    #: Runs kept before they are merged into one (a lookup costs one search per run).
    MAX_RUNS = 64

    def __init__(self, expected: int | None = None) -> None:
        # about 16 slots a key keeps false hits to ~1% when full; bounded to 256 MiB
        want = max(1 << 16, 16 * (expected or 1 << 20))
        bits = min(28, max(16, int(want - 1).bit_length()))
        self._map = np.zeros(1 << bits, dtype=np.bool_)
        self._shift = np.uint64(64 - bits)
        self._runs: list[Keys] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs)

    def _slots(self, keys: Keys) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        # two multiplicative hashes (odd 64-bit constants; the products wrap modulo 2**64)
        a = (keys * np.uint64(0x9E3779B97F4A7C15)) >> self._shift
        b = ((keys ^ (keys >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)) >> self._shift
        return a.astype(np.intp), b.astype(np.intp)

    def contains(self, keys: Keys) -> npt.NDArray[np.bool_]:
        """Which of ``keys`` were added before."""
        found = np.zeros(len(keys), dtype=np.bool_)
        if not self._runs or len(keys) == 0:
            return found
        a, b = self._slots(keys)
        maybe = np.flatnonzero(self._map[a] & self._map[b])
        if maybe.size:
            candidates = keys[maybe]
            hit = np.zeros(maybe.size, dtype=np.bool_)
            for run in self._runs:
                at = np.searchsorted(run, candidates).clip(max=len(run) - 1)
                hit |= run[at] == candidates
            found[maybe] = hit
        return found

    def add(self, keys: Keys, *, ordered: bool = False) -> None:
        """Remember ``keys`` (``ordered`` when they are sorted already)."""
        if len(keys) == 0:
            return
        run = keys if ordered else np.sort(keys)
        a, b = self._slots(run)
        self._map[a] = True
        self._map[b] = True
        self._runs.append(run)
        if len(self._runs) > self.MAX_RUNS:
            self._runs = [np.sort(np.concatenate(self._runs))]
