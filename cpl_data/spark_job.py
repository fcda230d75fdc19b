"""Fleet jobs on Apache Spark: ``hubcheck batch --engine spark`` and ``hubcheck charging --engine spark``.

The same jobs as the default engine, split where Spark is strong:

- **batch**: Spark reads the inventory (Parquet, any path Spark reads: ``file://``, ``s3a://``,
  ``abfss://`` ...), checks every row (:mod:`cpl_data._spark_inventory`), pairs each CHF with its
  GPF's record (the hub frame), and collects the few hundred distinct (manufacturer, model,
  firmware). The driver answers those with the engine
  (:func:`eligibility.assessment.assessment_table`), Spark broadcasts that small table, joins the
  hub frame to it and runs the verdict: :func:`eligibility.batch.verdict_sql` itself, rendered in
  Spark SQL by :mod:`eligibility.dialects`. The verdicts are written as Parquet (a folder of part
  files), whole or not at all: beside the target, then renamed into place.
- **charging**: Spark reads and checks the whole inventory and keeps the only hubs a charging
  report counts (CHF rows in 'Pending', with their GPF rows); the driver runs
  :func:`eligibility.charging.charging_exclusions` on them, so every figure is the default
  engine's. Warehouse stock is a few hundred thousand hubs of a national SMI.

The session: the one already running (tests, notebooks, ``spark-submit``), else a new one on
``--master`` (default ``local[*]``). PySpark is imported by this module only, and this module only
by the commands that use it. Spark's own errors are translated here into hubcheck's
(:mod:`eligibility.errors`), so that a person sees what to fix, never a JVM stack trace.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from cpl_data.batch_job import MAX_PROBLEMS, BatchSummary
from cpl_data.inventory import INVENTORY_COLUMNS, SCHEMA
from eligibility.assessment import KEY, assessment_table
from eligibility.batch import OUTPUT_COLUMNS, VERDICT_INPUTS, VERDICTS
from eligibility.dialects import verdict_sql_for
from eligibility.engine import Engine
from eligibility.errors import DataError, HubcheckError, InputError
from eligibility.hubframe import GPF_COLUMNS, HUB_KEY
from eligibility.policy_timeline import Policy
from eligibility.verdict import REASON_CODES

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from cpl_data._spark_inventory import Census, SparkInventory

__all__ = ["DEFAULT_MASTER", "spark_batch", "spark_charging_inventory", "spark_path", "spark_session"]

#: The master used when none is given and no session is running: every core of this machine.
DEFAULT_MASTER: Final = "local[*]"
#: Settings of a session hubcheck starts (a running session keeps its own).
_SESSION_CONF: Final[dict[str, str]] = {
    "spark.app.name": "hubcheck",
    "spark.ui.showConsoleProgress": "false",  # the CLI prints its own summary
    "spark.sql.parquet.compression.codec": "zstd",
}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/(?!/)")


def spark_path(path: object) -> str:
    """A path as Spark reads it: a URL that a ``pathlib.Path`` folded (``s3a:/b`` -> ``s3a://b``) restored.

    >>> from pathlib import Path
    >>> spark_path(Path("s3a://fleet/2026/inventory.parquet"))
    's3a://fleet/2026/inventory.parquet'
    >>> spark_path(Path("file:///tmp/x.parquet")), spark_path(Path("out/v.parquet"))
    ('file:///tmp/x.parquet', 'out/v.parquet')
    """
    text = str(path)
    if text.startswith("file:/") and not text.startswith("file://"):
        return "file://" + text[len("file:") :]
    return _SCHEME.sub(r"\1://", text)


def _has_java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return (
        bool(home and os.path.exists(os.path.join(home, "bin", "java"))) or shutil.which("java") is not None
    )


#: Where the JVM that hubcheck starts writes its own output (log4j's start-up lines, warnings about
#: the host's address ...): a person running ``--engine spark`` reads hubcheck's messages, not those.
JVM_LOG: Final = os.path.join(tempfile.gettempdir(), "hubcheck-spark.log")


@contextmanager
def _jvm_output_to(path: str) -> Iterator[None]:
    """Point this process's standard error (file descriptor 2) at ``path`` while the JVM starts.

    PySpark starts the JVM with the interpreter's stderr; the JVM keeps the descriptor it was given,
    so its whole log goes to ``path`` while hubcheck's own messages still reach the terminal.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """The running Spark session, or a new one on ``master`` (default :data:`DEFAULT_MASTER`).

    Under ``spark-submit`` the session takes its master and settings from there. A local session
    runs its Python workers on this interpreter (they need hubcheck only for rows that are not
    canonical). Raises InputError when PySpark or Java is missing, or the session cannot start.
    """
    try:
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "--engine spark needs PySpark: pip install 'hubcheck[spark]'", field="--engine"
        ) from exc
    running = SparkSession.getActiveSession()
    if running is not None and master is None:
        return running
    if not _has_java() and "PYSPARK_GATEWAY_PORT" not in os.environ:
        raise InputError(
            "--engine spark needs a Java runtime (17 or later): install one (Debian: apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME",
            field="--engine",
        )
    builder = SparkSession.builder
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started this interpreter
    if master is not None or not submitted:
        builder = builder.master(master or DEFAULT_MASTER)
    settings = {**_SESSION_CONF, **(conf or {})}
    if (master or DEFAULT_MASTER).startswith("local") and not submitted:
        # PySpark starts its local Python workers with $PYSPARK_PYTHON (else whatever python3 is on
        # PATH, which may lack hubcheck): run them on this interpreter unless told otherwise
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        with _jvm_output_to(JVM_LOG):
            session = builder.getOrCreate()
    except (PySparkException, OSError) as exc:
        raise InputError(
            f"Spark did not start on {master or DEFAULT_MASTER}: {_first_line(exc)} "
            f"(the JVM's own log is in {JVM_LOG})",
            field="--master",
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def _session(given: SparkSession | None, master: str | None) -> Iterator[SparkSession]:
    """``given``, the running session, or one started for this job and stopped after it.

    Stopping a session hubcheck started ends its application cleanly (its event log complete,
    its executors released) before the command exits.
    """
    if given is not None:
        yield given
        return
    from pyspark.sql import SparkSession

    ours = SparkSession.getActiveSession() is None
    session = spark_session(master)
    try:
        yield session
    finally:
        if ours:
            session.stop()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


@contextmanager
def _spark_errors(what: str) -> Iterator[None]:
    """Spark's and the JVM's errors as hubcheck's: what failed, on which path, what to do."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    try:
        yield
    except HubcheckError:
        raise
    except PySparkException as exc:
        condition = exc.getCondition() or ""
        if condition == "PATH_NOT_FOUND":
            raise DataError(
                f"{what}: no such file or folder; give a Parquet file or folder Spark can read"
            ) from exc
        raise DataError(f"{what}: Spark could not do it ({_first_line(exc)})") from exc
    except Py4JError as exc:
        raise DataError(f"{what}: Spark could not do it ({_first_line(exc)})") from exc


def _check_parquet_paths(inventory: str, output: str | None) -> None:
    if inventory.lower().endswith((".csv", ".xml", ".zip")):
        raise InputError(
            f"{inventory}: --engine spark reads Parquet inventories (a file or a folder); convert it "
            "first, or judge it without --engine",
            field="INVENTORY",
        )
    if output is not None and output.lower().endswith(".csv"):
        raise InputError(
            f"{output}: --engine spark writes Parquet; give -o a .parquet path", field="--output"
        )


@dataclass(frozen=True)
class _Checked:
    """An inventory's good rows (no Device ID listed twice), its rejects, and what was counted."""

    inventory: SparkInventory
    rows: DataFrame
    rejects: DataFrame | None
    bad_rows: int
    census: Census


def _checked(spark: SparkSession, inventory: str, skip_invalid: bool) -> _Checked:
    """Read and check the inventory; without ``skip_invalid`` a bad row stops the job here.

    The problems are listed as the default engine lists them (up to
    :data:`~cpl_data.batch_job.MAX_PROBLEMS`, by file and row).
    """
    from cpl_data._spark_inventory import census, problems_of, read_spark_inventory, without_duplicates

    inv = read_spark_inventory(spark, inventory)
    try:
        rejects, rows, counted = inv.rejects, inv.rows, inv.census
        if counted.duplicated_ids:
            rows, twice = without_duplicates(rows, inv.per_id)
            rejects = twice if rejects is None else rejects.unionByName(twice)
            # a GPF whose CHF was listed twice is now named by no CHF: count again (a rare second job)
            counted, _ = census(rows)
        bad = rejects.select("where", "row").distinct().count() if rejects is not None else 0
        if bad and not skip_invalid:
            assert rejects is not None
            problems = problems_of(rejects, MAX_PROBLEMS)
            listed = (
                f"; the first {MAX_PROBLEMS} problems are listed" if len(problems) >= MAX_PROBLEMS else ""
            )
            raise DataError(
                f"{inventory}: the inventory was not read ({bad} bad row(s){listed}); "
                "fix them, or pass --skip-invalid to write them to a rejects file and go on",
                problems,
            )
    except BaseException:
        inv.release()
        raise
    return _Checked(inv, rows, rejects if bad else None, bad, counted)


def _hub_frame(rows: DataFrame) -> DataFrame:
    """One row per hub: the CHF rows with their GPF's SMI record (:func:`eligibility.hubframe.hub_frame`)."""
    from pyspark.sql import functions as F

    chf = rows.filter(F.col("device_type") == "CHF").select(*VERDICT_INPUTS)
    gpf = rows.filter(F.col("device_type") == "GPF").select(
        F.col("device_id").alias(HUB_KEY), *(F.col(k).alias(v) for k, v in GPF_COLUMNS.items())
    )
    return chf.join(gpf, on=HUB_KEY, how="left")


def _replace(spark: SparkSession, partial: str, target: str) -> None:
    """Move the finished output into place (a rename on the target's file system)."""
    jvm: Any = spark._jvm
    hadoop = jvm.org.apache.hadoop.fs.Path
    src, dst = hadoop(partial), hadoop(target)
    fs = src.getFileSystem(spark._jsc.hadoopConfiguration())
    if fs.exists(dst):
        fs.delete(dst, True)
    if not fs.rename(src, dst):
        raise DataError(f"cannot move {partial} to {target}; check that its folder exists and is writable")


def _remove(spark: SparkSession, path: str) -> None:
    jvm: Any = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark._jsc.hadoopConfiguration())
    if fs.exists(p):
        fs.delete(p, True)


def _write_whole(spark: SparkSession, frame: DataFrame, target: str, fmt: str) -> None:
    """Write ``frame`` beside ``target`` and rename it into place: the target appears whole or not at all."""
    partial = target.rstrip("/") + ".partial"
    try:
        writer = frame.write.mode("overwrite")
        if fmt == "csv":
            writer.option("header", True).csv(partial)
        else:
            writer.parquet(partial)
        _replace(spark, partial, target)
    except BaseException:
        _remove(spark, partial)
        raise


def spark_batch(
    inventory: str,
    output: str,
    engine: Engine,
    policy: Policy,
    install_date: date,
    *,
    skip_invalid: bool = False,
    rejects: str | None = None,
    master: str | None = None,
    spark: SparkSession | None = None,
    output_format: str | None = None,
) -> BatchSummary:
    """Judge every hub of the Parquet ``inventory`` on Spark; write one row per hub to ``output``.

    The output columns are :data:`eligibility.batch.OUTPUT_COLUMNS` (``reasons`` a list), the
    default engine's. With ``skip_invalid`` bad rows go to ``rejects`` (default
    ``OUTPUT.rejects.csv``, a folder of CSV parts: ``row, column, value, why, where``). Raises
    DataError listing the bad rows (without ``skip_invalid``), or when Spark cannot read the input
    or write the output; the output is then left as it was.
    """
    inventory, output = spark_path(inventory), spark_path(output)
    _check_parquet_paths(inventory, output + (".csv" if output_format == "csv" else ""))
    t0 = time.perf_counter()
    with _session(spark, master) as session:
        summary = _judge(session, inventory, output, engine, policy, install_date, skip_invalid, rejects)
    summary.seconds = time.perf_counter() - t0
    return summary


def _judge(
    spark: SparkSession,
    inventory: str,
    output: str,
    engine: Engine,
    policy: Policy,
    install_date: date,
    skip_invalid: bool,
    rejects: str | None,
) -> BatchSummary:
    """:func:`spark_batch`'s work on a session: check the rows, then judge them."""
    with _spark_errors(f"reading {inventory}"):
        checked = _checked(spark, inventory, skip_invalid)
    try:
        return _verdicts(spark, checked, inventory, output, engine, policy, install_date, rejects)
    finally:
        checked.inventory.release()


def _verdicts(
    spark: SparkSession,
    checked: _Checked,
    inventory: str,
    output: str,
    engine: Engine,
    policy: Policy,
    install_date: date,
    rejects: str | None,
) -> BatchSummary:
    """Pair, assess, join and judge the checked rows; write the verdicts (and the rejects)."""
    ref = engine.reference
    summary = BatchSummary(
        source=inventory,
        output=output,
        install_date=install_date,
        policy=policy.name,
        cpl_version=ref.cpl.version,
        catalogue=ref.catalogue.name if ref.catalogue is not None else None,
        rows_read=checked.inventory.rows_read,
        ignored_columns=checked.inventory.ignored_columns,
        unclaimed_gpf=checked.census.unclaimed_gpf,
        other_devices=checked.census.other,
        rejected_rows=checked.bad_rows,
    )
    with _spark_errors(f"reading {inventory}"):
        hubs = _hub_frame(checked.rows)
        keys = _collect(hubs.select(*KEY).distinct(), {c: pl.String() for c in KEY})
    table = assessment_table(engine, keys, install_date)
    summary.distinct_firmware = table.height
    with _spark_errors(f"judging {inventory} into {output}"):
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        F.broadcast(spark.createDataFrame(table.to_arrow())).createOrReplaceTempView("hubcheck_assessment")
        hubs.createOrReplaceTempView("hubcheck_hubs")
        query = verdict_sql_for(
            "spark", "hubcheck_hubs", "hubcheck_assessment", policy, install_date, engine.settings
        )
        counted = Observation("hubcheck_verdicts")
        verdicts = spark.sql(query).select(*OUTPUT_COLUMNS).observe(counted, *_counters())
        _write_whole(spark, verdicts, output, "parquet")
        _count(counted.get, summary)
        if checked.rejects is not None:
            target = spark_path(rejects) if rejects else output.rstrip("/") + ".rejects.csv"
            _write_whole(spark, checked.rejects.orderBy("where", "row", "column").coalesce(1), target, "csv")
            summary.rejects_file = target
    return summary


def _collect(frame: DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """A small Spark frame on the driver, as polars (through Arrow)."""
    got = pl.from_arrow(frame.toArrow())
    assert isinstance(got, pl.DataFrame)
    return (
        got.select(pl.col(c).cast(t) for c, t in schema.items())
        if got.height
        else pl.DataFrame(schema=dict(schema))
    )


def _counters() -> list[Column]:
    """Hubs per verdict and per reason code, counted while the verdicts are written (no second job)."""
    from pyspark.sql import functions as F

    per_verdict = [F.sum((F.col("verdict") == v).cast("long")).alias(v) for v in VERDICTS]
    per_code = [F.sum(F.array_contains("reasons", c).cast("long")).alias(c) for c in REASON_CODES]
    return [F.count(F.lit(1)).alias("__hubs"), *per_verdict, *per_code]


def _count(observed: Mapping[str, Any], summary: BatchSummary) -> None:
    summary.hubs = int(observed.get("__hubs") or 0)
    summary.by_verdict = {v: int(observed.get(v) or 0) for v in VERDICTS}
    summary.by_reason = {c: n for c in REASON_CODES if (n := int(observed.get(c) or 0))}


def spark_charging_inventory(
    inventory: str, *, master: str | None = None, spark: SparkSession | None = None
) -> pl.DataFrame:
    """The rows of the Parquet ``inventory`` that a charging report reads, normalised, on the driver.

    Those are the CHF rows in 'Pending' (the stock, and the hubs already dropped from the SMI)
    and the GPF rows they name: :func:`eligibility.charging.charging_exclusions` gives the same
    report on them as on the whole inventory. Raises DataError listing every bad row, as the
    default engine does, or when Spark cannot read the input.
    """
    from pyspark.sql import functions as F

    inventory = spark_path(inventory)
    _check_parquet_paths(inventory, None)
    with _session(spark, master) as session, _spark_errors(f"reading {inventory}"):
        checked = _checked(session, inventory, skip_invalid=False)
        try:
            rows = checked.rows.select(*INVENTORY_COLUMNS)
            stock = rows.filter((F.col("device_type") == "CHF") & (F.col("status") == "Pending"))
            named = stock.filter(F.col(HUB_KEY).isNotNull()).select(F.col(HUB_KEY).alias("device_id"))
            gpf = rows.filter(F.col("device_type") == "GPF").join(
                named.distinct(), on="device_id", how="left_semi"
            )
            return _collect(stock.unionByName(gpf), SCHEMA)
        finally:
            checked.inventory.release()
