"""A Device Model's firmware versions at a date: what ``hubcheck cpl versions`` shows.

Versions come in release order (numeric unless a catalogue states the order), each with its
place in listing order beside it (when SECAS first listed it: date, then entry number), so that
a reader sees a listing inversion: a version listed after a numerically later one.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from eligibility.errors import NotFound
from eligibility.identifiers import DeviceModel
from eligibility.reference import Reference, ReferenceInfo
from eligibility.releases import Release
from eligibility.window import Window, support_window

__all__ = ["EntryListing", "ModelListing", "VersionListing", "model_listing"]


class EntryListing(BaseModel):
    """One CPL entry of a version."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    number: str
    status: str
    listed_on: date | None
    listed_on_inferred: bool
    removed_on: date | None
    smets_chts: str | None
    gbcs: str | None
    version_name: str | None
    on_cpl: bool


class VersionListing(BaseModel):
    """One firmware version of the model, in release order."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    firmware: str
    display: str
    #: the vendor's name for the version, from the CPL's notes
    version_name: str | None
    #: 1 for the oldest release
    release_order: int
    #: 1 for the first version SECAS listed (None for a future release)
    listing_order: int | None
    listed_on: date | None
    listed_on_inferred: bool
    #: later releases that SECAS listed before this one (a listing inversion)
    listed_after: tuple[str, ...]
    removed_on: date | None
    on_cpl: bool
    in_production: bool
    window_role: str | None
    smets_chts: tuple[str, ...]
    gbcs: tuple[str, ...]
    future: bool
    entries: tuple[EntryListing, ...]


class ModelListing(BaseModel):
    """Every firmware version of a Device Model with the window at ``date``."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    manufacturer: str
    model: str
    device_types: tuple[str, ...]
    date: date
    display_format: str | None
    #: how release order was decided: "numeric", or "catalogue" when the catalogue states it
    release_order: str
    versions: tuple[VersionListing, ...]
    window: Window
    reference: ReferenceInfo


def _unique(values: list[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _first_listing(rel: Release) -> tuple[date, int] | None:
    dated = [(e.listed_on, e.number) for e in rel.entries if e.listed_on is not None]
    return min(dated) if dated else None


def _version(
    rel: Release, d: date, window: Window, display: str, listing: dict[str, int], after: tuple[str, ...]
) -> VersionListing:
    return VersionListing(
        firmware=rel.firmware,
        display=display,
        version_name=rel.version_name,
        release_order=rel.position + 1,
        listing_order=listing.get(rel.firmware),
        listed_on=rel.listed_on,
        listed_on_inferred=any(e.listed_on_inferred and e.listed_on == rel.listed_on for e in rel.entries),
        listed_after=after,
        removed_on=rel.removed_on,
        on_cpl=rel.on_cpl(d),
        in_production=rel.in_production(d),
        window_role=window.role(rel.firmware),
        smets_chts=_unique([e.smets_chts for e in rel.entries]),
        gbcs=_unique([e.gbcs for e in rel.entries]),
        future=rel.future,
        entries=tuple(
            EntryListing(
                number=e.label,
                status=e.status,
                listed_on=e.listed_on,
                listed_on_inferred=e.listed_on_inferred,
                removed_on=e.removed_on,
                smets_chts=e.smets_chts,
                gbcs=e.gbcs,
                version_name=e.version_name,
                on_cpl=e.on_cpl(d),
            )
            for e in rel.entries
        ),
    )


def model_listing(
    reference: Reference, device_model: DeviceModel, d: date, window_back: int = 1
) -> ModelListing:
    """The model's versions in release order with entries, CPL status at ``d`` and the window.

    Raises NotFound when no CPL entry has this manufacturer and model.
    """
    releases = reference.releases(device_model)
    if releases is None:
        raise NotFound(
            f"Device Model {device_model} is not on CPL {reference.cpl.version}: no entry has manufacturer "
            f"{device_model.manufacturer} and model {device_model.model}"
        )
    window = support_window(releases, d, window_back)
    first = {r.firmware: f for r in releases.releases if (f := _first_listing(r)) is not None}
    listing = {fw: i + 1 for i, fw in enumerate(sorted(first, key=lambda fw: first[fw]))}
    position = {r.firmware: r.position for r in releases.releases}

    def after(fw: str) -> tuple[str, ...]:
        if fw not in first:
            return ()
        return tuple(v for v in first if position[v] > position[fw] and first[v] < first[fw])

    return ModelListing(
        manufacturer=device_model.manufacturer,
        model=device_model.model,
        device_types=_unique([e.device_type for r in releases.releases for e in r.entries]),
        date=d,
        display_format=releases.display_format,
        release_order="catalogue" if releases.stated_order else "numeric",
        versions=tuple(
            _version(r, d, window, releases.display(r.firmware), listing, after(r.firmware))
            for r in releases.releases
        ),
        window=window,
        reference=reference.info,
    )
