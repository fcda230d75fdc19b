"""The Central Products List as hubcheck holds it: entries with their listing dates.

An *entry* is one row of the CPL: a Device Model at one firmware version, 'Current' or
'Removed'. Entries are never deleted; the CPL's Version Control notes say when each was
listed and removed (see :mod:`eligibility.timeline`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from eligibility.identifiers import DeviceModel
from eligibility.versions import SpecVersion

__all__ = [
    "CPL_DEVICE_TYPES",
    "DUIS_TYPES",
    "Cpl",
    "CplEntry",
    "CplIssue",
    "EntryStatus",
]

EntryStatus = Literal["Current", "Removed"]

#: The DUIS device types each CPL Physical Device Type stands for.
DUIS_TYPES: dict[str, frozenset[str]] = {
    "Communications Hub": frozenset({"CHF", "GPF"}),
    "Gas Smart Meter": frozenset({"GSME"}),
    "HAN Connected Auxiliary Load Control Switch": frozenset({"HCALCS"}),
    "Polyphase Electricity Metering Equipment": frozenset({"ESME"}),
    "Pre-Payment Interface Device": frozenset({"PPMID"}),
    "Single Element Electricity Metering Equipment": frozenset({"ESME"}),
    "Twin Element Electricity Metering Equipment": frozenset({"ESME"}),
}

#: The Physical Device Types the CPL admits (its 'CPL - New Entry' data dictionary).
CPL_DEVICE_TYPES: tuple[str, ...] = (
    "Communications Hub",
    "Gas Smart Meter",
    "HAN Connected Auxiliary Load Control Switch",
    "Polyphase Electricity Metering Equipment",
    "Pre-Payment Interface Device",
    "Single Element Electricity Metering Equipment",
    "Twin Element Electricity Metering Equipment",
)


class CplEntry(BaseModel):
    """One CPL entry, with the dates the Version Control notes give it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    number: int
    status: EntryStatus
    device_type: str
    manufacturer: str
    model: str
    firmware: str
    smets_chts: str | None = None
    gbcs: str | None = None
    image_hash: str | None = None
    listed_on: date | None = None
    removed_on: date | None = None
    #: ``listed_on`` was inferred (no note adds the entry), not read from a note.
    listed_on_inferred: bool = False
    #: The vendor's name for the firmware, when the note adding the entry gives one ("1.38.3").
    version_name: str | None = None

    @property
    def device_model(self) -> DeviceModel:
        """The Device Model this entry lists."""
        return DeviceModel(self.manufacturer, self.model)

    @property
    def label(self) -> str:
        """The entry number as the CPL writes it (``000024``)."""
        return f"{self.number:06d}"

    def on_cpl(self, d: date) -> bool:
        """True when this entry is listed at ``d``: listed on or before it, not yet removed."""
        return (self.listed_on is None or self.listed_on <= d) and (
            self.removed_on is None or self.removed_on > d
        )

    @property
    def smets1(self) -> bool:
        """Listed under 'SMETS V1.x' (a SMETS1 device, enrolled through the DCC's SMETS1 service)."""
        spec = self.spec_versions()[0]
        return spec is not None and spec.family == "SMETS" and spec.version.major == 1

    def spec_versions(self) -> tuple[SpecVersion | None, SpecVersion | None]:
        """The SMETS/CHTS and GBCS versions, parsed (None where absent or unreadable)."""

        def parse(text: str | None) -> SpecVersion | None:
            if not text:
                return None
            try:
                return SpecVersion.parse(text)
            except ValueError:
                return None

        return parse(self.smets_chts), parse(self.gbcs)


class CplIssue(BaseModel):
    """One issued version of the CPL, from its Version Control sheet."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    version: str
    issued_on: date
    notes: str = ""


class Cpl(BaseModel):
    """One imported CPL file: its version, issue date, entries and history."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    version: str
    issued_on: date
    entries: tuple[CplEntry, ...]
    history: tuple[CplIssue, ...] = ()

    def by_model(self) -> dict[DeviceModel, tuple[CplEntry, ...]]:
        """Entries grouped by Device Model, each group in entry-number order."""
        groups: dict[DeviceModel, list[CplEntry]] = {}
        for e in sorted(self.entries, key=lambda e: e.number):
            groups.setdefault(e.device_model, []).append(e)
        return {k: tuple(v) for k, v in groups.items()}

    def device_models(self, device_type: str | None = None) -> Iterable[DeviceModel]:
        """Every Device Model on the list (ever), optionally of one Physical Device Type."""
        seen: dict[DeviceModel, None] = {}
        for e in self.entries:
            if device_type is None or e.device_type == device_type:
                seen.setdefault(e.device_model)
        return seen.keys()
