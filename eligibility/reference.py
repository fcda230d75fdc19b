"""Reference data as the engine uses it: a dated CPL and an optional catalogue.

:class:`Reference` builds each Device Model's release order once, on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from pydantic import BaseModel, ConfigDict

from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl, CplEntry
from eligibility.identifiers import DeviceModel
from eligibility.releases import ModelReleases, model_releases

__all__ = ["Reference", "ReferenceInfo"]


class ReferenceInfo(BaseModel):
    """Which reference data a result was computed from (for evidence)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    cpl_version: str
    cpl_issued_on: str
    catalogue: str | None = None


@dataclass
class Reference:
    """A CPL and optional catalogue, with per-model release orders built lazily."""

    cpl: Cpl
    catalogue: Catalogue | None = None
    _entries: dict[DeviceModel, tuple[CplEntry, ...]] = field(default_factory=dict, repr=False)
    _releases: dict[DeviceModel, ModelReleases | None] = field(default_factory=dict, repr=False)
    _by_firmware: dict[tuple[str, str], tuple[CplEntry, ...]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._entries = self.cpl.by_model()

    @cached_property
    def info(self) -> ReferenceInfo:
        """The CPL version and catalogue name, for a result's ``reference`` field."""
        return ReferenceInfo(
            cpl_version=self.cpl.version,
            cpl_issued_on=self.cpl.issued_on.isoformat(),
            catalogue=None if self.catalogue is None else self.catalogue.name,
        )

    def device_models(self) -> list[DeviceModel]:
        """Every Device Model the CPL ever listed."""
        return list(self._entries)

    def entries_with_firmware(self, manufacturer: str, firmware: str) -> tuple[CplEntry, ...]:
        """Every entry of this manufacturer at this firmware, whatever its model (entry-number order)."""
        if self._by_firmware is None:
            index: dict[tuple[str, str], list[CplEntry]] = {}
            for e in sorted(self.cpl.entries, key=lambda e: e.number):
                index.setdefault((e.manufacturer, e.firmware), []).append(e)
            self._by_firmware = {k: tuple(v) for k, v in index.items()}
        return self._by_firmware.get((manufacturer, firmware), ())

    def releases(self, device_model: DeviceModel) -> ModelReleases | None:
        """The model's releases in release order; None when no CPL entry has this model."""
        if device_model not in self._releases:
            entries = self._entries.get(device_model)
            cat = self.catalogue.for_model(device_model) if self.catalogue is not None else None
            self._releases[device_model] = (
                None if entries is None else model_releases(device_model, entries, cat)
            )
        return self._releases[device_model]
