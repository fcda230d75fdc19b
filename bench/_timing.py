"""Timing helpers shared by the benchmarks: medians of repeated runs, printed plainly."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Final

__all__ = ["CHILD_ENV", "median_seconds", "report"]

#: The environment of a timed child process: bytecode written and read, as an installed tool's
#: imports use it (``PYTHONDONTWRITEBYTECODE`` would make every run compile what it imports),
#: and no store named by the caller.
CHILD_ENV: Final = {
    k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "HUBCHECK_DB")
}


def median_seconds(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report(name: str, seconds: float, *, baseline: float | None = None, unit: str = "ms") -> None:
    """Print one figure (and its ratio to a baseline measured in the same process)."""
    scale = {"s": 1.0, "ms": 1e3, "us": 1e6}[unit]
    line = f"{name:<58} {seconds * scale:12.3f} {unit}"
    if baseline is not None and seconds > 0:
        line += f"   ({baseline / seconds:6.1f}x faster than the baseline)"
    print(line, flush=True)
