"""A Device Model's firmware releases in release order.

A model's firmware versions are the distinct firmware values of its CPL entries (plus any
future releases the catalogue declares). Release order is by the earliest ``listed_on``
among a version's entries (None first: listed before every dated entry), then by the lowest
entry number. The hex value of a version is never used for ordering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from eligibility.catalogue import CatalogueModel, CatalogueRelease
from eligibility.cpl import CplEntry
from eligibility.identifiers import DeviceModel
from eligibility.versions import FirmwareVersion

__all__ = ["ModelReleases", "Release", "model_releases"]


@dataclass(frozen=True, slots=True)
class Release:
    """One firmware version of a Device Model, with its CPL entries and catalogue record."""

    firmware: str
    position: int
    entries: tuple[CplEntry, ...]
    info: CatalogueRelease | None = None

    @property
    def listed_on(self) -> date | None:
        """The earliest listing among its entries (None: listed before every dated entry)."""
        if not self.entries or any(e.listed_on is None for e in self.entries):
            return None
        return min(e.listed_on for e in self.entries if e.listed_on is not None)

    @property
    def removed_on(self) -> date | None:
        """When the version left the CPL: None while any of its entries is not removed."""
        if not self.entries or any(e.removed_on is None for e in self.entries):
            return None
        return max(e.removed_on for e in self.entries if e.removed_on is not None)

    @property
    def future(self) -> bool:
        """True for a catalogue release that no CPL entry lists yet."""
        return not self.entries

    def on_cpl(self, d: date) -> bool:
        """True when one of its entries is on the CPL at ``d``."""
        return any(e.on_cpl(d) for e in self.entries)

    def in_production(self, d: date) -> bool:
        """On the CPL at ``d`` and, if the catalogue gives a production date, past it."""
        if not self.on_cpl(d):
            return False
        return self.info is None or self.info.production_from is None or self.info.production_from <= d

    def in_pilot(self, d: date) -> bool:
        """The catalogue puts it in pilot at ``d`` (``pilot_from`` on or before ``d``)."""
        return self.info is not None and self.info.pilot_from is not None and self.info.pilot_from <= d

    def distributable(self, d: date) -> bool:
        """Its image is still distributed at ``d`` (no ``withdrawn_on``, or later than ``d``)."""
        return self.info is None or self.info.withdrawn_on is None or self.info.withdrawn_on > d

    @property
    def stepping_stone(self) -> bool:
        """No upgrade may jump over this release."""
        return self.info is not None and self.info.stepping_stone

    @property
    def image_size(self) -> int | None:
        """Size of its image in bytes, when the catalogue says."""
        return None if self.info is None else self.info.image_size


@dataclass(frozen=True)
class ModelReleases:
    """Every release of one Device Model, in release order."""

    device_model: DeviceModel
    releases: tuple[Release, ...]
    display_format: str | None = None
    _by_firmware: dict[str, Release] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_firmware.update({r.firmware: r for r in self.releases})

    def get(self, firmware: str) -> Release | None:
        """The release of ``firmware`` (8 upper-case hex), or None if the model never had it."""
        return self._by_firmware.get(firmware)

    def display(self, firmware: str) -> str:
        """``firmware`` in the model's display format (the hex itself when none is set)."""
        return FirmwareVersion(firmware).display(self.display_format)

    def change_dates(self) -> tuple[date, ...]:
        """Every date on which the window or the upgrade graph of this model can change."""
        dates: set[date] = set()
        for r in self.releases:
            for e in r.entries:
                if e.listed_on is not None:
                    dates.add(e.listed_on)
                if e.removed_on is not None:
                    dates.add(e.removed_on)
            if r.info is not None:
                for d in (r.info.pilot_from, r.info.production_from, r.info.withdrawn_on):
                    if d is not None:
                        dates.add(d)
        return tuple(sorted(dates))


def _order_key(entries: Sequence[CplEntry]) -> tuple[int, date, int]:
    dates = [e.listed_on for e in entries]
    first_number = min(e.number for e in entries)
    if any(d is None for d in dates):
        return (0, date.min, first_number)
    return (1, min(d for d in dates if d is not None), first_number)


def model_releases(
    device_model: DeviceModel, entries: Iterable[CplEntry], catalogue: CatalogueModel | None = None
) -> ModelReleases:
    """Put a Device Model's firmware versions in release order and attach catalogue records.

    >>> from eligibility.cpl import CplEntry
    >>> def e(n, fw, listed):
    ...     return CplEntry(number=n, status="Current", device_type="Communications Hub",
    ...                     manufacturer="106C", model="433100AC", firmware=fw, listed_on=listed)
    >>> rel = model_releases(DeviceModel("106C", "433100AC"),
    ...                      [e(1, "124074DA", None), e(5, "1220665A", date(2016, 11, 7))])
    >>> [r.firmware for r in rel.releases]
    ['124074DA', '1220665A']
    """
    by_fw: dict[str, list[CplEntry]] = {}
    for e in entries:
        by_fw.setdefault(e.firmware, []).append(e)
    ordered = sorted(by_fw.items(), key=lambda kv: _order_key(kv[1]))
    releases: list[Release] = []
    for fw, group in ordered:
        info = catalogue.release(fw) if catalogue is not None else None
        releases.append(Release(fw, len(releases), tuple(sorted(group, key=lambda e: e.number)), info))
    if catalogue is not None:
        for info in catalogue.releases:
            if info.firmware not in by_fw:
                releases.append(Release(info.firmware, len(releases), (), info))
    return ModelReleases(
        device_model,
        tuple(releases),
        catalogue.display_format if catalogue is not None else None,
    )
