"""Reading hub inventories (CSV, Parquet): checked column by column, vectorised, all problems at once.

An inventory has one row per SMI device. Columns (see docs/formats.md, "Inventory files"):

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

The checks run as column operations (polars), never a Python object per row, with fast paths for
what real files mostly hold (:mod:`cpl_data._inventory_checks`), so a million rows take a fraction
of a second. Every bad cell is reported (row, column, value, why); with ``skip_invalid`` the bad
rows go to ``rejects`` and the good ones are kept. Normalised, a status history reads
``Status:YYYY-MM-DD;...`` with statuses in their DUIS spelling. A Device ID listed twice is bad on
both rows; a stream of chunks passes a :class:`~cpl_data._seen.SeenDevices` to catch one listed
again in a later chunk.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Final, Literal

import numpy as np
import polars as pl

from cpl_data._inventory_checks import (
    CSP_REGIONS,
    DATE_RANGE,
    EUI_DASHED,
    RULES,
    Checked,
    by_value,
    check_dates,
    check_device_ids,
    check_history,
)
from cpl_data._seen import SeenDevices, device_keys
from eligibility.errors import DataError, Problem

__all__ = [
    "CSP_REGIONS",
    "DATE_RANGE",
    "INVENTORY_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCHEMA",
    "InventoryFormat",
    "InventoryRead",
    "check_inventory",
    "csv_header",
    "mark_earlier",
    "normalise_inventory",
    "not_an_inventory",
    "parquet_columns",
    "read_inventory",
    "require_columns",
    "unreadable",
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
_DATES: Final = ("status_since", "tsat_install_end")

#: The normalised frame's schema: every column present, dates as dates.
SCHEMA: Final[dict[str, pl.DataType]] = {
    c: (pl.Date() if c in _DATES else pl.String()) for c in INVENTORY_COLUMNS
}
_DUPLICATE = "the same Device ID appears on another row; each device is listed once"
_DUPLICATE_EARLIER = "the same Device ID appears on an earlier row; each device is listed once"
_REJECTS_SCHEMA: Final = {"row": pl.Int64, "column": pl.String, "value": pl.String, "why": pl.String}


@dataclass(frozen=True)
class InventoryRead:
    """An inventory read and checked: the good rows, normalised, and the rejected cells."""

    frame: pl.DataFrame
    rejects: pl.DataFrame
    source: str
    rows_read: int
    ignored_columns: tuple[str, ...] = ()
    #: the first row's number (2: the header is row 1)
    first_row: int = 2
    #: the good rows' Device IDs as 64-bit keys (for a stream's duplicate check)
    keys: pl.Series | None = field(default=None, compare=False, repr=False)

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row may have several bad cells)."""
        return self.rejects["row"].n_unique() if self.rejects.height else 0

    def problems(self) -> list[Problem]:
        """The rejected cells as problems (row, column, value, why)."""
        return [
            Problem(r["why"], source=self.source, row=r["row"], column=r["column"], value=r["value"])
            for r in self.rejects.iter_rows(named=True)
        ]

    def row_numbers(self) -> pl.Series:
        """The row number of each good row (rows are numbered from ``first_row``)."""
        rows = pl.int_range(self.first_row, self.first_row + self.rows_read, dtype=pl.Int64, eager=True)
        if not self.rejects.height:
            return rows
        return rows.filter(~rows.is_in(self.rejects["row"].unique().implode()))


def _text(s: pl.Series) -> pl.Series:
    return s if s.dtype == pl.String else s.cast(pl.String)


def _survey(raw: pl.DataFrame) -> dict[str, object]:
    """What can be learnt of every column in one parallel pass: distinct values, canonical IDs."""
    exprs: list[pl.Expr] = []
    for col in raw.columns:
        if col in ("device_id", "gpf_device_id"):
            ok = _as_text(col).str.contains(EUI_DASHED)
            exprs.append((ok.all() if col == "device_id" else ok.fill_null(True).all()).alias(col))
        elif col in RULES and not (col in _DATES and raw[col].dtype in (pl.Date, pl.Datetime)):
            exprs.append(_as_text(col).unique().implode().alias(col))
    return raw.select(exprs).row(0, named=True) if exprs else {}


def _as_text(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String)


def _check_columns(raw: pl.DataFrame) -> dict[str, Checked]:
    n = raw.height
    survey = _survey(raw)
    out: dict[str, Checked] = {}
    for col in INVENTORY_COLUMNS:
        if col not in raw.columns:
            default = "CHF" if col == "device_type" else None
            out[col] = Checked(pl.repeat(default, n, dtype=SCHEMA[col], eager=True).alias(col))
        elif col in ("device_id", "gpf_device_id"):
            canonical = bool(survey[col])
            out[col] = check_device_ids(_text(raw[col]), required=col == "device_id", canonical=canonical)
        elif col in _DATES and raw[col].dtype in (pl.Date, pl.Datetime):
            out[col] = check_dates(raw[col])
        elif col == "status_history":
            out[col] = check_history(_text(raw[col]))
        else:
            values = survey[col]
            assert isinstance(values, list)
            distinct = pl.Series(col, values, dtype=pl.String)
            out[col] = by_value(_text(raw[col]), RULES[col], distinct=distinct)
    return out


def _duplicates(ids: Checked) -> tuple[Checked, pl.Series]:
    """Mark a Device ID listed twice in the frame; also return every row's key (null if bad).

    Duplicates are rare, so the common path only sorts the keys: equal neighbours mean a
    duplicate, and only then are rows marked.
    """
    values = ids.values if ids.why is None else ids.values.set(ids.why.is_not_null(), None)
    keys = device_keys(values)
    ordered = np.sort(keys.drop_nulls().to_numpy())
    if not (ordered[1:] == ordered[:-1]).any():
        return ids, keys
    dup = keys.is_duplicated() & keys.is_not_null()
    why = ids.why if ids.why is not None else pl.repeat(None, values.len(), dtype=pl.String, eager=True)
    reasons = pl.select(pl.when(pl.lit(dup)).then(pl.lit(_DUPLICATE)).otherwise(pl.lit(why))).to_series()
    return Checked(ids.values, reasons), keys


def check_inventory(raw: pl.DataFrame, *, source: str, first_row: int = 2) -> InventoryRead:
    """Check and normalise a frame of inventory rows, keeping the good ones and listing the bad cells.

    Never raises for a bad cell (see :func:`normalise_inventory` for that); raises DataError only
    when a required column is missing. Rows are numbered from ``first_row`` (2: the header is
    row 1; a later chunk of a stream passes its own).
    """
    raw = raw.rename({c: c.strip().lower() for c in raw.columns if c != c.strip().lower()})
    require_columns(raw.columns, source)
    ignored = tuple(c for c in raw.columns if c not in INVENTORY_COLUMNS)
    checked = _check_columns(raw)
    checked["device_id"], keys = _duplicates(checked["device_id"])
    frame = pl.DataFrame([checked[c].values.alias(c) for c in INVENTORY_COLUMNS])
    reasons = {c: ch.why for c, ch in checked.items() if ch.why is not None}
    if not reasons:
        empty = pl.DataFrame(schema=_REJECTS_SCHEMA)
        return InventoryRead(frame, empty, source, raw.height, ignored, first_row, keys)
    bad = pl.select(pl.any_horizontal(pl.lit(w).is_not_null() for w in reasons.values())).to_series()
    rejects = _rejects(raw, reasons, first_row)
    return InventoryRead(
        frame.filter(~bad), rejects, source, raw.height, ignored, first_row, keys.filter(~bad)
    )


def mark_earlier(read: InventoryRead, seen: SeenDevices) -> InventoryRead:
    """Reject the good rows whose Device ID an earlier chunk of the stream listed; remember the rest.

    Call it once per chunk, in the stream's order. Costs one sort of the keys when, as usual,
    no row is a duplicate.
    """
    if read.keys is None or read.keys.len() == 0:
        return read
    present = read.keys.to_numpy()
    ordered = np.sort(present)
    if not seen.contains(ordered).any():  # the usual case: sorted lookups, then one merge
        seen.add(ordered, ordered=True)
        return read
    hits = pl.Series(seen.contains(present))
    seen.add(ordered, ordered=True)
    rows = read.row_numbers().filter(hits)
    found = pl.DataFrame(
        {
            "row": rows,
            "column": pl.repeat("device_id", rows.len(), dtype=pl.String, eager=True),
            "value": read.frame["device_id"].filter(hits),
            "why": pl.repeat(_DUPLICATE_EARLIER, rows.len(), dtype=pl.String, eager=True),
        }
    )
    rejects = pl.concat([read.rejects, found]).sort(["row", "column"])
    return replace(read, frame=read.frame.filter(~hits), rejects=rejects, keys=read.keys.filter(~hits))


def normalise_inventory(
    raw: pl.DataFrame,
    *,
    source: str,
    skip_invalid: bool = False,
    first_row: int = 2,
    seen: SeenDevices | None = None,
) -> InventoryRead:
    """Check and normalise a frame of inventory rows (text columns, or dates as dates).

    Rows are numbered from ``first_row``; with ``seen`` (a stream), a Device ID an earlier chunk
    listed is bad too. Raises DataError listing every bad cell unless ``skip_invalid``; then bad
    rows are returned as ``rejects`` (``row``, ``column``, ``value``, ``why``) and left out of
    ``frame``.
    """
    read = check_inventory(raw, source=source, first_row=first_row)
    if seen is not None:
        read = mark_earlier(read, seen)
    if read.rejects.height and not skip_invalid:
        raise DataError(
            f"{source}: the inventory was not read ({read.rejected_rows} bad row(s))", read.problems()
        )
    return read


def _rejects(raw: pl.DataFrame, reasons: dict[str, pl.Series], first_row: int) -> pl.DataFrame:
    parts = []
    for col, why in reasons.items():
        at = why.is_not_null()
        parts.append(
            pl.DataFrame(
                {
                    "row": at.arg_true().cast(pl.Int64) + first_row,
                    "column": pl.repeat(col, int(at.sum()), dtype=pl.String, eager=True),
                    "value": _text(raw[col]).filter(at),
                    "why": why.filter(at),
                }
            )
        )
    return pl.concat(parts).sort(["row", "column"])


def require_columns(columns: Iterable[str], source: str) -> None:
    """Raise DataError naming every required column that ``columns`` (a header) lacks."""
    have = {c.strip().lower() for c in columns}
    missing = [c for c in REQUIRED_COLUMNS if c not in have]
    if missing:
        raise DataError(
            f"{source}: columns missing: {', '.join(missing)}; an inventory needs "
            f"{', '.join(REQUIRED_COLUMNS)} (see docs/formats.md, 'Inventory files')",
            [Problem(f"column {m!r} is missing", source=source, row=1) for m in missing],
        )


#: How much of a file its header may take (a header row is a few hundred bytes).
HEAD_BYTES: Final = 64 * 1024
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def not_an_inventory(source: str) -> DataError:
    """The refusal of a file that is neither CSV text nor Parquet."""
    return DataError(
        f"{source}: not an inventory: the file is binary, neither CSV text nor Parquet; give an "
        "inventory as CSV (UTF-8 text with a header row), Parquet or DUIS XML"
    )


def csv_header(head: bytes, source: str) -> list[str]:
    """The column names in a CSV file's first bytes ``head`` (the start of the file).

    Raises DataError when the start is not text (binary), or holds no complete header row.
    """
    end = head.find(b"\n")
    line = head if end < 0 else head[:end]
    if b"\x00" in head or _CONTROL.search(line):
        raise not_an_inventory(source)
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise not_an_inventory(source) from None
    if end < 0 and len(head) >= HEAD_BYTES:
        raise DataError(f"{source}: the first line is longer than {HEAD_BYTES // 1024} KiB: not a header row")
    return next(csv.reader([text]), [])


def parquet_columns(source_file: Path | IO[bytes], source: str) -> list[str]:
    """A Parquet file's column names, from its footer alone; raises DataError when it is damaged."""
    import pyarrow.parquet as pq  # only for Parquet input: most commands never pay for it

    try:
        return list(pq.ParquetFile(source_file).schema_arrow.names)
    except Exception:  # pyarrow's ArrowInvalid, OSError ... for a cut or foreign file
        raise DataError(
            f"{source}: not a readable Parquet file: it is cut short or damaged; write it again, "
            "or give the inventory as CSV"
        ) from None


def unreadable(source: str, kind: str) -> DataError:
    """The refusal of a file whose header was fine but whose rows cannot be read."""
    if kind == "parquet":
        return DataError(
            f"{source}: not a readable Parquet file: it is cut short or damaged; write it again, "
            "or give the inventory as CSV"
        )
    return DataError(
        f"{source}: not a readable CSV file past its header: a row has more cells than the header, "
        "or a quote is never closed; check that it is CSV with one header row"
    )


def _detect(data: bytes, source: str) -> Literal["csv", "parquet"]:
    if data[:4] == b"PAR1" or source.lower().endswith((".parquet", ".pq")):
        return "parquet"
    return "csv"


def _read_path(path: Path) -> bytes:
    """The file's bytes, its header judged first: a huge file with a wrong header is not read."""
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
            if not head.strip():
                raise DataError(f"{path.name}: the file is empty; expected an inventory with a header row")
            if head[:4] == b"PAR1":
                f.seek(0)
                require_columns(parquet_columns(f, path.name), path.name)
                f.seek(0)
                return f.read()
            require_columns(csv_header(head, path.name), path.name)
            return head + f.read()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}; check the path") from exc


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
        data = _read_path(data)
    source = source or "inventory"
    if not data.strip():
        raise DataError(f"{source}: the file is empty; expected an inventory with a header row")
    kind = _detect(data, source) if fmt == "auto" else fmt
    # the header first: a wrong or binary file is refused before its rows are parsed
    if kind == "parquet":
        require_columns(parquet_columns(io.BytesIO(data), source), source)
    else:
        require_columns(csv_header(data[:HEAD_BYTES], source), source)
    try:
        if kind == "parquet":
            raw = pl.read_parquet(io.BytesIO(data))
        else:
            raw = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError, ValueError):
        raise unreadable(source, kind) from None
    return normalise_inventory(raw, source=source, skip_invalid=skip_invalid)
