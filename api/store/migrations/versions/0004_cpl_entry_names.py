"""CPL entries: whether ``listed_on`` was inferred, and the vendor's version name from the notes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a NOT NULL column with a default in place on every version
    with op.batch_alter_table("cpl_entries") as t:
        t.add_column(sa.Column("listed_on_inferred", sa.Boolean, nullable=False, server_default=sa.false()))
        t.add_column(sa.Column("version_name", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("cpl_entries") as t:
        t.drop_column("version_name")
        t.drop_column("listed_on_inferred")
