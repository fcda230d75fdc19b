"""The store's compiled snapshot of the reference data (``api.store.snapshot``).

What it must hold: the snapshot gives exactly the reference data (and so the verdicts) a fresh
build from the store's rows gives, on the real CPL; every CPL or catalogue change rewrites it;
a snapshot of another format, of an older generation or that does not validate is never used,
and a reader that opens the store writes a current one again.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text, update

from api.cli import main
from api.store import Store
from api.store.schema import reference_snapshot
from api.store.snapshot import FORMAT, decode, encode, read_file, stored_document
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import CplImport
from eligibility.engine import Engine
from eligibility.policy_timeline import parse_timeline
from eligibility.reference import Reference
from eligibility.verdict import DeviceRecord, Hub
from tests.conftest import SAMPLE_DIR

#: Dates the verdicts are compared at: before, around and after the real CPL's issue (2022-09-21).
DATES = (date(2019, 6, 1), date(2021, 1, 15), date(2022, 9, 21), date(2026, 11, 28))
POLICY = parse_timeline("sec-ac-7.2,secmp0060@2023-04-01", field="--policy")


def _file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _fresh(store: Store) -> Reference:
    """The reference built from the store's rows, as before snapshots existed."""
    return Reference(store.load_cpl(), store.active_catalogue())


def _verdicts(ref: Reference) -> list[dict[str, object]]:
    """The verdict of a CHF and of a GPF at every (model, firmware) the CPL lists, at every date."""
    engine = Engine(ref)
    out = []
    for e in sorted(ref.cpl.entries, key=lambda e: e.number):
        for device_type in ("CHF", "GPF"):
            rec = DeviceRecord.parse(
                device_id=None,
                device_type=device_type,
                status="Pending",
                status_since="2022-06-01",
                history=None,
            )
            hub = Hub(manufacturer=e.manufacturer, model=e.model, firmware=e.firmware, chf=rec)
            for d in DATES:
                out.append(engine.verdict(hub, d, POLICY).to_json())
    return out


def test_snapshot_gives_the_fresh_build_on_the_real_cpl(db_url: str, real_import: CplImport) -> None:
    store = Store(db_url)
    store.import_cpl(real_import)
    snap = read_file(_file(db_url))
    assert snap is not None
    fresh = _fresh(store)
    assert snap.cpl == fresh.cpl == real_import.cpl
    assert snap.catalogue is None
    assert store.reference().cpl == fresh.cpl  # the store's own reader takes the same snapshot
    got, want = _verdicts(snap), _verdicts(fresh)
    assert len(want) == len(real_import.cpl.entries) * 2 * len(DATES)
    assert got == want
    # the comparison reaches every kind of answer, not only one
    assert {v["verdict"] for v in want} == {"ELIGIBLE", "ELIGIBLE_AFTER_UPGRADE", "NOT_ELIGIBLE"}


def test_snapshot_carries_the_catalogue(store_url: str, sample_import: CplImport) -> None:
    store = Store(store_url)
    store.import_cpl(sample_import)
    store.import_catalogue(read_catalogue(SAMPLE_DIR / "sample-catalogue.toml", store.load_cpl()))
    snap = store.reference()
    fresh = _fresh(store)
    assert fresh.catalogue is not None
    assert snap.catalogue == fresh.catalogue
    assert snap.cpl == fresh.cpl
    assert _verdicts(snap) == _verdicts(fresh)
    # and the document itself round-trips
    assert decode(encode(fresh.cpl, fresh.catalogue)).catalogue == fresh.catalogue


def test_every_reference_change_rewrites_the_snapshot(
    store_url: str, real_import: CplImport, sample_import: CplImport
) -> None:
    store = Store(store_url)

    def stored() -> tuple[str, str | None, int]:
        with store.engine.connect() as conn:
            row = conn.execute(text("SELECT cpl_version, reference_generation FROM reference_snapshot")).one()
        ref = store.reference()
        assert ref.cpl.version == row.cpl_version
        return row.cpl_version, ref.catalogue.name if ref.catalogue else None, row.reference_generation

    store.import_cpl(real_import)
    first = stored()
    assert first[:2] == ("2.051", None)
    store.import_cpl(sample_import)  # issued later (2026): the newest CPL now
    second = stored()
    assert second[:2] == ("1.19", None)
    store.import_catalogue(read_catalogue(SAMPLE_DIR / "sample-catalogue.toml", store.load_cpl()))
    third = stored()
    assert third[:2] == ("1.19", "sample catalogue 2026-11")
    store.clear_catalogue()
    fourth = stored()
    assert fourth[:2] == ("1.19", None)
    # each change wrote its own generation, and the store's counter is the last one
    gens = [first[2], second[2], third[2], fourth[2]]
    assert gens == sorted(set(gens))
    assert store.generation()[1] == fourth[2]
    # an import that changes nothing leaves the snapshot as it was
    store.import_cpl(sample_import)
    assert stored() == fourth


def _set(store: Store, **values: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(reference_snapshot).values(**values))


@pytest.mark.parametrize(
    "stale",
    [
        pytest.param({"format": FORMAT + 1}, id="another format"),
        pytest.param({"format": FORMAT - 1}, id="an older format"),
        pytest.param({"reference_generation": 0}, id="an older generation"),
        pytest.param({"content": '{"cpl": {"version": "9.99"}}'}, id="a document that does not validate"),
    ],
)
def test_a_stale_snapshot_is_never_used_and_is_rebuilt(
    db_url: str, sample_import: CplImport, stale: dict[str, object]
) -> None:
    store = Store(db_url)
    store.import_cpl(sample_import)
    want = _fresh(store)
    _set(store, **stale)
    assert read_file(_file(db_url)) is None  # the CLI's reader falls back to opening the store
    got = store.reference()  # which builds afresh ...
    assert got.cpl == want.cpl
    again = read_file(_file(db_url))  # ... and writes a current snapshot for the next reader
    assert again is not None
    assert again.cpl == want.cpl


def test_a_store_without_a_snapshot_gets_one_from_its_first_reader(
    db_url: str, sample_import: CplImport
) -> None:
    # as a store migrated from 0004 is: reference data, no snapshot
    store = Store(db_url)
    store.import_cpl(sample_import)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM reference_snapshot"))
    assert stored_document(_file(db_url)) is None
    assert store.reference().cpl == sample_import.cpl
    assert stored_document(_file(db_url)) is not None


def test_no_cpl_no_snapshot(db_url: str) -> None:
    store = Store(db_url)
    assert read_file(_file(db_url)) is None
    with pytest.raises(Exception, match="no CPL has been imported"):
        store.reference()


@pytest.mark.parametrize("broken", ["format", "missing", "not a store"])
def test_check_answers_the_same_without_a_usable_snapshot(
    sample_db: str, broken: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["check", "--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "01000000"]
    args += ["--install-date", "2026-11-01", "--status-since", "2026-06-01", "--json"]
    assert main(["--db", sample_db, *args]) == 0
    want = capsys.readouterr().out
    store = Store(sample_db)
    if broken == "format":
        _set(store, format=FORMAT + 1)
    elif broken == "missing":
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM reference_snapshot"))
    else:  # a file that is no SQLite store: the reader steps aside and the store says what is wrong
        bad = tmp_path / "not-a-store.sqlite"
        bad.write_text("not a database")
        assert read_file(bad) is None
        assert main(["--db", str(bad), *args]) == 2
        assert "cannot open the store" in capsys.readouterr().err
        return
    assert read_file(_file(sample_db)) is None
    assert main(["--db", sample_db, *args]) == 0
    assert capsys.readouterr().out == want
    assert read_file(_file(sample_db)) is not None  # rebuilt by that check


def test_a_catalogue_file_given_replaces_the_snapshots_own(
    db_url: str, sample_import: CplImport, capsys: pytest.CaptureFixture[str]
) -> None:
    # the snapshot holds no catalogue; --catalogue FILE must be judged as if it were the active one
    Store(db_url).import_cpl(sample_import)
    catalogue = str(SAMPLE_DIR / "sample-catalogue.toml")
    args = ["check", "--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "01000000"]
    args += ["--install-date", "2026-11-01", "--json"]
    assert main(["--db", db_url, *args]) == 0
    without = capsys.readouterr().out
    assert main(["--db", db_url, *args, "--catalogue", catalogue]) == 0
    given = capsys.readouterr().out
    assert main(["--db", db_url, "catalogue", "import", catalogue]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, *args]) == 0
    active = capsys.readouterr().out
    assert given == active
    assert given != without  # the catalogue changes the answer's evidence, so the test can tell
