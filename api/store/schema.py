"""The store's tables (SQLAlchemy Core).

Reference data: every imported CPL version with its entries and Version Control history
(older versions are kept: the timeline and any past verdict's evidence need them), and every
imported catalogue. Each import is one transaction.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["catalogues", "cpl_entries", "cpl_history", "cpl_versions", "inventory", "metadata"]

metadata = MetaData()

cpl_versions = Table(
    "cpl_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(16), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("source", String(255), nullable=False),
    Column("shape", String(16), nullable=False),
    Column("history_source", String(255)),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(64)),
    Column("warnings", Text, nullable=False, default="[]"),
)

cpl_entries = Table(
    "cpl_entries",
    metadata,
    Column("cpl_id", Integer, ForeignKey("cpl_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("status", String(8), nullable=False),
    Column("device_type", String(64), nullable=False),
    Column("manufacturer", String(4), nullable=False),
    Column("model", String(8), nullable=False),
    Column("firmware", String(8), nullable=False),
    Column("smets_chts", String(32)),
    Column("gbcs", String(32)),
    Column("image_hash", String(64)),
    Column("listed_on", Date),
    Column("removed_on", Date),
)

cpl_history = Table(
    "cpl_history",
    metadata,
    Column("cpl_id", Integer, ForeignKey("cpl_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("version", String(16), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("notes", Text, nullable=False, default=""),
)

catalogues = Table(
    "catalogues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("source", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(64)),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("sha256", name="uq_catalogue_content"),
)

#: One row per SMI device (a hub's CHF row names its GPF in ``gpf_device_id``; the GPF may have
#: its own row with its own status). Columns follow the inventory files (see the README).
inventory = Table(
    "inventory",
    metadata,
    Column("device_id", String(23), primary_key=True),
    Column("gpf_device_id", String(23)),
    Column("device_type", String(8), nullable=False),
    Column("manufacturer", String(4), nullable=False),
    Column("model", String(8), nullable=False),
    Column("firmware", String(8), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_since", Date),
    Column("status_history", Text),
    Column("supplier", String(64), index=True),
    Column("csp_region", String(16)),
    Column("han_variant", String(32)),
    Column("tsat_install_end", Date),
    Column("import_id", Integer),
    Column("updated_at", DateTime(timezone=True)),
)
