"""Inventory writes and reads in bulk: an import is staged, checked and upserted in one transaction.

An import runs in two steps on one connection:

1. the rows go into a temporary staging table (its own transaction: it takes no lock on the
   store, so readers and other writers carry on while a million rows are copied in);
2. one write transaction records the import in the audit table, upserts the rows into
   ``inventory`` and moves the change counter. Readers see the inventory before or after it,
   never between (SQLite WAL or PostgreSQL MVCC).

Rows are keyed by (supplier, Device ID): an import writes only rows of the suppliers it names
(a supplier's key: its own), so it can neither read, nor shadow, nor be blocked by another
supplier's row with the same Device ID. Supplier names are matched by
``eligibility.suppliers.supplier_key``, and the store keeps one spelling per supplier (the
first imported): rows spelled otherwise are stored with it.

PostgreSQL is fed with ``COPY`` from the frame's CSV (no Python object per row); SQLite with
``executemany`` over the frame's rows in slices.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, Final

import polars as pl
from sqlalchemy import Connection, DateTime, Integer, bindparam, text

from cpl_data.inventory import INVENTORY_COLUMNS
from eligibility.errors import DataError, Problem
from eligibility.suppliers import MAX_NAME, same_supplier, supplier_key

__all__ = ["check_suppliers", "inventory_frame", "own", "stage", "upsert_staged"]

_STAGE: Final = "inv_stage"
_DATES: Final = ("status_since", "tsat_install_end")
_SLICE: Final = 50_000
#: How many rows a refusal lists (the count says how many there are in all).
_SHOWN: Final = 20


def check_suppliers(frame: pl.DataFrame, supplier: str | None, source: str) -> pl.DataFrame:
    """Every row for ``supplier``: empty cells take it, other suppliers are refused (DataError).

    Names are compared as ``eligibility.suppliers`` says; names longer than the store keeps are
    refused too, with or without ``supplier``.
    """
    names = frame["supplier"].unique().drop_nulls().to_list()
    other = {n for n in names if supplier is not None and not same_supplier(n, supplier)}
    long = {n for n in names if len(n) > MAX_NAME}
    if other or long:
        rows = frame.with_row_index("__row", offset=2).filter(pl.col("supplier").is_in(other | long))
        problems = [
            Problem(
                f"a supplier name has at most {MAX_NAME} characters"
                if v in long
                else f"this import is for supplier {supplier!r}; leave the cell empty or give that supplier",
                source=source,
                row=r,
                column="supplier",
                value=v if len(v) <= MAX_NAME else v[:MAX_NAME] + "...",
            )
            for r, v in rows.select("__row", "supplier").head(_SHOWN).iter_rows()
        ]
        what = f"name another supplier than {supplier!r}" if other else "name a supplier too long"
        raise DataError(f"{source}: {rows.height} row(s) {what}; nothing was imported", problems)
    return frame if supplier is None else frame.with_columns(pl.col("supplier").fill_null(supplier))


def own(conn: Connection, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each row's ``supplier_key``, and each supplier spelled as the store spells it.

    A supplier the store does not hold yet keeps the frame's first spelling of it.
    """
    spelling: dict[str, str] = {}
    with conn.begin():
        for name in frame["supplier"].unique(maintain_order=True).drop_nulls().to_list():
            key = supplier_key(name)
            if key not in spelling:
                stored = conn.execute(
                    text("SELECT supplier FROM inventory WHERE supplier_key = :key LIMIT 1"), {"key": key}
                ).scalar()
                spelling[key] = stored or name
    names = frame["supplier"].unique().drop_nulls().to_list()
    shown = {n: spelling[supplier_key(n)] for n in names}
    keys = {n: supplier_key(n) for n in names}
    return frame.with_columns(
        pl.col("supplier")
        .replace_strict(keys, default="", return_dtype=pl.String)
        .fill_null("")
        .alias("supplier_key"),
        pl.col("supplier").replace_strict(shown, default=None, return_dtype=pl.String).alias("supplier"),
    )


#: What is staged: the inventory columns and the owner.
_STAGED: Final = (*INVENTORY_COLUMNS, "supplier_key")


def _ddl(dialect: str) -> str:
    date = "DATE" if dialect == "postgresql" else "TEXT"
    cols = ", ".join(f"{c} {date if c in _DATES else 'TEXT'}" for c in _STAGED)
    return f"CREATE TEMPORARY TABLE {_STAGE} (row_no INTEGER NOT NULL, {cols}, PRIMARY KEY (supplier_key, device_id))"


def stage(conn: Connection, frame: pl.DataFrame) -> None:
    """Copy ``frame`` (normalised inventory with ``supplier_key``, see :func:`own`) into the
    staging table, in its own transaction."""
    dialect = conn.dialect.name
    rows = frame.select(_STAGED).with_row_index("row_no", offset=2)
    with conn.begin():
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_STAGE}")
        conn.exec_driver_sql(_ddl(dialect))
        names = ", ".join(rows.columns)
        cur: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if dialect == "postgresql":
                buf = io.BytesIO()
                rows.write_csv(buf, include_header=False, date_format="%Y-%m-%d", null_value="")
                with cur.copy(f"COPY {_STAGE} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buf.getvalue())
            else:
                texts = rows.with_columns(pl.col(_DATES).dt.to_string("%Y-%m-%d"))
                marks = ", ".join("?" for _ in rows.columns)
                sql = f"INSERT INTO {_STAGE} ({names}) VALUES ({marks})"
                for start in range(0, texts.height, _SLICE):
                    cur.executemany(sql, texts.slice(start, _SLICE).iter_rows())
        finally:
            cur.close()


def drop_stage(conn: Connection) -> None:
    """Remove the staging table (after the import, whatever happened)."""
    with conn.begin():
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_STAGE}")


def upsert_staged(conn: Connection, *, import_id: int, now: datetime) -> dict[str, int]:
    """Inside the caller's write transaction: upsert the staged rows, each into its supplier's row.

    Returns the counts ``rows``, ``inserted``, ``updated``.
    """
    total = conn.execute(text(f"SELECT count(*) FROM {_STAGE}")).scalar_one()
    updated = conn.execute(
        text(
            f"SELECT count(*) FROM {_STAGE} s JOIN inventory i "
            "ON i.supplier_key = s.supplier_key AND i.device_id = s.device_id"
        )
    ).scalar_one()
    cols = ", ".join(_STAGED)
    sets = ", ".join(f"{c} = excluded.{c}" for c in (*INVENTORY_COLUMNS[1:], "import_id", "updated_at"))
    # WHERE true: SQLite needs it to tell an upsert's ON CONFLICT from a join's ON.
    upsert = text(
        f"INSERT INTO inventory ({cols}, import_id, updated_at) SELECT {cols}, :import_id, :now "
        f"FROM {_STAGE} WHERE true ON CONFLICT (supplier_key, device_id) DO UPDATE SET {sets}"
    ).bindparams(bindparam("import_id", type_=Integer), bindparam("now", type_=DateTime(timezone=True)))
    conn.execute(upsert, {"import_id": import_id, "now": now})
    return {"rows": int(total), "inserted": int(total - updated), "updated": int(updated)}


def inventory_frame(conn: Connection, supplier: str | None) -> pl.DataFrame:
    """The inventory (or one supplier's) in the normalised schema, by Device ID then supplier."""
    from cpl_data.inventory import SCHEMA

    dialect = conn.dialect.name
    mark = "%s" if dialect == "postgresql" else "?"
    sql = f"SELECT {', '.join(INVENTORY_COLUMNS)} FROM inventory"
    params: tuple[str, ...] = ()
    if supplier is not None:
        sql += f" WHERE supplier_key = {mark}"
        params = (supplier_key(supplier),)
    cur: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql + " ORDER BY device_id, supplier_key", params)
        rows = cur.fetchall()
    finally:
        cur.close()
    frame = pl.DataFrame(rows, schema=list(INVENTORY_COLUMNS), orient="row", infer_schema_length=None)
    return frame.with_columns(
        (pl.col(c).str.to_date("%Y-%m-%d") if frame[c].dtype == pl.String else pl.col(c)).alias(c)
        for c in _DATES
    ).cast(SCHEMA)  # type: ignore[arg-type]
