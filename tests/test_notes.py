"""The Version Control notes reader, rule by rule, on snippets taken from the real notes."""

from __future__ import annotations

from datetime import date

import pytest

from cpl_data._notes import agrees_with_firmware, clean_notes, note_events, version_names
from eligibility.cpl import Cpl, CplIssue

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


# Vendor version names, on item lines taken from the real notes of CPL v2.051.
@pytest.mark.parametrize(
    ("line", "firmware", "name"),
    [
        # EDMI: the top 12 bits are major.minor (nibble, octet), the low 16 a build counter
        ("000087 - EDMI Communications Hub 1.38.3 (updated firmware)", "126094D0", "1.38.3"),
        ("000227 - EDMI Communications Hub 1.39.2 (updated firmware 12:70:B8:CC)", "1270B8CC", "1.39.2"),
        ("000509 - EDMI CS010 2.03.3 RC3 Rev C Communications Hub 20:30:D6:80 (updated firmware)", "2030D680", "2.03.3"),
        # WNC and Toshiba: octets in decimal
        ("000196 - WNC 2.20 Communications Hub (02:14:00:03)", "02140003", "2.20"),
        ("000458 - Toshiba Version 12.36 Single Band Communications Hub NOR SKU3 0C:24:00:00", "0C240000", "12.36"),
        ("000569 - Wistron NeWeb Corp Dual Band Comms Hub v2.0.0.6 02:00:00:06", "02000006", "2.0.0.6"),
        # Itron: octets as BCD
        ("000725 - Itron Comms Hub 03.36 03:36:53:37", "03365337", "03.36"),
        # a hardware revision is not the firmware's name (WNC 57310101 is hardware v1.1)
        ("000314 - WNC SMIP Communications Hub v1.1 - 03:0A:00:05 (Updated Firmware)", "030A0005", None),
        ("000727 - Wistron NeWeb Corp Single Band Comms Hub 1.1 04:01:00:03", "04010003", None),
        # nor a GBCS version, nor the hex itself written with dots, nor part of a longer token
        ("000128 - EDMI CS-10 AICH Standard 420 Communications Hub; 12:50:83:AE (Device Model reflects GBCS "
         "Version 1.1 compliance)", "125083AE", None),
        ("000154 - EDMI GS-60B Gas Meter 01.08.97.00", "01089700", None),
        ("000168 - EDMI ES-10A 01.05.A4.00 (updated firmware)", "0105A400", None),
        ("000587 - MeteRSit S.R.L. GSME MMU6 2.4GHz RC51.22 F9:06:AE:EC", "F906AEEC", None),
    ],
)  # fmt: skip
def test_version_names(line: str, firmware: str, name: str | None) -> None:
    number = int(line[:6])
    got = version_names([CplIssue(version="1.0", issued_on=D, notes=line)], {number: firmware})
    assert got.get(number) == name


def test_a_name_must_agree_with_the_firmware() -> None:
    assert agrees_with_firmware("2.19", "02130003")
    assert not agrees_with_firmware("2.19", "02140003")


@pytest.mark.parametrize(
    ("number", "name"),
    [(87, "1.38.3"), (104, "1.38.6"), (196, "2.20"), (253, "2.20"), (200, "2.19"), (509, "2.03.3"), (1, None),
     (233, None)],
)  # fmt: skip
def test_real_version_names(real_cpl: Cpl, number: int, name: str | None) -> None:
    # 233 (WNC 030A0001, "3.10.0.1" by decoding) and 1 (EDMI 124074DA) are named by no note
    e = next(e for e in real_cpl.entries if e.number == number)
    assert e.version_name == name
