"""The store's tables (SQLAlchemy Core); their history is in ``api/store/migrations``.

Reference data: every imported CPL version with its entries and Version Control history
(older versions are kept: the timeline and any past verdict's evidence need them), and every
imported catalogue. The inventory, keyed by supplier and Device ID. The service's API keys (hashes only),
the audit trail of every import and key event, and ``store_state``: counters each import or
key event bumps in its own transaction, so every process serving the store knows when to
drop its caches and reload its reference data.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "api_keys",
    "audit",
    "catalogues",
    "cpl_entries",
    "cpl_history",
    "cpl_versions",
    "inventory",
    "metadata",
    "reference_snapshot",
    "store_state",
]

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
    Column("listed_on_inferred", Boolean, nullable=False, default=False),
    Column("version_name", String(32)),
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

#: One row per SMI device *of one supplier*: the key is (``supplier_key``, ``device_id``), so the
#: same Device ID held by two suppliers is two rows, each its owner's (a data quality finding for
#: the DCC, never a way into the other's). ``supplier_key`` is ``eligibility.suppliers.supplier_key``
#: of ``supplier`` ('' for none); the store keeps one spelling of ``supplier`` per key. A hub's
#: CHF row names its GPF in ``gpf_device_id``; it pairs only with that supplier's GPF row.
#: Columns follow the inventory files (see docs/formats.md).
inventory = Table(
    "inventory",
    metadata,
    Column("supplier_key", String(255), primary_key=True),
    Column("device_id", String(23), primary_key=True),
    Column("gpf_device_id", String(23)),
    Column("device_type", String(8), nullable=False),
    Column("manufacturer", String(4), nullable=False),
    Column("model", String(8), nullable=False),
    Column("firmware", String(8), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_since", Date),
    Column("status_history", Text),
    Column("supplier", String(64)),
    Column("csp_region", String(16)),
    Column("han_variant", String(32)),
    Column("tsat_install_end", Date),
    Column("import_id", Integer),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_inventory_device_id", "device_id"),
    Index("ix_inventory_owner_gpf", "supplier_key", "gpf_device_id"),
)

#: One row per import (CPL, catalogue, inventory), refused ones included, and per key event.
#: ``id`` of an import row is the import id the API answers with (``GET /v1/imports/{id}``).
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16)),
    Column("party", String(64)),
    Column("event", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("what", String(255)),
    Column("sha256", String(64)),
    Column("counts", Text, nullable=False, default="{}"),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_audit_event", "event"),
)

#: API keys: only a SHA-256 of each key is kept (keys are 256 random bits, so a fast hash is
#: enough); ``id`` is the public part printed by ``hubcheck keys list``.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("party", String(64)),
    Column("label", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

#: A single row (id 1): ``generation`` moves on every committed import or key event,
#: ``reference_generation`` only when the CPL or the active catalogue changes.
store_state = Table(
    "store_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("reference_generation", Integer, nullable=False),
)

#: A single row (id 1): the latest CPL and the active catalogue as one plain JSON document
#: (``api.store.snapshot``), rewritten in the transaction of every change that moves
#: ``reference_generation``. A reader trusts it only when ``format`` is the code's and the
#: generation is the store's; otherwise it builds the reference afresh.
reference_snapshot = Table(
    "reference_snapshot",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("format", Integer, nullable=False),
    Column("reference_generation", Integer, nullable=False),
    Column("cpl_version", String(16), nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False),
    Column("content", Text, nullable=False),
)
