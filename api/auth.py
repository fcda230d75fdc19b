"""Who may do what: roles, their permissions, API keys and the principal a key stands for.

| role | may |
| --- | --- |
| ``installer`` | see the verdict of its supplier's hubs; ad-hoc checks; read the CPL |
| ``supplier`` | that, plus batch checks, importing its own hubs, reading its own imports, risk on its own fleet |
| ``dcc`` | every hub, batch, CPL, catalogue and inventory imports for anyone, every import, charging exclusions, risk on any fleet, data quality findings (Device IDs two suppliers hold) |
| ``admin`` | everything the DCC may (keys are made with the ``hubcheck keys`` command) |

A key is ``hck_<id>_<secret>``: the id is public (``hubcheck keys list`` shows it), the whole key
is stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final, Literal, get_args

from api.errors import Forbidden
from eligibility.errors import InputError, UnknownChoice
from eligibility.suppliers import supplier_name

__all__ = [
    "PARTY_ROLES",
    "PERMISSIONS",
    "ROLES",
    "Permission",
    "Principal",
    "Role",
    "hash_key",
    "new_key",
    "parse_role",
    "with_article",
]

Role = Literal["installer", "supplier", "dcc", "admin"]
ROLES: Final[tuple[str, ...]] = get_args(Role)
#: Roles that act for one supplier (their keys name it: ``--party``).
PARTY_ROLES: Final[frozenset[str]] = frozenset({"installer", "supplier"})

Permission = Literal[
    "hub:read",  # a hub's verdict (of one's own supplier unless also hub:any)
    "hub:any",  # ... of any supplier
    "check",  # ad-hoc verdicts from attributes in the body
    "batch",
    "cpl:read",
    "cpl:import",
    "catalogue:import",
    "inventory:import",  # own hubs unless also hub:any
    "import:read",  # own imports unless also hub:any
    "risk",  # risk queries, on one's own fleet unless also hub:any
    "charging",  # Stock Level Charge exclusions (every supplier's stock)
    "quality",  # data quality findings across suppliers (never shown to a supplier)
]

_INSTALLER: Final[frozenset[Permission]] = frozenset({"hub:read", "check", "cpl:read"})
_SUPPLIER: Final[frozenset[Permission]] = _INSTALLER | {"batch", "inventory:import", "import:read", "risk"}
_DCC: Final[frozenset[Permission]] = _SUPPLIER | {
    "hub:any",
    "cpl:import",
    "catalogue:import",
    "charging",
    "quality",
}
PERMISSIONS: Final[dict[str, frozenset[Permission]]] = {
    "installer": _INSTALLER,
    "supplier": _SUPPLIER,
    "dcc": _DCC,
    "admin": _DCC,
}


def with_article(word: str) -> str:
    """A role's (or a thing's) name after its indefinite article, for messages built from it.

    >>> with_article("installer"), with_article("supplier"), with_article("admin")
    ('an installer', 'a supplier', 'an admin')
    """
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a key: its role and, for installers and suppliers, their supplier."""

    key_id: str
    role: str
    party: str | None

    @property
    def sees_all(self) -> bool:
        """May see and write every supplier's hubs."""
        return "hub:any" in PERMISSIONS[self.role]

    @property
    def supplier_scope(self) -> str | None:
        """The one supplier whose hubs this caller may see, or None for all of them."""
        return None if self.sees_all else self.party

    def may(self, permission: Permission) -> bool:
        """The role has ``permission``."""
        return permission in PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Raises Forbidden unless the role has ``permission``."""
        if permission not in PERMISSIONS[self.role]:
            may = ", ".join(r for r in ROLES if permission in PERMISSIONS[r])
            raise Forbidden(
                f"{with_article(self.role)} key may not do this ({permission}); it needs a key of role {may}"
            )


def parse_role(text: str, party: str | None, *, field: str = "--role") -> tuple[str, str | None]:
    """Check a role and its party: installers and suppliers need one, the others take none.

    >>> parse_role("supplier", "Octopus")
    ('supplier', 'Octopus')

    Raises UnknownChoice for an unknown role, InputError for a party given or missing wrongly.
    """
    role = text.strip().lower()
    if role not in ROLES:
        raise UnknownChoice(f"{field}: {text!r} is not a role; use one of {', '.join(ROLES)}", field=field)
    given = bool(party)  # a party of blanks alone is still a party given
    party = supplier_name(party, field="--party") if party and party.strip() else None
    if role in PARTY_ROLES and not party:
        raise InputError(
            f"--party: {with_article(role)} key acts for one supplier; give it, e.g. --party 'Northwind Energy'",
            field="--party",
        )
    if role not in PARTY_ROLES and given:
        raise InputError(
            f"--party: {with_article(role)} key sees every supplier; leave --party out", field="--party"
        )
    return role, party


def hash_key(key: str) -> str:
    """The SHA-256 under which a key is stored (keys carry 256 random bits: no slow hash needed)."""
    return hashlib.sha256(key.strip().encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh (key id, key): ``hck_<id>_<secret>``."""
    key_id = secrets.token_hex(4)
    return key_id, f"hck_{key_id}_{secrets.token_urlsafe(32)}"
