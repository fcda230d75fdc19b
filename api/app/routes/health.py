"""``GET /healthz`` (the process answers) and ``GET /readyz`` (store reachable, reference data loaded)."""

from __future__ import annotations

from fastapi import APIRouter

from api.app.deps import ServiceDep
from api.app.models import Health, Ready
from api.app.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Alive")
async def healthz() -> Health:
    """Always 200 while the process serves requests."""
    return Health()


@router.get("/readyz", response_model=Ready, summary="Ready", responses={503: PROBLEM_RESPONSES[503]})
async def readyz(svc: ServiceDep) -> Ready:
    """200 when the store answers and a CPL is loaded; 503 (problem+json) saying what is missing."""
    return Ready.model_validate(svc.ready())
