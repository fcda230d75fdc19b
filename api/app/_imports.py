"""Imports over HTTP: read the upload with ``cpl_data``, store it with ``Store``, refresh, summarise.

Each runs in the thread pool (reading a million-row inventory takes seconds). Whatever is
refused, unreadable file or forbidden row, is recorded in the audit table before the error
goes back to the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from api.app._duis import duis_inventory
from api.app.bodies import Upload, unsupported
from api.app.models import ImportSummary
from api.app.service import Service
from api.auth import Principal
from api.errors import Forbidden
from api.store import Actor
from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import load_cpl
from cpl_data.inventory import InventoryFormat, InventoryRead, read_inventory
from eligibility.errors import HubcheckError
from eligibility.suppliers import same_supplier

__all__ = ["import_catalogue", "import_cpl", "import_inventory"]

_T = TypeVar("_T")


def actor_of(who: Principal) -> Actor:
    """The audit's actor for a key."""
    return Actor(f"key:{who.key_id}", who.role, who.party)


def _name(upload: Upload, default: str) -> str:
    return default if upload.name == "request body" else upload.name


def _reading(
    svc: Service, who: Principal, event: str, upload: Upload, name: str, read: Callable[[], _T]
) -> _T:
    try:
        return read()
    except HubcheckError as exc:
        sha = hashlib.sha256(upload.data).hexdigest()
        svc.store.record_refused(event, actor_of(who), name, sha, str(exc))
        raise


def import_cpl(svc: Service, who: Principal, upload: Upload, replace: bool) -> ImportSummary:
    """A CPL (CSV export, sheet CSV with a ``history`` part, or workbook) into the store."""
    if upload.kind not in ("csv", "workbook", "text"):
        raise unsupported(upload.kind, "CPL", "text/csv or an .xlsx/.xlsm workbook")
    name = _name(upload, "cpl.xlsx" if upload.kind == "workbook" else "cpl.csv")
    history = upload.extra.get("history")
    imp = _reading(
        svc,
        who,
        "cpl_import",
        upload,
        name,
        lambda: load_cpl(
            upload.data, source=name, history=history, history_source="history" if history else None
        ),
    )
    out = svc.store.import_cpl(imp, replace=replace, actor=actor_of(who))
    svc.refresh_now()
    return ImportSummary(
        id=out.import_id,
        event="cpl_import",
        status="committed" if out.created else "unchanged",
        detail=out.detail,
        source=imp.source,
        sha256=imp.sha256,
        counts=out.counts,
        warnings=list(imp.warnings),
    )


def import_catalogue(svc: Service, who: Principal, upload: Upload) -> ImportSummary:
    """A TOML catalogue, checked against the newest CPL, made the active one."""
    if upload.kind not in ("toml", "text"):
        raise unsupported(upload.kind, "catalogue", "application/toml (or text/plain)")
    name = _name(upload, "catalogue.toml")
    cpl = svc.store.load_cpl()
    imp = _reading(
        svc, who, "catalogue_import", upload, name, lambda: load_catalogue(upload.data, source=name, cpl=cpl)
    )
    out = svc.store.import_catalogue(imp, actor=actor_of(who))
    svc.refresh_now()
    return ImportSummary(
        id=out.import_id,
        event="catalogue_import",
        status="committed" if out.created else "unchanged",
        detail=out.detail,
        source=imp.source,
        sha256=imp.sha256,
        counts=out.counts,
    )


def import_inventory(svc: Service, who: Principal, upload: Upload, supplier: str | None) -> ImportSummary:
    """An inventory (CSV, Parquet or a DUIS SR 8.2 response) upserted by Device ID; a supplier's key
    writes only its hubs."""
    if upload.kind not in ("csv", "parquet", "text", "xml"):
        raise unsupported(
            upload.kind,
            "inventory",
            "text/csv, Parquet (application/vnd.apache.parquet) or DUIS XML (application/xml)",
        )
    owner = who.supplier_scope
    if owner is not None and supplier is not None and not same_supplier(supplier, owner):
        raise Forbidden(f"a key of supplier {owner!r} may only import {owner!r}'s hubs, not {supplier!r}'s")
    default = {"parquet": "inventory.parquet", "xml": "inventory.xml"}.get(upload.kind, "inventory.csv")
    name = _name(upload, default)
    sha = hashlib.sha256(upload.data).hexdigest()
    fmt: InventoryFormat = "parquet" if upload.kind == "parquet" else "csv"

    def read_it() -> InventoryRead:
        if upload.kind == "xml":
            return duis_inventory(upload.data, source=name, xsd_dir=svc.settings.duis_xsd)
        return read_inventory(upload.data, source=name, fmt=fmt)

    read = _reading(svc, who, "inventory_import", upload, name, read_it)
    out = svc.store.import_inventory(
        read, supplier=supplier or owner, owner=owner, sha256=sha, actor=actor_of(who)
    )
    svc.refresh_now()
    return ImportSummary(
        id=out.import_id,
        event="inventory_import",
        status="committed",
        detail=out.detail,
        source=name,
        sha256=sha,
        counts=out.counts,
    )
