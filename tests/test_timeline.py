"""product.md's timeline rules, on small hand-made lists, then facts from the real CPL history."""

from __future__ import annotations

from datetime import date

import pytest

from cpl_data.cpl import CplImport
from eligibility.cpl import Cpl, CplEntry
from eligibility.identifiers import DeviceModel
from eligibility.timeline import FirstListing, NoteEvent, date_entries, listing_inversions

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
        # with nothing dated below it and no history to say when the list began, listed_on stays None
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
    inferred = {e.number for e in out.entries if e.listed_on_inferred}
    assert inferred == {n for n, d in expected.items() if d is not None}


def test_unnamed_entries_below_every_dated_one_were_on_the_first_issue() -> None:
    # product.md: with none below it, the entry was on the first issue that listed anything
    first = FirstListing("1.1", date(2016, 10, 28))
    out = date_entries(
        [entry(1), entry(2), entry(5)],
        [add(5, date(2016, 11, 7))],
        cpl_version="2",
        cpl_issued_on=ISSUED,
        first_listing=first,
    )
    got = {e.number: (e.listed_on, e.listed_on_inferred) for e in out.entries}
    assert got == {1: (first.issued_on, True), 2: (first.issued_on, True), 5: (date(2016, 11, 7), False)}
    assert all("inferred" in w and "version 1.1" in w for w in out.warnings)


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


def test_real_timeline_infers_the_first_four_from_the_first_issue(real_cpl: Cpl) -> None:
    # v1.0 is the initial blank version, v1.1 (2016-10-28) names no entries and nothing lower is dated:
    # entries 1-4 were on v1.1, the first issue that listed anything
    assert all(e.listed_on is not None for e in real_cpl.entries)
    inferred = sorted(e.number for e in real_cpl.entries if e.listed_on_inferred)
    assert inferred == [1, 2, 3, 4]
    assert {e.listed_on for e in real_cpl.entries if e.number <= 4} == {date(2016, 10, 28)}
    removed = [e for e in real_cpl.entries if e.status == "Removed"]
    assert len(removed) == 35
    # every Removed entry's removal is named by a note: none fell back to the file's date
    assert all(e.removed_on is not None and e.removed_on < real_cpl.issued_on for e in removed)
    assert all(e.removed_on is None for e in real_cpl.entries if e.status == "Current")


def test_real_import_warns_of_the_inferred_first_four(real_import: CplImport) -> None:
    lines = [w for w in real_import.warnings if "inferred: it was on the first issue" in w]
    assert [w[:12] for w in lines] == [f"entry {n:06d}" for n in (1, 2, 3, 4)]
    assert all("2016-10-28" in w and "version 1.1" in w for w in lines)


def _inversion(n: int, fw: str, d: date, model: str = "433100AC") -> CplEntry:
    return CplEntry(
        number=n, status="Current", device_type="Communications Hub", manufacturer="106C", model=model,
        firmware=fw, listed_on=d,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "pairs"),
    [
        # a lower number listed later: an inversion
        ([(1, "124074DA", date(2016, 10, 28)), (5, "1220665A", date(2016, 11, 7))], [("1220665A", "124074DA")]),
        # listed in numeric order: none
        ([(1, "1220665A", date(2016, 10, 28)), (5, "124074DA", date(2016, 11, 7))], []),
        # the same day: the higher entry number came later
        ([(11, "000A7200", date(2016, 11, 18)), (12, "000A7100", date(2016, 11, 18))], [("000A7100", "000A7200")]),
        # a version is listed at its first entry: a later re-listing is no inversion
        (
            [(40, "125083AE", date(2017, 8, 23)), (87, "126094D0", date(2018, 4, 6)),
             (128, "125083AE", date(2018, 10, 12))],
            [],
        ),
        # every pair: one version listed after two numerically later ones
        (
            [(1, "03000000", date(2020, 1, 1)), (2, "02000000", date(2020, 2, 1)), (3, "01000000", date(2020, 3, 1))],
            [("01000000", "02000000"), ("01000000", "03000000"), ("02000000", "03000000")],
        ),
    ],
)  # fmt: skip
def test_listing_inversions(entries: list[tuple[int, str, date]], pairs: list[tuple[str, str]]) -> None:
    found = listing_inversions([_inversion(n, fw, d) for n, fw, d in entries])
    assert sorted((i.older.firmware, i.newer.firmware) for i in found) == sorted(pairs)
    assert all(i.device_model == DeviceModel("106C", "433100AC") for i in found)


def test_inversions_stay_within_a_model() -> None:
    found = listing_inversions(
        [
            _inversion(1, "02000000", date(2020, 1, 1), "433100AC"),
            _inversion(2, "01000000", date(2020, 2, 1), "433100AD"),
        ]
    )
    assert found == []


# The listing inversions of the real CPL v2.051 named in issue 9, as the importer words them.
@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("106C/433100AC: 1220665A (entry 000005, listed 2016-11-07) was listed after 124074DA (entry 000001, "
         "listed 2016-10-28)", "124074DA"),
        ("1072/57310101: 02140003 (entry 000253, listed 2019-10-22) was listed after 030A0001 (entry 000233, "
         "listed 2019-08-28)", "030A0001"),
        ("1086/54342152: 000A7100 (entry 000012, listed 2016-11-18) was listed on the same day as 000A7200 "
         "(entry 000011, both 2016-11-18), under a later entry number", "000A7200"),
        ("1031/C8A10301: C8A10001 (entry 000591, listed 2021-12-21) was listed on the same day as C8A10002 "
         "(entry 000590, both 2021-12-21)", "C8A10002"),
        ("10C7/00030200: 22070000 (entry 000584, listed 2021-11-12) was listed after 22080000 (entry 000499, "
         "listed 2021-04-09)", "22080000"),
    ],
)  # fmt: skip
def test_real_listing_inversions_are_warned(real_import: CplImport, older: str, newer: str) -> None:
    lines = [w for w in real_import.warnings if w.startswith("listing inversion, " + older)]
    assert len(lines) == 1, older
    assert f"release order puts {newer} after" in lines[0]


def test_real_listing_inversions_counted(real_import: CplImport) -> None:
    # 198 pairs over 26 Device Models: one warning line each
    lines = [w for w in real_import.warnings if w.startswith("listing inversion, ")]
    assert len(lines) == 198
    assert len({w.split(":")[0] for w in lines}) == 26
    # WNC's sibling 57310100 listed 02140003 before 030A0001: no inversion there
    assert not any(w.startswith("listing inversion, 1072/57310100") for w in lines)
