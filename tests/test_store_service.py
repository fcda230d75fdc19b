"""The store's service side: migrations, inventory imports whole or not at all, keys, audit, counters."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from api.errors import Forbidden
from api.store import Store
from api.store.migrate import HEAD, SCRIPTS
from api.store.schema import api_keys, metadata
from cpl_data.inventory import INVENTORY_COLUMNS, SCHEMA, read_inventory
from eligibility.errors import DataError, NotFound, UnknownChoice
from tests.service_support import DEMO_CSV, GREEN, NORTH, SOUTH, SOUTH_HUB, demo_store


def test_head_is_the_newest_migration() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_a_new_store_is_migrated_to_head(store_url: str) -> None:
    store = Store(store_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
        tables = set(inspect(conn).get_table_names())
    assert tables >= {"cpl_versions", "inventory", "audit", "api_keys", "store_state"}
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    # opening it again finds it at head and changes nothing
    assert Store(store_url).generation() == store.generation()


def test_a_store_made_before_migrations_is_upgraded(tmp_path: Path, sample_import: object) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    legacy = create_engine(url)
    old_tables = [
        metadata.tables[t] for t in ("cpl_versions", "cpl_entries", "cpl_history", "catalogues", "inventory")
    ]
    metadata.create_all(legacy, tables=old_tables)
    with legacy.begin() as conn:
        conn.execute(text("DROP INDEX ix_inventory_gpf_device_id"))  # added by migration 0002
        for column in ("listed_on_inferred", "version_name"):  # added by migration 0003
            conn.execute(text(f"ALTER TABLE cpl_entries DROP COLUMN {column}"))
        conn.execute(text("INSERT INTO inventory (device_id, device_type, manufacturer, model, firmware, status) "
                          "VALUES ('00-DB-00-00-00-00-00-01', 'CHF', 'F0A1', 'A1010100', '03000000', 'Pending')"))  # fmt: skip
    legacy.dispose()
    store = Store(url)
    assert store.inventory_count() == 1  # the data survived
    assert store.generation() == (0, 0)
    assert store.create_key("dcc")[0]


@pytest.fixture
def any_demo(store_url: str, tmp_path: Path) -> tuple[Store, object]:
    """The service tests' demo store, on each backend."""
    return demo_store(store_url, tmp_path)


def test_inventory_import_upserts_and_reads_back(any_demo: tuple[Store, object], tmp_path: Path) -> None:
    store = any_demo[0]
    frame = store.inventory_frame()
    assert frame.columns == list(INVENTORY_COLUMNS)
    assert frame.schema == pl.Schema(SCHEMA)
    src = tmp_path / "inv.csv"
    src.write_text(DEMO_CSV)
    assert frame.equals(read_inventory(src).frame.sort("device_id"))
    assert store.inventory_frame(SOUTH)["device_id"].to_list() == [SOUTH_HUB]
    # importing the same file again updates every row and inserts none
    out = store.import_inventory(read_inventory(src))
    assert (out.counts["inserted"], out.counts["updated"]) == (0, 5)
    assert store.inventory_frame().equals(frame)


def test_owner_cannot_write_another_suppliers_hub(any_demo: tuple[Store, object], tmp_path: Path) -> None:
    store = any_demo[0]
    before = store.inventory_frame()
    gen = store.generation()
    src = tmp_path / "mine.csv"
    src.write_text(
        "device_id,manufacturer,model,firmware,status\n"
        "00-DB-00-00-00-00-00-09,F0A1,A1010100,03000000,Pending\n"
        f"{SOUTH_HUB},F0A1,A1010100,01000000,Pending\n"
    )
    with pytest.raises(Forbidden) as err:
        store.import_inventory(read_inventory(src), supplier=NORTH, owner=NORTH)
    assert [p.row for p in err.value.problems] == [3]
    assert store.inventory_frame().equals(before)
    assert store.generation() == gen
    assert store.audit_events(1)[0]["status"] == "refused"
    # without an owner (the DCC) the hub may move to another supplier
    out = store.import_inventory(read_inventory(src), supplier=NORTH)
    assert out.counts == {"rows": 2, "inserted": 1, "updated": 1, "rows_read": 2}
    assert store.get_hub(SOUTH_HUB).supplier == NORTH


def test_supplier_column_must_agree(any_demo: tuple[Store, object], tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text(
        f"device_id,manufacturer,model,firmware,status,supplier\n{GREEN},F0A1,A1010100,03000000,Pending,{SOUTH}\n"
    )
    with pytest.raises(DataError, match="name another supplier"):
        any_demo[0].import_inventory(read_inventory(src), supplier=NORTH)


def test_keys_are_stored_as_hashes_only(store_url: str) -> None:
    store = Store(store_url)
    key_id, key = store.create_key("supplier", "Acme")
    with store.engine.connect() as conn:
        row = conn.execute(select(api_keys)).mappings().one()
    assert key not in str(dict(row))
    assert row["key_hash"] != key
    who = store.principal(key)
    assert who is not None
    assert (who.key_id, who.role, who.party) == (key_id, "supplier", "Acme")
    assert store.principal(key + "x") is None
    assert store.revoke_key(key_id)
    assert not store.revoke_key(key_id)
    assert store.principal(key) is None
    with pytest.raises(NotFound):
        store.revoke_key("nosuchid")
    with pytest.raises(UnknownChoice):
        store.create_key("boss")
    events = [(e["event"], e["what"]) for e in store.audit_events()]
    assert events[:2] == [("key_revoke", key_id), ("key_create", key_id)]


def test_counters_move_with_each_committed_change(
    store_url: str, sample_import: object, tmp_path: Path
) -> None:
    from cpl_data.cpl import CplImport

    assert isinstance(sample_import, CplImport)
    store = Store(store_url)
    assert store.generation() == (0, 0)
    store.import_cpl(sample_import)
    assert store.generation() == (1, 1)
    store.import_cpl(sample_import)  # unchanged: nothing moves
    assert store.generation() == (1, 1)
    src = tmp_path / "inv.csv"
    src.write_text(DEMO_CSV)
    store.import_inventory(read_inventory(src))
    assert store.generation() == (2, 1)  # the inventory is not reference data
    store.create_key("dcc")
    assert store.generation() == (3, 1)
