"""A throwaway database on a PostgreSQL server, for the tests and the benchmarks.

:func:`scratch_database` creates a database of a fresh name on the server ``server_url`` names
(an SQLAlchemy URL of any database there, whose role may create databases), yields its URL, and
drops it afterwards. A connection of a role made inside the database can outlive the caller's
stores for a moment on a busy machine (only that role may end it): the drop collects garbage and
retries for a few seconds before it gives up.
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["scratch_database"]


@contextmanager
def scratch_database(server_url: str, prefix: str = "hubcheck") -> Iterator[str]:
    """A fresh database on ``server_url``'s server as a URL (with its password), dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            for attempt in range(10):
                gc.collect()  # the caller's stores close their pooled connections when collected
                try:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    break
                except Exception:
                    if attempt == 9:
                        raise
                    time.sleep(0.5)
    finally:
        admin.dispose()
