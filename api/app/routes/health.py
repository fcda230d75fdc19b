"""``GET /healthz`` (the process answers) and ``GET /readyz`` (store reachable, reference data loaded).

Both name the answering process in the header ``X-Hubcheck-Worker`` (its pid): behind
``hubcheck serve --workers N`` or a load balancer, a probe or a test can tell which worker it
reached (a keep-alive connection stays with one worker).
"""

from __future__ import annotations

import os

from fastapi import APIRouter, Response

from api.app.deps import ServiceDep
from api.app.models import Health, Ready
from api.app.problems import PROBLEM_RESPONSES

__all__ = ["WORKER_HEADER", "router"]

router = APIRouter(tags=["health"])

#: The header naming the worker process that answered a health probe.
WORKER_HEADER = "X-Hubcheck-Worker"


@router.get("/healthz", response_model=Health, summary="Alive")
async def healthz(response: Response) -> Health:
    """Always 200 while the process serves requests."""
    response.headers[WORKER_HEADER] = str(os.getpid())
    return Health()


@router.get("/readyz", response_model=Ready, summary="Ready", responses={503: PROBLEM_RESPONSES[503]})
async def readyz(svc: ServiceDep, response: Response) -> Ready:
    """200 when the store answers and a CPL is loaded; 503 (problem+json) saying what is missing."""
    response.headers[WORKER_HEADER] = str(os.getpid())
    return Ready.model_validate(svc.ready())
