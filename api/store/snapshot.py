"""The compiled snapshot of the reference data, and its reader that needs no SQLAlchemy.

``hubcheck check`` needs the latest CPL and the active catalogue. Rebuilding them from the
store's rows costs a query per table, a validation per row and a TOML parse of the catalogue,
and opening the store costs SQLAlchemy's import; together most of a second. So every change
that moves the store's ``reference_generation`` (a CPL import, a catalogue import or clear)
also writes, in its own transaction, one plain JSON document of both (``reference_snapshot``,
migration 0005). A reader takes it only when

- its ``format`` is :data:`FORMAT` (a change to the document's shape bumps it: older
  snapshots are then ignored, and rebuilt by the next reader that opens the store), and
- its ``reference_generation`` is the store's (it was written with the change it reflects);

otherwise it builds the reference afresh from the rows. The document is data, never code
(JSON validated by the same pydantic models the rows are), so loading it is safe.

:func:`read_file` reads an SQLite store's snapshot with the standard library's ``sqlite3``,
read-only, after checking the schema is at :data:`~api.store._head.HEAD`; anything unexpected
answers None and the caller opens the store as usual.
"""

from __future__ import annotations

import sqlite3
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from api.store._head import HEAD

if TYPE_CHECKING:
    from eligibility.catalogue import Catalogue
    from eligibility.cpl import Cpl
    from eligibility.reference import Reference

__all__ = ["FORMAT", "decode", "encode", "read_file", "stored_document"]

#: The document's shape. Bump it whenever :class:`_Document` or a model in it changes shape.
FORMAT: Final = 1


@cache
def _document() -> Any:
    """The document's model: what a fresh build reads from the store's rows, and nothing else.

    Made on first use, so that finding the stored document (:func:`stored_document`) needs no
    pydantic.
    """
    from pydantic import ConfigDict, create_model

    from eligibility.catalogue import Catalogue
    from eligibility.cpl import Cpl

    return create_model(
        "SnapshotDocument",
        __config__=ConfigDict(frozen=True),
        cpl=(Cpl, ...),
        catalogue=(Catalogue | None, None),
    )


def encode(cpl: Cpl, catalogue: Catalogue | None) -> str:
    """The snapshot document of ``cpl`` and ``catalogue`` (JSON text)."""
    text: str = _document()(cpl=cpl, catalogue=catalogue).model_dump_json()
    return text


def decode(text: str | bytes) -> Reference:
    """The reference data of a snapshot document. Raises ValueError (pydantic's ValidationError)
    for one that is not valid."""
    from eligibility.reference import Reference

    doc = _document().model_validate_json(text)
    return Reference(doc.cpl, doc.catalogue)


_QUERY = (
    "SELECT s.format, s.content FROM reference_snapshot AS s "
    "JOIN store_state AS g ON g.id = 1 AND g.reference_generation = s.reference_generation "
    "WHERE s.id = 1"
)


def read_file(path: Path) -> Reference | None:
    """The current snapshot of the SQLite store at ``path``; None when there is none to trust.

    None means: no such file, not a store at :data:`HEAD`, no snapshot, another format, a
    snapshot older than the store's reference data, or one that does not validate. The caller
    then opens the store (which migrates it, says what is wrong, or builds afresh).
    """
    text = stored_document(path)
    if text is None:
        return None
    try:
        return decode(text)
    except ValueError:
        return None


def stored_document(path: Path) -> str | None:
    """The current snapshot document of the SQLite store at ``path``, not yet validated (see
    :func:`read_file`); None when there is none of this format and generation."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
            return None
        row = conn.execute(_QUERY).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if row is None or row[0] != FORMAT:
        return None
    return str(row[1])
