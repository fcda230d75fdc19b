"""CPL and catalogue imports land whole or not at all; versions are kept side by side."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api.store import Store, resolve_db_url
from api.store.schema import cpl_entries, cpl_versions
from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import CplImport, read_cpl
from eligibility.errors import DataError, InputError, ReferenceDataMissing
from tests.conftest import MANGLED, SAMPLE_DIR


def _counts(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        v = conn.execute(select(func.count()).select_from(cpl_versions)).scalar_one()
        e = conn.execute(select(func.count()).select_from(cpl_entries)).scalar_one()
    return v, e


def test_import_then_reload_gives_the_same_cpl(store_url: str, real_import: CplImport) -> None:
    store = Store(store_url)
    out = store.import_cpl(real_import)
    assert out.created
    assert store.load_cpl() == real_import.cpl
    assert _counts(store) == (1, 729)


def test_reimport_same_version_is_a_noop(store_url: str, real_import: CplImport) -> None:
    store = Store(store_url)
    first = store.import_cpl(real_import)
    again = store.import_cpl(real_import)
    assert (again.created, again.id) == (False, first.id)
    assert _counts(store) == (1, 729)


def test_same_version_other_content_needs_replace(store_url: str, real_import: CplImport) -> None:
    store = Store(store_url)
    store.import_cpl(real_import)
    undated = real_import.cpl.model_copy(
        update={"entries": tuple(e.model_copy(update={"listed_on": None}) for e in real_import.cpl.entries)}
    )
    other = CplImport(undated, "x.csv", "csv-export", "0" * 64, None)
    with pytest.raises(DataError, match="pass --replace"):
        store.import_cpl(other)
    assert store.load_cpl() == real_import.cpl
    store.import_cpl(other, replace=True)
    assert store.load_cpl() == undated
    assert _counts(store) == (1, 729)


def test_mangled_import_leaves_the_store_unchanged(store_url: str, sample_import: CplImport) -> None:
    store = Store(store_url)
    store.import_cpl(sample_import)
    before = (_counts(store), store.load_cpl())
    with pytest.raises(DataError):
        store.import_cpl(read_cpl(MANGLED))
    assert (_counts(store), store.load_cpl()) == before


def test_a_failing_write_rolls_back(store_url: str, sample_import: CplImport) -> None:
    store = Store(store_url)
    # two entries with the same number make the second insert fail inside the transaction
    broken = sample_import.cpl.model_copy(
        update={"entries": (*sample_import.cpl.entries, sample_import.cpl.entries[0])}
    )
    with pytest.raises(IntegrityError):
        store.import_cpl(CplImport(broken, "b.csv", "csv-export", "1" * 64, None))
    assert _counts(store) == (0, 0)


def test_newer_cpl_keeps_the_older(store_url: str, real_import: CplImport, sample_import: CplImport) -> None:
    store = Store(store_url)
    store.import_cpl(sample_import)  # 1.19, issued 2026
    store.import_cpl(real_import)  # 2.051, issued 2022
    versions = [r["version"] for r in store.cpl_versions()]
    assert versions == ["1.19", "2.051"]  # newest issue first
    assert store.load_cpl().version == "1.19"
    assert store.load_cpl("2.051").version == "2.051"
    with pytest.raises(ReferenceDataMissing, match=r"2\.000 is not in the store"):
        store.load_cpl("2.000")


def test_empty_store_says_what_to_do(store_url: str) -> None:
    with pytest.raises(ReferenceDataMissing, match="hubcheck cpl import FILE"):
        Store(store_url).load_cpl()


def test_catalogue_import_and_activation(store_url: str, sample_import: CplImport) -> None:
    store = Store(store_url)
    store.import_cpl(sample_import)
    assert store.active_catalogue() is None
    data = (SAMPLE_DIR / "sample-catalogue.toml").read_bytes()
    imp = load_catalogue(data, source="sample-catalogue.toml", cpl=sample_import.cpl)
    assert store.import_catalogue(imp).created
    assert store.import_catalogue(imp).created is False
    active = store.active_catalogue()
    assert active is not None
    assert active == imp.catalogue
    store.clear_catalogue()
    assert store.active_catalogue() is None


def test_db_url_resolution(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCHECK_DB", "sqlite:///from-env.sqlite")
    assert resolve_db_url(None) == "sqlite:///from-env.sqlite"
    assert resolve_db_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert resolve_db_url("/tmp/x/hub.sqlite") == "sqlite:////tmp/x/hub.sqlite"


def test_unusable_db_url_is_input_error() -> None:
    with pytest.raises(InputError, match="--db: cannot open the store"):
        Store("nosuchdialect://x")
