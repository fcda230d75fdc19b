"""The hot path: a stored hub's verdict as JSON bytes, from the view's cache when it can.

A verdict depends on the hub's record, the reference data, the install date and the policy;
the view holds exactly one state of the first two, so its cache is keyed by
(Device ID, date, policy text) and is dropped whole when the data changes.
The cached entry keeps the hub's supplier: a caller bound to another supplier gets the same
404 as for a hub that does not exist, from the cache or not.
"""

from __future__ import annotations

from datetime import date

from api.app.service import Service, View
from api.auth import Principal
from eligibility.dates import parse_date
from eligibility.errors import NotFound
from eligibility.identifiers import parse_device_id
from eligibility.verdict import VERDICT_ADAPTER

__all__ = ["hub_verdict_json"]


def _not_found(device_id: str) -> NotFound:
    # One message for "missing" and "another supplier's": the answer must not tell them apart.
    return NotFound(
        f"no hub {device_id} in your inventory; check the Device ID, or use POST /v1/eligibility "
        "with the hub's manufacturer, model and firmware"
    )


def hub_verdict_json(
    svc: Service, view: View, who: Principal, device_id: str, install_date: str | None, policy: str | None
) -> bytes:
    """The verdict document of the stored hub ``device_id`` (its CHF or GPF id).

    Raises InputError for a bad id, date or policy; NotFound for an unknown hub or one the
    caller may not see; ReferenceDataMissing before any CPL is imported.
    """
    dev = parse_device_id(device_id, field="device_id")
    d = parse_date(install_date, field="install_date") if install_date else date.today()
    pol_text = policy or svc.settings.default_policy
    key = (dev, d, pol_text)
    hit = view.verdicts.get(key)
    scope = who.supplier_scope
    if hit is not None:
        supplier, body = hit
        if scope is not None and supplier != scope:
            raise _not_found(dev)
        return body
    engine = view.snapshot.require()
    pol = svc.policy(pol_text)
    try:
        hub = svc.store.get_hub(dev)
    except NotFound:
        raise _not_found(dev) from None
    if scope is not None and hub.supplier != scope:
        raise _not_found(dev)
    body = VERDICT_ADAPTER.dump_json(engine.verdict(hub, d, pol), by_alias=True)
    if len(view.verdicts) >= svc.settings.verdict_cache:
        view.verdicts.clear()
    if svc.settings.verdict_cache:
        view.verdicts[key] = (hub.supplier, body)
    return body
