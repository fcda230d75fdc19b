"""A batch job streamed in chunks gives what one in-memory evaluation gives, and fails whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cpl_data.batch_job import run_batch
from cpl_data.sample import sample_reference
from cpl_data.sources import open_inventory
from eligibility.assessment import assessment_table
from eligibility.batch import OUTPUT_COLUMNS, evaluate
from eligibility.engine import Engine
from eligibility.errors import DataError
from eligibility.hubframe import hub_frame
from eligibility.reference import Reference
from eligibility.smi import POLICIES
from tests._fleets import sample_engine, sample_fleet

D = date(2026, 11, 28)
POLICY = POLICIES["history-aware"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return sample_engine()


@pytest.fixture(scope="module")
def fleet() -> pl.DataFrame:
    return sample_fleet(hubs=2000, seed=8)


def _expected(engine: Engine, fleet: pl.DataFrame) -> pl.DataFrame:
    hubs = hub_frame(fleet)
    return (
        evaluate(hubs, assessment_table(engine, hubs, D), POLICY, D).select(OUTPUT_COLUMNS).sort("device_id")
    )


def _run(engine: Engine, path: Path, out: Path, **kw: object) -> pl.DataFrame:
    summary = run_batch(open_inventory(path), out, engine, POLICY, D, **kw)  # type: ignore[arg-type]
    got = pl.read_parquet(out) if out.suffix == ".parquet" else pl.read_csv(out)
    assert summary.hubs == got.height
    return got


@pytest.mark.parametrize("layout", ["adjacent", "all CHFs first"])
def test_chunks_give_what_one_evaluation_gives(
    engine: Engine, fleet: pl.DataFrame, tmp_path: Path, layout: str
) -> None:
    if layout != "adjacent":
        # every CHF waits many chunks for its GPF: still paired, still judged once
        fleet = fleet.sort("device_type")
    path = tmp_path / "fleet.parquet"
    fleet.write_parquet(path)
    got = _run(engine, path, tmp_path / "out.parquet", chunk_rows=300)
    assert got.sort("device_id").equals(_expected(engine, fleet))


def test_csv_in_and_out(engine: Engine, fleet: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    fleet.write_csv(path)
    got = _run(engine, path, tmp_path / "out.csv", chunk_rows=700)
    want = _expected(engine, fleet).with_columns(
        pl.col("verdict").cast(pl.String), pl.col("reasons").cast(pl.List(pl.String)).list.join(";")
    )
    assert got.sort("device_id").equals(want.cast(got.schema))


def test_summary_counts(engine: Engine, fleet: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "fleet.parquet"
    fleet.write_parquet(path)
    s = run_batch(open_inventory(path), tmp_path / "out.parquet", engine, POLICY, D, chunk_rows=1000)
    want = _expected(engine, fleet)
    assert s.hubs == 2000
    assert s.rows_read == 4000
    assert s.by_verdict == dict(want.group_by(pl.col("verdict").cast(pl.String)).len().iter_rows())
    assert s.by_reason["SMI_REMOVED"] == want.filter(pl.col("reasons").list.contains("SMI_REMOVED")).height


def test_gpf_rows_absent_or_unclaimed(engine: Engine, fleet: pl.DataFrame, tmp_path: Path) -> None:
    chf_only = tmp_path / "chf.parquet"
    fleet.filter(pl.col("device_type") == "CHF").write_parquet(chf_only)
    s = run_batch(open_inventory(chf_only), tmp_path / "a.parquet", engine, POLICY, D, chunk_rows=500)
    assert (s.hubs, s.unclaimed_gpf) == (2000, 0)
    # GPF rows whose CHF is missing are not hubs; they are counted
    extra = (
        fleet.filter(pl.col("device_type") == "GPF")
        .head(3)
        .with_columns(pl.col("device_id").str.replace("^10", "20"))
    )
    path = tmp_path / "extra.parquet"
    pl.concat([fleet, extra]).write_parquet(path)
    s = run_batch(open_inventory(path), tmp_path / "b.parquet", engine, POLICY, D, chunk_rows=500)
    assert (s.hubs, s.unclaimed_gpf) == (2000, 3)


def _with_bad_rows(fleet: pl.DataFrame) -> pl.DataFrame:
    # row 3 (a GPF) gets a bad status; row 1500's device is listed again at the end (another chunk)
    bad = fleet.with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("Lost")).otherwise(pl.col("status")).alias("status")
    )
    return pl.concat([bad, fleet[1498:1499]])


def test_bad_rows_stop_the_job_and_leave_no_output(
    engine: Engine, fleet: pl.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "fleet.csv"
    _with_bad_rows(fleet).write_csv(path)
    out = tmp_path / "out.parquet"
    with pytest.raises(DataError) as info:
        run_batch(open_inventory(path), out, engine, POLICY, D, chunk_rows=1000)
    got = {(p.row, p.column) for p in info.value.problems}
    # spreadsheet rows: the header is row 1; the duplicate is caught across chunks
    assert got == {(3, "status"), (4002, "device_id")}
    assert "--skip-invalid" in str(info.value)
    assert "appears on an earlier row" in str(info.value)
    assert list(tmp_path.iterdir()) == [path]


def test_skip_invalid_writes_rejects(engine: Engine, fleet: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    _with_bad_rows(fleet).write_csv(path)
    out = tmp_path / "out.parquet"
    s = run_batch(open_inventory(path), out, engine, POLICY, D, chunk_rows=1000, skip_invalid=True)
    rejects = pl.read_csv(tmp_path / "out.parquet.rejects.csv")
    assert rejects["row"].to_list() == [3, 4002]
    assert s.rejected_rows == 2
    # the CHF of the bad GPF is judged without its GPF record; every hub is still there
    assert s.hubs == 2000


def test_unreadable_input(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        open_inventory(path)
    with pytest.raises(DataError, match="cannot read"):
        open_inventory(tmp_path / "missing.csv")


def test_unwritable_output(engine: Engine, fleet: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "fleet.parquet"
    fleet.head(10).write_parquet(path)
    with pytest.raises(DataError, match="cannot write"):
        run_batch(open_inventory(path), tmp_path / "no" / "out.parquet", engine, POLICY, D)


def test_empty_inventory_writes_the_columns(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("device_id,manufacturer,model,firmware,status\n")
    out = tmp_path / "out.parquet"
    s = run_batch(open_inventory(path), out, engine, POLICY, D)
    assert s.hubs == 0
    assert pl.read_parquet(out).columns == list(OUTPUT_COLUMNS)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_inventory_says_whether_any_row_is_a_gpf(fleet: pl.DataFrame, tmp_path: Path, suffix: str) -> None:
    # spelt as the reader takes it (case and spaces aside), wherever the first GPF row is
    def opened(frame: pl.DataFrame, name: str) -> bool | None:
        path = tmp_path / f"{name}{suffix}"
        frame.write_csv(path) if suffix == ".csv" else frame.write_parquet(path)
        return open_inventory(path).has_gpf

    chf = fleet.filter(pl.col("device_type") == "CHF")
    last_gpf = pl.concat([chf, fleet.filter(pl.col("device_type") == "GPF").tail(1)])
    assert opened(fleet, "fleet") is True
    assert opened(chf, "chf") is False
    assert opened(last_gpf, "last") is True
    spelt = last_gpf.with_columns(pl.col("device_type").replace({"GPF": " gpf "}))
    assert opened(spelt, "spelt") is True
    assert opened(chf.drop("device_type"), "untyped") is False  # every row is a CHF


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chf_rows_naming_absent_gpfs_do_not_wait(fleet: pl.DataFrame, tmp_path: Path, suffix: str) -> None:
    # an export of CHF rows only, each naming its GPF: nothing can come for them, nothing waits
    path = tmp_path / f"chf{suffix}"
    chf = fleet.filter(pl.col("device_type") == "CHF")
    chf.write_csv(path) if suffix == ".csv" else chf.write_parquet(path)
    source = open_inventory(path)
    assert source.has_gpf is False
    seen: list[int] = []

    class Count:
        def started(self, total_rows: int | None) -> None:
            return None

        def advanced(self, rows: int, hubs: int) -> None:
            seen.append(hubs)

    engine = Engine(Reference(*sample_reference()))
    run_batch(source, tmp_path / "out.parquet", engine, POLICY, D, chunk_rows=500, reporter=Count())
    # verdicts are written as the chunks come, not held to the end
    assert seen[:4] == [500, 1000, 1500, 2000]
