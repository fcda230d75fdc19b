"""Inventory files opened for streaming: CSV, Parquet, or DUIS XML (a file, a folder or a zip).

:func:`open_inventory` looks at what it is given and returns an :class:`InventorySource`
whose :meth:`~InventorySource.chunks` yields raw frames of at most ``rows`` rows, read lazily:
memory holds one chunk whatever the file's size. The frames are raw (text cells as read);
:func:`cpl_data.inventory.normalise_inventory` checks them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from cpl_data.inventory import (
    HEAD_BYTES,
    INVENTORY_COLUMNS,
    csv_header,
    parquet_columns,
    require_columns,
    unreadable,
)
from cpl_data.kinds import InventoryKind, detect_kind
from eligibility.errors import DataError

__all__ = ["InventoryKind", "InventorySource", "detect_kind", "open_inventory"]


@dataclass(frozen=True)
class InventorySource:
    """An inventory ready to be read chunk by chunk."""

    name: str
    kind: InventoryKind
    total_rows: int | None
    columns: tuple[str, ...]
    _chunks: Callable[[int], Iterator[pl.DataFrame]]
    #: Whether any row is a GPF's (a CHF naming a GPF waits for its row only when one may come);
    #: None when unknown.
    has_gpf: bool | None = None
    #: Where a row came from, for messages, when rows are not lines of a file (DUIS).
    locate: Callable[[int], str | None] | None = None
    #: The chunks of only some columns (a file reads no more than it is asked for).
    _projected: Callable[[int, Collection[str]], Iterator[pl.DataFrame]] | None = None

    def chunks(self, rows: int, columns: Collection[str] | None = None) -> Iterator[pl.DataFrame]:
        """The inventory's rows, ``rows`` at a time (the last chunk may be shorter).

        With ``columns`` (inventory column names), the chunks may hold only those of them the
        file has (Parquet is read no further; CSV and DUIS chunks keep every column). Raises DataError
        when the file turns out unreadable part way.
        """
        try:
            if columns is not None and self._projected is not None:
                yield from self._projected(rows, columns)
            else:
                yield from self._chunks(rows)
        except (pl.exceptions.PolarsError, OSError):
            raise unreadable(self.name, self.kind) from None

    @property
    def ignored_columns(self) -> tuple[str, ...]:
        """Columns the inventory has that hubcheck does not read."""
        return tuple(c for c in self.columns if c.strip().lower() not in INVENTORY_COLUMNS)


def _projected(columns: list[str], wanted: Collection[str] = INVENTORY_COLUMNS) -> list[str]:
    # read only what hubcheck uses: the other columns are reported as ignored, never loaded
    return [c for c in columns if c.strip().lower() in wanted]


def _any_gpf(scan: pl.LazyFrame, type_col: str | None) -> bool:
    """Whether any row of ``scan`` is a GPF's, as the inventory reader spells device types (no
    ``device_type`` column: every row is a CHF). It stops at the first GPF row, which in an export
    listing each hub's devices together is the second: counting every type was a whole pass over
    the column (60-100 ms for 4M Parquet rows, a second read of a large CSV)."""
    if type_col is None:
        return False
    gpf = pl.col(type_col).cast(pl.String).str.strip_chars().str.to_uppercase() == "GPF"
    return scan.select(type_col).filter(gpf).head(1).collect(engine="streaming").height > 0


def _parquet(path: Path) -> InventorySource:
    require_columns(parquet_columns(path, path.name), path.name)
    try:
        meta = pq.ParquetFile(path)
        names = list(meta.schema_arrow.names)
        total = meta.metadata.num_rows
        type_col = next((c for c in names if c.strip().lower() == "device_type"), None)
        has_gpf = _any_gpf(pl.scan_parquet(path), type_col)
    except Exception:  # pyarrow's ArrowInvalid/OSError family, polars' ComputeError
        raise unreadable(path.name, "parquet") from None

    def projected(rows: int, columns: Collection[str]) -> Iterator[pl.DataFrame]:
        scan = pl.scan_parquet(path).select(_projected(names, columns))
        yield from scan.collect_batches(chunk_size=rows)

    def chunks(rows: int) -> Iterator[pl.DataFrame]:
        yield from projected(rows, INVENTORY_COLUMNS)

    return InventorySource(path.name, "parquet", total, tuple(names), chunks, has_gpf, _projected=projected)


def _csv(path: Path) -> InventorySource:
    # the header alone first: a wrong or binary file is refused before a byte more is read
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    if not head.strip():
        raise DataError(f"{path.name}: the file is empty; expected an inventory with a header row")
    names = csv_header(head, path.name)
    require_columns(names, path.name)
    keep = _projected(names)
    type_col = next((c for c in names if c.strip().lower() == "device_type"), None)
    # whether any GPF rows exist decides whether a CHF may wait for its GPF's row (without GPF
    # rows, waiting would hold every CHF to the end)
    has_gpf: bool | None
    try:
        has_gpf = _any_gpf(pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy"), type_col)
    except (pl.exceptions.PolarsError, OSError):
        has_gpf = None  # unreadable part way: the chunks will say so, with the details

    def chunks(rows: int) -> Iterator[pl.DataFrame]:
        scan = pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy").select(keep)
        yield from scan.collect_batches(chunk_size=rows)

    # no projection for CSV: a row with a cell too many is found only when every column is read
    return InventorySource(path.name, "csv", None, tuple(names), chunks, has_gpf)


def open_inventory(
    path: Path,
    *,
    kind: InventoryKind | None = None,
    duis: Callable[[Path], InventorySource] | None = None,
) -> InventorySource:
    """Open an inventory for streaming; ``kind`` overrides detection.

    DUIS input needs ``duis`` (see :func:`cpl_data.duis.duis_source`), which knows the schemas.
    Raises DataError when the file cannot be read or is not what it claims to be.
    """
    kind = kind or detect_kind(path)
    if kind == "parquet":
        return _parquet(path)
    if kind == "csv":
        return _csv(path)
    if duis is None:
        raise DataError(f"{path.name}: DUIS XML input needs the DUIS schemas; read it with hubcheck batch")
    return duis(path)
