"""The one place where errors become HTTP answers: RFC 9457 ``application/problem+json``.

| error | status |
| --- | --- |
| ``Unauthorized`` | 401 (with ``WWW-Authenticate: Bearer``) |
| ``Forbidden`` | 403 |
| ``NotFound`` (a hub of another supplier too) | 404 |
| ``PayloadTooLarge`` | 413 |
| ``UnsupportedMediaType`` | 415 |
| ``InputError``, ``DataError``, a request that fails validation | 422 |
| ``ReferenceDataMissing``, ``StoreBusy``, a database that cannot be reached | 503 |
| anything else | 500, with no detail of the fault (it is logged) |

A problem names the field at fault (``field``) and, for files, every bad cell (``problems``:
row, column, value, message). Its ``type`` is ``/problems/<slug>`` on this service.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import Forbidden, PayloadTooLarge, StoreBusy, Unauthorized, UnsupportedMediaType
from eligibility.errors import DataError, HubcheckError, InputError, NotFound, Problem, ReferenceDataMissing

__all__ = ["PROBLEM_RESPONSES", "STATUS", "ProblemDetail", "install", "problem", "status_of"]

log = logging.getLogger("hubcheck.api")

MEDIA_TYPE: Final = "application/problem+json"

#: Most specific first: the first class in an error's MRO found here decides.
STATUS: Final[dict[type[HubcheckError], int]] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    DataError: 422,
    InputError: 422,
    ReferenceDataMissing: 503,
    StoreBusy: 503,
}


class ProblemItem(BaseModel):
    """One fault inside a body or file."""

    message: str
    source: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    line: int | None = None


class ProblemDetail(BaseModel):
    """RFC 9457 problem details, with hubcheck's extensions ``field`` and ``problems``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    problems: list[ProblemItem] | None = None


def _doc(status: int) -> dict[str, Any]:
    return {"model": ProblemDetail, "content": {MEDIA_TYPE: {}}, "description": HTTPStatus(status).phrase}


#: The error answers every route documents in the OpenAPI.
PROBLEM_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    s: _doc(s) for s in (401, 403, 404, 413, 422, 503)
}


def status_of(exc: HubcheckError) -> int:
    """The HTTP status of a hubcheck error (500 only for one this table forgot)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _slug(exc: BaseException) -> str:
    name = type(exc).__name__
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


def problem(
    status: int,
    detail: str,
    *,
    slug: str,
    instance: str | None = None,
    field: str | None = None,
    problems: list[ProblemItem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body = ProblemDetail(
        type=f"/problems/{slug}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        field=field,
        problems=problems,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def _items(problems: Any) -> list[ProblemItem]:
    return [
        ProblemItem(
            message=p.message, source=p.source, row=p.row, column=p.column, value=p.value, line=p.line
        )
        for p in problems
        if isinstance(p, Problem)
    ]


async def _hubcheck(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubcheckError)
    status = status_of(exc)
    if status == 500:
        log.error("unmapped hubcheck error", exc_info=exc)
        return _internal(request)
    detail = exc.summary if isinstance(exc, DataError) and exc.problems else str(exc)
    items = _items(getattr(exc, "problems", ())) or None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "5"}
    field = getattr(exc, "field", None)
    return problem(
        status,
        detail,
        slug=_slug(exc),
        instance=request.url.path,
        field=field,
        problems=items,
        headers=headers,
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    items = [
        ProblemItem(message=str(e.get("msg", "invalid")), column=_field(tuple(e.get("loc", ()))))
        for e in errors
    ]
    first = items[0].column if items else None
    detail = "; ".join(f"{i.column}: {i.message}" for i in items) or "the request is not valid"
    return problem(
        422, detail, slug="invalid-request", instance=request.url.path, field=first, problems=items
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail) if exc.detail else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"there is no {request.url.path}; the API is described at /docs"
    return problem(
        exc.status_code,
        detail,
        slug=HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-"),
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _database(request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s", exc)
    return problem(
        503,
        "the store could not be reached or stayed busy; retry shortly",
        slug="store-busy",
        instance=request.url.path,
        headers={"Retry-After": "5"},
    )


def _internal(request: Request) -> JSONResponse:
    return problem(
        500,
        "an internal error occurred; it has been logged",
        slug="internal-error",
        instance=request.url.path,
    )


async def _anything(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return _internal(request)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(HubcheckError, _hubcheck)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(PoolTimeout, _database)
    app.add_exception_handler(Exception, _anything)
