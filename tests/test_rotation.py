"""Stock rotation, month by month, on histories whose installs are counted by hand."""

from __future__ import annotations

from datetime import date

import polars as pl

from eligibility.hubframe import hub_frame
from eligibility.rotation import ROTATION_COLUMNS, stock_rotation
from tests._fleets import M1, dev, inventory


def hub(n: int, supplier: str, status: str, since: str | None, hist: str | None) -> tuple[str | None, ...]:
    return (dev(n), None, "CHF", *M1, "04000000", status, since, hist, supplier, None, None)


ROWS = [
    # A: a waits from January 2024; b (pending June) and c (pending February) are installed in
    # September while a is still held: both last-in-first-out, skipping a (8 months old then)
    hub(1, "A", "Pending", "2024-01-15", None),
    hub(2, "A", "Commissioned", "2024-09-05", "Pending:2024-06-10;Commissioned:2024-09-05"),
    hub(
        3,
        "A",
        "InstalledNotCommissioned",
        "2024-09-20",
        "Pending:2024-02-01;InstalledNotCommissioned:2024-09-20",
    ),
    # d: the oldest hub used first, nothing older held
    hub(4, "A", "Commissioned", "2024-01-20", "Pending:2023-12-01;Commissioned:2024-01-20"),
    # B: e (pending March) installed in April while f (also March: not older) and h (November
    # 2023: older, 5 months) wait
    hub(5, "B", "Commissioned", "2024-04-01", "Pending:2024-03-01;Commissioned:2024-04-01"),
    hub(6, "B", "Pending", "2024-03-20", None),
    # g (pending May) installed in July while h (Nov 2023) and f (Mar 2024) wait: 8 and 4 months
    hub(7, "B", "Commissioned", "2024-07-15", "Pending:2024-05-01;Commissioned:2024-07-15"),
    hub(8, "B", "Pending", "2023-11-30", None),
    # an install after the report date, and an undated Pending step: neither is counted
    hub(9, "B", "Commissioned", "2030-01-01", "Pending:2024-01-01;Commissioned:2030-01-01"),
    hub(10, "B", "Commissioned", "2024-05-05", "Pending;Commissioned:2024-05-05"),
]


def test_rotation_by_hand() -> None:
    got = stock_rotation(hub_frame(inventory(ROWS)), date(2025, 1, 1))
    assert got.columns == list(ROTATION_COLUMNS)
    assert got.rows() == [
        ("A", date(2024, 1, 1), 1, 0, 0, 0, 0.0),
        ("A", date(2024, 9, 1), 2, 2, 1, 8, 8.0),
        ("B", date(2024, 4, 1), 1, 1, 1, 5, 5.0),
        ("B", date(2024, 7, 1), 1, 1, 2, 8, 6.0),
    ]


def test_no_dated_install_gives_an_empty_table() -> None:
    got = stock_rotation(hub_frame(inventory([hub(1, "A", "Pending", "2024-01-15", None)])), date(2025, 1, 1))
    assert got.height == 0
    assert got.schema["month"] == pl.Date
