"""Request and response bodies of the API that are not the core's own types (those are reused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.verdict import DeviceRecord, Hub

__all__ = ["CheckRequest", "GpfRecord", "Health", "ImportRecord", "ImportSummary", "Ready"]


class GpfRecord(BaseModel):
    """The hub's GPF, when its SMI record differs from the CHF's."""

    model_config = ConfigDict(extra="forbid")

    device_id: str | None = Field(None, examples=["00-DB-12-34-56-78-90-A1"])
    status: str | None = Field(None, description="SMI status (default: the CHF's).")
    status_since: str | None = Field(None, description="YYYY-MM-DD")
    status_history: str | None = None


class CheckRequest(BaseModel):
    """A hub described by its attributes (an installer holding a hub the store does not know)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "device_id": "00-DB-12-34-56-78-90-A0",
                    "manufacturer": "F0A1",
                    "model": "A1010100",
                    "firmware": "01020000",
                    "status": "Pending",
                    "status_since": "2026-03-01",
                    "install_date": "2026-11-28",
                    "policy": "sec-ac-7.2",
                }
            ]
        },
    )

    device_id: str | None = Field(None, description="The hub's Device ID (its CHF), EUI-64.")
    manufacturer: str = Field(description="Manufacturer identifier, 4 hex.")
    model: str = Field(description="Model as DUIS writes it, 8 hex.")
    firmware: str = Field(description="Firmware version, 1-8 hex digits (left-padded).")
    device_type: str = "CHF"
    status: str = Field("Pending", description="SMI status.")
    status_since: str | None = Field(None, description="Date the SMI status was set, YYYY-MM-DD.")
    status_history: str | None = Field(None, description="Status:YYYY-MM-DD;... oldest first.")
    gpf: GpfRecord | None = None
    tsat_install_end: str | None = Field(None, description="TSAT installation end date, YYYY-MM-DD.")
    install_date: str | None = Field(None, description="Date to judge at, YYYY-MM-DD (default today).")
    policy: str | None = Field(
        None,
        description="Housekeeping policy or timeline (default sec-ac-7.2), e.g. sec-ac-7.2,secmp0060@2023-04-01.",
    )

    def hub(self) -> Hub:
        """The hub described, its records parsed (raises InputError naming the bad field).

        The GPF's status and date default to the CHF's; a GPF given a status but no date has none.
        """
        chf = DeviceRecord.parse(
            device_id=self.device_id,
            device_type=self.device_type,
            status=self.status,
            status_since=self.status_since,
            history=self.status_history,
        )
        gpf = None
        if self.gpf is not None:
            g = self.gpf
            gpf = DeviceRecord.parse(
                device_id=g.device_id,
                device_type="GPF",
                status=g.status or self.status,
                status_since=g.status_since or (self.status_since if g.status is None else None),
                history=g.status_history,
                prefix="gpf.",
            )
        return Hub.parse(
            manufacturer=self.manufacturer,
            model=self.model,
            firmware=self.firmware,
            chf=chf,
            gpf=gpf,
            tsat_install_end=self.tsat_install_end,
        )


class ImportSummary(BaseModel):
    """What an import did; ``id`` is the import's, for ``GET /v1/imports/{id}``."""

    id: int
    event: Literal["cpl_import", "catalogue_import", "inventory_import"]
    status: Literal["committed", "unchanged"]
    detail: str
    source: str
    sha256: str | None
    counts: dict[str, Any]
    warnings: list[str] = []


class ImportRecord(BaseModel):
    """One import as the audit table holds it (refused ones too)."""

    id: int
    event: str
    status: str
    at: datetime
    actor: str
    role: str | None
    party: str | None
    what: str | None
    sha256: str | None
    counts: dict[str, Any]
    detail: str


class Health(BaseModel):
    """The process is alive."""

    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    """The store answers and reference data is loaded."""

    status: Literal["ready"]
    cpl_version: str
    catalogue: str | None
    generation: int
