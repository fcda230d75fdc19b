"""Allocator settings for the CLI process, applied before polars loads (import this module first).

polars allocates through jemalloc, which by default hands freed pages back to the system within
milliseconds; a batch job then faults the same pages in again chunk after chunk, and a third of
its CPU time went to the kernel. Keeping freed pages for a few seconds halves that, for some
hundred megabytes more at the peak. A setting of the user's own (``_RJEM_MALLOC_CONF``) wins.
"""

from __future__ import annotations

import os

__all__: list[str] = []

os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:5000,muzzy_decay_ms:5000")
