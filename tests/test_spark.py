"""``--engine spark`` gives the default engine's answers, hub by hub, through the real CLI.

One local Spark session (``local[2]``, two shuffle partitions, no UI) serves every test here: the
CLI finds it running and uses it. The fleet is the sample's synthetic one, drawn to exercise every
gate: the first test checks that it shows every reason code and every verdict, and that under
every named policy each hub's verdict, reasons, plan hops, plan target and removal date from
Spark equal those of ``hubcheck batch`` without ``--engine``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pyspark.sql import SparkSession

from api.cli import main
from cpl_data.sample import SAMPLE_FLEET_MIX, sample_reference
from cpl_data.spark_job import spark_session
from cpl_data.synth import synth_fleet
from eligibility.batch import VERDICTS
from eligibility.smi import POLICIES
from eligibility.verdict import REASON_CODES
from tests.conftest import REPO

DAY = "2026-11-28"
#: What the same-answers test compares, per hub.
COMPARED = ["verdict", "reasons", "plan_hops", "plan_target", "plan_target_role", "removal_date"]
#: Every named policy.
POLICY_ARGS = list(POLICIES)
#: Summary figures both engines must agree on.
SUMMARY_KEYS = [
    "hubs", "rows_read", "rejected_rows", "unclaimed_gpf", "other_devices", "distinct_firmware",
    "by_verdict", "by_reason", "policy", "cpl_version", "catalogue",
]  # fmt: skip


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One small local session for the whole run (the CLI finds it running)."""
    conf = {
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
    }
    session = spark_session("local[2]", conf)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's synthetic fleet (3,000 hubs, 6,000 rows) as Parquet."""
    cpl, cat = sample_reference()
    frame = synth_fleet(cpl, cat, hubs=3000, seed=42, as_of=date(2026, 11, 1), mix=SAMPLE_FLEET_MIX)
    path = tmp_path_factory.mktemp("spark") / "fleet.parquet"
    frame.write_parquet(path)
    return path


def _verdicts(path: Path) -> pl.DataFrame:
    """A verdicts file (the default engine's) or folder (Spark's), sorted by hub, codes as text."""
    frame = pl.read_parquet(path / "*.parquet" if path.is_dir() else path)
    return frame.with_columns(
        pl.col("verdict").cast(pl.String), pl.col("reasons").cast(pl.List(pl.String))
    ).sort("device_id")


def _batch(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["--db", db, "--json", "batch", *args, "--install-date", DAY]) == 0, capsys.readouterr().err
    summary: dict[str, Any] = json.loads(capsys.readouterr().out)
    return summary


def test_spark_gives_the_default_engines_answers_under_every_policy(
    spark: SparkSession, sample_db: str, fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes: set[str] = set()
    verdicts: set[str] = set()
    for policy in POLICY_ARGS:
        ours, theirs = tmp_path / f"{policy[:9]}-default.parquet", tmp_path / f"{policy[:9]}-spark.parquet"
        want = _batch(sample_db, capsys, str(fleet), "-o", str(ours), "--policy", policy)
        got = _batch(
            sample_db, capsys, str(fleet), "-o", str(theirs), "--policy", policy, "--engine", "spark"
        )
        assert {k: got[k] for k in SUMMARY_KEYS} == {k: want[k] for k in SUMMARY_KEYS}, policy
        default, on_spark = _verdicts(ours), _verdicts(theirs)
        assert on_spark["device_id"].to_list() == default["device_id"].to_list(), policy
        for column in COMPARED:
            differ = default.filter(pl.col(column).ne_missing(on_spark[column]))
            assert differ.height == 0, (policy, column, differ.head(3).to_dicts())
        assert on_spark.columns == default.columns
        codes |= set(default["reasons"].explode().drop_nulls())
        verdicts |= set(default["verdict"])
    # the fleet exercises every gate and every verdict, so the comparison above covers them all
    assert codes == set(REASON_CODES), set(REASON_CODES) - codes
    assert verdicts == set(VERDICTS)


def _messy(fleet: Path, path: Path) -> None:
    """The first 400 rows as an untidy export: every column as text, in forms the reader must normalise,
    plus one bad cell and one Device ID listed twice."""
    frame = pl.read_parquet(fleet).head(400).with_columns(pl.all().cast(pl.String))
    messy = frame.with_columns(
        pl.col("device_id").str.replace_all("-", "").str.to_lowercase(),
        pl.col("firmware").str.strip_chars_start("0").str.to_lowercase(),
        pl.col("status").str.to_uppercase(),
        pl.col("device_type").str.to_lowercase(),
        pl.col("status_history").str.replace_all(";", " , "),
        (pl.lit("  ") + pl.col("supplier") + pl.lit(" ")).alias("supplier"),
        pl.col("han_variant").str.to_lowercase(),
    )
    tidy = frame.slice(200)  # half the rows stay canonical: both paths meet in one job
    rows = pl.concat([messy.head(200), tidy])
    rows = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("F0A"))
        .otherwise(pl.col("manufacturer"))
        .alias("manufacturer")
    )
    pl.concat([rows, rows.slice(300, 1)]).write_parquet(path)


def test_untidy_rows_bad_rows_and_duplicates_as_the_default_engine(
    spark: SparkSession, sample_db: str, fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy = tmp_path / "messy.parquet"
    _messy(fleet, messy)
    ours, theirs = tmp_path / "default.parquet", tmp_path / "spark.parquet"
    base = ["--db", sample_db, "batch", str(messy), "--install-date", DAY]
    # a bad row stops both engines, naming the same rows, and no output appears
    assert main([*base, "-o", str(ours)]) == 2
    want = capsys.readouterr().err
    assert main([*base, "-o", str(theirs), "--engine", "spark"]) == 2
    got = capsys.readouterr().err
    assert "(3 bad row(s))" in want
    assert "(3 bad row(s))" in got
    for line in (
        "row 9, column manufacturer: value 'F0A': 4 hex digits expected",
        "row 302, column device_id",
    ):
        assert line in want
        assert line in got
    assert not theirs.exists()
    # with --skip-invalid: the same verdicts for the rest, the same rows rejected
    want_summary = _batch(sample_db, capsys, str(messy), "-o", str(ours), "--skip-invalid")
    got_summary = _batch(
        sample_db, capsys, str(messy), "-o", str(theirs), "--skip-invalid", "--engine", "spark"
    )
    assert {k: got_summary[k] for k in SUMMARY_KEYS} == {k: want_summary[k] for k in SUMMARY_KEYS}
    assert _verdicts(theirs).equals(_verdicts(ours))
    rejects = pl.read_csv(Path(got_summary["rejects_file"]) / "*.csv")
    default_rejects = pl.read_csv(want_summary["rejects_file"])
    assert rejects["row"].to_list() == default_rejects["row"].to_list() == [9, 302, 402]


def test_charging_on_spark_is_the_same_report(
    spark: SparkSession, sample_db: str, fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = []
    for engine in ([], ["--engine", "spark"]):
        args = [
            "--db",
            sample_db,
            "--json",
            "charging",
            str(fleet),
            "--date",
            DAY,
            "--policy",
            "history-aware",
        ]
        assert main([*args, *engine]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0]["stock"] > 0
    assert reports[0]["excluded"] > 0
    assert reports[1] == reports[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batch", "{csv}", "-o", "{out}", "--engine", "spark"], "--engine spark reads Parquet inventories"),
        (["batch", "{missing}", "-o", "{out}", "--engine", "spark"], "no such file or folder"),
        (
            ["batch", "{fleet}", "-o", "{out}", "--master", "local[1]"],
            "--master applies to --engine spark only",
        ),
        (["batch", "{fleet}", "-o", "{csv}", "--engine", "spark"], "--engine spark writes Parquet"),
        (["charging", "--date", DAY, "--engine", "spark"], "give its Parquet path"),
        (["batch", "{no_status}", "-o", "{out}", "--engine", "spark"], "columns missing: status"),
    ],
    ids=["csv-in", "missing", "master-alone", "csv-out", "charging-no-file", "no-status-column"],
)
def test_bad_input_is_refused_with_a_message(
    spark: SparkSession,
    sample_db: str,
    fleet: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    no_status = tmp_path / "no-status.parquet"
    pl.read_parquet(fleet).head(10).drop("status").write_parquet(no_status)
    places = {
        "csv": str(tmp_path / "fleet.csv"),
        "out": str(tmp_path / "out.parquet"),
        "missing": str(tmp_path / "nowhere.parquet"),
        "fleet": str(fleet),
        "no_status": str(no_status),
    }
    assert main(["--db", sample_db, *(a.format(**places) for a in args)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.parquet").exists()


def test_the_cli_starts_without_spark() -> None:
    # --engine spark loads PySpark and sqlglot when it runs; every other command never pays for them
    code = "import sys, api.cli; print(sorted(m for m in ('pyspark', 'sqlglot', 'py4j') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: One canonical row, then each variant changes one column: (column, value).
_BASE = {
    "device_id": "00-DB-12-34-56-78-90-A0",
    "gpf_device_id": "00-DB-12-34-56-78-90-A1",
    "device_type": "CHF",
    "manufacturer": "F0A1",
    "model": "A1010100",
    "firmware": "0C240000",
    "status": "Pending",
    "status_since": "2025-01-02",
    "status_history": "Commissioned:2020-01-01;Decommissioned:2021-02-03;Pending:2025-01-02",
    "supplier": "Ampere Energy",
    "csp_region": "North",
    "han_variant": "Single Band",
    "tsat_install_end": "2027-01-01",
}
_VARIANTS = [
    ("device_id", "00db1234567890a0"), ("device_id", "00-db-12-34-56-78-90-a0"), ("device_id", " 00-DB-12-34-56-78-90-A0"),
    ("gpf_device_id", None), ("gpf_device_id", "00DB1234567890A1"), ("gpf_device_id", ""),
    ("device_type", "chf"), ("device_type", "GPF"), ("device_type", "ESME"), ("device_type", None), ("device_type", "HUB"),
    ("manufacturer", "f0a1"), ("manufacturer", "F0A"), ("manufacturer", " F0A1"),
    ("model", "a1010100"), ("model", "A101010"),
    ("firmware", "C240000"), ("firmware", "0x0C240000"), ("firmware", "0c240000"), ("firmware", "0C2400000"),
    ("status", "PENDING"), ("status", "Installed Not Commissioned"), ("status", "InstalledNotCommissioned"),
    ("status", "Pending "), ("status", "Lost"),
    ("status_since", None), ("status_since", "2025-1-02"), ("status_since", "2025-02-30"), ("status_since", " 2025-01-02"),
    ("status_history", None), ("status_history", "Pending"), ("status_history", "pending:2025-01-02"),
    ("status_history", "Commissioned:2020-01-01, Pending:2025-01-02"), ("status_history", "Pending:2025-01-02;Commissioned:2020-01-01"),
    ("status_history", "Commissioned:2020-02-30;Pending:2025-01-02"), ("status_history", ""), ("status_history", "Pending;"),
    ("supplier", None), ("supplier", " Ampere"), ("supplier", "Ampere\t"), ("supplier", ""), ("supplier", "Ampere\u00a0"),
    ("csp_region", None), ("csp_region", "north"), ("csp_region", "4G South"), ("csp_region", "Mars"),
    ("han_variant", None), ("han_variant", "single"), ("han_variant", "Dual Band"), ("han_variant", "SINGLE BAND"),
    ("han_variant", "Tri Band"), ("han_variant", "dual-band"), ("han_variant", " Dual Band"),
    ("tsat_install_end", None), ("tsat_install_end", "01/01/2027"),
]  # fmt: skip


def test_the_jvm_passes_only_rows_the_polars_reader_would_leave_as_they_are(spark: SparkSession) -> None:
    # rule: a row the Spark predicates call canonical skips the polars reader, so the reader must
    # accept it and change nothing; any other row goes through the reader itself (never wrong, slower)
    from cpl_data._spark_inventory import canonical_rows
    from cpl_data.inventory import check_inventory

    rows = [dict(_BASE)] + [{**_BASE, column: value} for column, value in _VARIANTS]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(_BASE, pl.String))
    on_spark = spark.createDataFrame(frame.to_arrow())
    present = {f.name: f.dataType for f in on_spark.schema.fields}
    flags = [r[0] for r in on_spark.select(canonical_rows(present)).collect()]
    unchanged = []
    for i in range(frame.height):
        read = check_inventory(frame[i], source="t")
        same = read.frame.with_columns(pl.col("status_since", "tsat_install_end").cast(pl.String))
        unchanged.append(read.rejects.height == 0 and same.select(frame.columns).equals(frame[i]))
    wrong = [rows[i] for i, flag in enumerate(flags) if flag and not unchanged[i]]
    assert not wrong
    assert flags[0]  # the canonical row takes the fast path
    # and so do the variants the reader leaves as they are (most real files are canonical)
    assert [i for i, flag in enumerate(flags) if unchanged[i] and not flag] == []
