"""Reading hubs and suppliers back: a hub with its own supplier's GPF, suppliers, duplicate Device IDs.

A hub read for a supplier touches that supplier's rows only (the primary key's prefix), so
"another supplier's hub" and "no such hub" run the same queries and find the same nothing.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, RowMapping, bindparam, func, select

from api.errors import DuplicateDevice
from api.store.schema import inventory
from eligibility.errors import NotFound
from eligibility.suppliers import known_supplier, supplier_key

__all__ = ["duplicate_devices", "find_supplier", "hub_rows", "spelling", "supplier_names"]

#: The columns a duplicate-device finding shows of each row.
_FINDING: Final = (
    "supplier",
    "device_type",
    "gpf_device_id",
    "status",
    "status_since",
    "import_id",
    "updated_at",
)


def supplier_names(conn: Connection) -> list[str]:
    """Every supplier the inventory holds rows of, as the store spells it."""
    rows = conn.execute(select(inventory.c.supplier).where(inventory.c.supplier_key != "").distinct())
    return sorted(r[0] for r in rows if r[0])


def spelling(conn: Connection, name: str) -> str | None:
    """The store's spelling of supplier ``name`` (None when it holds no row of it)."""
    shown = conn.execute(
        select(inventory.c.supplier).where(inventory.c.supplier_key == supplier_key(name)).limit(1)
    ).scalar()
    return str(shown) if shown else None


def find_supplier(conn: Connection, name: str, *, field: str = "supplier") -> str:
    """The store's spelling of supplier ``name``; raises NotFound (listing the known ones) for none."""
    return spelling(conn, name) or known_supplier(name, supplier_names(conn), field=field)


def duplicate_devices(conn: Connection, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """How many Device IDs more than one supplier holds, and the first ``limit`` with their rows."""
    dup = select(inventory.c.device_id).group_by(inventory.c.device_id).having(func.count() > 1)
    total = conn.execute(select(func.count()).select_from(dup.subquery())).scalar_one()
    ids = [r[0] for r in conn.execute(dup.order_by(inventory.c.device_id).limit(limit))]
    found: dict[str, dict[str, Any]] = {}
    query = (
        select(inventory)
        .where(inventory.c.device_id.in_(ids))
        .order_by(inventory.c.device_id, inventory.c.supplier_key)
    )
    for r in conn.execute(query).mappings():
        entry = found.setdefault(r["device_id"], {"device_id": r["device_id"], "suppliers": [], "rows": []})
        entry["suppliers"].append(r["supplier"])
        entry["rows"].append({k: r[k] for k in _FINDING})
    return int(total), list(found.values())


#: The statements of a hub's read, built once: a request then binds its values and SQLAlchemy
#: finds the compiled form in its cache by the statement's memoized key (building a select per
#: request cost more than running it, on the uncached GET).
_ID: Final = bindparam("device_id", type_=inventory.c.device_id.type)
_OWNED: Final = inventory.c.supplier_key == bindparam("key", type_=inventory.c.supplier_key.type)
_ANY_SUPPLIER: Final = select(inventory).where(inventory.c.device_id == _ID)
_OF_SUPPLIER: Final = select(inventory).where(_OWNED, inventory.c.device_id == _ID)
_CHF_NAMING: Final = select(inventory).where(_OWNED, inventory.c.gpf_device_id == _ID)


def _held(conn: Connection, device_id: str) -> RowMapping | None:
    """The row of ``device_id`` when one supplier holds it (None: nobody); DuplicateDevice for several."""
    rows = conn.execute(_ANY_SUPPLIER, {"device_id": device_id}).mappings().all()
    if len(rows) > 1:
        names = ", ".join(repr(r["supplier"] or "(none)") for r in rows)
        raise DuplicateDevice(
            f"Device ID {device_id} is held by {len(rows)} suppliers ({names}): a data quality finding "
            "(GET /v1/quality/duplicate-devices, `hubcheck quality duplicates`); say whose hub you mean "
            "(supplier=...)"
        )
    return rows[0] if rows else None


def hub_rows(conn: Connection, device_id: str, supplier: str | None) -> tuple[RowMapping, RowMapping | None]:
    """The CHF row of the hub ``device_id`` names (its CHF or GPF), and its GPF's row if any.

    With ``supplier`` only that supplier's rows are read; without it the one supplier holding
    the Device ID is. Raises NotFound, DuplicateDevice.
    """
    if supplier is not None:
        row = (
            conn.execute(_OF_SUPPLIER, {"key": supplier_key(supplier), "device_id": device_id})
            .mappings()
            .first()
        )
    else:
        row = _held(conn, device_id)
    if row is not None and row["device_type"] == "GPF":
        chf = {"key": row["supplier_key"], "device_id": device_id}
        row = conn.execute(_CHF_NAMING, chf).mappings().first() or row
    if row is None:
        raise NotFound(
            f"no hub {device_id} in the store's inventory; import the inventory first, or give "
            "--manufacturer, --model and --firmware"
        )
    gpf_row = None
    if row["gpf_device_id"]:
        gpf = {"key": row["supplier_key"], "device_id": row["gpf_device_id"]}
        gpf_row = conn.execute(_OF_SUPPLIER, gpf).mappings().first()
    return row, gpf_row
