"""Reference data and the inventory, as the CLI created them before migrations existed.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cpl_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(16), nullable=False, unique=True),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("shape", sa.String(16), nullable=False),
        sa.Column("history_source", sa.String(255)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(64)),
        sa.Column("warnings", sa.Text, nullable=False),
    )
    op.create_table(
        "cpl_entries",
        sa.Column(
            "cpl_id", sa.Integer, sa.ForeignKey("cpl_versions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("device_type", sa.String(64), nullable=False),
        sa.Column("manufacturer", sa.String(4), nullable=False),
        sa.Column("model", sa.String(8), nullable=False),
        sa.Column("firmware", sa.String(8), nullable=False),
        sa.Column("smets_chts", sa.String(32)),
        sa.Column("gbcs", sa.String(32)),
        sa.Column("image_hash", sa.String(64)),
        sa.Column("listed_on", sa.Date),
        sa.Column("removed_on", sa.Date),
    )
    op.create_table(
        "cpl_history",
        sa.Column(
            "cpl_id", sa.Integer, sa.ForeignKey("cpl_versions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
    )
    op.create_table(
        "catalogues",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(64)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_catalogue_content"),
    )
    op.create_table(
        "inventory",
        sa.Column("device_id", sa.String(23), primary_key=True),
        sa.Column("gpf_device_id", sa.String(23)),
        sa.Column("device_type", sa.String(8), nullable=False),
        sa.Column("manufacturer", sa.String(4), nullable=False),
        sa.Column("model", sa.String(8), nullable=False),
        sa.Column("firmware", sa.String(8), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_since", sa.Date),
        sa.Column("status_history", sa.Text),
        sa.Column("supplier", sa.String(64)),
        sa.Column("csp_region", sa.String(16)),
        sa.Column("han_variant", sa.String(32)),
        sa.Column("tsat_install_end", sa.Date),
        sa.Column("import_id", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_inventory_supplier", "inventory", ["supplier"])


def downgrade() -> None:
    for table in ("inventory", "catalogues", "cpl_history", "cpl_entries", "cpl_versions"):
        op.drop_table(table)
