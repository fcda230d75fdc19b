"""When each CPL entry was listed and removed.

The CPL itself says only whether an entry is 'Current' or 'Removed'; *when* comes from the
notes of its Version Control sheet, read into :class:`NoteEvent` values by ``cpl_data``.
This module applies product.md's rules to those events:

- ``listed_on`` is the issue date of the first CPL version whose notes add the entry;
- ``removed_on`` is the issue date of the version whose notes remove it;
- the entry's status wins over the notes: a 'Current' entry has no ``removed_on``; a
  'Removed' entry whose removal no note names is removed on the CPL file's own issue date;
- an entry no note adds takes the ``listed_on`` of the nearest lower-numbered entry that has
  one (entry numbers are assigned in order); with none below it, ``listed_on`` stays None and
  the entry counts as listed before every dated entry.

Every entry placed by a fallback rule yields a warning.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from eligibility.cpl import CplEntry

__all__ = ["DatedEntries", "NoteEvent", "date_entries"]


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """A Version Control note adding or removing one entry, in the CPL issue that says so."""

    kind: Literal["added", "removed"]
    entry: int
    version: str
    issued_on: date


@dataclass(frozen=True, slots=True)
class DatedEntries:
    """Entries with ``listed_on``/``removed_on`` set, and what could not be placed exactly."""

    entries: tuple[CplEntry, ...]
    warnings: tuple[str, ...]
    #: Entries named as removed by a note but 'Current' in the file (the status wins).
    reinstated: tuple[int, ...]


def date_entries(
    entries: Sequence[CplEntry], events: Sequence[NoteEvent], *, cpl_version: str, cpl_issued_on: date
) -> DatedEntries:
    """Give every entry its ``listed_on`` and ``removed_on`` from ``events`` (in issue order).

    >>> e = CplEntry(number=7, status="Removed", device_type="Communications Hub",
    ...              manufacturer="1086", model="54332152", firmware="000A7100")
    >>> ev = [NoteEvent("added", 7, "1.2", date(2016, 11, 7)),
    ...       NoteEvent("removed", 7, "1.4", date(2016, 11, 18))]
    >>> d = date_entries([e], ev, cpl_version="2.051", cpl_issued_on=date(2022, 9, 21))
    >>> (d.entries[0].listed_on, d.entries[0].removed_on)
    (datetime.date(2016, 11, 7), datetime.date(2016, 11, 18))
    """
    added: dict[int, NoteEvent] = {}
    removed: dict[int, NoteEvent] = {}
    for ev in events:
        if ev.kind == "added":
            added.setdefault(ev.entry, ev)
        else:
            # The last removal is the one the status reflects (an entry may be removed,
            # reinstated and removed again).
            removed[ev.entry] = ev

    ordered = sorted(entries, key=lambda e: e.number)
    dated_numbers = [e.number for e in ordered if e.number in added]
    warnings: list[str] = []
    reinstated: list[int] = []
    out: list[CplEntry] = []
    for e in ordered:
        listed_on: date | None
        if e.number in added:
            listed_on = added[e.number].issued_on
        else:
            i = bisect.bisect_left(dated_numbers, e.number)
            if i > 0:
                below = dated_numbers[i - 1]
                listed_on = added[below].issued_on
                warnings.append(
                    f"entry {e.label}: no Version Control note adds it; listed_on taken from entry "
                    f"{below:06d} ({listed_on.isoformat()}), the nearest lower-numbered entry with a date"
                )
            else:
                listed_on = None
                warnings.append(
                    f"entry {e.label}: no Version Control note adds it and no lower-numbered entry has a "
                    "date; it counts as listed before every dated entry"
                )
        removed_on: date | None = None
        if e.status == "Removed":
            if e.number in removed:
                removed_on = removed[e.number].issued_on
            else:
                removed_on = cpl_issued_on
                warnings.append(
                    f"entry {e.label}: 'Removed' but no Version Control note removes it; removed_on set "
                    f"to the issue date of CPL {cpl_version} ({cpl_issued_on.isoformat()})"
                )
        elif e.number in removed:
            reinstated.append(e.number)
        out.append(e.model_copy(update={"listed_on": listed_on, "removed_on": removed_on}))
    return DatedEntries(tuple(out), tuple(warnings), tuple(reinstated))
