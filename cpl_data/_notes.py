"""Reading the free-text notes of the CPL's Version Control sheet into add/remove events.

The notes are written by hand, issue after issue, and vary a lot. What they share:

- a *heading* line says what the lines under it are: "Three New Device Models added:",
  "One Device Model removed:", "One Device Model amended:", "Correction to previous ...",
  "Two Device Models, status changed to 'current'";
- an *item* line starts with the entry number, 5 to 7 digits with leading zeros
  (``000024 - EDMI ...``, ``0000014 - ...``, ``00283 - ...``, ``000241 George ...``);
  several items may share one line, separated by long runs of spaces;
- numbers *inside* a sentence are references, not items ("A revised entry is provided as
  entry number 0000012", "renamed to correct entry numbers 00026, 00027"), except in a
  sentence that itself says the entries named before "removed" were removed
  ("entries 000629, 000630 and 000631 (...) have been removed as ...").

An item under an "added" heading is an addition, under a "removed" heading a removal, and
under any other heading (amended, corrected, status changed) neither.

An item may also name the vendor's version beside the entry ("000087 - EDMI Communications Hub
1.38.3", "000196 - WNC 2.20 Communications Hub (02:14:00:03)"): :func:`version_names` keeps a
dotted number when it agrees with the entry's firmware (see :func:`agrees_with_firmware`), so
that a hardware revision ("WNC SMIP Communications Hub v1.1") or a GBCS version is not taken
for one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal

from eligibility.cpl import CplIssue
from eligibility.timeline import NoteEvent

__all__ = ["agrees_with_firmware", "clean_notes", "note_events", "version_names"]

Mode = Literal["added", "removed", "other"]

_ENTRY = r"0\d{4,6}(?!\d)"
_ITEM = re.compile(rf"^\s*({_ENTRY})")
_SPLIT_ITEMS = re.compile(rf"\s{{3,}}(?={_ENTRY})")
_NUMBER = re.compile(rf"(?<![\d:.])({_ENTRY})")
_HEADING_WORDS = re.compile(
    r"\b(re-added|added|removed|amended|corrected|correction|updated|status changed|status set)\b",
    re.IGNORECASE,
)
_REMOVED = re.compile(r"\bremoved\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")


def clean_notes(text: str) -> str:
    """Undo the spreadsheet's escapes (``_x000D_``, ``&#39;``) and carriage returns."""
    return html.unescape(text.replace("_x000D_", "").replace("\r", ""))


def _mode_of(heading: str) -> Mode | None:
    words = _HEADING_WORDS.findall(heading)
    if not words:
        return None
    last = words[-1].lower()
    if last in ("added", "re-added"):
        return "added"
    if last == "removed":
        return "removed"
    return "other"


def _segments(text: str) -> Iterator[str]:
    for line in clean_notes(text).split("\n"):
        for seg in _SPLIT_ITEMS.split(line):
            seg = seg.strip()
            if seg:
                yield seg


def _removed_in_sentences(segment: str) -> Iterator[int]:
    """Entries named before 'removed' in a sentence that says they were removed."""
    for sentence in _SENTENCE_END.split(segment):
        m = _REMOVED.search(sentence)
        if m is None or re.search(r"\bnot\s+(?:been\s+)?removed\b", sentence, re.IGNORECASE):
            continue
        for n in _NUMBER.findall(sentence[: m.start()]):
            yield int(n)


def _events_of(issue: CplIssue) -> Iterator[NoteEvent]:
    mode: Mode | None = None
    for seg in _segments(issue.notes):
        item = _ITEM.match(seg)
        if item is not None:
            if mode in ("added", "removed"):
                yield NoteEvent(mode, int(item.group(1)), issue.version, issue.issued_on)
            continue
        for n in _removed_in_sentences(seg):
            yield NoteEvent("removed", n, issue.version, issue.issued_on)
        heading = _mode_of(seg)
        if heading is not None:
            mode = heading


def note_events(history: Iterable[CplIssue]) -> list[NoteEvent]:
    """Every add and remove event the notes state, in issue order.

    >>> from datetime import date
    >>> issue = CplIssue(version="1.4", issued_on=date(2016, 11, 18), notes=(
    ...     "One New Device Model added:\\n000012 - Toshiba SKU3 (updated details)\\n"
    ...     "One Device Model has been removed:\\n000007 - Toshiba SKU3(Incorrect details submitted. "
    ...     "A revised entry is provided as entry number 0000012)"))
    >>> [(e.kind, e.entry) for e in note_events([issue])]
    [('added', 12), ('removed', 7)]
    """
    events: list[NoteEvent] = []
    for issue in history:
        events.extend(_events_of(issue))
    return events


# A dotted decimal number standing alone (``1.38.3``, ``v2.0.0.6``, ``Version 12.36``), not part of
# a longer token (``RC51.22``, ``2.4GHz``, ``12:50:83:AE``) nor a specification's version.
_DOTTED = re.compile(r"(?<![\w.:])[vV]?(\d{1,3}(?:\.\d{1,3}){1,3})(?![\w:]|\.\w)")
_SPEC_BEFORE = re.compile(r"(?:GBCS|SMETS|CHTS)\s*(?:V|Version)\s*$", re.IGNORECASE)


def agrees_with_firmware(name: str, firmware: str) -> bool:
    """True when the dotted ``name``'s first two numbers are the start of ``firmware`` read the ways
    vendors write it: octets in decimal (Toshiba 0C240000 "12.36", WNC 02140003 "2.20"), octets
    as BCD (Itron 03365337 "03.36"), or a major nibble then a minor octet (EDMI 126094D0
    "1.38.3": the top 12 bits are major.minor, the low 16 a build counter). A name that is only
    the hex written with dots ("01.08.97.00" for 01089700) is not a name.

    >>> agrees_with_firmware("1.38.3", "126094D0"), agrees_with_firmware("1.1", "030A0005")
    (True, False)
    """
    parts = name.split(".")
    if all(len(p) == 2 for p in parts) and "".join(parts) == firmware:
        return False
    head = [int(p) for p in parts[:2]]
    raw = int(firmware, 16)
    octets = [(raw >> shift) & 0xFF for shift in (24, 16, 8, 0)]
    bcd = [(o >> 4) * 10 + (o & 0xF) if (o >> 4) < 10 and (o & 0xF) < 10 else -1 for o in octets]
    nibble = [raw >> 28, (raw >> 20) & 0xFF]
    return any(head == seq[:2] for seq in (octets, bcd, nibble))


def _named_version(segment: str, firmware: str) -> str | None:
    for m in _DOTTED.finditer(segment):
        if _SPEC_BEFORE.search(segment[: m.start()]):
            continue
        if agrees_with_firmware(m.group(1), firmware):
            return m.group(1)
    return None


def version_names(history: Iterable[CplIssue], firmware: Mapping[int, str]) -> dict[int, str]:
    """The vendor's version name each note gives beside an entry (entry number -> name).

    ``firmware`` maps entry numbers to their firmware (8 hex). The first agreeing name in issue
    order wins.

    >>> from datetime import date
    >>> issue = CplIssue(version="1.52", issued_on=date(2018, 4, 6),
    ...                  notes="000087 - EDMI Communications Hub 1.38.3 (updated firmware)")
    >>> version_names([issue], {87: "126094D0"})
    {87: '1.38.3'}
    """
    names: dict[int, str] = {}
    for issue in history:
        for seg in _segments(issue.notes):
            item = _ITEM.match(seg)
            if item is None:
                continue
            number = int(item.group(1))
            fw = firmware.get(number)
            if fw is None or number in names:
                continue
            name = _named_version(seg[item.end() :], fw)
            if name is not None:
                names[number] = name
    return names
