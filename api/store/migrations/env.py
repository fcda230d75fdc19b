"""Alembic environment: migrations run programmatically on a connection the store hands over.

``api.store.migrate.upgrade`` passes its open connection in ``config.attributes``; there is no
alembic.ini and no command-line use.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
# render_as_batch: SQLite alters a table by copying it; alembic does that for us.
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
