"""Fast paths for what installers hammer, answered before routing, dependency injection and
FastAPI's validation (which cost most of a request's CPU: ``py-spy`` under load put 75% of a
``POST /v1/eligibility`` in FastAPI's routing and dependency solving, 10% in the verdict).

- ``GET /v1/hubs/{device_id}/eligibility``: when everything it needs is already in the current
  view (the caller's key, checked before; the verdict for that hub, date and policy), the cached
  document is sent. It reads the request exactly as the route does (the path as the server
  decoded it, the query as Starlette parses it, the date with ``eligibility.dates.parse_date``),
  so a request the route refuses is never a cache hit.
- ``POST /v1/eligibility`` (the installer's ad-hoc check): a JSON body of a declared length within
  ``HUBCHECK_MAX_CHECK_BYTES``, from a key that may check (known before a byte of the body is
  read), is read, parsed as FastAPI parses it (``json.loads``, then the same model) and judged by
  the route's own function (:func:`api.app.routes.eligibility.judge`).

Anything else (no key or a bad one, a chunked or too large body, another content type, a cache
miss, a body or date the model refuses, an error of the engine) falls through to the FastAPI
route, with the body read so far handed on, and the route does the full work and maps every
error: a fast path never answers an error itself, so it cannot answer one differently.
``HUBCHECK_FAST_PATHS=0`` turns both off (every request takes the route: for diagnosis).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from api.app._hub import cache_key
from api.app.limits import read_whole, replay
from api.app.models import CheckRequest
from api.app.problems import response_for
from api.app.routes.eligibility import judge
from api.app.service import Service, View
from eligibility.dates import parse_date
from eligibility.errors import InputError
from eligibility.identifiers import parse_device_id

__all__ = ["HotPath", "cached_verdict", "checked_verdict"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PREFIX = "/v1/hubs/"
_SUFFIX = "/eligibility"
_QUERY = frozenset({"install_date", "policy"})
_BODY = (b"content-length", b"transfer-encoding")
_CHECK = "/v1/eligibility"
#: The content types FastAPI reads a JSON body from that the fast path takes (others go to the route).
_JSON = frozenset({b"application/json", b"application/json; charset=utf-8"})


def _bearer(authorization: bytes | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header as the fast paths take it (any other
    spelling, the route's to judge)."""
    if authorization is None or not authorization.startswith(b"Bearer "):
        return None
    return authorization[7:].decode("latin-1").strip()


def cached_verdict(svc: Service, path: str, query: bytes, authorization: bytes | None) -> bytes | None:
    """The cached verdict document for this request, or None when the full route must answer."""
    key = _bearer(authorization)
    if key is None:
        return None
    view = svc.current()
    who = view.keys.get(key)  # a key this view has already looked up: the store is not asked
    if who is None or not who.may("hub:read"):
        return None
    # as Starlette reads a query (blank values kept, the last of a repeated name wins)
    params = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True)) if query else {}
    if not params.keys() <= _QUERY:
        return None
    try:
        dev = parse_device_id(path[len(_PREFIX) : -len(_SUFFIX)])  # decoded once, by the server
        when = params.get("install_date")
        on = parse_date(when, field="install_date") if when else date.today()
    except InputError:
        return None
    return view.verdicts.get(
        cache_key(who.supplier_scope, dev, on, params.get("policy") or svc.settings.default_policy)
    )


def may_check(svc: Service, view: View, authorization: bytes | None) -> bool:
    """Whether the header's key is known in ``view`` and may check (else the route says why not)."""
    key = _bearer(authorization)
    who = None if key is None else svc.principal(view, key)
    return who is not None and who.may("check")


def checked_verdict(svc: Service, view: View, body: bytes) -> bytes | None:
    """The verdict document for a check request's JSON body, or None when the route must answer."""
    try:
        request = CheckRequest.model_validate(json.loads(body))  # as FastAPI reads a JSON body
        return judge(request, svc, view)
    except Exception:  # refused or failed: the route does it again and answers the error
        return None


async def _answer(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HotPath:
    """ASGI middleware: answer cache hits of the hot GET and well-formed checks, pass everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        svc = getattr(scope["app"].state, "service", None)
        if not isinstance(svc, Service) or not svc.settings.fast_paths:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and path.startswith(_PREFIX) and path.endswith(_SUFFIX):
            auth = None
            for name, value in scope["headers"]:
                if name == b"authorization" and auth is None:
                    auth = value
                elif name in _BODY:  # a body: api.app.limits bounds it first
                    break
            else:
                body = cached_verdict(svc, path, scope.get("query_string", b""), auth)
                if body is not None:
                    await _answer(send, body)
                    return
        elif scope["method"] == "POST" and path == _CHECK:
            await self._check(svc, scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _check(self, svc: Service, scope: Scope, receive: Receive, send: Send) -> None:
        auth = size = kind = None
        for name, value in scope["headers"]:
            if name == b"authorization" and auth is None:
                auth = value
            elif name == b"content-length":
                size = int(value) if value.isdigit() and size is None else -1
            elif name == b"content-type" and kind is None:  # the first, as Starlette reads it
                kind = value.lower()
            elif name == b"transfer-encoding":
                size = -1
        limit = svc.settings.max_check_bytes
        # the length, the type and the key before a byte is read; anything unusual: the route
        if size is None or not 0 < size <= limit or kind not in _JSON:
            await self.app(scope, receive, send)
            return
        view = svc.current()  # one read of the store's counters for the request, as on the route
        if not may_check(svc, view, auth):
            await self.app(scope, receive, send)
            return
        try:
            body = await read_whole(receive, limit, "request body")
        except Exception as exc:  # more bytes than declared, past the bound: as api.app.limits says
            answer = response_for(exc, _CHECK, close=True)
            if answer is None:
                raise
            await answer(scope, receive, send)
            return
        document = checked_verdict(svc, view, body)
        if document is None:
            await self.app(scope, replay(body, receive), send)
            return
        await _answer(send, document)
