"""``GET /v1/cpl/models/{manufacturer}/{model}/versions``: as ``hubcheck cpl versions``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.app.deps import CplReader, CurrentView, ServiceDep
from api.app.problems import PROBLEM_RESPONSES
from eligibility.dates import parse_date
from eligibility.identifiers import DeviceModel
from eligibility.listing import ModelListing, model_listing

__all__ = ["router"]

router = APIRouter(prefix="/v1/cpl", tags=["cpl"], responses=PROBLEM_RESPONSES)


@router.get(
    "/models/{manufacturer}/{model}/versions",
    response_model=ModelListing,
    summary="A Device Model's firmware versions and window",
)
async def versions(
    manufacturer: str,
    model: str,
    svc: ServiceDep,
    view: CurrentView,
    who: CplReader,
    on: Annotated[str | None, Query(alias="date", description="YYYY-MM-DD (default today).")] = None,
    window_back: Annotated[int | None, Query(ge=0, le=20, description="Versions before N kept.")] = None,
) -> ModelListing:
    """The model's versions in release order, each with its entries and CPL standing at the
    date, and the support window."""
    dm = DeviceModel.parse(manufacturer, model)
    d = parse_date(on, field="date") if on else date.today()
    back = svc.settings.window_back if window_back is None else window_back
    return model_listing(view.snapshot.require().reference, dm, d, back)
