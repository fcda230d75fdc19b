"""The inventory keyed by (supplier, Device ID): one supplier's rows never pair with, shadow or block another's.

Until 0002 the inventory was keyed by Device ID alone, so a row one supplier imported could
take the place of (or pair with, or lock out) a row of another. From here each row belongs to
one supplier: ``supplier_key`` (the matching form of ``supplier``, '' for none) joins the
primary key. The table is rebuilt (SQLite cannot change a primary key in place) in one
``INSERT ... SELECT``; the keys are computed by the one function every endpoint matches
supplier names with, and each supplier keeps one spelling of its name (its most used one).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.schema import SchemaItem

from eligibility.suppliers import supplier_key

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

_COLUMNS = (
    "device_id, gpf_device_id, device_type, manufacturer, model, firmware, status, status_since, "
    "status_history, supplier, csp_region, han_variant, tsat_install_end, import_id, updated_at"
)


def _inventory(name: str, *, owned: bool) -> list[SchemaItem]:
    key: list[SchemaItem] = (
        [sa.Column("supplier_key", sa.String(255), nullable=False, server_default="")] if owned else []
    )
    return [
        *key,
        sa.Column("device_id", sa.String(23), nullable=False),
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
        sa.PrimaryKeyConstraint(
            *(("supplier_key", "device_id") if owned else ("device_id",)), name=f"pk_{name}"
        ),
    ]


def upgrade() -> None:
    op.create_table("inventory_owned", *_inventory("inventory_owned", owned=True))
    op.execute(f"INSERT INTO inventory_owned ({_COLUMNS}) SELECT {_COLUMNS} FROM inventory")
    conn = op.get_bind()
    used = conn.execute(sa.text("SELECT supplier, count(*) FROM inventory_owned GROUP BY supplier")).all()
    names = sorted(((-int(n), str(s)) for s, n in used if s), key=lambda t: t)
    spelling: dict[str, str] = {}
    for _, name in names:
        spelling.setdefault(supplier_key(name), name)  # one spelling per supplier: its most used
    for _, name in names:
        key = supplier_key(name)
        conn.execute(
            sa.text(
                "UPDATE inventory_owned SET supplier_key = :key, supplier = :shown WHERE supplier = :name"
            ),
            {"key": key, "shown": spelling[key], "name": name},
        )
    op.drop_table("inventory")
    op.rename_table("inventory_owned", "inventory")
    op.create_index("ix_inventory_device_id", "inventory", ["device_id"])
    op.create_index("ix_inventory_owner_gpf", "inventory", ["supplier_key", "gpf_device_id"])


def downgrade() -> None:
    # Device IDs held by two suppliers cannot go back to one row each: keep the first supplier's.
    op.create_table("inventory_shared", *_inventory("inventory_shared", owned=False))
    op.execute(
        f"INSERT INTO inventory_shared ({_COLUMNS}) SELECT {_COLUMNS} FROM inventory i "
        "WHERE i.supplier_key = (SELECT min(o.supplier_key) FROM inventory o WHERE o.device_id = i.device_id)"
    )
    op.drop_table("inventory")
    op.rename_table("inventory_shared", "inventory")
    op.create_index("ix_inventory_supplier", "inventory", ["supplier"])
    op.create_index("ix_inventory_gpf_device_id", "inventory", ["gpf_device_id"])
