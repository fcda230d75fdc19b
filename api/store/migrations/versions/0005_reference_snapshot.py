"""The compiled snapshot of the reference data: one row, rewritten by every CPL or catalogue change.

Revision ID: 0005
Revises: 0004

A store upgraded to this revision has no snapshot yet; the first reader builds it (see
``api.store.snapshot``), so the migration needs none of hubcheck's own code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_snapshot",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("reference_generation", sa.Integer, nullable=False),
        sa.Column("cpl_version", sa.String(16), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reference_snapshot")
