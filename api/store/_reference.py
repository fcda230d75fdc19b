"""Reading the reference data (latest CPL, active catalogue) on a connection, and its snapshot.

Functions of a connection, so that an import can rebuild the snapshot inside its own
transaction (a second connection would not see the rows it has not committed yet).
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from api.store import _audit
from api.store.schema import catalogues, cpl_entries, cpl_history, cpl_versions, reference_snapshot
from api.store.snapshot import FORMAT, decode, encode
from cpl_data.catalogue import load_catalogue
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl, CplEntry, CplIssue
from eligibility.errors import ReferenceDataMissing
from eligibility.reference import Reference

__all__ = ["active_catalogue", "entries", "load_cpl", "load_snapshot", "save_snapshot"]


def entries(conn: Connection, cpl_id: int) -> list[CplEntry]:
    """A stored CPL version's entries, in entry-number order."""
    rows = conn.execute(
        select(cpl_entries).where(cpl_entries.c.cpl_id == cpl_id).order_by(cpl_entries.c.number)
    ).mappings()
    return [CplEntry.model_validate({k: v for k, v in r.items() if k != "cpl_id"}) for r in rows]


def load_cpl(conn: Connection, version: str | None = None) -> Cpl:
    """The CPL of ``version``, or the latest issued one.

    Raises ReferenceDataMissing when no CPL (or not that version) is stored.
    """
    q = select(cpl_versions)
    if version is not None:
        q = q.where(cpl_versions.c.version == version)
    row = (
        conn.execute(q.order_by(cpl_versions.c.issued_on.desc(), cpl_versions.c.id.desc()).limit(1))
        .mappings()
        .first()
    )
    if row is None:
        if version is not None:
            raise ReferenceDataMissing(
                f"CPL version {version} is not in the store; `hubcheck cpl list` shows what is"
            )
        raise ReferenceDataMissing(
            "no CPL has been imported into this store; import one first: hubcheck cpl import FILE"
        )
    history = [
        CplIssue(version=h.version, issued_on=h.issued_on, notes=h.notes)
        for h in conn.execute(
            select(cpl_history).where(cpl_history.c.cpl_id == row["id"]).order_by(cpl_history.c.seq)
        )
    ]
    return Cpl(
        version=row["version"],
        issued_on=row["issued_on"],
        entries=tuple(entries(conn, row["id"])),
        history=tuple(history),
    )


def active_catalogue(conn: Connection) -> Catalogue | None:
    """The active catalogue, or None when none is."""
    row = conn.execute(
        select(catalogues.c.content, catalogues.c.source).where(catalogues.c.active.is_(True)).limit(1)
    ).first()
    if row is None:
        return None
    return load_catalogue(row.content.encode(), source=row.source).catalogue


def save_snapshot(conn: Connection) -> None:
    """Write the snapshot of the reference data as ``conn`` sees it (none while no CPL is stored)."""
    conn.execute(delete(reference_snapshot))
    try:
        cpl = load_cpl(conn)
    except ReferenceDataMissing:
        return
    _, generation = _audit.generation(conn)
    conn.execute(
        insert(reference_snapshot).values(
            id=1,
            format=FORMAT,
            reference_generation=generation,
            cpl_version=cpl.version,
            built_at=_audit.now(),
            content=encode(cpl, active_catalogue(conn)),
        )
    )


def load_snapshot(conn: Connection) -> Reference | None:
    """The stored snapshot when it is current and of this code's format, else None."""
    _, generation = _audit.generation(conn)
    row = conn.execute(
        select(reference_snapshot.c.content).where(
            reference_snapshot.c.id == 1,
            reference_snapshot.c.format == FORMAT,
            reference_snapshot.c.reference_generation == generation,
        )
    ).first()
    if row is None:
        return None
    try:
        return decode(row.content)
    except ValueError:
        return None
