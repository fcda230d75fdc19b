"""An inventory read on Spark: every row checked and normalised exactly as :mod:`cpl_data.inventory` does.

The rules are not written again. A row that the polars reader would accept and leave as it is
(**canonical**: ``00-DB-...`` Device IDs, upper-case hex of the right width, statuses and types in
their DUIS spelling, histories ``Status:YYYY-MM-DD;...`` oldest first, dates as dates) is
recognised by a few column predicates in the JVM and goes on untouched; that is every row of
``hubcheck synth``'s output and of any export already cleaned. Any other row is handed, in Arrow
batches, to :func:`cpl_data.inventory.check_inventory` itself on the executors (``mapInArrow``),
which normalises it or says why it is bad. So the answers are the polars reader's by construction,
and the Python workers only run when a file holds rows that need them (they then need hubcheck
installed: see docs/scale.md).

Every row carries where it came from (``_metadata.file_name`` and its row index), so a bad cell is
reported as the default engine reports it: file, row (numbered from 2, the header being row 1),
column, value, why. A Device ID listed twice is bad on every row that lists it, as the default
engine has it within one chunk (500,000 rows); across its chunks the default engine names only the
later rows, where a distributed read has no "earlier" row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Final

import polars as pl
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DateType, StringType

from cpl_data._inventory_checks import _HISTORY_CANON, CSP_REGIONS, EUI_DASHED
from cpl_data.inventory import _DUPLICATE, INVENTORY_COLUMNS, REQUIRED_COLUMNS, check_inventory
from eligibility.errors import DataError, Problem
from eligibility.hubframe import HUB_KEY
from eligibility.smi import DEVICE_TYPES, SMI_STATUSES

__all__ = [
    "REJECT_COLUMNS",
    "Census",
    "SparkInventory",
    "canonical_rows",
    "census",
    "check_batches",
    "problems_of",
    "read_spark_inventory",
    "without_duplicates",
]

_DATES: Final = ("status_since", "tsat_install_end")
#: Where each row came from, and (for a bad cell) which and why: carried beside the inventory columns.
FILE, ROW, COLUMN, VALUE, WHY = "__file", "__row", "__column", "__value", "__why"
_HEX = "[0-9A-F]"
#: Text the polars reader keeps as it is: not empty, no surrounding white space (Unicode's, as Rust's).
_TRIMMED: Final = r"(?Us)^\S(.*\S)?$"
_HAN_WORDS: Final = r"(?U)^(single|dual)[\s_-]*(band)?$"
_ISO_DATE: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_CHECKED_SCHEMA: Final = pa.schema(
    [
        *((c, pa.date32() if c in _DATES else pa.string()) for c in INVENTORY_COLUMNS),
        (FILE, pa.string()),
        (ROW, pa.int64()),
        (COLUMN, pa.string()),
        (VALUE, pa.string()),
        (WHY, pa.string()),
    ]
)
_CHECKED_DDL: Final = ", ".join(
    f"{f.name} {'date' if pa.types.is_date32(f.type) else 'bigint' if f.name == ROW else 'string'}"
    for f in _CHECKED_SCHEMA
)
#: The rejects' columns, as the default engine's rejects file (with ``where``: the file).
REJECT_COLUMNS: Final = ("row", "column", "value", "why", "where")
_OK: Final = "__canonical"
_COUNTS: Final = ("all", "odd", "n", "chf", "gpf", "other")


@dataclass(frozen=True)
class SparkInventory:
    """An inventory on Spark: its good rows normalised, its bad cells, and what was read."""

    #: the good rows: :data:`cpl_data.inventory.INVENTORY_COLUMNS`, normalised, with ``__file``/``__row``
    rows: DataFrame
    #: bad cells (:data:`REJECT_COLUMNS`), or None when no row needed the polars reader
    rejects: DataFrame | None
    rows_read: int
    ignored_columns: tuple[str, ...]
    #: the good rows counted (types, Device IDs listed twice, GPF rows no CHF names)
    census: Census
    #: rows per Device ID (lazy), for :func:`without_duplicates`
    per_id: DataFrame
    #: what this read keeps in the executors' memory (or disk) until :meth:`release`
    cached: tuple[DataFrame, ...] = ()

    def release(self) -> None:
        """Drop what this read cached (a session that goes on to other jobs wants the memory back)."""
        for frame in self.cached:
            frame.unpersist()


def _canonical(name: str, present: Mapping[str, DataType]) -> Column:
    """True where the polars reader would accept column ``name``'s value and leave it as it is."""
    if name not in present:
        return F.lit(True)
    v, kind = F.col(name), present[name]
    if name in _DATES:
        if isinstance(kind, DateType):
            return F.lit(True)
        if isinstance(kind, StringType):
            return v.isNull() | (v.rlike(_ISO_DATE) & v.try_cast("date").isNotNull())
        return F.lit(False)  # timestamps and the like: the polars reader decides
    if not isinstance(kind, StringType):
        return F.lit(False)
    hexes = {"manufacturer": 4, "model": 8, "firmware": 8}
    if name in hexes:
        return v.rlike(f"^{_HEX}{{{hexes[name]}}}$")
    rules: dict[str, Column] = {
        "device_id": v.rlike(EUI_DASHED),
        "gpf_device_id": v.isNull() | v.rlike(EUI_DASHED),
        "status": v.isin(list(SMI_STATUSES)),
        "device_type": v.isin(list(DEVICE_TYPES)),
        "csp_region": v.isNull() | v.isin(list(CSP_REGIONS)),
        "han_variant": v.isNull()
        | v.isin("Single Band", "Dual Band")
        | (v.rlike(_TRIMMED) & ~F.lower(v).rlike(_HAN_WORDS)),
        "supplier": v.isNull() | v.rlike(_TRIMMED),
        "status_history": v.isNull() | (v.rlike(_HISTORY_CANON) & _dates_in_order(v)),
    }
    return rules[name]


def canonical_rows(present: Mapping[str, DataType]) -> Column:
    """True for a row the polars reader would accept and leave as it is (``present``: the file's columns)."""
    return reduce(lambda a, b: a & b, (F.coalesce(_canonical(c, present), F.lit(False)) for c in present))


def _dates_in_order(history: Column) -> Column:
    """The history's dates are real dates, oldest first (ISO text sorts as the dates do)."""
    dates = F.regexp_extract_all(history, F.lit(r"([0-9]{4}-[0-9]{2}-[0-9]{2})"), 1)
    real = F.forall(dates, lambda d: d.try_cast("date").isNotNull())
    return real & (F.array_sort(dates) == dates)


def _as_normalised(name: str, present: Mapping[str, DataType]) -> Column:
    """A canonical row's column in the normalised schema (a column the file lacks: its default)."""
    if name not in present:
        default = F.lit("CHF") if name == "device_type" else F.lit(None)
        return default.cast("date" if name in _DATES else "string").alias(name)
    if name in _DATES and not isinstance(present[name], DateType):
        return F.col(name).try_cast("date").alias(name)
    return F.col(name)


def check_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows the JVM could not pass, checked by :func:`check_inventory` (runs on the executors).

    Yields the good rows normalised (``__why`` null) and one row per bad cell (``__why`` set),
    each with the ``__file`` and ``__row`` of the row it came from.
    """
    for batch in batches:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        where = frame.select(FILE, ROW)
        read = check_inventory(frame.drop(FILE, ROW), source="", first_row=0)
        good = pl.concat([read.frame, where[read.row_numbers()]], how="horizontal")
        bad = read.rejects.rename({"column": COLUMN, "value": VALUE, "why": WHY})
        bad = bad.with_columns(where[bad["row"]]).drop("row")
        out = pl.concat([good, bad], how="diagonal_relaxed")
        yield from out.to_arrow().select(_CHECKED_SCHEMA.names).cast(_CHECKED_SCHEMA).to_batches()


def _renamed(raw: DataFrame) -> DataFrame:
    """Column names as the polars reader reads them (no surrounding space, lower case), with origins."""
    cols = [F.col(f"`{c}`").alias(c.strip().lower()) for c in raw.columns]
    return raw.select(
        *cols, F.col("_metadata.file_name").alias(FILE), F.col("_metadata.row_index").alias(ROW)
    )


def read_spark_inventory(spark: SparkSession, path: str) -> SparkInventory:
    """The inventory at ``path`` (Parquet: a file or a folder of files), checked row by row.

    One job reads the file: the census of its canonical rows, and how many are not canonical.
    Only when some are does a second pass send those through the polars reader (and count again).
    Raises DataError when a required column is missing.
    """
    raw = _renamed(spark.read.parquet(path))
    present = {f.name: f.dataType for f in raw.schema.fields if f.name in INVENTORY_COLUMNS}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise DataError(
            f"{path}: columns missing: {', '.join(missing)}; an inventory needs "
            f"{', '.join(REQUIRED_COLUMNS)} (see docs/formats.md, 'Inventory files')",
            [Problem(f"column {m!r} is missing", source=path, row=1) for m in missing],
        )
    ignored = tuple(c for c in raw.columns if c not in INVENTORY_COLUMNS and c not in (FILE, ROW))
    canonical = canonical_rows(present)
    # kept after the census, which reads it first: the later jobs (the keys, the verdicts) read
    # the checked rows from there instead of reading and checking the files again
    flagged = raw.select(
        *(_as_normalised(c, present) for c in INVENTORY_COLUMNS), FILE, ROW, canonical.alias(_OK)
    ).persist(StorageLevel.MEMORY_AND_DISK)
    counted, per_id = census(flagged)
    fast = flagged.filter(_OK).drop(_OK)
    if not counted.odd:
        return SparkInventory(fast, None, counted.rows, ignored, counted, per_id, (flagged,))
    checked = (
        raw.filter(~canonical).select(*present, FILE, ROW).mapInArrow(check_batches, _CHECKED_DDL).persist()
    )
    good = fast.unionByName(checked.filter(F.col(WHY).isNull()).select(*INVENTORY_COLUMNS, FILE, ROW))
    rejects = checked.filter(F.col(WHY).isNotNull()).select(
        (F.col(ROW) + 2).alias("row"),
        F.col(COLUMN).alias("column"),
        F.col(VALUE).alias("value"),
        F.col(WHY).alias("why"),
        F.col(FILE).alias("where"),
    )
    again, per_id = census(good)
    return SparkInventory(good, rejects, counted.rows, ignored, again, per_id, (flagged, checked))


@dataclass(frozen=True)
class Census:
    """What one pass over the rows counts: rows, those not canonical, device types, Device IDs
    listed twice, GPF rows no CHF names (the last four over the canonical rows)."""

    rows: int
    odd: int
    chf: int
    gpf: int
    other: int
    duplicated_ids: int
    unclaimed_gpf: int


def census(rows: DataFrame) -> tuple[Census, DataFrame]:
    """Count a frame's rows in one job (only those flagged ``__canonical``, when it has the flag).

    Also returns the per-ID frame (lazy) from which the duplicated IDs can be taken.
    """
    kind = F.col("device_type")
    ok = F.col(_OK) if _OK in rows.columns else F.lit(True)
    own = rows.select(
        F.col("device_id").alias("id"),
        F.lit(1).alias("all"),
        (~ok).cast("int").alias("odd"),
        ok.cast("int").alias("n"),
        (ok & (kind == "CHF")).cast("int").alias("chf"),
        (ok & (kind == "GPF")).cast("int").alias("gpf"),
        (ok & ~kind.isin("CHF", "GPF")).cast("int").alias("other"),
        F.lit(0).alias("named"),
    )
    named = rows.filter(ok & (kind == "CHF") & F.col(HUB_KEY).isNotNull()).select(
        F.col(HUB_KEY).alias("id"), *(F.lit(0).alias(c) for c in _COUNTS), F.lit(1).alias("named")
    )
    per_id = own.unionByName(named).groupBy("id").agg(*(F.sum(c).alias(c) for c in (*_COUNTS, "named")))
    total = per_id.agg(
        *(F.sum(c).alias(c) for c in ("all", "odd", "chf", "gpf", "other")),
        F.sum((F.col("n") > 1).cast("long")).alias("dup"),
        F.sum(F.when((F.col("gpf") > 0) & (F.col("named") == 0), F.col("gpf")).otherwise(0)).alias("lone"),
    ).first()
    values = [int(v or 0) for v in total] if total is not None else [0] * 7
    return Census(*values), per_id


def without_duplicates(rows: DataFrame, per_id: DataFrame) -> tuple[DataFrame, DataFrame]:
    """The rows whose Device ID is listed once, and the others as rejects (:data:`REJECT_COLUMNS`)."""
    twice = per_id.filter(F.col("n") > 1).select(F.col("id").alias("device_id"))
    kept = rows.join(F.broadcast(twice), on="device_id", how="left_anti")
    bad = rows.join(F.broadcast(twice), on="device_id", how="left_semi").select(
        (F.col(ROW) + 2).alias("row"),
        F.lit("device_id").alias("column"),
        F.col("device_id").alias("value"),
        F.lit(_DUPLICATE).alias("why"),
        F.col(FILE).alias("where"),
    )
    return kept, bad


def problems_of(rejects: DataFrame, limit: int) -> list[Problem]:
    """The first ``limit`` bad cells, by file and row, as problems."""
    first = rejects.orderBy("where", "row", "column").limit(limit).collect()
    return [
        Problem(r["why"], source=r["where"], row=r["row"], column=r["column"], value=r["value"])
        for r in first
    ]
