"""``POST /v1/eligibility`` (one hub from its attributes) and ``POST /v1/eligibility/batch``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from api.app._batch import read_batch, stream_verdicts
from api.app.bodies import read_upload
from api.app.deps import BatchCaller, Checker, CurrentView, ServiceDep
from api.app.models import CheckRequest
from api.app.problems import PROBLEM_RESPONSES
from api.app.service import Service, View
from eligibility.dates import parse_date
from eligibility.verdict import VERDICT_ADAPTER, Verdict

__all__ = ["router"]

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"], responses=PROBLEM_RESPONSES)

InstallDate = Annotated[str | None, Query(description="Date to judge at, YYYY-MM-DD (default today).")]
Policy = Annotated[
    str | None,
    Query(
        description="Housekeeping policy or timeline (default sec-ac-7.2), e.g. sec-ac-7.2,secmp0060@2023-04-01."
    ),
]


@router.post("", response_model=Verdict, summary="The verdict for a hub described in the body")
async def check(body: CheckRequest, svc: ServiceDep, view: CurrentView, who: Checker) -> Response:
    """Every gate for a hub given by its attributes (no store record needed)."""
    # a well-formed request from a key that may check is answered before routing by
    # api.app.hotpath, with judge() as here; every other request comes here
    return Response(judge(body, svc, view), media_type="application/json")


def judge(body: CheckRequest, svc: Service, view: View) -> bytes:
    """The verdict document for a check request (raises the errors the route maps)."""
    d = parse_date(body.install_date, field="install_date") if body.install_date else date.today()
    verdict = view.snapshot.require().verdict(body.hub(), d, svc.policy(body.policy))
    return VERDICT_ADAPTER.dump_json(verdict, by_alias=True)


@router.post(
    "/batch",
    summary="Verdicts for many hubs: CSV, NDJSON or a DUIS SR 8.2 response in, NDJSON out",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/x-ndjson": {}}, "description": "One verdict document a line."},
        415: PROBLEM_RESPONSES[413] | {"description": "Unsupported Media Type"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def batch(
    request: Request,
    svc: ServiceDep,
    view: CurrentView,
    who: BatchCaller,
    install_date: InstallDate = None,
    policy: Policy = None,
) -> StreamingResponse:
    """An inventory in the body (the inventory columns; CSV with a header row, NDJSON one object
    a line, or a DUIS SR 8.2 Read Inventory response); every row checked first (422 lists every bad cell), then one verdict a line.
    At most ``HUBCHECK_MAX_BATCH_ROWS`` rows and ``HUBCHECK_MAX_BATCH_BYTES`` bytes (413 beyond)."""
    d = parse_date(install_date, field="install_date") if install_date else date.today()
    pol = svc.policy(policy)
    engine = view.snapshot.require()
    upload = await read_upload(request, svc.settings.max_batch_bytes, "batch")
    frame = await run_in_threadpool(
        read_batch, upload, svc.settings.max_batch_rows, xsd_dir=svc.settings.duis_xsd
    )
    return StreamingResponse(stream_verdicts(frame, engine, d, pol), media_type="application/x-ndjson")
