"""A fast path for the hot GET: a cached verdict answered before routing, dependencies and validation.

``GET /v1/hubs/{device_id}/eligibility`` is what installers and load balancers hammer. When
everything it needs is already in the current view (the caller's key, checked before; the
verdict for that hub, date and policy), this ASGI middleware answers it directly. Anything
else (an unknown key, a cache miss, a bad query, another supplier's hub) falls through to the
FastAPI route, which does the full work and maps every error: the fast path never answers an
error itself, so it cannot answer one differently. It reads the request exactly as the route
does (the path as the server decoded it, the query as Starlette parses it, the date with
``eligibility.dates.parse_date``), so a request the route refuses is never a cache hit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from api.app._hub import cache_key
from api.app.service import Service
from eligibility.dates import parse_date
from eligibility.errors import InputError
from eligibility.identifiers import parse_device_id

__all__ = ["HotPath"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PREFIX = "/v1/hubs/"
_SUFFIX = "/eligibility"
_QUERY = frozenset({"install_date", "policy"})
_BODY = (b"content-length", b"transfer-encoding")


def cached_verdict(svc: Service, path: str, query: bytes, authorization: bytes | None) -> bytes | None:
    """The cached verdict document for this request, or None when the full route must answer."""
    if authorization is None or not authorization.startswith(b"Bearer "):
        return None
    view = svc.current()
    who = view.keys.get(authorization[7:].decode("latin-1").strip())
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


class HotPath:
    """ASGI middleware: answer cache hits of the hot GET, pass everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and path.startswith(_PREFIX)
            and path.endswith(_SUFFIX)
        ):
            svc = getattr(scope["app"].state, "service", None)
            auth = None
            for name, value in scope["headers"]:
                if name == b"authorization" and auth is None:
                    auth = value
                elif name in _BODY:  # a body: api.app.limits bounds it first
                    svc = None
                    break
            if isinstance(svc, Service):
                body = cached_verdict(svc, path, scope.get("query_string", b""), auth)
                if body is not None:
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
                    return
        await self.app(scope, receive, send)
