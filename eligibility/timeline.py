"""When each CPL entry was listed and removed.

The CPL itself says only whether an entry is 'Current' or 'Removed'; *when* comes from the
notes of its Version Control sheet, read into :class:`NoteEvent` values by ``cpl_data``.
This module applies product.md's rules to those events:

- ``listed_on`` is the issue date of the first CPL version whose notes add the entry;
- ``removed_on`` is the issue date of the version whose notes remove it;
- the entry's status wins over the notes: a 'Current' entry has no ``removed_on``; a
  'Removed' entry whose removal no note names is removed on the CPL file's own issue date;
- an entry no note adds takes the ``listed_on`` of the nearest lower-numbered entry that has
  one (entry numbers are assigned in order); with none below it (entries 1-4 of v2.051) it was
  on the first issue that listed anything: the earliest issue after an initial blank one
  (v1.1, 2016-10-28). Both are marked ``listed_on_inferred``.

Every entry placed by a fallback rule yields a warning. :func:`listing_inversions` finds the
versions listed after a numerically later one of the same model (release order is numeric:
:mod:`eligibility.releases`), which the importer reports too.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from eligibility.cpl import CplEntry
from eligibility.identifiers import DeviceModel

__all__ = [
    "DatedEntries",
    "FirstListing",
    "ListingInversion",
    "NoteEvent",
    "date_entries",
    "listing_inversions",
]


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """A Version Control note adding or removing one entry, in the CPL issue that says so."""

    kind: Literal["added", "removed"]
    entry: int
    version: str
    issued_on: date


@dataclass(frozen=True, slots=True)
class FirstListing:
    """The first CPL issue that listed anything (after an initial blank one): where entries no note
    adds, and that have no dated entry below them, were listed."""

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
    entries: Sequence[CplEntry],
    events: Sequence[NoteEvent],
    *,
    cpl_version: str,
    cpl_issued_on: date,
    first_listing: FirstListing | None = None,
) -> DatedEntries:
    """Give every entry its ``listed_on`` and ``removed_on`` from ``events`` (in issue order).

    >>> e = CplEntry(number=7, status="Removed", device_type="Communications Hub",
    ...              manufacturer="1086", model="54332152", firmware="000A7100")
    >>> ev = [NoteEvent("added", 7, "1.2", date(2016, 11, 7)),
    ...       NoteEvent("removed", 7, "1.4", date(2016, 11, 18))]
    >>> d = date_entries([e], ev, cpl_version="2.051", cpl_issued_on=date(2022, 9, 21))
    >>> (d.entries[0].listed_on, d.entries[0].removed_on)
    (datetime.date(2016, 11, 7), datetime.date(2016, 11, 18))

    ``first_listing`` dates the entries that no note adds and that have no dated entry below
    them; without it they keep no ``listed_on`` (they count as listed before every dated entry).
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
        inferred = e.number not in added
        if e.number in added:
            listed_on = added[e.number].issued_on
        else:
            i = bisect.bisect_left(dated_numbers, e.number)
            if i > 0:
                below = dated_numbers[i - 1]
                listed_on = added[below].issued_on
                warnings.append(
                    f"entry {e.label}: no Version Control note adds it; listed_on {listed_on.isoformat()} "
                    f"inferred from entry {below:06d}, the nearest lower-numbered entry with a date"
                )
            elif first_listing is not None:
                listed_on = first_listing.issued_on
                warnings.append(
                    f"entry {e.label}: no Version Control note adds it and no lower-numbered entry has a "
                    f"date; listed_on {listed_on.isoformat()} inferred: it was on the first issue that "
                    f"listed anything (version {first_listing.version}, after the initial blank one)"
                )
            else:
                listed_on = None
                inferred = False
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
        out.append(
            e.model_copy(
                update={"listed_on": listed_on, "removed_on": removed_on, "listed_on_inferred": inferred}
            )
        )
    return DatedEntries(tuple(out), tuple(warnings), tuple(reinstated))


@dataclass(frozen=True, slots=True)
class ListingInversion:
    """A version of a Device Model listed after a numerically later one: listing order is not
    release order. ``older`` is the lower number, listed later; ``newer`` the higher, listed first."""

    device_model: DeviceModel
    older: CplEntry
    newer: CplEntry

    def describe(self) -> str:
        """One warning line naming both versions, both entries and both dates."""
        o, n = self.older, self.newer
        assert o.listed_on is not None
        assert n.listed_on is not None
        if o.listed_on == n.listed_on:
            when = (
                f"on the same day as {n.firmware} (entry {n.label}, both {o.listed_on.isoformat()}), under a "
                "later entry number"
            )
        else:
            when = f"after {n.firmware} (entry {n.label}, listed {n.listed_on.isoformat()})"
        return (
            f"listing inversion, {self.device_model}: {o.firmware} (entry {o.label}, listed "
            f"{o.listed_on.isoformat()}) was listed {when}, yet {n.firmware} is numerically later: release "
            f"order puts {n.firmware} after {o.firmware} unless a catalogue states the model's order"
        )


def listing_inversions(entries: Iterable[CplEntry]) -> list[ListingInversion]:
    """Every pair of versions of one Device Model whose listing order contradicts release order.

    A version is listed at its first dated entry (date, then entry number: numbers are assigned
    in order, so of two entries listed the same day the higher number came later).

    >>> def e(n, fw, d):
    ...     return CplEntry(number=n, status="Current", device_type="Communications Hub",
    ...                     manufacturer="106C", model="433100AC", firmware=fw, listed_on=d)
    >>> [i.older.firmware for i in listing_inversions(
    ...     [e(1, "124074DA", date(2016, 10, 28)), e(5, "1220665A", date(2016, 11, 7))])]
    ['1220665A']
    """
    first: dict[DeviceModel, dict[str, CplEntry]] = {}
    for e in entries:
        if e.listed_on is None:
            continue
        seen = first.setdefault(e.device_model, {})
        got = seen.get(e.firmware)
        if got is None or (e.listed_on, e.number) < (got.listed_on, got.number):
            seen[e.firmware] = e
    out: list[ListingInversion] = []
    for dm in sorted(first):
        versions = sorted(first[dm].values(), key=lambda e: int(e.firmware, 16))
        for i, older in enumerate(versions):
            for newer in versions[i + 1 :]:
                assert older.listed_on is not None
                assert newer.listed_on is not None
                if (older.listed_on, older.number) > (newer.listed_on, newer.number):
                    out.append(ListingInversion(dm, older, newer))
    return out
