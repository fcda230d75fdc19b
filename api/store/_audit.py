"""The audit trail and the change counters, written inside the transaction of what they record."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from api.store.schema import audit, store_state

__all__ = ["Actor", "bump", "generation", "now", "record", "set_counts"]


@dataclass(frozen=True)
class Actor:
    """Who did something: an API key (``key:<id>`` with its role and party) or a CLI user."""

    name: str
    role: str | None = None
    party: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        """The person at the command line (the CLI is used by whoever holds the store)."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry in some containers
            user = "unknown"
        return cls(f"cli:{user}")


def now() -> datetime:
    """The time stamp of an event (UTC)."""
    return datetime.now(UTC)


def record(
    conn: Connection,
    actor: Actor,
    event: str,
    status: str,
    *,
    what: str | None = None,
    sha256: str | None = None,
    counts: dict[str, Any] | None = None,
    detail: str = "",
) -> int:
    """Add one audit row; returns its id (an import's id)."""
    key = conn.execute(
        insert(audit).values(
            at=now(),
            actor=actor.name,
            role=actor.role,
            party=actor.party,
            event=event,
            status=status,
            what=what,
            sha256=sha256,
            counts=json.dumps(counts or {}, default=str),
            detail=detail,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def set_counts(conn: Connection, audit_id: int, counts: dict[str, Any]) -> None:
    """Fill in the counts of an audit row written before they were known."""
    conn.execute(update(audit).where(audit.c.id == audit_id).values(counts=json.dumps(counts, default=str)))


def bump(conn: Connection, *, reference: bool = False) -> None:
    """Move the change counter (and the reference counter when the CPL or catalogue changed)."""
    values: dict[str, Any] = {"generation": store_state.c.generation + 1}
    if reference:
        values["reference_generation"] = store_state.c.reference_generation + 1
    conn.execute(update(store_state).where(store_state.c.id == 1).values(**values))


def generation(conn: Connection) -> tuple[int, int]:
    """(generation, reference_generation) as committed."""
    row = conn.execute(
        select(store_state.c.generation, store_state.c.reference_generation).where(store_state.c.id == 1)
    ).one()
    return int(row[0]), int(row[1])
