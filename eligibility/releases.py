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
from functools import cached_property

from eligibility.catalogue import CatalogueModel, CatalogueRelease
from eligibility.cpl import CplEntry
from eligibility.identifiers import DeviceModel
from eligibility.versions import FirmwareVersion

__all__ = ["ModelReleases", "Release", "model_releases", "release_order"]


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
    def version_name(self) -> str | None:
        """The vendor's name for this version, when a CPL note gives one beside an entry of it."""
        return next((e.version_name for e in self.entries if e.version_name), None)

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
    #: the catalogue states the release order (else it is numeric)
    stated_order: bool = False
    _by_firmware: dict[str, Release] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_firmware.update({r.firmware: r for r in self.releases})

    @cached_property
    def entries(self) -> tuple[CplEntry, ...]:
        """Every CPL entry of the model, in entry-number order."""
        return tuple(sorted((e for r in self.releases for e in r.entries), key=lambda e: e.number))

    @cached_property
    def device_type(self) -> str | None:
        """The CPL's Physical Device Type for the model (None for a model only a catalogue names)."""
        entries = self.entries
        return entries[0].device_type if entries else None

    @cached_property
    def smets1_hub(self) -> bool:
        """Every entry is a Communications Hub under 'SMETS V1.x': a SMETS1 hub, enrolled through the
        DCC's SMETS1 service and never DCC stock."""
        entries = self.entries
        return bool(entries) and all(e.device_type == "Communications Hub" and e.smets1 for e in entries)

    def on_cpl(self, d: date) -> bool:
        """One of the model's entries is on the CPL at ``d`` (AC 2.4: only then may it be delivered)."""
        return any(r.on_cpl(d) for r in self.releases)

    def get(self, firmware: str) -> Release | None:
        """The release of ``firmware`` (8 upper-case hex), or None if the model never had it."""
        return self._by_firmware.get(firmware)

    def display(self, firmware: str) -> str:
        """How a person reads ``firmware``: the vendor's name for it when a CPL note gives one (what
        the hub's label and the installer's handheld show), else the model's display format, else
        the hex itself."""
        rel = self._by_firmware.get(firmware)
        name = rel.version_name if rel is not None else None
        return name or FirmwareVersion(firmware).display(self.display_format)

    def label(self, firmware: str) -> str:
        """``firmware`` with its display beside it when they differ: ``126094D0 (1.38.3)``."""
        shown = self.display(firmware)
        return firmware if shown == firmware else f"{firmware} ({shown})"

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


def release_order(firmware: Iterable[str], order: Sequence[str] | None = None) -> list[str]:
    """Firmware versions in release order: numeric, unless ``order`` (a catalogue's) says otherwise.

    >>> release_order(["1220665A", "124074DA", "12407768"])
    ['1220665A', '124074DA', '12407768']
    >>> release_order(["0B000007", "10200000"], order=["10200000", "0B000007"])
    ['10200000', '0B000007']

    A version ``order`` does not name comes after those it names, numerically (the catalogue
    reader refuses an order that leaves one out).
    """
    rank = {fw: i for i, fw in enumerate(order or ())}
    return sorted(set(firmware), key=lambda fw: (rank.get(fw, len(rank)), int(fw, 16)))


def model_releases(
    device_model: DeviceModel, entries: Iterable[CplEntry], catalogue: CatalogueModel | None = None
) -> ModelReleases:
    """Put a Device Model's firmware versions in release order and attach catalogue records.

    >>> from eligibility.cpl import CplEntry
    >>> def e(n, fw, listed):
    ...     return CplEntry(number=n, status="Current", device_type="Communications Hub",
    ...                     manufacturer="106C", model="433100AC", firmware=fw, listed_on=listed)
    >>> rel = model_releases(DeviceModel("106C", "433100AC"),
    ...                      [e(1, "124074DA", date(2016, 10, 28)), e(5, "1220665A", date(2016, 11, 7))])
    >>> [r.firmware for r in rel.releases]
    ['1220665A', '124074DA']
    """
    by_fw: dict[str, list[CplEntry]] = {}
    for e in entries:
        by_fw.setdefault(e.firmware, []).append(e)
    future = [r.firmware for r in catalogue.releases if r.firmware not in by_fw] if catalogue else []
    ordered = release_order([*by_fw, *future], catalogue.order if catalogue is not None else None)
    releases: list[Release] = []
    for fw in ordered:
        info = catalogue.release(fw) if catalogue is not None else None
        group = sorted(by_fw.get(fw, ()), key=lambda e: e.number)
        releases.append(Release(fw, len(releases), tuple(group), info))
    return ModelReleases(
        device_model,
        tuple(releases),
        catalogue.display_format if catalogue is not None else None,
        catalogue is not None and catalogue.order is not None,
    )
