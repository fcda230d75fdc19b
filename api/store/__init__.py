"""The embedded store: SQLite (WAL) by default, any SQLAlchemy URL through ``--db``/``HUBCHECK_DB``.

Every import is one transaction: it lands whole or not at all, and is recorded in the audit
table (refused ones too, with why). Opening a store brings its schema to the newest migration.
Each CPL or catalogue import also stores a compiled snapshot of the reference data
(:mod:`api.store.snapshot`), which ``hubcheck check`` reads without opening the store at all.

This package's own names are loaded on first use: :class:`Store` needs SQLAlchemy (a few
hundred milliseconds to import), and a CLI command that only names a store, or reads its
snapshot, should not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from api.store._location import ENV_DB, default_db_path, resolve_db_url

if TYPE_CHECKING:
    from api.store._audit import Actor
    from api.store._store import ImportOutcome, Store, hub_from_rows

__all__ = ["ENV_DB", "Actor", "ImportOutcome", "Store", "default_db_path", "hub_from_rows", "resolve_db_url"]

#: The names :func:`__getattr__` loads from the store's modules on first use.
_LAZY = {"Actor": "api.store._audit", "ImportOutcome": "api.store._store", "Store": "api.store._store"}
_LAZY["hub_from_rows"] = "api.store._store"


def __getattr__(name: str) -> Any:
    """Load ``Store`` and its companions when first asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
