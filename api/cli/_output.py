"""Writing a report's table where a command's ``-o``/``--...-out`` option says."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from api.cli._common import err_console

__all__ = ["write_table"]


def write_table(frame: pl.DataFrame, path: Path, what: str, csv_frame: pl.DataFrame | None = None) -> None:
    """Parquet for ``.parquet``/``.pq``, else CSV (``csv_frame``, when lists must be flattened first)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        frame.write_parquet(path)
    else:
        (frame if csv_frame is None else csv_frame).write_csv(path)
    err_console.print(f"{frame.height:,} {what} written to {path}")
