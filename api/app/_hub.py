"""The hot path: a stored hub's verdict as JSON bytes, from the view's cache when it can.

A verdict depends on the hub's record, the reference data, the install date and the policy;
the view holds exactly one state of the first two, so its cache is keyed by (whose rows,
Device ID, date, policy text) and is dropped whole when the data changes. "Whose rows" is the
caller's supplier (its key in ``eligibility.suppliers``) for an installer or supplier, so a
verdict one supplier caused to be cached is never found by another: asking for another
supplier's hub misses the cache and asks the store, which reads only the caller's rows and
finds nothing, exactly as for a hub that does not exist (same work, same answer).
"""

from __future__ import annotations

from datetime import date

from api.app.service import Service, VerdictKey, View
from api.auth import Principal, with_article
from api.errors import Forbidden
from eligibility.dates import parse_date
from eligibility.errors import NotFound
from eligibility.identifiers import parse_device_id
from eligibility.suppliers import same_supplier, supplier_key
from eligibility.verdict import VERDICT_ADAPTER

__all__ = ["cache_key", "hub_verdict_json"]


def cache_key(scope: str | None, device_id: str, on: date, policy: str) -> VerdictKey:
    """The verdict cache's key: whose rows (None: any supplier's), hub, date, policy text."""
    return (None if scope is None else supplier_key(scope), device_id, on, policy)


def _not_found(device_id: str) -> NotFound:
    # One message for "missing" and "another supplier's": the answer must not tell them apart.
    return NotFound(
        f"no hub {device_id} in your inventory; check the Device ID, or use POST /v1/eligibility "
        "with the hub's manufacturer, model and firmware"
    )


def hub_verdict_json(
    svc: Service,
    view: View,
    who: Principal,
    device_id: str,
    install_date: str | None,
    policy: str | None,
    supplier: str | None = None,
) -> bytes:
    """The verdict document of the stored hub ``device_id`` (its CHF or GPF id).

    ``supplier`` says whose hub is meant when two suppliers hold the Device ID (a caller bound
    to a supplier may name only its own). Raises InputError for a bad id, date or policy;
    NotFound for an unknown hub or one the caller may not see; Forbidden for another
    supplier's name; DuplicateDevice; ReferenceDataMissing before any CPL is imported.
    """
    dev = parse_device_id(device_id, field="device_id")
    d = parse_date(install_date, field="install_date") if install_date else date.today()
    pol_text = policy or svc.settings.default_policy
    scope = who.supplier_scope
    if supplier is not None and scope is not None and not same_supplier(supplier, scope):
        raise Forbidden(f"{with_article(who.role)} key may ask only for its own supplier's hubs ({scope})")
    whose = scope if scope is not None else supplier
    key = cache_key(whose, dev, d, pol_text)
    hit = view.verdicts.get(key)
    if hit is not None:
        return hit
    engine = view.snapshot.require()
    pol = svc.policy(pol_text)
    try:
        hub = svc.store.get_hub(dev, supplier=whose)
    except NotFound:
        raise _not_found(dev) from None
    body = VERDICT_ADAPTER.dump_json(engine.verdict(hub, d, pol), by_alias=True)
    if len(view.verdicts) >= svc.settings.verdict_cache:
        view.verdicts.clear()
    if svc.settings.verdict_cache:
        view.verdicts[key] = body
    return body
