"""Dependencies of the routes, as ``Annotated`` aliases: the service, the current view, the caller.

Each is an ``async def``: they do microseconds of work, and a sync dependency would cost a
hop to the thread pool on every request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from api.app.service import Service, View
from api.auth import Permission, Principal
from api.errors import Unauthorized

__all__ = [
    "VIEW_STATE",
    "BatchCaller",
    "CatalogueImporter",
    "ChargingReader",
    "Checker",
    "CplImporter",
    "CplReader",
    "CurrentView",
    "HubReader",
    "ImportReader",
    "InventoryImporter",
    "QualityReader",
    "RiskQuerier",
    "ServiceDep",
    "allowed",
    "authenticate",
]

#: Where ``api.app.limits`` leaves the view it took for a request (one read of the counters each).
VIEW_STATE = "hubcheck_view"

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `hubcheck keys create --role R [--party SUPPLIER]`.",
)


async def _service(request: Request) -> Service:
    svc = request.app.state.service
    assert isinstance(svc, Service)
    return svc


ServiceDep = Annotated[Service, Depends(_service)]


async def _view(request: Request, svc: ServiceDep) -> View:
    taken = request.scope.get("state", {}).get(VIEW_STATE)
    return taken if isinstance(taken, View) else svc.current()


CurrentView = Annotated[View, Depends(_view)]


def authenticate(svc: Service, view: View, authorization: str | None) -> Principal:
    """Who the ``Authorization`` header's Bearer key stands for; raises Unauthorized for none or a bad one."""
    scheme, key = get_authorization_scheme_param(authorization)
    if not (scheme and key) or scheme.lower() != "bearer":
        raise Unauthorized(
            "no API key: send the header 'Authorization: Bearer <key>' with a key made by "
            "`hubcheck keys create`"
        )
    who = svc.principal(view, key)
    if who is None:
        raise Unauthorized("the API key is unknown or revoked; ask your administrator for a new one")
    return who


async def _principal(
    request: Request,
    svc: ServiceDep,
    view: CurrentView,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # documents the scheme
) -> Principal:
    return authenticate(svc, view, request.headers.get("authorization"))


def allowed(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency giving the caller, after checking its role has ``permission`` (else 403)."""

    async def dependency(who: Annotated[Principal, Depends(_principal)]) -> Principal:
        who.require(permission)
        return who

    return dependency


HubReader = Annotated[Principal, Depends(allowed("hub:read"))]
Checker = Annotated[Principal, Depends(allowed("check"))]
BatchCaller = Annotated[Principal, Depends(allowed("batch"))]
CplReader = Annotated[Principal, Depends(allowed("cpl:read"))]
CplImporter = Annotated[Principal, Depends(allowed("cpl:import"))]
CatalogueImporter = Annotated[Principal, Depends(allowed("catalogue:import"))]
InventoryImporter = Annotated[Principal, Depends(allowed("inventory:import"))]
ImportReader = Annotated[Principal, Depends(allowed("import:read"))]
ChargingReader = Annotated[Principal, Depends(allowed("charging"))]
RiskQuerier = Annotated[Principal, Depends(allowed("risk"))]
QualityReader = Annotated[Principal, Depends(allowed("quality"))]
