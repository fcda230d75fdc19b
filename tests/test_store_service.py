"""The store's service side: migrations, inventory imports whole or not at all, keys, audit, counters."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from api.errors import DuplicateDevice
from api.store import Store
from api.store._db import open_engine, write
from api.store.migrate import HEAD, SCRIPTS
from api.store.migrate import _config as migrate_config
from api.store.schema import api_keys
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
    legacy = open_engine(url)
    with write(legacy) as conn:
        command.upgrade(migrate_config(conn), "0001")  # the tables the CLI made before migrations
        conn.execute(text("DROP TABLE alembic_version"))
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


def test_an_owner_writes_its_own_rows_only(any_demo: tuple[Store, object], tmp_path: Path) -> None:
    store = any_demo[0]
    south = store.inventory_frame(SOUTH)
    src = tmp_path / "mine.csv"
    src.write_text(
        "device_id,manufacturer,model,firmware,status\n"
        "00-DB-00-00-00-00-00-09,F0A1,A1010100,03000000,Pending\n"
        f"{SOUTH_HUB},F0A1,A1010100,01000000,Pending\n"
    )
    out = store.import_inventory(read_inventory(src), supplier=NORTH, owner=NORTH)
    assert out.counts == {"rows": 2, "inserted": 2, "updated": 0, "rows_read": 2}
    # the other supplier's row of the same Device ID is untouched, and each reads its own
    assert store.inventory_frame(SOUTH).equals(south)
    assert store.get_hub(SOUTH_HUB, supplier=SOUTH).firmware == "03000000"
    assert store.get_hub(SOUTH_HUB, supplier=NORTH).firmware == "01000000"
    # without saying whose, the Device ID is a finding, not a guess
    with pytest.raises(DuplicateDevice, match="2 suppliers"):
        store.get_hub(SOUTH_HUB)
    assert store.duplicate_devices()[0] == 1
    # the same import again updates its own two rows
    again = store.import_inventory(read_inventory(src), supplier=NORTH, owner=NORTH)
    assert (again.counts["inserted"], again.counts["updated"]) == (0, 2)


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
