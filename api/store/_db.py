"""Opening the database: SQLite in WAL mode with real transactions, or any other SQLAlchemy URL.

Python's sqlite3 module opens a transaction only before an INSERT/UPDATE/DELETE, so reads
and DDL would run outside it. The store takes transactions into its own hands (the recipe
SQLAlchemy documents for pysqlite): the driver is put in autocommit mode and the store says
``BEGIN`` itself, and ``BEGIN IMMEDIATE`` for a write, which takes the write lock up front so
that two writers queue instead of one failing halfway with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

__all__ = ["open_engine", "write"]

_WRITE = "hubcheck_write"


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the store says BEGIN itself (see the module docstring)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a power cut may lose the last commits, never corrupt; a killed
    # process loses nothing that was committed (the WAL is in the OS's hands).
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, real transactions and a generous busy timeout."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed when the block ends, rolled back if it raises."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn
