"""The one place where errors become HTTP answers: RFC 9457 ``application/problem+json``.

| error | status |
| --- | --- |
| ``Unauthorized`` | 401 (with ``WWW-Authenticate: Bearer``) |
| ``Forbidden`` | 403 |
| ``NotFound`` (a hub of another supplier too) | 404 |
| ``DuplicateDevice`` (asked without saying whose) | 409 |
| ``PayloadTooLarge`` | 413 |
| ``UnsupportedMediaType`` | 415 |
| ``InputError``, ``DataError``, a request that fails validation | 422 |
| ``ReferenceDataMissing``, ``StoreBusy``, a database that cannot be reached | 503 |
| anything else | 500, with no detail of the fault (it is logged) |

A problem names the field at fault (``field``) and, for files, the bad cells (``problems``:
row, column, value, message; the first :data:`MAX_ITEMS`). Its ``type`` is
``/problems/<slug>`` on this service. A problem never echoes more than an excerpt of what was
sent: every text in it is cut to a bound (:data:`MAX_DETAIL`, :data:`MAX_VALUE`), whatever
the message that raised it quoted.
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

from api.errors import (
    DuplicateDevice,
    Forbidden,
    PayloadTooLarge,
    StoreBusy,
    Unauthorized,
    UnsupportedMediaType,
)
from eligibility.errors import (
    DataError,
    HubcheckError,
    InputError,
    NotFound,
    Problem,
    ReferenceDataMissing,
    excerpt,
)

__all__ = [
    "MAX_DETAIL",
    "MAX_ITEMS",
    "MAX_VALUE",
    "PROBLEM_RESPONSES",
    "STATUS",
    "ProblemDetail",
    "install",
    "problem",
    "problem_doc",
    "response_for",
    "status_of",
]

log = logging.getLogger("hubcheck.api")

MEDIA_TYPE: Final = "application/problem+json"
#: The longest ``detail`` and item ``message``; the longest echoed ``value``, ``field``, ``column``.
MAX_DETAIL: Final = 1_000
MAX_VALUE: Final = 80
#: The most items a problem lists (the detail says how many there were).
MAX_ITEMS: Final = 1_000

#: Most specific first: the first class in an error's MRO found here decides.
STATUS: Final[dict[type[HubcheckError], int]] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    DuplicateDevice: 409,
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


def problem_doc(status: int) -> dict[str, Any]:
    """The OpenAPI description of a problem answer with ``status``."""
    return {"model": ProblemDetail, "content": {MEDIA_TYPE: {}}, "description": HTTPStatus(status).phrase}


#: The error answers every route documents in the OpenAPI.
PROBLEM_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    s: problem_doc(s) for s in (401, 403, 404, 413, 422, 503)
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
    """A problem+json response, every text in it cut to its bound (an excerpt, never an echo)."""
    if problems is not None and len(problems) > MAX_ITEMS:
        detail = f"{detail} (the first {MAX_ITEMS:,} of {len(problems):,} problems are listed)"
        problems = problems[:MAX_ITEMS]
    body = ProblemDetail(
        type=f"/problems/{slug}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=_cut(detail, MAX_DETAIL),
        instance=None if instance is None else _cut(instance, MAX_VALUE),
        field=None if field is None else _cut(field, MAX_VALUE),
        problems=None if problems is None else [_cut_item(i) for i in problems],
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _cut_item(item: ProblemItem) -> ProblemItem:
    return item.model_copy(
        update={
            "message": _cut(item.message, MAX_DETAIL),
            "source": None if item.source is None else _cut(item.source, MAX_VALUE),
            "column": None if item.column is None else _cut(item.column, MAX_VALUE),
            "value": None if item.value is None else _cut(item.value, MAX_VALUE),
        }
    )


def _items(problems: Any) -> list[ProblemItem]:
    return [
        ProblemItem(
            message=p.message, source=p.source, row=p.row, column=p.column, value=p.value, line=p.line
        )
        for p in problems
        if isinstance(p, Problem)
    ]


def response_for(exc: Exception, instance: str, *, close: bool = False) -> JSONResponse | None:
    """The answer to ``exc`` outside the routes (an ASGI middleware), or None for an error of ours.

    ``close`` asks the client to close the connection (a body was left unread).
    """
    if isinstance(exc, HubcheckError):
        answer = _of_hubcheck(exc, instance)
    elif isinstance(exc, OperationalError | PoolTimeout):
        answer = _store_busy(exc, instance)
    else:
        return None
    if close:
        answer.headers["Connection"] = "close"
    return answer


def _of_hubcheck(exc: HubcheckError, instance: str) -> JSONResponse:
    status = status_of(exc)
    if status == 500:
        log.error("unmapped hubcheck error", exc_info=exc)
        return _internal(instance)
    detail = exc.summary if isinstance(exc, DataError) and exc.problems else str(exc)
    items = _items(getattr(exc, "problems", ())) or None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "5"}
    if status == 413:
        headers = {"Connection": "close"}  # the body was cut off: the rest must not be read
    field = getattr(exc, "field", None)
    return problem(
        status,
        detail,
        slug=_slug(exc),
        instance=instance,
        field=field,
        problems=items,
        headers=headers,
    )


async def _hubcheck(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubcheckError)
    return _of_hubcheck(exc, request.url.path)


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
        detail = f"there is no {excerpt(request.url.path, MAX_VALUE)}; the API is described at /docs"
    return problem(
        exc.status_code,
        detail,
        slug=HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-"),
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


def _store_busy(exc: Exception, instance: str) -> JSONResponse:
    log.warning("store unavailable: %s", exc)
    return problem(
        503,
        "the store could not be reached or stayed busy; retry shortly",
        slug="store-busy",
        instance=instance,
        headers={"Retry-After": "5"},
    )


async def _database(request: Request, exc: Exception) -> JSONResponse:
    return _store_busy(exc, request.url.path)


def _internal(instance: str) -> JSONResponse:
    return problem(
        500,
        "an internal error occurred; it has been logged",
        slug="internal-error",
        instance=instance,
    )


async def _anything(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return _internal(request.url.path)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(HubcheckError, _hubcheck)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(PoolTimeout, _database)
    app.add_exception_handler(Exception, _anything)
