"""The store keys the inventory by (supplier, Device ID): each supplier reads and writes its own rows only.

Run on SQLite and PostgreSQL (``store_url``). The rules:

| rule | test |
| --- | --- |
| a hub pairs with its own supplier's GPF row only | ``test_a_hub_pairs_with_its_own_suppliers_gpf_only`` |
| an import neither reads, shadows nor is blocked by another supplier's row | ``test_an_import_never_touches_another_suppliers_rows`` |
| supplier names match one way; the store keeps one spelling | ``test_supplier_names_match_one_way_and_keep_one_spelling`` |
| names the store cannot keep are refused, not a database error | ``test_a_supplier_name_too_long_is_refused`` |
| a store at 0002 is migrated with its data | ``test_a_store_at_0002_is_keyed_by_supplier`` |
| a stored row out of range is refused when read, never a crash | ``test_a_stored_date_out_of_range_is_a_data_error`` |
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text, update

from api.errors import DuplicateDevice
from api.store import Store
from api.store._db import open_engine, write
from api.store.migrate import HEAD
from api.store.migrate import _config as migrate_config
from api.store.schema import inventory
from cpl_data.inventory import read_inventory
from eligibility.errors import DataError, NotFound

NORTH, SOUTH = "Northwind Energy", "Southern Power"
CHF, GPF = "10-F0-B2-00-00-00-00-01", "10-F0-B2-00-00-00-00-02"
OTHER, NOBODYS = "10-F0-B2-00-00-00-00-03", "10-F0-B2-00-00-00-00-04"
HEAD_ROW = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,supplier\n"


def _load(store: Store, tmp: Path, rows: str, **kw: str) -> dict[str, int]:
    path = tmp / "inv.csv"
    path.write_text(HEAD_ROW + rows)
    return store.import_inventory(read_inventory(path), **kw).counts  # type: ignore[arg-type]


def test_a_hub_pairs_with_its_own_suppliers_gpf_only(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    _load(store, tmp_path, f"{CHF},{GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{SOUTH}\n")
    _load(store, tmp_path, f"{GPF},,GPF,F0A1,A1010100,03000000,Decommissioned,2026-10-01,{NORTH}\n")
    hub = store.get_hub(CHF, supplier=SOUTH)
    assert hub.gpf is None  # Northwind's row of that GPF id is not Southern Power's GPF
    assert store.get_hub(CHF).gpf is None  # nor for the DCC: pairing never crosses suppliers
    with pytest.raises(NotFound):
        store.get_hub(CHF, supplier=NORTH)
    _load(store, tmp_path, f"{GPF},,GPF,F0A1,A1010100,03000000,Pending,2026-09-01,{SOUTH}\n")
    gpf = store.get_hub(CHF, supplier=SOUTH).gpf
    assert gpf is not None
    assert gpf.status == "Pending"
    # asked by its GPF's id, each supplier finds its own hub
    assert store.get_hub(GPF, supplier=SOUTH).device_id == CHF
    assert store.get_hub(GPF, supplier=NORTH).chf.status == "Decommissioned"
    # the whole inventory's hub frame pairs the same way (charging and risk read it)
    from eligibility.hubframe import hub_frame

    hubs = hub_frame(store.inventory_frame())
    assert hubs.select("supplier", "device_id", "gpf_status").rows() == [(SOUTH, CHF, "Pending")]


def test_an_import_never_touches_another_suppliers_rows(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    row = f"{CHF},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
    assert _load(store, tmp_path, row, supplier=SOUTH, owner=SOUTH)["inserted"] == 1
    south = store.inventory_frame(SOUTH)
    # the rival's import of the same Device ID lands as its own row: not refused, not an update
    counts = _load(store, tmp_path, row.replace("03000000", "01000000"), supplier=NORTH, owner=NORTH)
    assert (counts["inserted"], counts["updated"]) == (1, 0)
    assert store.inventory_frame(SOUTH).equals(south)
    # and the first supplier may go on updating its own
    counts = _load(
        store, tmp_path, row.replace("Pending", "InstalledNotCommissioned"), supplier=SOUTH, owner=SOUTH
    )
    assert (counts["inserted"], counts["updated"]) == (0, 1)
    assert store.get_hub(CHF, supplier=SOUTH).chf.status == "InstalledNotCommissioned"
    assert store.get_hub(CHF, supplier=NORTH).firmware == "01000000"
    with pytest.raises(DuplicateDevice):
        store.get_hub(CHF)
    count, found = store.duplicate_devices()
    assert count == 1
    assert found[0]["device_id"] == CHF
    assert sorted(found[0]["suppliers"]) == [NORTH, SOUTH]


def test_supplier_names_match_one_way_and_keep_one_spelling(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    _load(store, tmp_path, f"{CHF},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{NORTH}\n")
    other = "10-F0-B2-00-00-00-00-03"
    counts = _load(store, tmp_path, f"{other},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n",
                   supplier="  NORTHWIND   energy ", owner="northwind energy")  # fmt: skip
    assert counts["inserted"] == 1
    assert store.supplier_names() == [NORTH]  # one supplier, spelled as it was first
    for spelling in (NORTH, "northwind energy", " NORTHWIND  ENERGY"):
        assert store.inventory_frame(spelling)["device_id"].to_list() == [CHF, other]
        assert store.inventory_count(spelling) == 2
        assert store.find_supplier(spelling) == NORTH
    with pytest.raises(NotFound, match="Northwind Energy"):  # the message lists the known ones
        store.find_supplier("Northwind Energy Ltd")


def test_a_supplier_name_too_long_is_refused(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    with pytest.raises(DataError, match="too long"):
        _load(store, tmp_path, f"{CHF},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{'N' * 65}\n")
    assert store.inventory_count() == 0


def test_a_store_at_0002_is_keyed_by_supplier(store_url: str) -> None:
    engine = open_engine(store_url)
    with write(engine) as conn:
        command.upgrade(migrate_config(conn), "0002")
        rows = ((CHF, NORTH), (GPF, "NORTHWIND  ENERGY"), (OTHER, NORTH), (NOBODYS, None))
        for dev, supplier in rows:
            conn.execute(
                text(
                    "INSERT INTO inventory (device_id, device_type, manufacturer, model, firmware, status, supplier) "
                    "VALUES (:d, 'CHF', 'F0A1', 'A1010100', '03000000', 'Pending', :s)"
                ),
                {"d": dev, "s": supplier},
            )
    engine.dispose()
    store = Store(store_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
        keys = conn.execute(
            text("SELECT device_id, supplier_key, supplier FROM inventory ORDER BY device_id")
        ).all()
    assert [tuple(k) for k in keys] == [
        (CHF, "northwind energy", NORTH),
        (GPF, "northwind energy", NORTH),  # one spelling per supplier: its most used
        (OTHER, "northwind energy", NORTH),
        (NOBODYS, "", None),
    ]
    assert store.inventory_count(NORTH) == 3
    assert store.get_hub(CHF, supplier="northwind energy").supplier == NORTH


def test_a_stored_date_out_of_range_is_a_data_error(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    _load(store, tmp_path, f"{CHF},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{NORTH}\n")
    with store.engine.begin() as conn:  # as a store written before the range existed may hold
        conn.execute(update(inventory).values(status_since=date(9999, 12, 31)))
    with pytest.raises(DataError, match="9999-12-31"):
        store.get_hub(CHF, supplier=NORTH)


def test_rows_of_no_supplier_are_one_owner(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    counts = _load(
        store,
        tmp_path,
        f"{CHF},{GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
        f"{GPF},,GPF,F0A1,A1010100,03000000,Decommissioned,2026-10-01,\n",
    )
    assert counts["inserted"] == 2
    hub = store.get_hub(CHF)
    assert hub.supplier is None
    assert hub.gpf is not None
    assert hub.gpf.status == "Decommissioned"
    assert store.supplier_names() == []
    # the same file again updates the same two rows
    assert _load(store, tmp_path, f"{CHF},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n")["updated"] == 1
