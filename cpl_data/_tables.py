"""Turning CSV text and workbook sheets into rows of strings, with errors a person can act on."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from eligibility.errors import DataError, Problem

__all__ = ["Table", "cell_text", "decode_text", "is_workbook", "read_csv_rows", "read_workbook"]

Table = list[list[str]]

_ZIP_MAGIC = b"PK\x03\x04"


def is_workbook(data: bytes, name: str = "") -> bool:
    """True when ``data`` looks like an xlsx/xlsm (a zip) rather than text."""
    return data[:4] == _ZIP_MAGIC or name.lower().endswith((".xlsx", ".xlsm"))


def decode_text(data: bytes, source: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    if b"\x00" in data[:4096]:
        raise DataError(
            f"{source}: this is a binary file, not CSV text; give the CPL as its CSV export or as the workbook"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv_rows(data: bytes, source: str) -> Table:
    """All rows of a CSV file as lists of strings."""
    text = decode_text(data, source)
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise DataError(f"{source}: not readable as CSV ({exc}); save the sheet again as CSV") from exc


def cell_text(value: Any) -> str:
    """A workbook cell as the text a person sees (integral floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_workbook(data: bytes, source: str, wanted: Sequence[str]) -> dict[str, Table]:
    """The sheets named in ``wanted`` that the workbook has, as tables of strings.

    Raises DataError when the file is not a readable xlsx/xlsm (truncated, encrypted, or
    another kind of zip).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        out: dict[str, Table] = {}
        for name in wanted:
            if name in names:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                out[name] = [[cell_text(v) for v in row] for row in rows]
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(
            f"{source}: not a readable workbook ({exc}); the file may be truncated or not an "
            ".xlsx/.xlsm - download it again or export the 'CPL - saveable in CSV' sheet as CSV"
        ) from exc
    if not out:
        raise DataError(
            f"{source}: the workbook has none of the sheets {', '.join(repr(w) for w in wanted)}; "
            f"it has {', '.join(repr(n) for n in names)}",
            [Problem("not a CPL workbook", source=source)],
        )
    return out
