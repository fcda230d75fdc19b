"""Writing a CPL back out in SECAS's shapes: the CSV export, the Version Control sheet, a workbook.

Used for the project's own sample data (never the real CPL) and by tests that round-trip.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cpl_data.cpl import FIELDS
from cpl_data.csv_out import neutralise_cell
from eligibility.cpl import Cpl, CplEntry

__all__ = ["cpl_csv_text", "history_csv_text", "write_cpl_workbook"]


def _title(cpl: Cpl) -> str:
    return f"Version {cpl.version} Issued on {cpl.issued_on.strftime('%d-%m-%Y')}"


def _export_row(cpl: Cpl, e: CplEntry) -> list[str]:
    return [
        _title(cpl),
        e.label,
        e.status,
        e.device_type,
        e.manufacturer,
        e.model[:4],
        e.model[4:6],
        e.model[6:8],
        e.model,
        e.firmware,
        e.smets_chts or "",
        e.gbcs or "",
        e.image_hash or "",
    ]


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([neutralise_cell(c) for c in r] for r in rows)
    return buf.getvalue()


def cpl_csv_text(cpl: Cpl) -> str:
    """The CPL as its "CPL - saveable in CSV" export."""
    return _csv([list(FIELDS)] + [_export_row(cpl, e) for e in sorted(cpl.entries, key=lambda e: e.number)])


def _history_rows(cpl: Cpl) -> list[list[str]]:
    rows = [
        ["Central Products List (CPL)", "", ""],
        [_title(cpl), "", ""],
        ["Version History", "", ""],
        [
            "Version Number (each issued version will increment this number by one)",
            "Date Of Issue",
            "Changes incorporated",
        ],
    ]
    rows += [[h.version, h.issued_on.strftime("%d/%m/%Y"), h.notes] for h in cpl.history]
    return rows


def history_csv_text(cpl: Cpl) -> str:
    """The CPL's Version Control sheet as CSV."""
    return _csv(_history_rows(cpl))


def write_cpl_workbook(cpl: Cpl, path: Path) -> None:
    """A workbook with the "CPL - saveable in CSV" and "Version Control" sheets, cells as text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "CPL - saveable in CSV"
    ws.append(list(FIELDS))
    for e in sorted(cpl.entries, key=lambda e: e.number):
        ws.append(_export_row(cpl, e))
    for row in ws.iter_rows():
        for cell in row:
            cell.number_format = "@"  # text: keeps leading zeros when someone re-saves it
    vc = wb.create_sheet("Version Control")
    for r in _history_rows(cpl):
        vc.append(r)
    wb.save(path)
