"""API keys in the store: created, listed, revoked, and looked up by hash; every change audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from api.auth import Principal, hash_key, new_key, parse_role
from api.store._audit import Actor, bump, now, record
from api.store.schema import api_keys
from eligibility.errors import NotFound

__all__ = ["create", "listing", "lookup", "revoke"]


def create(
    conn: Connection, role: str, party: str | None, label: str | None, actor: Actor
) -> tuple[str, str]:
    """A new key for ``role`` (and ``party``); returns (key id, key). Only the hash is stored."""
    role, party = parse_role(role, party)
    key_id, key = new_key()
    conn.execute(
        insert(api_keys).values(
            id=key_id,
            key_hash=hash_key(key),
            role=role,
            party=party,
            label=label,
            created_at=now(),
            created_by=actor.name,
        )
    )
    record(conn, actor, "key_create", "committed", what=key_id, counts={"role": role, "party": party})
    bump(conn)
    return key_id, key


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every key (never the key itself), oldest first."""
    rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)).mappings()
    return [{k: v for k, v in r.items() if k != "key_hash"} for r in rows]


def revoke(conn: Connection, key_id: str, actor: Actor) -> bool:
    """Revoke a key by id; False when it was revoked already. Raises NotFound for an unknown id."""
    key_id = key_id.strip().removeprefix("hck_").split("_")[0]
    row = conn.execute(select(api_keys.c.revoked_at).where(api_keys.c.id == key_id)).first()
    if row is None:
        raise NotFound(f"no API key with id {key_id!r}; `hubcheck keys list` shows the ids")
    if row.revoked_at is not None:
        return False
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=now()))
    record(conn, actor, "key_revoke", "committed", what=key_id)
    bump(conn)
    return True


def lookup(conn: Connection, key: str) -> Principal | None:
    """The principal of a valid (known, unrevoked) key, else None."""
    row = conn.execute(
        select(api_keys.c.id, api_keys.c.role, api_keys.c.party, api_keys.c.revoked_at).where(
            api_keys.c.key_hash == hash_key(key)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, row.role, row.party)
