"""Schema migrations (Alembic), run programmatically whenever a store is opened.

A store made before migrations existed (tables, no ``alembic_version``) is recognised as
revision 0001 and upgraded from there. Checking the revision costs one query; Alembic is only
loaded when there is something to do. Concurrent openers (several server workers starting at
once) are serialised by the write lock, so the second finds the work done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from api.store._db import write

__all__ = ["HEAD", "current_revision", "upgrade"]

#: The newest revision; a test checks it is the head of ``migrations/versions``.
HEAD: Final = "0004"
SCRIPTS: Final = Path(__file__).with_name("migrations")


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    return MigrationContext.configure(conn).get_current_revision()


def _config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to ``HEAD``, in one transaction."""
    with engine.connect() as conn:
        if current_revision(conn) == HEAD:
            return
    with write(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727600)"))  # one migrator at a time
        rev = current_revision(conn)
        if rev == HEAD:
            return
        cfg = _config(conn)
        if rev is None and inspect(conn).has_table("cpl_versions"):
            command.stamp(cfg, "0001")  # made by the CLI before migrations existed
        command.upgrade(cfg, "head")
