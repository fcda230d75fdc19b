"""The Version Control notes reader, rule by rule, on snippets taken from the real notes."""

from __future__ import annotations

from datetime import date

import pytest

from cpl_data._notes import clean_notes, note_events
from eligibility.cpl import CplIssue

D = date(2020, 1, 1)


def events(notes: str) -> list[tuple[str, int]]:
    return [(e.kind, e.entry) for e in note_events([CplIssue(version="1.0", issued_on=D, notes=notes)])]


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        # one item a line under an "added" heading
        (
            "Three New Device Models added:\n000005 - EDMI CS-10 AICH\n000006 - Toshiba SKU1\n",
            [("added", 5), ("added", 6)],
        ),
        # 7 digits (1.6) and 5 digits (1.174)
        ("One new Device Models added:\n0000014 - EDMI CS-10 AICH Standard 420", [("added", 14)]),
        ("One new Device Model added:\n00283 - Chameleon IHD6 - PPMID 00:01:06:00", [("added", 283)]),
        # without " - " (1.156)
        (
            "Two New Device Models added:\n000241 George Wilson GSME\n000242 George Wilson TVI",
            [("added", 241), ("added", 242)],
        ),
        # several items on one line, separated by long runs of spaces (1.152)
        (
            "Thirteen Device Models removed:\n000097 - Aclara 00:04:07:FF              000098 - Aclara 00:04:08:00",
            [("removed", 97), ("removed", 98)],
        ),
        # the heading and its item on one line (1.49)
        ("One New Device Model added:                    000082 - Elster GmbH BK-G4", [("added", 82)]),
        # a reference inside an item line is not an item (1.4)
        (
            "One Device Model has been removed:\n000007 - Toshiba SKU3(Incorrect details submitted. "
            "A revised entry is provided as entry number 0000012)",
            [("removed", 7)],
        ),
        # a parenthetical line between sections names entries that are NOT removed (1.42)
        (
            "Two Device Models removed:\n000067 - EDMI (removed)\n000068 - EDMI (removed)\n"
            "(Incorrect details submitted. The corrected entries are provided as entry numbers 000070 and 000071)\n"
            "Four New Device Models added:\n000070 - EDMI (corrected details)",
            [("removed", 67), ("removed", 68), ("added", 70)],
        ),
        # numbers inside a heading are references (1.16)
        (
            "Three New Device Models added (renamed to correct entry numbers 00026, 00027 and 00028):\n"
            "000029 - Toshiba SKU1",
            [("added", 29)],
        ),
        # amended / corrected / status-changed sections add nothing (1.24, 1.233, 1.44)
        ("One Device Model amended:\n000036 - In Home Displays SmartView2", []),
        ("Correction to previous  SMETS1 Device Model Entry 000460:\n000460 - Aclara Communications Hub", []),
        (
            "Two Device Models, status changed to 'current'\n000067 - EDMI (original entry valid)\n\n"
            "Two Device Models removed:\n000074 - EDMI (duplicate of entry 67, therefore status changed to removed)",
            [("removed", 74)],
        ),
        # removal stated in a sentence; the next sentence names entries that stay (2.044)
        (
            "Upon approval of the Security Sub-Committee (SSC), entries 000629, 000630 and 000631 (all Toshiba "
            "SMETS2+ Comms Hubs) have been removed as they contained an incorrect CHTS and GBCS combination. "
            "Entries 000710, 000711 and 000712 contain the correct CHTS and GBCS combination.",
            [("removed", 629), ("removed", 630), ("removed", 631)],
        ),
        # a number after "removed" in a sentence is a reference (1.252)
        (
            "One Device Model removed:\n000489 - Flonidan GSME\nThis Device Model has been removed from the CPL "
            "as it is a clone release of Entry 488.",
            [("removed", 489)],
        ),
        # entry numbers in prose about a hash are not items (1.113)
        ("An incorrect Hash value was submitted on entry number 000152 - Landis + Gyr E470.", []),
        # version and firmware numbers in a heading's prose are not entries
        (
            "DLMS_version selection: Removed CTT 3.0; added CTT 4.0 and CTT 4.1.\nOne new device model added:\n000628 - L+G",
            [("added", 628)],
        ),
    ],
)
def test_note_rules(notes: str, expected: list[tuple[str, int]]) -> None:
    assert events(notes) == expected


def test_clean_notes_undoes_spreadsheet_escapes() -> None:
    assert clean_notes("a_x000D_\r\nb &#39;c&#39;") == "a\nb 'c'"


def test_events_keep_issue_order_and_dates() -> None:
    issues = [
        CplIssue(version="1.2", issued_on=date(2016, 11, 7), notes="One New Device Model added:\n000007 - X"),
        CplIssue(version="1.4", issued_on=date(2016, 11, 18), notes="One Device Model removed:\n000007 - X"),
    ]
    got = [(e.kind, e.entry, e.version, e.issued_on) for e in note_events(issues)]
    assert got == [("added", 7, "1.2", date(2016, 11, 7)), ("removed", 7, "1.4", date(2016, 11, 18))]
