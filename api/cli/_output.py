"""Output for people: a report's table written where ``-o``/``--...-out`` says, indented lines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from api.cli._common import console, err_console, unwrap

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console
    from rich.text import Text

__all__ = ["indented", "write_table"]


def indented(text: str | Text, indent: int = 2, *, hang: int = 0, to: Console | None = None) -> None:
    """Print ``text`` indented; where the console wraps, the next lines are indented ``hang`` more.

    In a pipe (no known width) the text stays one line, for grep and logs.
    """
    from rich.text import Text

    out = unwrap(to or console)
    body = text.copy() if isinstance(text, Text) else Text(text)
    if out.soft_wrap:
        out.print(Text(" " * indent) + body, soft_wrap=True)
        return
    first, rest = " " * indent, " " * (indent + hang)
    for i, line in enumerate(body.wrap(out, max(20, out.width - indent - hang))):
        line.rstrip()
        out.print(Text(first if i == 0 else rest) + line)


def write_table(frame: pl.DataFrame, path: Path, what: str, csv_frame: pl.DataFrame | None = None) -> None:
    """Parquet for ``.parquet``/``.pq``, else CSV (``csv_frame``, when lists must be flattened first)."""
    from cpl_data.csv_out import write_csv

    if path.suffix.lower() in (".parquet", ".pq"):
        frame.write_parquet(path)
    else:
        write_csv(frame if csv_frame is None else csv_frame, path)
    err_console.print(f"{frame.height:,} {what} written to {path}")
