"""product.md's timeline rules, on small hand-made lists, then facts from the real CPL history."""

from __future__ import annotations

from datetime import date

import pytest

from eligibility.cpl import Cpl, CplEntry
from eligibility.timeline import NoteEvent, date_entries

ISSUED = date(2022, 9, 21)


def entry(n: int, status: str = "Current") -> CplEntry:
    return CplEntry(
        number=n,
        status=status,
        device_type="Communications Hub",
        manufacturer="1086",
        model="54311F52",
        firmware=f"{n:08X}",
    )


def add(n: int, d: date) -> NoteEvent:
    return NoteEvent("added", n, "x", d)


def rem(n: int, d: date) -> NoteEvent:
    return NoteEvent("removed", n, "x", d)


def test_first_addition_wins_and_last_removal_counts() -> None:
    d1, d2, d3, d4 = date(2017, 1, 1), date(2017, 2, 1), date(2017, 3, 1), date(2017, 4, 1)
    out = date_entries(
        [entry(1, "Removed")],
        [add(1, d1), add(1, d2), rem(1, d3), rem(1, d4)],
        cpl_version="2",
        cpl_issued_on=ISSUED,
    )
    assert (out.entries[0].listed_on, out.entries[0].removed_on) == (d1, d4)
    assert out.warnings == ()


def test_status_wins_over_notes() -> None:
    # a Current entry the notes remove keeps no removed_on (it was reinstated)
    out = date_entries(
        [entry(67)],
        [add(67, date(2017, 12, 7)), rem(67, date(2018, 1, 11))],
        cpl_version="2",
        cpl_issued_on=ISSUED,
    )
    assert out.entries[0].removed_on is None
    assert out.reinstated == (67,)


def test_removed_entry_the_notes_never_remove_takes_the_file_date() -> None:
    out = date_entries(
        [entry(5, "Removed")], [add(5, date(2019, 1, 1))], cpl_version="2.051", cpl_issued_on=ISSUED
    )
    assert out.entries[0].removed_on == ISSUED
    assert "no Version Control note removes it" in out.warnings[0]
    assert "2.051" in out.warnings[0]


@pytest.mark.parametrize(
    ("numbers", "dated", "expected"),
    [
        # an unnamed entry takes the date of the nearest lower-numbered dated entry
        ([3, 5, 9], {3: date(2018, 1, 1), 9: date(2019, 1, 1)}, {5: date(2018, 1, 1)}),
        # not the nearest by date, nor a higher-numbered one
        ([2, 4, 6], {2: date(2018, 6, 1), 6: date(2018, 1, 1)}, {4: date(2018, 6, 1)}),
        # with nothing dated below it, listed_on stays None
        ([1, 2, 3], {3: date(2018, 1, 1)}, {1: None, 2: None}),
    ],
)
def test_unnamed_entries(
    numbers: list[int], dated: dict[int, date], expected: dict[int, date | None]
) -> None:
    out = date_entries(
        [entry(n) for n in numbers],
        [add(n, d) for n, d in dated.items()],
        cpl_version="2",
        cpl_issued_on=ISSUED,
    )
    got = {e.number: e.listed_on for e in out.entries}
    for n, d in expected.items():
        assert got[n] == d
    assert len(out.warnings) == len(expected)


# Facts checked by hand against the real Version Control notes of CPL v2.051.
@pytest.mark.parametrize(
    ("number", "status", "listed_on", "removed_on", "why"),
    [
        (
            7,
            "Removed",
            date(2016, 11, 7),
            date(2016, 11, 18),
            "1.2 adds it; 1.4 removes it (incorrect details)",
        ),
        (
            12,
            "Current",
            date(2016, 11, 18),
            None,
            "1.4: the corrected entry replacing 7, named in 7's removal line",
        ),
        (14, "Current", date(2016, 12, 20), None, "1.6 names it with 7 digits: 0000014"),
        (
            24,
            "Removed",
            date(2017, 7, 17),
            date(2017, 8, 23),
            "EDMI hub added in 1.14, removed in 1.22 (defect)",
        ),
        (40, "Current", date(2017, 8, 23), None, "1.22: the revised entry replacing 24"),
        (
            36,
            "Removed",
            date(2017, 8, 2),
            date(2017, 8, 30),
            "added 1.19, amended 1.24 (not an addition), removed 1.25",
        ),
        (67, "Current", date(2017, 12, 7), None, "removed in 1.42, status changed back to current in 1.44"),
        (
            70,
            "Removed",
            date(2018, 1, 11),
            date(2018, 1, 17),
            "named in 1.42's removal note as a correction; removed in 1.43",
        ),
        (283, "Current", date(2020, 2, 14), None, "1.174 names it with 5 digits: 00283"),
        (460, "Current", date(2020, 12, 4), None, "added in 1.232; 1.233 only corrects its hash"),
        (488, "Current", date(2021, 3, 9), None, "named in 489's removal sentence as the original"),
        (489, "Removed", date(2021, 3, 9), date(2021, 3, 18), "a clone of 488, removed in 1.252"),
        (629, "Removed", date(2022, 2, 7), date(2022, 8, 25), "removed in a sentence of 2.044"),
        (710, "Current", date(2022, 8, 24), None, "named in 2.044's removal paragraph but not removed"),
        (732, "Current", date(2022, 9, 21), None, "the last entry, added by the file's own version 2.051"),
    ],
)
def test_real_timeline_facts(
    real_cpl: Cpl, number: int, status: str, listed_on: date, removed_on: date | None, why: str
) -> None:
    e = next(e for e in real_cpl.entries if e.number == number)
    assert (e.status, e.listed_on, e.removed_on) == (status, listed_on, removed_on), why


def test_real_timeline_places_every_entry_but_the_first_four(real_cpl: Cpl) -> None:
    undated = sorted(e.number for e in real_cpl.entries if e.listed_on is None)
    assert undated == [1, 2, 3, 4]  # v1.0 and v1.1 name no entries; nothing lower is dated
    removed = [e for e in real_cpl.entries if e.status == "Removed"]
    assert len(removed) == 35
    # every Removed entry's removal is named by a note: none fell back to the file's date
    assert all(e.removed_on is not None and e.removed_on < real_cpl.issued_on for e in removed)
    assert all(e.removed_on is None for e in real_cpl.entries if e.status == "Current")
