"""The newest schema revision, importable without SQLAlchemy or Alembic (the snapshot reader checks it)."""

from __future__ import annotations

from typing import Final

__all__ = ["HEAD"]

#: The newest revision; a test checks it is the head of ``migrations/versions``.
HEAD: Final = "0005"
