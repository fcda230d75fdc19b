"""Reading the CPL in the three shapes SECAS publishes it, with its Version Control history.

Shapes:

- ``csv-export``: the "CPL - saveable in CSV" sheet saved as CSV: one header row of field
  names (``Entry.number`` ...), a ``Version`` column ("Version 2.051 Issued on 21-09-2022").
- ``sheet-csv``: the "Central Products List" sheet saved as CSV: header rows (data group,
  attribute, notes and more), hex written with colons (``0C:24:00:00``), no version column:
  the version comes from the history.
- ``workbook``: the .xlsx/.xlsm itself; the list comes from its "CPL - saveable in CSV" sheet
  (or "Central Products List"), the history from its "Version Control" sheet.

Every row is checked; all problems are reported together in one :class:`DataError` and
nothing is returned, so an import lands whole or not at all.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from cpl_data._notes import clean_notes, note_events, version_names
from cpl_data._tables import Table, is_workbook, read_csv_rows, read_workbook
from eligibility.cpl import CPL_DEVICE_TYPES, Cpl, CplEntry, CplIssue
from eligibility.errors import DataError, Problem
from eligibility.timeline import FirstListing, date_entries, listing_inversions
from eligibility.versions import SpecVersion

__all__ = ["CplImport", "CplShape", "first_listing", "load_cpl", "read_cpl", "read_history"]

CplShape = Literal["csv-export", "sheet-csv", "workbook"]

SHEET_EXPORT = "CPL - saveable in CSV"
SHEET_LIST = "Central Products List"
SHEET_HISTORY = "Version Control"

#: Field names of the CSV export, in order; the sheet's (group, attribute) pairs map onto them.
FIELDS: tuple[str, ...] = (
    "Version",
    "Entry.number",
    "Entry.status",
    "Device_Type.name",
    "Device_Model.manufacturer_identifier",
    "Device_Model.model_identifier",
    "Device_Model.hardware_version.version",
    "Device_Model.hardware_version.revision",
    "Device_Model.model_identifier_concatenated_with_hardware_version",
    "Device_Model.firmware_version",
    "SMETS_CHTS Version.Version_number_and_effective_date",
    "GBCS Version.version_number",
    "Manufacturer_Image.hash",
)
_REQUIRED = FIELDS[1:8] + FIELDS[9:12]
_OPTIONAL = ("Version", FIELDS[8], "Manufacturer_Image.hash")

_VERSION_TITLE = re.compile(
    r"Version\s+(\d+(?:\.\d+)+)\s+Issued\s+on\s+(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", re.I
)
_DIGITS = re.compile(r"[0-9]+")  # ASCII: \d also takes '１', which int() then reads as 1
_HEXCHARS = re.compile(r"[0-9A-Fa-f]+")


@dataclass(frozen=True)
class CplImport:
    """A CPL read from a file: the dated list, where it came from, and what had to be guessed."""

    cpl: Cpl
    source: str
    shape: CplShape
    sha256: str
    history_source: str | None
    warnings: tuple[str, ...] = field(default=())
    reinstated: tuple[int, ...] = field(default=())

    def summary(self) -> dict[str, object]:
        """Counts a person checks after an import: entries by type and status, how many dated."""
        entries = self.cpl.entries
        return {
            "cpl_version": self.cpl.version,
            "issued_on": self.cpl.issued_on.isoformat(),
            "source": self.source,
            "shape": self.shape,
            "history": self.history_source,
            "entries": len(entries),
            "by_device_type": dict(Counter(e.device_type for e in entries).most_common()),
            "by_status": dict(Counter(e.status for e in entries).most_common()),
            "device_models": len({e.device_model for e in entries}),
            "dated": sum(1 for e in entries if e.listed_on is not None),
            "listing_inferred": sum(1 for e in entries if e.listed_on_inferred),
            "listing_inversions": sum(1 for w in self.warnings if w.startswith("listing inversion, ")),
            "version_names": sum(1 for e in entries if e.version_name),
            "history_issues": len(self.cpl.history),
            "warnings": len(self.warnings),
        }


# -- cell checks ---------------------------------------------------------------------------


def _hex_cell(value: str, octets: int, colons: bool) -> tuple[str | None, str | None]:
    """Parse a hex cell of ``octets`` bytes; returns (value, None) or (None, why)."""
    digits = 2 * octets
    s = value.strip()
    if s.lower() in ("nan", "none", "null", "#n/a"):
        return None, (
            f"{s} is not a value: the cell lost its content when a tool re-saved the file; "
            f"{digits} hex digits expected - use the original SECAS file"
        )
    if s == "":
        return None, f"empty; {digits} hex digits expected"
    plain = s.replace(":", "") if colons or ":" in s else s
    if not _HEXCHARS.fullmatch(plain):
        return None, f"not hexadecimal; {digits} hex digits expected (e.g. {'0C24'[:digits] or '0C'})"
    if len(plain) < digits:
        return None, (
            f"{digits} hex digits expected; a spreadsheet may have dropped leading zeros - "
            "export the cells as text"
        )
    if len(plain) > digits:
        return None, f"{digits} hex digits expected, found {len(plain)}"
    return plain.upper(), None


def _entry_number(value: str) -> tuple[int | None, str | None]:
    s = value.strip()
    if re.fullmatch(r"[0-9]{6}", s):
        return int(s), None
    if _DIGITS.fullmatch(s) and len(s) < 6:
        return None, (
            "6 digits expected (e.g. 000024); a spreadsheet may have dropped leading zeros - "
            "export the cells as text"
        )
    return None, "6 digits expected (e.g. 000024)"


#: The causes a refusal's summary groups cells by (a re-saved file has hundreds of the first two).
_KINDS = {
    "dropped leading zeros": "dropped leading zeros (export the cells as text)",
    "lost its content": "emptied cells ('NaN', '#N/A'; use the original SECAS file)",
    "not a CPL Physical Device Type": "not a device type",
}


def _kind(why: str) -> str | None:
    return next((kind for cue, kind in _KINDS.items() if cue in why), None)


@dataclass
class _RowReader:
    source: str
    colons: bool
    problems: list[Problem] = field(default_factory=list)

    def bad(self, row: int, column: str, value: str, why: str) -> None:
        self.problems.append(
            Problem(why, source=self.source, row=row, column=column, value=value, kind=_kind(why))
        )

    def entry(self, row: int, cells: dict[str, str]) -> CplEntry | None:
        before = len(self.problems)
        number, why = _entry_number(cells["Entry.number"])
        if why:
            self.bad(row, "Entry.number", cells["Entry.number"], why)
        status = cells["Entry.status"].strip().capitalize()
        if status not in ("Current", "Removed"):
            self.bad(row, "Entry.status", cells["Entry.status"], "expected 'Current' or 'Removed'")
        device_type = " ".join(cells["Device_Type.name"].split())
        if device_type not in CPL_DEVICE_TYPES:
            self.bad(
                row,
                "Device_Type.name",
                cells["Device_Type.name"],
                "not a CPL Physical Device Type; expected one of: " + ", ".join(CPL_DEVICE_TYPES),
            )
        parts: dict[str, str] = {}
        for name, octets in (
            ("Device_Model.manufacturer_identifier", 2),
            ("Device_Model.model_identifier", 2),
            ("Device_Model.hardware_version.version", 1),
            ("Device_Model.hardware_version.revision", 1),
            ("Device_Model.firmware_version", 4),
        ):
            value, why = _hex_cell(cells[name], octets, self.colons)
            if why:
                self.bad(row, name, cells[name], why)
            elif value is not None:
                parts[name] = value
        model = None
        if len(parts) == 5:
            model = (
                parts["Device_Model.model_identifier"]
                + parts["Device_Model.hardware_version.version"]
                + parts["Device_Model.hardware_version.revision"]
            )
            concat = cells.get(FIELDS[8], "").strip()
            if concat and concat.replace(":", "").upper() != model:
                self.bad(
                    row,
                    FIELDS[8],
                    concat,
                    f"does not match model identifier + hardware version + revision ({model}); "
                    "one of those cells was changed",
                )
        specs: list[str | None] = []
        for name in ("SMETS_CHTS Version.Version_number_and_effective_date", "GBCS Version.version_number"):
            text = " ".join(cells[name].split())
            try:
                specs.append(str(SpecVersion.parse(text)))
            except ValueError:
                self.bad(
                    row, name, cells[name], "expected a version such as 'CHTS V1.1' or 'GBCS Version 2.0'"
                )
                specs.append(None)
        image_hash = cells.get("Manufacturer_Image.hash", "").strip()
        if image_hash:
            plain = image_hash.replace(":", "")
            if re.fullmatch(r"[0-9A-Fa-f]{64}", plain):
                image_hash = plain.upper()
            else:
                self.bad(
                    row, "Manufacturer_Image.hash", image_hash, "expected a SHA-256 hash (64 hex digits)"
                )
        if len(self.problems) > before or number is None or model is None:
            return None
        return CplEntry(
            number=number,
            status=status,
            device_type=device_type,
            manufacturer=parts["Device_Model.manufacturer_identifier"],
            model=model,
            firmware=parts["Device_Model.firmware_version"],
            smets_chts=specs[0],
            gbcs=specs[1],
            image_hash=image_hash or None,
        )


# -- table shapes --------------------------------------------------------------------------


@dataclass
class _ListTable:
    shape: CplShape
    header_row: int  # 0-based index of the row naming the fields
    columns: dict[str, int]
    data: list[tuple[int, list[str]]]  # (1-based spreadsheet row, cells)
    colons: bool


def _looks_like_history(rows: Table) -> bool:
    head = " ".join(" ".join(r) for r in rows[:8]).lower()
    return "version history" in head or "version number (each issued" in head


def _find_list_table(rows: Table, source: str) -> _ListTable:
    nonblank = [r for r in rows if any(c.strip() for c in r)]
    if not nonblank:
        raise DataError(f"{source}: the file is empty; expected the CPL (CSV export, sheet or workbook)")
    for i, r in enumerate(rows[:50]):
        cells = [c.strip().lstrip("\ufeff") for c in r]
        if "Entry.number" in cells:
            columns = {c: j for j, c in enumerate(cells) if c}
            data = [(k + 1, row) for k, row in enumerate(rows) if k > i and any(c.strip() for c in row)]
            return _ListTable("csv-export", i, columns, data, colons=False)
        if cells and cells[0] == "Data Attribute" and i > 0:
            groups: list[str] = []
            last = ""
            for c in rows[i - 1]:
                last = c.strip() or last
                groups.append(last)
            columns = {}
            for j, attr in enumerate(cells):
                if j < len(groups) and attr:
                    columns.setdefault(f"{groups[j]}.{attr}", j)
            # Label rows (Notes, Format, Valid values ...) carry their label in column A;
            # entries leave it empty.
            data = [
                (k + 1, row)
                for k, row in enumerate(rows)
                if k > i and row and not row[0].strip() and any(c.strip() for c in row)
            ]
            return _ListTable("sheet-csv", i, columns, data, colons=True)
    if _looks_like_history(rows):
        raise DataError(
            f"{source}: this is the CPL's Version Control sheet, not the list itself; "
            "import the list and pass this file with --history"
        )
    raise DataError(
        f"{source}: not a CPL: no header row naming 'Entry.number' (the 'CPL - saveable in CSV' export) "
        "and no 'Data Attribute' row (the 'Central Products List' sheet) in its first 50 rows"
    )


def _version_of_export(table: _ListTable, source: str) -> tuple[str, date] | None:
    col = table.columns.get("Version")
    if col is None:
        return None
    seen = Counter(row[col].strip() for _, row in table.data if col < len(row) and row[col].strip())
    if not seen:
        return None
    if len(seen) > 1:
        raise DataError(
            f"{source}: rows disagree on the CPL version ({', '.join(sorted(seen))}); "
            "a CPL file holds one version - export it again"
        )
    text = next(iter(seen))
    m = _VERSION_TITLE.search(text)
    if m is None:
        raise DataError(
            f"{source}: the Version column reads {text!r}; expected 'Version 2.051 Issued on 21-09-2022'"
        )
    return m.group(1), date(int(m.group(4)), int(m.group(3)), int(m.group(2)))


def _entries(table: _ListTable, source: str) -> list[CplEntry]:
    missing = [f for f in _REQUIRED if f not in table.columns]
    if missing:
        raise DataError(
            f"{source}: columns missing: {', '.join(missing)}; the file must have every column of the "
            "CPL's 'CPL - saveable in CSV' export",
            [Problem(f"column {m!r} is missing", source=source, row=table.header_row + 1) for m in missing],
        )
    reader = _RowReader(source, colons=table.colons)
    entries: list[CplEntry] = []
    first_row: dict[int, int] = {}
    for rownum, row in table.data:
        cells = {f: (row[j] if j < len(row) else "") for f, j in table.columns.items()}
        for f in _OPTIONAL:
            cells.setdefault(f, "")
        entry = reader.entry(rownum, cells)
        if entry is None:
            continue
        if entry.number in first_row:
            reader.bad(
                rownum,
                "Entry.number",
                cells["Entry.number"],
                f"entry number repeats row {first_row[entry.number]}; entry numbers are unique",
            )
            continue
        first_row[entry.number] = rownum
        entries.append(entry)
    if reader.problems:
        raise DataError(f"{source}: the CPL was not imported", reader.problems)
    if not entries:
        raise DataError(f"{source}: the CPL has a header but no entries")
    return entries


# -- history -------------------------------------------------------------------------------


def _parse_issue_date(text: str) -> date | None:
    s = text.strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def read_history(rows: Table, source: str) -> tuple[tuple[CplIssue, ...], tuple[str, date] | None]:
    """The issues listed in a Version Control sheet, in version order, and its title version.

    Raises DataError listing every row whose version or date cannot be read.
    """
    header = next(
        (i for i, r in enumerate(rows) if r and r[0].strip().lower().startswith("version number")), None
    )
    if header is None:
        raise DataError(
            f"{source}: not a CPL Version Control sheet: no row starting 'Version Number' "
            "(the header of its version history)"
        )
    title = None
    for r in rows[:header]:
        for c in r:
            m = _VERSION_TITLE.search(c)
            if m:
                title = (m.group(1), date(int(m.group(4)), int(m.group(3)), int(m.group(2))))
                break
        if title:
            break
    problems: list[Problem] = []
    issues: list[CplIssue] = []
    seen: dict[str, int] = {}
    for k in range(header + 1, len(rows)):
        r = rows[k] + ["", "", ""]
        version, when, notes = r[0].strip(), r[1].strip(), r[2]
        if not version and not when:
            continue
        if not re.fullmatch(r"\d+(?:\.\d+)+", version):
            problems.append(
                Problem(
                    "expected a CPL version such as 1.10", source=source, row=k + 1, column="A", value=version
                )
            )
            continue
        if version in seen:
            problems.append(
                Problem(
                    f"version repeats row {seen[version]}; if the sheet held 1.10 a spreadsheet may have "
                    "turned it into the number 1.1 - export the cells as text",
                    source=source,
                    row=k + 1,
                    column="A",
                    value=version,
                )
            )
            continue
        seen[version] = k + 1
        issued = _parse_issue_date(when)
        if issued is None:
            problems.append(
                Problem(
                    "expected an issue date as DD/MM/YYYY", source=source, row=k + 1, column="B", value=when
                )
            )
            continue
        issues.append(CplIssue(version=version, issued_on=issued, notes=clean_notes(notes).strip()))
    if problems:
        raise DataError(f"{source}: the Version Control history was not read", problems)
    if not issues:
        raise DataError(f"{source}: the Version Control sheet lists no CPL versions")
    issues.sort(key=lambda i: _version_key(i.version))
    return tuple(issues), title


def first_listing(issues: Sequence[CplIssue]) -> FirstListing | None:
    """The earliest issue after an initial blank one (v1.0 "Initial blank version for publication"):
    the first that could list anything, where the entries no note adds were listed."""
    for issue in issues:
        if "blank" not in issue.notes.lower():
            return FirstListing(issue.version, issue.issued_on)
    return None


def _history_warnings(issues: Sequence[CplIssue]) -> list[str]:
    out = []
    for prev, cur in itertools.pairwise(issues):
        if cur.issued_on < prev.issued_on:
            out.append(
                f"history: version {cur.version} is dated {cur.issued_on.isoformat()}, before version "
                f"{prev.version} ({prev.issued_on.isoformat()}); its own date is used for what it adds"
            )
    return out


# -- entry point ---------------------------------------------------------------------------


def load_cpl(
    data: bytes,
    *,
    source: str = "CPL",
    history: bytes | None = None,
    history_source: str | None = None,
) -> CplImport:
    """Read a CPL (any of the three shapes) and date its entries from the history.

    The history is ``history`` when given (the Version Control sheet as CSV, or a workbook
    with that sheet), else the workbook's own "Version Control" sheet. Without any history
    every entry counts as listed from the start, with a warning.
    Raises DataError listing every problem found; nothing is returned in part.
    """
    sha = hashlib.sha256(data)
    history_rows: Table | None = None
    shape: CplShape
    if is_workbook(data, source):
        sheets = read_workbook(data, source, [SHEET_EXPORT, SHEET_LIST, SHEET_HISTORY])
        list_rows = sheets.get(SHEET_EXPORT) or sheets.get(SHEET_LIST)
        if list_rows is None:
            raise DataError(
                f"{source}: the workbook has no '{SHEET_EXPORT}' or '{SHEET_LIST}' sheet; is it the CPL?"
            )
        table = _find_list_table(list_rows, source)
        shape = "workbook"
        if SHEET_HISTORY in sheets:
            history_rows = sheets[SHEET_HISTORY]
            history_source = history_source or f"{source} [{SHEET_HISTORY}]"
    else:
        table = _find_list_table(read_csv_rows(data, source), source)
        shape = table.shape
    if history is not None:
        sha.update(history)
        history_source = history_source or "history"
        if is_workbook(history, history_source):
            history_rows = read_workbook(history, history_source, [SHEET_HISTORY])[SHEET_HISTORY]
        else:
            history_rows = read_csv_rows(history, history_source)

    entries = _entries(table, source)
    from_file = _version_of_export(table, source)
    issues: tuple[CplIssue, ...] = ()
    title = None
    warnings: list[str] = []
    if history_rows is not None:
        issues, title = read_history(history_rows, history_source or "history")
        warnings.extend(_history_warnings(issues))
    version_date = from_file or title or ((issues[-1].version, issues[-1].issued_on) if issues else None)
    if version_date is None:
        raise DataError(
            f"{source}: the '{SHEET_LIST}' sheet does not say which CPL version it is; pass the "
            "workbook's Version Control sheet with --history (or import the workbook itself)"
        )
    version, issued_on = version_date
    if from_file and title and from_file != title:
        raise DataError(
            f"{history_source}: this history is of CPL {title[0]} ({title[1].isoformat()}) but {source} "
            f"is CPL {version} ({issued_on.isoformat()}); pass the Version Control sheet of the same workbook"
        )
    if not issues:
        warnings.append(
            "no Version Control history: no entry has a listing date, so release order falls back to "
            "entry numbers; pass --history to date the entries"
        )
    elif _version_key(issues[-1].version) < _version_key(version):
        warnings.append(
            f"history ends at version {issues[-1].version} but the list is version {version}: "
            "entries added since are dated by the fallback rule"
        )
    dated = date_entries(
        entries,
        note_events(issues),
        cpl_version=version,
        cpl_issued_on=issued_on,
        first_listing=first_listing(issues),
    )
    warnings.extend(dated.warnings)
    names = version_names(issues, {e.number: e.firmware for e in dated.entries})
    named = tuple(
        e.model_copy(update={"version_name": names[e.number]}) if e.number in names else e
        for e in dated.entries
    )
    warnings.extend(i.describe() for i in listing_inversions(named))
    cpl = Cpl(version=version, issued_on=issued_on, entries=named, history=issues)
    return CplImport(
        cpl=cpl,
        source=source,
        shape=shape,
        sha256=sha.hexdigest(),
        history_source=history_source if issues else None,
        warnings=tuple(warnings),
        reinstated=dated.reinstated,
    )


def read_cpl(path: Path, history: Path | None = None) -> CplImport:
    """Read a CPL file (and optionally its Version Control sheet) from disk; see :func:`load_cpl`."""
    try:
        data = path.read_bytes()
        hist = history.read_bytes() if history is not None else None
    except OSError as exc:
        raise DataError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    return load_cpl(
        data,
        source=path.name,
        history=hist,
        history_source=history.name if history is not None else None,
    )
