"""Where the store is: ``--db``, else ``HUBCHECK_DB``, else a file in the user's data directory.

Kept apart from the store itself so that naming a store costs no SQLAlchemy import.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

__all__ = ["ENV_DB", "default_db_path", "resolve_db_url", "sqlite_file_of"]

ENV_DB = "HUBCHECK_DB"


def default_db_path() -> Path:
    """The default SQLite file, in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hubcheck", appauthor=False)) / "hubcheck.sqlite"


def resolve_db_url(value: str | None = None) -> str:
    """An SQLAlchemy URL from ``--db``, else ``HUBCHECK_DB``, else the default SQLite file.

    A value without ``://`` is a file path for SQLite.
    """
    raw = value or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" in raw:
        return raw
    path = Path(raw).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def sqlite_file_of(value: str | None = None) -> Path | None:
    """The SQLite file a plain ``sqlite:///FILE`` URL or a path names (as :func:`resolve_db_url`
    reads ``value``), else None: a server's URL, memory, or a URL with a driver or query options.

    Only the simple spellings are read here, without SQLAlchemy; anything else is left to it.

    >>> sqlite_file_of("sqlite:////var/hub.sqlite")
    PosixPath('/var/hub.sqlite')
    >>> sqlite_file_of("postgresql://u@h/db") is None
    True
    """
    raw = value or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" not in raw:
        return Path(raw).expanduser()
    prefix = "sqlite:///"
    if not raw.startswith(prefix) or "?" in raw:
        return None
    file = unquote(raw[len(prefix) :])
    return None if file in ("", ":memory:") else Path(file).expanduser()
