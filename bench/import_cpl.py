"""Importing the real CPL v2.051: the workbook, and the CSV export with its history.

Baseline: merely loading the same two sheets with openpyxl (read-only), no checks at all.
Run: ``make bench`` or ``.venv/bin/python -m bench.import_cpl``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from api.store import Store
from bench._timing import median_seconds, report
from cpl_data.cpl import read_cpl
from cpl_data.real_data import shared_data_dir


def _openpyxl_baseline(path: object) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for name in ("CPL - saveable in CSV", "Version Control"):
        list(wb[name].iter_rows(values_only=True))
    wb.close()


def main() -> None:
    cpl = shared_data_dir() / "cpl"
    workbook = cpl / "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx"
    csv = cpl / "CPL_v2.051_2022-09-21__saveable-in-CSV__ParserChallenge.csv"
    history = cpl / "CPL_v2.051_2022-09-21__sheet_Version_Control.csv"
    print("== CPL import (real CPL v2.051: 729 entries, 346 history issues) ==")
    base = median_seconds(lambda: _openpyxl_baseline(workbook), repeat=5)
    report("baseline: openpyxl read-only load of the 2 sheets", base)
    t_wb = median_seconds(lambda: read_cpl(workbook), repeat=15)
    report("read + check + date the workbook (.xlsx)", t_wb, baseline=base)
    t_csv = median_seconds(lambda: read_cpl(csv, history), repeat=15)
    report("read + check + date the CSV export + history CSV", t_csv, baseline=base)

    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1000))

        def into_store() -> None:
            store = Store(f"sqlite:///{Path(tmp) / f'{next(counter)}.sqlite'}")
            store.import_cpl(read_cpl(workbook))
            store.engine.dispose()

        t_store = median_seconds(into_store, repeat=7)
        report("workbook into a new SQLite store (one transaction)", t_store, baseline=base)


if __name__ == "__main__":
    main()
