"""What an inventory file is (CSV, Parquet or DUIS XML), told from its first bytes.

Kept apart from :mod:`cpl_data.sources` (polars, pyarrow) so that a command can refuse a path
that is missing or unreadable at once, before it loads the libraries that would read it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from eligibility.errors import DataError

__all__ = ["InventoryKind", "detect_kind"]

InventoryKind = Literal["csv", "parquet", "duis"]


def detect_kind(path: Path) -> InventoryKind:
    """CSV, Parquet or DUIS, from the file's first bytes (a folder or a zip is DUIS responses).

    Raises DataError when ``path`` does not exist or cannot be read.
    """
    if path.is_dir() or path.suffix.lower() == ".zip":
        return "duis"
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    if head[:4] == b"PAR1":
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" or zipfile.is_zipfile(path):
        return "duis"
    return "csv"
