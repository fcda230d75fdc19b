"""``GET /v1/quality/duplicate-devices``: Device IDs more than one supplier holds (the DCC's only).

Each supplier's rows are its own (a supplier's hub never pairs with, shadows or blocks
another's), so the same Device ID imported by two suppliers is two rows. One physical device
has one supplier: the DCC is told, the suppliers are not (telling one would say what the other
holds).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.app.deps import QualityReader, ServiceDep
from api.app.problems import PROBLEM_RESPONSES

__all__ = ["DuplicateDevices", "router"]

router = APIRouter(prefix="/v1/quality", tags=["data quality"], responses=PROBLEM_RESPONSES)


class HeldRow(BaseModel):
    """One supplier's row of a Device ID another supplier holds too."""

    supplier: str | None
    device_type: str
    gpf_device_id: str | None
    status: str
    status_since: date | None
    import_id: int | None
    updated_at: datetime | None


class DuplicateDevice(BaseModel):
    """A Device ID with the suppliers holding it and each one's row."""

    device_id: str
    suppliers: list[str | None]
    rows: list[HeldRow]


class DuplicateDevices(BaseModel):
    """How many Device IDs more than one supplier holds, and the first ``limit`` of them."""

    count: int
    devices: list[DuplicateDevice]


@router.get(
    "/duplicate-devices",
    response_model=DuplicateDevices,
    summary="Device IDs held by more than one supplier (DCC and admin keys only)",
)
async def duplicate_devices(
    svc: ServiceDep,
    who: QualityReader,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Most Device IDs listed.")] = 1000,
) -> DuplicateDevices:
    """Each Device ID two or more suppliers hold, by Device ID, with every holder's row."""
    count, devices = await run_in_threadpool(svc.store.duplicate_devices, limit)
    return DuplicateDevices.model_validate({"count": count, "devices": devices})
