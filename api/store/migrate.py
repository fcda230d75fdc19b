"""Schema migrations (Alembic), run programmatically whenever a store is opened.

A store made before migrations existed (tables, no ``alembic_version``) is recognised as
revision 0001 and upgraded from there. Checking the revision costs one query, read without
Alembic; Alembic (a second to import) is only loaded when there is something to do. Concurrent openers (several server workers starting at
once) are serialised by the write lock, so the second finds the work done.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, Engine, inspect, text

from api.store._db import write
from api.store._head import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["HEAD", "current_revision", "upgrade"]

SCRIPTS: Final = Path(__file__).with_name("migrations")


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None for an empty database).

    Read as Alembic's ``MigrationContext.get_current_revision`` reads it (one row of
    ``alembic_version``), without importing Alembic. Raises RuntimeError when the table holds
    several heads (hubcheck's history is linear).
    """
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:
        raise RuntimeError(f"the store's alembic_version holds {len(rows)} revisions; expected one")
    return str(rows[0][0]) if rows else None


def _config(conn: Connection) -> Config:
    from alembic.config import Config

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
        from alembic import command

        cfg = _config(conn)
        if rev is None and inspect(conn).has_table("cpl_versions"):
            command.stamp(cfg, "0001")  # made by the CLI before migrations existed
        command.upgrade(cfg, "head")
