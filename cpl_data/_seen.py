"""Device IDs met so far in a stream, to find a device listed twice in different chunks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["SeenDevices"]


class SeenDevices:
    """A set of 64-bit Device ID keys held as sorted runs (8 bytes a device, no object per device).

    Each chunk's keys arrive sorted and become a run; runs merge like a binary counter, so adding
    n keys costs O(n log n) in all, and a lookup one binary search per run (a few dozen at most).

    >>> seen = SeenDevices()
    >>> seen.add_sorted(np.array([1, 5], dtype=np.uint64))
    >>> seen.contains_any(np.array([2, 3], dtype=np.uint64)), seen.contains_any(np.array([5], dtype=np.uint64))
    (False, True)
    """

    def __init__(self) -> None:
        self._runs: list[npt.NDArray[np.uint64]] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs)

    def _hits(self, run: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        at = np.searchsorted(run, keys).clip(max=len(run) - 1)
        hits: npt.NDArray[np.bool_] = run[at] == keys
        return hits

    def contains_any(self, ordered: npt.NDArray[np.uint64]) -> bool:
        """Whether any of ``ordered`` (sorted keys: the searches then walk memory in order) was added."""
        return any(self._hits(run, ordered).any() for run in self._runs if len(run))

    def contains(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Which of ``keys`` were added."""
        found = np.zeros(len(keys), dtype=np.bool_)
        for run in self._runs:
            if len(run):
                found |= self._hits(run, keys)
        return found

    def add_sorted(self, ordered: npt.NDArray[np.uint64]) -> None:
        """Remember ``ordered`` (sorted keys)."""
        run = ordered
        while self._runs and len(self._runs[-1]) <= len(run):
            # two sorted runs side by side: the stable (tim)sort merges them in linear time
            run = np.sort(np.concatenate([self._runs.pop(), run]), kind="stable")
        self._runs.append(run)
