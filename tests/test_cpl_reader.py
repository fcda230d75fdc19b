"""The CPL reader on the real CPL v2.051 in its three shapes, and on broken files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from cpl_data.cpl import CplImport, load_cpl, read_cpl
from cpl_data.cpl_writer import cpl_csv_text, history_csv_text, write_cpl_workbook
from eligibility.errors import DataError
from tests.conftest import DICTIONARY, MANGLED, REAL_CSV, REAL_HISTORY, REAL_SHEET, REAL_WORKBOOK


@pytest.fixture(scope="module")
def three_shapes() -> dict[str, CplImport]:
    return {
        "workbook": read_cpl(REAL_WORKBOOK),
        "csv-export": read_cpl(REAL_CSV, REAL_HISTORY),
        "sheet-csv": read_cpl(REAL_SHEET, REAL_HISTORY),
    }


def test_three_shapes_give_the_same_729_entries(three_shapes: dict[str, CplImport]) -> None:
    for shape, imp in three_shapes.items():
        assert imp.shape == shape
        assert imp.cpl.version == "2.051"
        assert imp.cpl.issued_on.isoformat() == "2022-09-21"
        assert len(imp.cpl.entries) == 729
        assert len(imp.cpl.history) == 346
    a, b, c = (three_shapes[s].cpl.entries for s in ("workbook", "csv-export", "sheet-csv"))
    assert a == b == c


def test_real_counts(three_shapes: dict[str, CplImport]) -> None:
    s = three_shapes["workbook"].summary()
    assert s["by_status"] == {"Current": 694, "Removed": 35}
    by_type = s["by_device_type"]
    assert isinstance(by_type, dict)
    assert by_type["Communications Hub"] == 153
    # entries 1-4 are dated too: inferred from the first issue (v1.1), not read from a note
    assert (s["dated"], s["listing_inferred"]) == (729, 4)
    # the inversions are warned, one line each (tests/test_timeline.py checks their words)
    assert s["listing_inversions"] == 198
    e1 = three_shapes["sheet-csv"].cpl.entries[0]
    # the sheet writes hex with colons; the reader gives plain upper-case hex
    assert (e1.manufacturer, e1.model, e1.firmware) == ("106C", "433100AC", "124074DA")
    assert e1.image_hash is not None
    assert e1.image_hash.startswith("137ED5BC")
    assert (e1.smets_chts, e1.gbcs) == ("CHTS V1.0", "GBCS Version 1.0")


def test_import_warnings_name_each_unplaced_entry(three_shapes: dict[str, CplImport]) -> None:
    warnings = three_shapes["workbook"].warnings
    assert [w for w in warnings if w.startswith("entry ")] == [
        w for w in warnings if re.match(r"entry 00000[1-4]: no Version Control note adds it", w)
    ]
    assert sum(1 for w in warnings if w.startswith("entry ")) == 4
    # 1.158 is dated before 1.157 in the real sheet; the reader says so
    assert any("1.158" in w and "1.157" in w for w in warnings)


def test_mangled_copy_refused_with_every_bad_row() -> None:
    with pytest.raises(DataError) as info:
        read_cpl(MANGLED)
    err = info.value
    rows = {p.row for p in err.problems}
    assert len(rows) == 729  # every entry number lost its leading zeros
    by_column: dict[str | None, int] = {}
    for p in err.problems:
        by_column[p.column] = by_column.get(p.column, 0) + 1
    assert by_column["Entry.number"] == 729
    assert by_column["Device_Type.name"] == 1
    first = next(
        p for p in err.problems if p.row == 2 and p.column == "Device_Model.hardware_version.version"
    )
    assert first.value == "0"
    assert "leading zeros" in first.message
    assert "export the cells as text" in first.message
    nan = next(p for p in err.problems if p.value == "NaN")
    assert "lost its content" in nan.message
    corrupted = next(p for p in err.problems if p.column == "Device_Type.name")
    assert corrupted.value == "octopus.cs"
    assert corrupted.row == 483
    text = str(err)
    assert "row 2, column Entry.number: value '1': 6 digits expected" in text


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


def test_missing_columns_are_named() -> None:
    text = REAL_CSV.read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    keep = [i for i, h in enumerate(header) if h not in ("Device_Model.firmware_version", "Entry.status")]
    rows = [[c for i, c in enumerate(line.split(",")) if i in keep] for line in text[:5]]
    with pytest.raises(DataError, match=r"columns missing: Entry\.status, Device_Model\.firmware_version"):
        load_cpl(_csv(rows), source="cut.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n,,\n", "the file is empty"),
        (b"name,age\nalice,3\n", "not a CPL"),
        (DICTIONARY.read_bytes(), "not a CPL"),
        (REAL_HISTORY.read_bytes(), "Version Control sheet, not the list itself"),
        (b"Entry.number,Entry.status\n", "columns missing"),
    ],
)
def test_not_a_cpl(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_cpl(data, source="x.csv")


@pytest.mark.parametrize("cut", [100, 60_000, -200])
def test_truncated_workbook_refused(cut: int) -> None:
    data = REAL_WORKBOOK.read_bytes()[:cut]
    with pytest.raises(DataError, match=r"not a readable workbook.*truncated"):
        load_cpl(data, source="cpl.xlsx")


def test_sheet_without_history_asks_for_it() -> None:
    with pytest.raises(DataError, match="pass the workbook's Version Control sheet with --history"):
        read_cpl(REAL_SHEET)


def test_export_without_history_falls_back_to_entry_numbers() -> None:
    imp = read_cpl(REAL_CSV)
    assert imp.cpl.version == "2.051"
    assert all(e.listed_on is None for e in imp.cpl.entries)
    assert any("no Version Control history" in w for w in imp.warnings)
    removed = [e for e in imp.cpl.entries if e.status == "Removed"]
    assert all(e.removed_on == imp.cpl.issued_on for e in removed)


def test_history_of_another_version_refused(tmp_path: Path) -> None:
    other = REAL_HISTORY.read_text(encoding="utf-8-sig").replace(
        "Version 2.051 Issued on 21-09-2022", "Version 2.050 Issued on 16-09-2022", 1
    )
    hist = tmp_path / "vc.csv"
    hist.write_text(other, encoding="utf-8")
    with pytest.raises(DataError, match=r"this history is of CPL 2\.050"):
        read_cpl(REAL_CSV, hist)


def test_history_with_bad_dates_lists_them() -> None:
    rows = [
        [
            "Version Number (each issued version will increment this number by one)",
            "Date Of Issue",
            "Changes",
        ],
        ["1.0", "27/10/2016", ""],
        ["1.1", "31/02/2016", ""],
        ["1.10", "yesterday", ""],
    ]
    with pytest.raises(DataError) as info:
        load_cpl(REAL_CSV.read_bytes(), source="cpl.csv", history=_csv(rows), history_source="vc.csv")
    assert [(p.row, p.value) for p in info.value.problems] == [(3, "31/02/2016"), (4, "yesterday")]


def test_duplicate_entry_numbers_refused() -> None:
    lines = REAL_CSV.read_bytes().splitlines(keepends=True)
    with pytest.raises(DataError, match="entry number repeats row 2"):
        load_cpl(b"".join([*lines[:3], lines[1]]), source="dup.csv")


def test_written_shapes_read_back(sample_import: CplImport, tmp_path: Path) -> None:
    cpl = sample_import.cpl
    again = load_cpl(cpl_csv_text(cpl).encode(), source="a.csv", history=history_csv_text(cpl).encode())
    assert again.cpl.entries == cpl.entries
    write_cpl_workbook(cpl, tmp_path / "s.xlsx")
    wb = read_cpl(tmp_path / "s.xlsx")
    assert wb.shape == "workbook"
    assert wb.cpl.entries == cpl.entries
    assert wb.cpl.history == cpl.history
