"""The firmware catalogue: what the CPL cannot say about each release.

Per Device Model, a display format, optionally its release order (for a vendor whose numbers
do not rise with time), and, per firmware release: when it entered pilot and
production, whether it is a stepping stone, when its image stopped being distributed, its
size, and which source versions its image accepts (``min_source``, or ``sources`` for a delta
image). A release not on the CPL is a future release; hubcheck asks that it be declared with
``future = true`` so that a typing mistake in a version is caught rather than taken as a plan.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from eligibility.dates import Day
from eligibility.identifiers import DeviceModel, parse_manufacturer, parse_model
from eligibility.versions import VersionFormat, parse_firmware

__all__ = ["MAX_IMAGE_SIZE", "Catalogue", "CatalogueModel", "CatalogueRelease"]

#: The largest image size taken, in bytes (SR 11.1 carries at most 10,240,000 base64 characters).
MAX_IMAGE_SIZE = 1 << 30


class CatalogueRelease(BaseModel):
    """What is known of one firmware release beyond the CPL."""

    model_config = ConfigDict(frozen=True, defer_build=True, extra="forbid")

    firmware: str
    stepping_stone: bool = False
    withdrawn_on: Day | None = None
    pilot_from: Day | None = None
    production_from: Day | None = None
    image_size: int | None = Field(default=None, ge=0, le=MAX_IMAGE_SIZE)
    min_source: str | None = None
    sources: tuple[str, ...] | None = None
    future: bool = False
    note: str | None = None

    @field_validator("firmware", "min_source")
    @classmethod
    def _firmware(cls, v: str | None) -> str | None:
        return None if v is None else parse_firmware(v, field="firmware")

    @field_validator("sources")
    @classmethod
    def _sources(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is None:
            return None
        if not v:
            raise ValueError("a delta image needs at least one source version; leave 'sources' out otherwise")
        return tuple(parse_firmware(s, field="sources") for s in v)


class CatalogueModel(BaseModel):
    """The catalogue of one Device Model."""

    model_config = ConfigDict(frozen=True, defer_build=True, extra="forbid", populate_by_name=True)

    manufacturer: str
    model: str
    display_format: VersionFormat | None = None
    #: Release order, oldest first, for a vendor whose numbers do not rise with time; without
    #: it release order is numeric. It names every version of the model (CPL and catalogue).
    order: tuple[str, ...] | None = None
    releases: tuple[CatalogueRelease, ...] = Field(default=(), alias="release")

    @field_validator("order")
    @classmethod
    def _order(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is None:
            return None
        out = tuple(parse_firmware(s, field="order") for s in v)
        twice = sorted({fw for fw in out if out.count(fw) > 1})
        if twice:
            raise ValueError(f"order names {', '.join(twice)} more than once; name each version once")
        return out

    @field_validator("manufacturer")
    @classmethod
    def _manufacturer(cls, v: str) -> str:
        return parse_manufacturer(v)

    @field_validator("model")
    @classmethod
    def _model(cls, v: str) -> str:
        return parse_model(v)

    @property
    def device_model(self) -> DeviceModel:
        """The Device Model this part describes."""
        return DeviceModel(self.manufacturer, self.model)

    def release(self, firmware: str) -> CatalogueRelease | None:
        """The catalogue's release record for ``firmware``, if it has one."""
        for r in self.releases:
            if r.firmware == firmware:
                return r
        return None


class Catalogue(BaseModel):
    """A whole catalogue: one part per Device Model."""

    model_config = ConfigDict(frozen=True, defer_build=True, extra="forbid", populate_by_name=True)

    name: str | None = None
    models: tuple[CatalogueModel, ...] = Field(default=(), alias="model")

    def for_model(self, device_model: DeviceModel) -> CatalogueModel | None:
        """The part for ``device_model``, or None when the catalogue does not describe it."""
        for m in self.models:
            if m.device_model == device_model:
                return m
        return None
