"""The hubcheck HTTP service (FastAPI): eligibility, reference data and inventory imports, the installer page.

``create_app()`` builds the app; ``hubcheck serve`` runs it under uvicorn. Layout:

- ``settings.Settings``: every knob (``HUBCHECK_*`` environment variables);
- ``service.Service``: what one process holds (store, reference snapshot, caches);
- ``deps``: the routes' dependencies as ``Annotated`` aliases (service, view, caller by role);
- ``problems``: the one mapping of errors to RFC 9457 problem+json answers;
- ``routes/``: one router per resource, listed in :data:`ROUTERS`.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import APIRouter, FastAPI

from api.app import problems
from api.app.hotpath import HotPath
from api.app.limits import BodyLimits
from api.app.routes import cpl, eligibility, health, hubs, imports, page, quality, reports
from api.app.service import Service
from api.app.settings import Settings
from api.store import Store

__all__ = ["ROUTERS", "Settings", "create_app"]

#: Every router, in the order the OpenAPI lists them; each resource has its module under ``routes/``.
ROUTERS: Final[tuple[APIRouter, ...]] = (
    hubs.router,
    eligibility.router,
    cpl.router,
    imports.router,
    reports.router,
    quality.router,
    health.router,
    page.router,
)

DESCRIPTION = """Can this Communications Hub still be upgraded over the air and commissioned?

Send an API key as `Authorization: Bearer <key>` (made with `hubcheck keys create`). Errors are
`application/problem+json` (RFC 9457) naming the field and the fix. The installer page is at `/`.
"""


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The app; its store is opened (and migrated) and reference data loaded at startup.

    Raises InputError (at startup) when the store URL cannot be opened.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service(settings, store)
        # what start-up made lives as long as the process: keep it out of the collector's full
        # passes, whose pauses otherwise land in the latency tail of every request they interrupt
        gc.collect()
        gc.freeze()
        yield
        app.state.service.close()

    app = FastAPI(
        title="hubcheck",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        # off unless asked: without it FastAPI asks OpenTelemetry for providers on every request
        telemetry=None if settings.telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    problems.install(app)
    app.add_middleware(BodyLimits)
    app.add_middleware(HotPath)  # outermost: a cache hit pays for nothing else
    for router in ROUTERS:
        app.include_router(router)
    return app
