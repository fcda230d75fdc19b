"""Reading hub inventories (CSV, Parquet): checked column by column, vectorised, all problems at once.

An inventory has one row per SMI device. Columns (see the README, "Inventory files"):

| column | required | form |
| --- | --- | --- |
| ``device_id`` | yes | EUI-64, ``00-DB-12-34-56-78-90-A0`` or 16 hex digits |
| ``manufacturer`` | yes | 4 hex |
| ``model`` | yes | 8 hex |
| ``firmware`` | yes | 1-8 hex digits (left-padded to 8, as DUIS allows) |
| ``status`` | yes | an SMI status (``Pending`` ...) |
| ``gpf_device_id`` | no | the hub's GPF, an EUI-64 |
| ``device_type`` | no | ``CHF`` (default), ``GPF``, ``ESME`` ... |
| ``status_since`` | no | YYYY-MM-DD |
| ``status_history`` | no | ``Status:YYYY-MM-DD;...`` oldest first (dates optional) |
| ``supplier`` | no | free text |
| ``csp_region`` | no | a DUIS region (``North``, ``4G South`` ...) |
| ``han_variant`` | no | ``Single Band`` or ``Dual Band`` (free text otherwise) |
| ``tsat_install_end`` | no | YYYY-MM-DD |

The checks run as column expressions (polars), never a Python object per row, so millions of
rows are checked in seconds. Every bad cell is reported (row, column, value, why); with
``skip_invalid`` the bad rows go to ``rejects`` and the good ones are kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import polars as pl

from eligibility.errors import DataError, Problem
from eligibility.smi import DEVICE_TYPES, SMI_STATUSES

__all__ = [
    "CSP_REGIONS",
    "INVENTORY_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCHEMA",
    "InventoryFormat",
    "InventoryRead",
    "normalise_inventory",
    "read_inventory",
]

InventoryFormat = Literal["csv", "parquet", "auto"]

REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("device_id", "manufacturer", "model", "firmware", "status")
INVENTORY_COLUMNS: Final[tuple[str, ...]] = (
    "device_id",
    "gpf_device_id",
    "device_type",
    "manufacturer",
    "model",
    "firmware",
    "status",
    "status_since",
    "status_history",
    "supplier",
    "csp_region",
    "han_variant",
    "tsat_install_end",
)
CSP_REGIONS: Final[tuple[str, ...]] = (
    "North",
    "Central",
    "South",
    "4G North",
    "4G Central",
    "4G South",
    "Unknown",
    "SMETS1",
)

#: The normalised frame's schema: every column present, dates as dates.
SCHEMA: Final[dict[str, pl.DataType]] = {
    c: (pl.Date() if c in ("status_since", "tsat_install_end") else pl.String()) for c in INVENTORY_COLUMNS
}

_HEX = "[0-9A-F]"
_EUI_DASHED = rf"^{_HEX}{{2}}(-{_HEX}{{2}}){{7}}$"
_EUI_PLAIN = rf"^{_HEX}{{16}}$"
_STATUS_ALT = "|".join(SMI_STATUSES)
_HISTORY = rf"^\s*(?i:{_STATUS_ALT})(:\d{{4}}-\d{{2}}-\d{{2}})?(\s*[;,]\s*(?i:{_STATUS_ALT})(:\d{{4}}-\d{{2}}-\d{{2}})?)*\s*[;,]?\s*$"


@dataclass(frozen=True)
class InventoryRead:
    """An inventory read and checked: the good rows, normalised, and the rejected cells."""

    frame: pl.DataFrame
    rejects: pl.DataFrame
    source: str
    rows_read: int
    ignored_columns: tuple[str, ...] = ()

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row may have several bad cells)."""
        return self.rejects["row"].n_unique() if self.rejects.height else 0


def _eui(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars().str.to_uppercase()
    return (
        pl.when(s.str.contains(_EUI_PLAIN))
        .then(s.str.replace(r"^(..)(..)(..)(..)(..)(..)(..)(..)$", "$1-$2-$3-$4-$5-$6-$7-$8"))
        .otherwise(s)
    )


def _nullable(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def _date(col: str) -> pl.Expr:
    return _nullable(col).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _check(col: str, bad: pl.Expr, why: str | pl.Expr) -> pl.Expr:
    """A column of reasons: ``why`` where ``bad`` holds for a non-null cell, else null."""
    why_expr = pl.lit(why) if isinstance(why, str) else why
    return pl.when(bad).then(why_expr).otherwise(None).alias(f"__why_{col}")


def _checks(raw: pl.DataFrame) -> list[pl.Expr]:
    present = set(raw.columns)
    up = {c: pl.col(c).str.strip_chars().str.to_uppercase() for c in present}
    out: list[pl.Expr] = []
    eui_why = "not a Device ID; expected an EUI-64 as 8 hex octets separated by '-' (00-DB-12-34-56-78-90-A0) or 16 hex digits"
    for col, required in (("device_id", True), ("gpf_device_id", False)):
        if col in present:
            v = _eui(col)
            empty = pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")
            if required:
                out.append(_check(col, empty | ~v.str.contains(_EUI_DASHED), eui_why))
            else:
                out.append(_check(col, ~empty & ~v.str.contains(_EUI_DASHED), eui_why))
    for col, digits, example in (("manufacturer", 4, "1086"), ("model", 8, "54311F52")):
        v = up[col]
        short = v.str.contains(rf"^{_HEX}+$") & (v.str.len_chars() < digits)
        why = (
            pl.when(short)
            .then(
                pl.lit(
                    f"{digits} hex digits expected; a spreadsheet may have dropped leading zeros - export the cells as text"
                )
            )
            .otherwise(pl.lit(f"{digits} hex digits expected, e.g. {example}"))
        )
        out.append(_check(col, pl.col(col).is_null() | ~v.str.contains(rf"^{_HEX}{{{digits}}}$"), why))
    fw = up["firmware"].str.replace(r"^0X", "")
    out.append(
        _check(
            "firmware",
            pl.col("firmware").is_null() | ~fw.str.contains(rf"^{_HEX}{{1,8}}$"),
            "not a firmware version; expected 1 to 8 hex digits, e.g. 0C240000",
        )
    )
    out.append(
        _check(
            "status",
            pl.col("status").is_null()
            | ~up["status"].str.replace_all(r"[\s_]", "").is_in([s.upper() for s in SMI_STATUSES]),
            "not an SMI status; use one of " + ", ".join(SMI_STATUSES),
        )
    )
    if "device_type" in present:
        dt = _nullable("device_type").str.to_uppercase()
        out.append(
            _check(
                "device_type",
                dt.is_not_null() & ~dt.is_in(list(DEVICE_TYPES)),
                "not a device type; use one of " + ", ".join(DEVICE_TYPES),
            )
        )
    for col in ("status_since", "tsat_install_end"):
        if col in present:
            out.append(
                _check(
                    col,
                    _nullable(col).is_not_null() & _date(col).is_null(),
                    "not a date; expected YYYY-MM-DD, e.g. 2026-11-28",
                )
            )
    if "status_history" in present:
        h = _nullable("status_history")
        dates = h.str.extract_all(r"\d{4}-\d{2}-\d{2}")
        out.append(
            _check(
                "status_history",
                h.is_not_null() & (~h.str.contains(_HISTORY) | (dates.list.sort() != dates)),
                "expected Status:YYYY-MM-DD;... oldest first, e.g. Commissioned:2019-03-01;Decommissioned:2021-05-02;Pending:2021-06-01",
            )
        )
    if "csp_region" in present:
        r = _nullable("csp_region").str.to_lowercase()
        out.append(
            _check(
                "csp_region",
                r.is_not_null() & ~r.is_in([x.lower() for x in CSP_REGIONS]),
                "not a CSP region; use one of " + ", ".join(CSP_REGIONS),
            )
        )
    return out


def _normalised(raw: pl.DataFrame) -> list[pl.Expr]:
    present = set(raw.columns)
    status_map = {s.upper(): s for s in SMI_STATUSES}
    region_map = {r.lower(): r for r in CSP_REGIONS}
    exprs: list[pl.Expr] = [
        _eui("device_id").alias("device_id"),
        (_eui("gpf_device_id") if "gpf_device_id" in present else pl.lit(None, pl.String)).alias(
            "gpf_device_id"
        ),
        (
            _nullable("device_type").str.to_uppercase().fill_null("CHF")
            if "device_type" in present
            else pl.lit("CHF")
        ).alias("device_type"),
        pl.col("manufacturer").str.strip_chars().str.to_uppercase().alias("manufacturer"),
        pl.col("model").str.strip_chars().str.to_uppercase().alias("model"),
        pl.col("firmware")
        .str.strip_chars()
        .str.to_uppercase()
        .str.replace(r"^0X", "")
        .str.zfill(8)
        .alias("firmware"),
        pl.col("status")
        .str.strip_chars()
        .str.to_uppercase()
        .str.replace_all(r"[\s_]", "")
        .replace_strict(status_map, default=None)
        .alias("status"),
        (_date("status_since") if "status_since" in present else pl.lit(None, pl.Date)).alias("status_since"),
        (_nullable("status_history") if "status_history" in present else pl.lit(None, pl.String)).alias(
            "status_history"
        ),
        (_nullable("supplier") if "supplier" in present else pl.lit(None, pl.String)).alias("supplier"),
        (
            _nullable("csp_region").str.to_lowercase().replace_strict(region_map, default=None)
            if "csp_region" in present
            else pl.lit(None, pl.String)
        ).alias("csp_region"),
        (_han("han_variant") if "han_variant" in present else pl.lit(None, pl.String)).alias("han_variant"),
        (_date("tsat_install_end") if "tsat_install_end" in present else pl.lit(None, pl.Date)).alias(
            "tsat_install_end"
        ),
    ]
    return exprs


def _han(col: str) -> pl.Expr:
    s = _nullable(col)
    low = s.str.to_lowercase()
    return (
        pl.when(low.str.contains(r"^single[\s_-]*(band)?$"))
        .then(pl.lit("Single Band"))
        .when(low.str.contains(r"^dual[\s_-]*(band)?$"))
        .then(pl.lit("Dual Band"))
        .otherwise(s)
    )


def normalise_inventory(raw: pl.DataFrame, *, source: str, skip_invalid: bool = False) -> InventoryRead:
    """Check and normalise a frame of inventory rows (all columns as text, or dates as dates).

    Raises DataError listing every bad cell unless ``skip_invalid``; then bad rows are returned
    as ``rejects`` (``row``, ``column``, ``value``, ``why``) and left out of ``frame``.
    """
    raw = raw.rename({c: c.strip().lower() for c in raw.columns if c != c.strip().lower()})
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(
            f"{source}: columns missing: {', '.join(missing)}; an inventory needs "
            f"{', '.join(REQUIRED_COLUMNS)} (see the README, 'Inventory files')",
            [Problem(f"column {m!r} is missing", source=source, row=1) for m in missing],
        )
    ignored = tuple(c for c in raw.columns if c not in INVENTORY_COLUMNS)
    raw = raw.select([pl.col(c).cast(pl.String) for c in raw.columns if c in INVENTORY_COLUMNS])
    raw = raw.with_row_index("__row", offset=2)  # spreadsheet row: the header is row 1
    checked = raw.with_columns(_checks(raw))
    why_cols = [c for c in checked.columns if c.startswith("__why_")]
    dup = checked.select(_eui("device_id").is_duplicated()).to_series()
    checked = checked.with_columns(
        pl.when(dup & pl.col("__why_device_id").is_null())
        .then(pl.lit("the same Device ID appears on another row; each device is listed once"))
        .otherwise(pl.col("__why_device_id"))
        .alias("__why_device_id")
    )
    bad_mask = pl.any_horizontal([pl.col(c).is_not_null() for c in why_cols])
    bad = checked.filter(bad_mask)
    rejects = _rejects(bad, why_cols)
    if rejects.height and not skip_invalid:
        problems = [
            Problem(r["why"], source=source, row=r["row"], column=r["column"], value=r["value"])
            for r in rejects.iter_rows(named=True)
        ]
        raise DataError(f"{source}: the inventory was not read ({bad.height} bad row(s))", problems)
    good = checked.filter(~bad_mask) if rejects.height else checked
    frame = good.select(_normalised(raw)).cast(SCHEMA)  # type: ignore[arg-type]
    return InventoryRead(frame, rejects, source, raw.height, ignored)


def _rejects(bad: pl.DataFrame, why_cols: list[str]) -> pl.DataFrame:
    parts = []
    for wc in why_cols:
        col = wc.removeprefix("__why_")
        part = bad.filter(pl.col(wc).is_not_null()).select(
            pl.col("__row").cast(pl.Int64).alias("row"),
            pl.lit(col).alias("column"),
            pl.col(col).cast(pl.String).alias("value"),
            pl.col(wc).alias("why"),
        )
        parts.append(part)
    if not parts:
        return pl.DataFrame(
            schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "why": pl.String}
        )
    return pl.concat(parts).sort(["row", "column"])


def _detect(data: bytes, source: str) -> Literal["csv", "parquet"]:
    if data[:4] == b"PAR1" or source.lower().endswith((".parquet", ".pq")):
        return "parquet"
    return "csv"


def read_inventory(
    data: bytes | Path,
    *,
    source: str | None = None,
    fmt: InventoryFormat = "auto",
    skip_invalid: bool = False,
) -> InventoryRead:
    """Read an inventory file (CSV or Parquet, detected from its content) and check every row.

    Raises DataError for an unreadable file or, unless ``skip_invalid``, any bad cell.
    """
    if isinstance(data, Path):
        source = source or data.name
        try:
            data = data.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    source = source or "inventory"
    if not data.strip():
        raise DataError(f"{source}: the file is empty; expected an inventory with a header row")
    kind = _detect(data, source) if fmt == "auto" else fmt
    try:
        if kind == "parquet":
            raw = pl.read_parquet(io.BytesIO(data))
        else:
            raw = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise DataError(
            f"{source}: not a readable {kind} file ({exc.__class__.__name__}: {str(exc).splitlines()[0]}); "
            "give an inventory as CSV (with a header row) or Parquet"
        ) from exc
    return normalise_inventory(raw, source=source, skip_invalid=skip_invalid)
