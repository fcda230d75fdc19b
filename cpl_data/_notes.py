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
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Literal

from eligibility.cpl import CplIssue
from eligibility.timeline import NoteEvent

__all__ = ["clean_notes", "note_events"]

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
