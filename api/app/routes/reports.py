"""``GET /v1/charging/exclusions`` (the DCC's charging process) and ``POST /v1/risk/queries``.

Both run the same core functions as ``hubcheck charging`` and ``hubcheck risk`` over the
store's inventory, with the process's engine (its caches are shared with every other request).
They are plain ``def`` routes: a report over a whole fleet takes seconds, and FastAPI runs
such routes in its thread pool so the event loop keeps answering everything else.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.app.deps import ChargingReader, CurrentView, RiskQuerier, ServiceDep
from api.app.problems import PROBLEM_RESPONSES
from api.auth import with_article
from api.errors import Forbidden
from api.report import render_charts, risk_html
from eligibility.amounts import MAX_GBP
from eligibility.charging import ChargingSettings, charging_exclusions
from eligibility.dates import parse_date
from eligibility.policy_timeline import parse_timeline
from eligibility.risk import fleet_risk
from eligibility.smi import POLICIES
from eligibility.suppliers import MAX_NAME, same_supplier

__all__ = ["RiskQuery", "router"]

router = APIRouter(prefix="/v1", tags=["charging and risk"], responses=PROBLEM_RESPONSES)


@router.get("/charging/exclusions", summary="Hubs to exclude from the Stock Level Charge, with evidence")
def charging(
    svc: ServiceDep,
    view: CurrentView,
    who: ChargingReader,
    on: Annotated[
        str | None, Query(alias="date", description="Charging date, YYYY-MM-DD (default today).")
    ] = None,
    supplier: Annotated[
        str | None,
        Query(
            max_length=MAX_NAME, description="Only this supplier's hubs (404 for one the inventory lacks)."
        ),
    ] = None,
    policy: Annotated[
        str | None,
        Query(
            description="Housekeeping policy or timeline (default sec-ac-7.2), e.g. sec-ac-7.2,secmp0060@2023-04-01."
        ),
    ] = None,
    tariff: Annotated[
        float | None,
        Query(
            ge=0, le=MAX_GBP, allow_inf_nan=False, description="Stock Level Charge, GBP per hub per month."
        ),
    ] = None,
) -> JSONResponse:
    """Stock at the date (Pending CHFs still on the SMI under the policy), per supplier: chargeable,
    excluded (DEVICE_MODEL_NOT_ON_CPL, DEVICE_TYPE_MISMATCH, FIRMWARE_UNKNOWN, NO_UPGRADE_PATH, each with
    its evidence), SMETS1 hubs listed apart (never stock), answers resting on UPGRADE_PATH_ASSUMED counted,
    return due, and the hubs the SMI has dropped. ``stock``, ``chargeable`` and ``excluded`` are
    numbers and reconcile (stock = chargeable + excluded, per supplier and overall)."""
    d = parse_date(on, field="date") if on else date.today()
    engine = view.snapshot.require()
    pol = svc.policy(policy)
    if supplier is not None:
        supplier = svc.store.find_supplier(supplier)  # the store's spelling; 404 for none
    report = charging_exclusions(
        svc.store.inventory_frame(supplier),
        d,
        engine.reference,
        pol,
        ChargingSettings(stock_charge_gbp_per_hub_month=tariff),
        supplier=supplier,
        engine=engine,
    )
    return JSONResponse(report.to_json())


class RiskQuery(BaseModel):
    """A risk query: the start date, the horizon, the policies to compare."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [{"from": "2026-11-28", "months": 36, "policies": ["sec-ac-7.2", "secmp0060"]}]
        },
    )

    start: str | None = Field(None, alias="from", description="Start date D, YYYY-MM-DD (default today).")
    months: int = Field(36, ge=1, le=120, description="Horizon in calendar months.")
    policies: list[str] = Field(
        default_factory=lambda: list(POLICIES),
        min_length=1,
        max_length=8,
        description="Policies or policy timelines to compare, e.g. sec-ac-7.2,secmp0060@2023-04-01.",
    )
    supplier: str | None = Field(
        None, max_length=MAX_NAME, description="Whose fleet (a supplier key may ask only for its own)."
    )
    tariff: float | None = Field(
        None, ge=0, le=MAX_GBP, allow_inf_nan=False, description="Stock Level Charge, GBP per hub per month."
    )


@router.post(
    "/risk/queries",
    summary="Which hubs strand before removal, and how the housekeeping policies compare",
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
def risk(request: Request, body: RiskQuery, svc: ServiceDep, view: CurrentView, who: RiskQuerier) -> Response:
    """Month by month per policy: removals, usable stock lost, stranded hubs still charged,
    hubs installable at the end; stranding dates, cohorts, stock rotation and the security
    backstop. A supplier's key queries its own fleet. Send ``Accept: text/html`` for the
    self-contained HTML report instead of JSON."""
    supplier = body.supplier
    scope = who.supplier_scope
    d = parse_date(body.start, field="from") if body.start else date.today()
    policies = [parse_timeline(p, field="policies") for p in body.policies]
    if scope is not None:
        if supplier is not None and not same_supplier(supplier, scope):
            raise Forbidden(f"{with_article(who.role)} key may query only its own fleet ({scope})")
        # its own fleet is known even when empty: then the report is zeros
        supplier = svc.store.supplier_spelling(scope) or scope
    elif supplier is not None:
        supplier = svc.store.find_supplier(supplier)  # the store's spelling; 404 for none
    engine = view.snapshot.require()
    report = fleet_risk(
        svc.store.inventory_frame(supplier),
        d,
        body.months,
        policies,
        engine.reference,
        supplier=supplier,
        tariff_gbp_per_hub_month=body.tariff,
        engine=engine,
    )
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(risk_html(report, render_charts(report)))
    doc: dict[str, Any] = report.to_json()
    return JSONResponse(doc)
