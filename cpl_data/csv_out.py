"""CSV that a spreadsheet opens safely: every cell that could run as a formula is neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``): an
inventory's free-text cells (a supplier's name, a rejected value) would then run on the machine
of whoever opens hubcheck's output. As OWASP's CSV-injection guidance says, such a cell is written
with a single quote in front (``'=cmd|...``), which spreadsheets show as text; the writer quotes
cells holding the separator or quotes, so a cell cannot spill into the next one either.

Text, dates (a year past 9999 is written ``+10000-...``) and lists are checked; numbers are left
alone (``-5`` is a number, never a formula). Every CSV hubcheck writes goes through
:func:`write_csv` or :func:`neutralise_cell`.

>>> neutralise_cell("=1+1"), neutralise_cell("Ampere Energy")
("'=1+1", 'Ampere Energy')
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Final

import polars as pl

__all__ = ["FORMULA_START", "neutralise", "neutralise_cell", "write_csv"]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START: Final = "=+-@\t\r"
_FORMULA: Final = r"^[=+\-@\t\r]"


def neutralise_cell(value: str) -> str:
    """``value`` with a single quote in front when it would start a formula."""
    return "'" + value if value[:1] and value[0] in FORMULA_START else value


def _text(name: str, dtype: pl.DataType) -> pl.Expr | None:
    """The column as text when it can hold a formula-like cell, else None (numbers, booleans)."""
    col = pl.col(name)
    if dtype == pl.String:
        return col
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        return col.cast(pl.String)
    if isinstance(dtype, pl.List):
        return col.cast(pl.List(pl.String)).list.join(";")
    if isinstance(dtype, pl.Struct):
        return col.struct.json_encode()
    return None


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with text cells that start a formula quoted, lists ``;``-joined, far dates as text."""
    exprs: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        text = _text(name, dtype)
        if text is None and dtype.is_temporal() and dtype != pl.Duration and frame.height:
            # a date outside years 0-9999 is written with a sign: '+10000-12-31' would be a formula
            years = frame.select(
                pl.col(name).dt.year().min().alias("lo"), pl.col(name).dt.year().max().alias("hi")
            )
            lo, hi = years.row(0)
            if lo is not None and (lo < 0 or hi > 9999):
                text = pl.col(name).cast(pl.String)
        if text is None:
            continue
        exprs.append(
            pl.when(text.str.contains(_FORMULA)).then(pl.lit("'") + text).otherwise(text).alias(name)
        )
    return frame.with_columns(exprs) if exprs else frame


def write_csv(frame: pl.DataFrame, target: Path | IO[bytes], *, include_header: bool = True) -> None:
    """Write ``frame`` as CSV (UTF-8, header row), every formula-like cell neutralised."""
    neutralise(frame).write_csv(target, include_header=include_header)
