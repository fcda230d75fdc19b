"""Limits before work: a request's key and its body's length are checked before any of the body is read.

An ASGI middleware, so that nothing (FastAPI's body parsing, a form parser spooling files)
reads a byte first. For every request that carries a body:

1. on ``/v1``, the API key is checked (401 at once for none or a bad one: an anonymous client
   cannot make the service read, hold or parse anything);
2. a declared ``Content-Length`` over the endpoint's bound is 413 at once, unread;
3. a body without a length (chunked) is counted as it arrives and refused at the bound: the
   bytes past it are never taken from the server. Small bodies (JSON, and anything sent to an
   endpoint that reads none) are read whole here, bounded, and handed on; uploads (imports,
   batches) stream on to their route, which sees ``PayloadTooLarge`` from ``receive`` when the
   count passes the bound.

The bounds are the settings': ``HUBCHECK_MAX_IMPORT_BYTES`` for imports,
``HUBCHECK_MAX_BATCH_BYTES`` for batches, ``HUBCHECK_MAX_CHECK_BYTES`` for everything else. A
request without a body costs one pass over its headers. A refusal whose body was left unread
closes the connection, so the client cannot keep the server reading it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from api.app.deps import VIEW_STATE, authenticate
from api.app.problems import response_for
from api.app.service import Service
from api.app.settings import Settings
from api.errors import PayloadTooLarge

__all__ = ["BodyLimits", "bound_of", "read_whole", "replay", "too_large"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Import endpoints, with what their body is (for the message).
_IMPORTS: Final = {
    "/v1/cpl/imports": "CPL",
    "/v1/catalogue/imports": "catalogue",
    "/v1/inventory/imports": "inventory",
}
_BATCH: Final = "/v1/eligibility/batch"
#: Methods whose requests carry a body even when a test client or proxy does not say so.
_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})


def bound_of(settings: Settings, path: str) -> tuple[int, str]:
    """The largest body ``path`` takes, and what the body is (for the message)."""
    if path in _IMPORTS:
        return settings.max_import_bytes, _IMPORTS[path]
    if path == _BATCH:
        return settings.max_batch_bytes, "batch"
    return settings.max_check_bytes, "request body"


def too_large(what: str, limit: int) -> PayloadTooLarge:
    """The refusal of a body past ``limit`` bytes."""
    return PayloadTooLarge(
        f"the {what} is larger than this service accepts ({limit:,} bytes); split it into smaller parts",
        field="body",
    )


class BodyLimits:
    """ASGI middleware: the key, then the length, before any body is read (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        chunked = False
        authorization: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"authorization" and authorization is None:
                authorization = value
        if declared is None and not chunked and scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)  # no body: nothing to bound
            return
        svc = getattr(scope["app"].state, "service", None)
        if not isinstance(svc, Service):  # not started (no lifespan): nothing to check against
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        size = int(declared) if declared is not None and declared.isdigit() else None
        unread = bool(size) or chunked
        try:
            if path.startswith("/v1/"):
                view = svc.current()
                authenticate(svc, view, authorization.decode("latin-1") if authorization else None)
                scope.setdefault("state", {})[VIEW_STATE] = view
            limit, what = bound_of(svc.settings, path)
            if size is not None and size > limit:
                raise too_large(what, limit)
            if size == 0:
                await self.app(scope, receive, send)
                return
            if path in _IMPORTS or path == _BATCH:
                await self.app(scope, _counted(receive, limit, what), send)
                return
            body = await read_whole(receive, limit, what)
        except Exception as exc:
            answer = response_for(exc, path, close=unread)
            if answer is None:
                raise
            await answer(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


def _counted(receive: Receive, limit: int, what: str) -> Receive:
    """``receive``, raising PayloadTooLarge as soon as the body passes ``limit`` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large(what, limit)
        return message

    return counted


async def read_whole(receive: Receive, limit: int, what: str) -> bytes:
    """The whole body, at most ``limit`` bytes (PayloadTooLarge past it)."""
    chunks: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away: the route sees an empty or partial body and says so
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise too_large(what, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over ``body`` once, then waits on the real one (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
