"""Inventory writes and reads in bulk: an import is staged, checked and upserted in one transaction.

An import runs in two steps on one connection:

1. the rows go into a temporary staging table (its own transaction: it takes no lock on the
   store, so readers and other writers carry on while a million rows are copied in);
2. one write transaction checks that the caller may write every staged Device ID, records the
   import in the audit table, upserts the rows into ``inventory`` and moves the change counter.
   Readers see the inventory before or after it, never between (SQLite WAL or PostgreSQL MVCC).

PostgreSQL is fed with ``COPY`` from the frame's CSV (no Python object per row); SQLite with
``executemany`` over the frame's rows in slices.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, Final

import polars as pl
from sqlalchemy import Connection, DateTime, Integer, bindparam, text

from api.errors import Forbidden
from cpl_data.inventory import INVENTORY_COLUMNS
from eligibility.errors import DataError, Problem

__all__ = ["check_suppliers", "inventory_frame", "stage", "upsert_staged"]

_STAGE: Final = "inv_stage"
_DATES: Final = ("status_since", "tsat_install_end")
_SLICE: Final = 50_000
#: How many rows a refusal lists (the count says how many there are in all).
_SHOWN: Final = 20


def check_suppliers(frame: pl.DataFrame, supplier: str | None, source: str) -> pl.DataFrame:
    """Every row for ``supplier``: empty cells take it, other values are refused (DataError)."""
    if supplier is None:
        return frame
    other = frame.with_row_index("__row", offset=2).filter(
        pl.col("supplier").is_not_null() & (pl.col("supplier") != supplier)
    )
    if other.height:
        problems = [
            Problem(
                f"this import is for supplier {supplier!r}; leave the cell empty or give that supplier",
                source=source,
                row=r,
                column="supplier",
                value=v,
            )
            for r, v in other.select("__row", "supplier").head(_SHOWN).iter_rows()
        ]
        raise DataError(
            f"{source}: {other.height} row(s) name another supplier than {supplier!r}; nothing was imported",
            problems,
        )
    return frame.with_columns(pl.col("supplier").fill_null(supplier))


def _ddl(dialect: str) -> str:
    date = "DATE" if dialect == "postgresql" else "TEXT"
    cols = ", ".join(f"{c} {date if c in _DATES else 'TEXT'}" for c in INVENTORY_COLUMNS)
    return f"CREATE TEMPORARY TABLE {_STAGE} (row_no INTEGER NOT NULL, {cols}, PRIMARY KEY (device_id))"


def stage(conn: Connection, frame: pl.DataFrame) -> None:
    """Copy ``frame`` (normalised inventory) into the staging table, in its own transaction."""
    dialect = conn.dialect.name
    rows = frame.select(INVENTORY_COLUMNS).with_row_index("row_no", offset=2)
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


def upsert_staged(conn: Connection, *, owner: str | None, import_id: int, now: datetime) -> dict[str, int]:
    """Inside the caller's write transaction: refuse rows ``owner`` may not write, then upsert.

    ``owner`` None may write any hub. Returns the counts ``rows``, ``inserted``, ``updated``.
    Raises Forbidden listing the rows whose Device ID belongs to another supplier.
    """
    if owner is not None:
        theirs = conn.execute(
            text(
                f"SELECT s.row_no, s.device_id FROM {_STAGE} s JOIN inventory i ON i.device_id = s.device_id "
                "WHERE i.supplier IS NULL OR i.supplier <> :owner ORDER BY s.row_no"
            ),
            {"owner": owner},
        ).all()
        if theirs:
            problems = tuple(
                Problem(
                    f"Device ID {d} is not one of {owner}'s hubs; a supplier may only write its own hubs",
                    row=r,
                    column="device_id",
                    value=d,
                )
                for r, d in theirs[:_SHOWN]
            )
            raise Forbidden(
                f"{len(theirs)} row(s) would change hubs that are not {owner}'s; nothing was imported",
                problems,
            )
    total = conn.execute(text(f"SELECT count(*) FROM {_STAGE}")).scalar_one()
    updated = conn.execute(
        text(f"SELECT count(*) FROM {_STAGE} s JOIN inventory i ON i.device_id = s.device_id")
    ).scalar_one()
    cols = ", ".join(INVENTORY_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in (*INVENTORY_COLUMNS[1:], "import_id", "updated_at"))
    # WHERE true: SQLite needs it to tell an upsert's ON CONFLICT from a join's ON.
    upsert = text(
        f"INSERT INTO inventory ({cols}, import_id, updated_at) SELECT {cols}, :import_id, :now "
        f"FROM {_STAGE} WHERE true ON CONFLICT (device_id) DO UPDATE SET {sets}"
    ).bindparams(bindparam("import_id", type_=Integer), bindparam("now", type_=DateTime(timezone=True)))
    conn.execute(upsert, {"import_id": import_id, "now": now})
    return {"rows": int(total), "inserted": int(total - updated), "updated": int(updated)}


def inventory_frame(conn: Connection, supplier: str | None) -> pl.DataFrame:
    """The inventory (or one supplier's) in the normalised schema, ordered by Device ID."""
    from cpl_data.inventory import SCHEMA

    dialect = conn.dialect.name
    mark = "%s" if dialect == "postgresql" else "?"
    sql = f"SELECT {', '.join(INVENTORY_COLUMNS)} FROM inventory"
    params: tuple[str, ...] = ()
    if supplier is not None:
        sql += f" WHERE supplier = {mark}"
        params = (supplier,)
    cur: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql + " ORDER BY device_id", params)
        rows = cur.fetchall()
    finally:
        cur.close()
    frame = pl.DataFrame(rows, schema=list(INVENTORY_COLUMNS), orient="row", infer_schema_length=None)
    return frame.with_columns(
        (pl.col(c).str.to_date("%Y-%m-%d") if frame[c].dtype == pl.String else pl.col(c)).alias(c)
        for c in _DATES
    ).cast(SCHEMA)  # type: ignore[arg-type]
