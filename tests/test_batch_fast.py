"""The batch's fast path gives what the full check gives: the same verdicts, summary and errors.

``run_batch(fast=False)`` is the job as it was before the fast path (check_inventory on every
chunk, exact keys for duplicates). Every test runs both on the same synthetic fleet and
compares: the output files, the summaries, and for bad input the whole error, row numbers and all.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cpl_data import batch_job
from cpl_data.batch_job import BatchSummary, run_batch
from cpl_data.inventory import InventoryRead
from cpl_data.sources import open_inventory
from eligibility.engine import Engine
from eligibility.errors import DataError
from eligibility.smi import POLICIES
from tests._fleets import sample_engine, sample_fleet

D = date(2026, 11, 28)
POLICY = POLICIES["history-aware"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return sample_engine()


@pytest.fixture(scope="module")
def fleet() -> pl.DataFrame:
    return sample_fleet(hubs=1500, seed=11)


def _write(frame: pl.DataFrame, path: Path) -> Path:
    frame.write_csv(path) if path.suffix == ".csv" else frame.write_parquet(path)
    return path


def _both(
    engine: Engine, path: Path, tmp: Path, suffix: str = ".parquet", **kw: object
) -> tuple[tuple[BatchSummary, bytes], tuple[BatchSummary, bytes]]:
    """The job run on the fast path and on the full check: summary and output bytes of each."""
    runs = []
    for fast in (True, False):
        out = tmp / f"{'fast' if fast else 'full'}{suffix}"
        s = run_batch(open_inventory(path), out, engine, POLICY, D, fast=fast, **kw)  # type: ignore[arg-type]
        runs.append((s, out.read_bytes()))
    return runs[0], runs[1]


def _same(a: BatchSummary, b: BatchSummary) -> None:
    da, db = asdict(a), asdict(b)
    for d in (da, db):
        d.pop("seconds")
        d.pop("output")
        d.pop("rejects_file")
    assert da == db


@pytest.mark.parametrize(
    ("layout", "suffix", "chunk_rows"),
    [
        ("adjacent", ".parquet", 300),  # each hub's GPF row after its CHF: paired on the workers
        ("adjacent", ".parquet", 301),  # chunks that cut hubs in two: a CHF waits for its GPF
        ("all CHFs first", ".parquet", 500),  # every CHF waits many chunks
        ("adjacent", ".csv", 700),  # text cells: dates parsed on their distinct values
    ],
)
def test_same_output_and_summary(
    engine: Engine, fleet: pl.DataFrame, tmp_path: Path, layout: str, suffix: str, chunk_rows: int
) -> None:
    inv = fleet.sort("device_type") if layout != "adjacent" else fleet
    path = _write(inv, tmp_path / f"fleet{suffix}")
    (fast, fast_out), (full, full_out) = _both(engine, path, tmp_path, suffix, chunk_rows=chunk_rows)
    assert fast.hubs == 1500
    _same(fast, full)
    assert fast_out == full_out  # byte for byte


def test_clean_input_never_reaches_the_full_check(
    engine: Engine, fleet: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_check(*args: object, **kw: object) -> InventoryRead:
        raise AssertionError("the full check ran on a clean inventory")

    monkeypatch.setattr(batch_job, "check_inventory", full_check)
    path = _write(fleet, tmp_path / "fleet.parquet")
    s = run_batch(open_inventory(path), tmp_path / "out.parquet", engine, POLICY, D, chunk_rows=400)
    assert s.hubs == 1500


def _bad(fleet: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The fleet with one kind of bad row, in a late chunk so that earlier chunks went well."""
    at = pl.int_range(pl.len()) == 2201  # spreadsheet row 2203
    if kind == "status":
        return fleet.with_columns(
            pl.when(at).then(pl.lit("Lost")).otherwise(pl.col("status")).alias("status")
        )
    if kind == "history":
        late = pl.lit("Pending:2024-01-02;Commissioned:2020-01-01")
        return fleet.with_columns(
            pl.when(at).then(late).otherwise(pl.col("status_history")).alias("status_history")
        )
    if kind == "duplicate":  # row 1500's device listed again at the very end
        return pl.concat([fleet, fleet[1498:1499]])
    if kind == "duplicate nearby":  # twice within one chunk
        return pl.concat([fleet[:2300], fleet[2250:2251], fleet[2300:]])
    if kind == "firmware":
        fw = pl.lit("not hex")
        return fleet.with_columns(pl.when(at).then(fw).otherwise(pl.col("firmware")).alias("firmware"))
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["status", "history", "duplicate", "duplicate nearby", "firmware"])
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_bad_rows_refused_whole_with_the_same_error(
    engine: Engine, fleet: pl.DataFrame, tmp_path: Path, kind: str, suffix: str
) -> None:
    path = _write(_bad(fleet, kind), tmp_path / f"fleet{suffix}")
    errors = []
    for fast in (True, False):
        out = tmp_path / "out.parquet"
        with pytest.raises(DataError) as info:
            run_batch(open_inventory(path), out, engine, POLICY, D, chunk_rows=500, fast=fast)
        assert not out.exists()
        errors.append(info.value)
    fast_error, full_error = errors
    assert str(fast_error) == str(full_error)
    assert fast_error.problems == full_error.problems
    first = fast_error.problems[0]
    # the first bad row, by its number in the file (the header is row 1)
    # (a repeat within a chunk is bad on both rows, the first of them named first)
    want = {"duplicate": 3002, "duplicate nearby": 2252}.get(kind, 2203)
    assert first.row == want, first
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("kind", ["status", "duplicate"])
def test_skip_invalid_gives_the_same_rejects(
    engine: Engine, fleet: pl.DataFrame, tmp_path: Path, kind: str
) -> None:
    path = _write(_bad(fleet, kind), tmp_path / "fleet.parquet")
    rejects = []
    outputs = []
    for fast in (True, False):
        out = tmp_path / f"out-{fast}.parquet"
        run_batch(open_inventory(path), out, engine, POLICY, D, chunk_rows=500, fast=fast, skip_invalid=True)
        rejects.append((tmp_path / f"out-{fast}.parquet.rejects.csv").read_bytes())
        outputs.append(out.read_bytes())
    assert rejects[0] == rejects[1]
    assert outputs[0] == outputs[1]


def test_a_ragged_csv_row_is_refused_on_the_fast_path_too(engine: Engine, tmp_path: Path) -> None:
    # a CSV row with a cell too many: refused as unreadable, however few columns the job needs
    path = tmp_path / "ragged.csv"
    path.write_text(
        "device_id,manufacturer,model,firmware,status,supplier\n"
        "00-DB-00-00-00-00-00-01,1086,54311F52,0B150000,Pending,Acme\n"
        "00-DB-00-00-00-00-00-02,1086,54311F52,0B150000,Pending,Acme,extra\n"
    )
    with pytest.raises(DataError, match="not a readable CSV file"):
        run_batch(open_inventory(path), tmp_path / "out.parquet", engine, POLICY, D)
