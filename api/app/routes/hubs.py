"""``GET /v1/hubs/{device_id}/eligibility``: the verdict of a hub in the store's inventory."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.app._hub import hub_verdict_json
from api.app.deps import CurrentView, HubReader, ServiceDep
from api.app.problems import PROBLEM_RESPONSES, problem_doc
from eligibility.suppliers import MAX_NAME
from eligibility.verdict import Verdict

__all__ = ["router"]

router = APIRouter(prefix="/v1/hubs", tags=["hubs"], responses=PROBLEM_RESPONSES)

_ANSWERS: dict[int | str, dict[str, Any]] = {409: problem_doc(409)}


@router.get(
    "/{device_id}/eligibility", response_model=Verdict, summary="A stored hub's verdict", responses=_ANSWERS
)
async def hub_eligibility(
    device_id: str,
    svc: ServiceDep,
    view: CurrentView,
    who: HubReader,
    install_date: Annotated[
        str | None,
        Query(description="Date to judge at, YYYY-MM-DD (default today).", examples=["2026-11-28"]),
    ] = None,
    policy: Annotated[
        str | None,
        Query(
            description="Housekeeping policy: sec-ac-7.2 (default), secmp0060, history-aware, ..., or a timeline: "
            "sec-ac-7.2,secmp0060@2023-04-01"
        ),
    ] = None,
    supplier: Annotated[
        str | None,
        Query(
            max_length=MAX_NAME,
            description="Whose hub, when two suppliers hold the Device ID (the DCC; others: their own).",
        ),
    ] = None,
) -> Response:
    """Every gate for the hub whose CHF (or GPF) has ``device_id``, at the install date.

    An installer or supplier sees only its own supplier's hubs: any other is 404, exactly as
    a hub that does not exist, and a hub pairs only with its own supplier's GPF. A Device ID
    two suppliers hold is 409 for the DCC until it names the ``supplier``. Runs on the event
    loop: a cached answer costs microseconds, a thread-pool hop would cost more than it saves.
    """
    body = hub_verdict_json(svc, view, who, device_id, install_date, policy, supplier)
    return Response(body, media_type="application/json")
