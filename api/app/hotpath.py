"""A fast path for the hot GET: a cached verdict answered before routing, dependencies and validation.

``GET /v1/hubs/{device_id}/eligibility`` is what installers and load balancers hammer. When
everything it needs is already in the current view (the caller's key, checked before; the
verdict for that hub, date and policy), this ASGI middleware answers it directly. Anything
else (an unknown key, a cache miss, a bad query, another supplier's hub) falls through to the
FastAPI route, which does the full work and maps every error: the fast path never answers an
error itself, so it cannot answer one differently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, unquote

from api.app.service import Service
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


def cached_verdict(svc: Service, path: str, query: bytes, authorization: bytes | None) -> bytes | None:
    """The cached verdict document for this request, or None when the full route must answer."""
    if authorization is None or not authorization.startswith(b"Bearer "):
        return None
    view = svc.current()
    who = view.keys.get(authorization[7:].decode("latin-1").strip())
    if who is None or not who.may("hub:read"):
        return None
    params = dict(parse_qsl(query.decode("latin-1"))) if query else {}
    if not params.keys() <= _QUERY:
        return None
    try:
        dev = parse_device_id(unquote(path[len(_PREFIX) : -len(_SUFFIX)]))
        on = date.fromisoformat(params["install_date"]) if "install_date" in params else date.today()
    except (InputError, ValueError):
        return None
    hit = view.verdicts.get((dev, on, params.get("policy") or svc.settings.default_policy))
    if hit is None:
        return None
    supplier, body = hit
    scope = who.supplier_scope
    return body if scope is None or supplier == scope else None


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
            if isinstance(svc, Service):
                auth = next((v for k, v in scope["headers"] if k == b"authorization"), None)
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
