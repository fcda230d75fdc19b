"""The SMI side of a hub: statuses, status history, housekeeping policies and removal dates.

SEC Appendix AC 7.2: a device that has remained 'pending' for 12 months is removed from the
SMI. hubcheck names the policies being argued over (SECMP0060) and lets a person build others:

| policy | months | exempt |
| --- | --- | --- |
| ``sec-ac-7.2`` (default) | 12 | nothing |
| ``secmp0060`` | 36 | nothing |
| ``history-aware`` | 12 | devices whose status history never held anything but Pending |
| ``exclusion-list`` | 12 | the device types listed (default CHF, GPF) |

A device is off the SMI on and after its removal date (``status_since`` + months, calendar
months, a missing day clamped to the month's last).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date
from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict

from eligibility.dates import add_months, parse_date
from eligibility.errors import InputError, UnknownChoice

__all__ = [
    "DEVICE_TYPES",
    "INSTALLABLE",
    "POLICIES",
    "SMI_STATUSES",
    "DeviceType",
    "HousekeepingPolicy",
    "SmiStatus",
    "StatusChange",
    "parse_device_type",
    "parse_history",
    "parse_policy",
    "parse_status",
]

SmiStatus = Literal[
    "Pending",
    "Whitelisted",
    "InstalledNotCommissioned",
    "Commissioned",
    "Decommissioned",
    "Withdrawn",
    "Suspended",
    "Recovery",
    "Recovered",
]
SMI_STATUSES: Final[tuple[str, ...]] = get_args(SmiStatus)
INSTALLABLE: Final[frozenset[str]] = frozenset({"Pending", "InstalledNotCommissioned"})

DeviceType = Literal["ESME", "GSME", "GPF", "CHF", "HCALCS", "PPMID", "IHD", "CAD"]
DEVICE_TYPES: Final[tuple[str, ...]] = get_args(DeviceType)

_STATUS_BY_KEY = {s.lower(): s for s in SMI_STATUSES}
_STATUS_BY_KEY.update({s.lower().replace("notcommissioned", " not commissioned"): s for s in SMI_STATUSES})


def parse_status(text: str, *, field: str = "status") -> str:
    """An SMI status in its DUIS spelling, from any case.

    >>> parse_status("installednotcommissioned")
    'InstalledNotCommissioned'

    Raises UnknownChoice listing the statuses DUIS knows.
    """
    key = text.strip().lower().replace("_", "")
    found = _STATUS_BY_KEY.get(key)
    if found is None:
        raise UnknownChoice(
            f"{field}: {text!r} is not an SMI status; use one of {', '.join(SMI_STATUSES)}", field=field
        )
    return found


def parse_device_type(text: str, *, field: str = "device_type") -> str:
    """A DUIS device type (``CHF``, ``GPF`` ...), from any case; raises UnknownChoice."""
    key = text.strip().upper()
    if key not in DEVICE_TYPES:
        raise UnknownChoice(
            f"{field}: {text!r} is not a device type; use one of {', '.join(DEVICE_TYPES)}", field=field
        )
    return key


class StatusChange(BaseModel):
    """One step of a device's SMI status history: the status, and from when (if known)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    status: str
    since: date | None = None


_ITEM_SPLIT = re.compile(r"[;,]")


def parse_history(text: str, *, field: str = "status_history") -> tuple[StatusChange, ...]:
    """A status history, oldest first: ``Status:YYYY-MM-DD;...`` (dates optional, ``,`` also splits).

    >>> [c.status for c in parse_history("Commissioned:2019-03-01;Decommissioned:2021-05-02;Pending:2021-06-01")]
    ['Commissioned', 'Decommissioned', 'Pending']

    Raises InputError naming the item at fault.
    """
    out: list[StatusChange] = []
    for i, raw in enumerate(p.strip() for p in _ITEM_SPLIT.split(text)):
        if not raw:
            continue
        status, _, when = raw.partition(":")
        where = f"{field} item {i + 1}"
        since = parse_date(when, field=where) if when.strip() else None
        out.append(StatusChange(status=parse_status(status, field=where), since=since))
    for a, b in itertools.pairwise(out):
        if a.since and b.since and b.since < a.since:
            raise InputError(
                f"{field}: {b.status}:{b.since} comes after {a.status}:{a.since}; give the history oldest first",
                field=field,
            )
    return tuple(out)


class HousekeepingPolicy(BaseModel):
    """A housekeeping rule: remove Pending devices after ``months``, except those exempt."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    months: int = 12
    exclude_types: frozenset[str] = frozenset()
    history_aware: bool = False

    def exempt(self, device_type: str, history: Sequence[StatusChange] | None, status: str) -> bool:
        """True when the policy never removes this device.

        An absent history means only the current status is known: a Pending device with no
        history counts as warehouse stock under ``history-aware``.
        """
        if device_type in self.exclude_types:
            return True
        if self.history_aware:
            statuses = [c.status for c in history] if history else []
            return all(s == "Pending" for s in [*statuses, status])
        return False

    def exempt_reason(
        self, device_type: str, history: Sequence[StatusChange] | None, status: str
    ) -> str | None:
        """Why the policy never removes this device, in words an installer reads; None when it may.

        >>> POLICIES["exclusion-list"].exempt_reason("CHF", None, "Pending")
        'CHF is on the exclusion list of exclusion-list'
        """
        if device_type in self.exclude_types:
            return f"{device_type} is on the exclusion list of {self.name}"
        if self.exempt(device_type, history, status):
            return f"it never left Pending (warehouse stock), and {self.name} never removes such a device"
        return None

    def removal_date(
        self, device_type: str, status: str, status_since: date | None, history: Sequence[StatusChange] | None
    ) -> date | None:
        """When a Pending device leaves the SMI; None if not Pending, exempt, or the date is unknown."""
        if status != "Pending" or status_since is None or self.exempt(device_type, history, status):
            return None
        return add_months(status_since, self.months)

    def describe(self) -> str:
        """The policy in words, for reports."""
        parts = [f"{self.months} month{'s' if self.months != 1 else ''} pending"]
        if self.exclude_types:
            parts.append("never " + "/".join(sorted(self.exclude_types)))
        if self.history_aware:
            parts.append("never devices that were only ever Pending")
        return f"{self.name}: removal after " + "; ".join(parts)


POLICIES: Final[dict[str, HousekeepingPolicy]] = {
    "sec-ac-7.2": HousekeepingPolicy(name="sec-ac-7.2", months=12),
    "secmp0060": HousekeepingPolicy(name="secmp0060", months=36),
    "history-aware": HousekeepingPolicy(name="history-aware", months=12, history_aware=True),
    "exclusion-list": HousekeepingPolicy(
        name="exclusion-list", months=12, exclude_types=frozenset({"CHF", "GPF"})
    ),
}

_TOKEN_SPLIT = re.compile(r"[;\s]+")


def parse_policy(text: str, *, field: str = "policy") -> HousekeepingPolicy:
    """A named policy, or a custom one built from ``key=value`` tokens separated by ``;``.

    >>> parse_policy("secmp0060").months
    36
    >>> p = parse_policy("months=24;exclude=CHF,GPF;history-aware")
    >>> (p.months, sorted(p.exclude_types), p.history_aware)
    (24, ['CHF', 'GPF'], True)
    >>> parse_policy("exclusion-list;exclude=GPF").exclude_types
    frozenset({'GPF'})

    A custom policy may start from a named one (its first token). Keys: ``months=N``,
    ``exclude=T1,T2`` (device types), ``history-aware`` (or ``history_aware=yes|no``).
    Raises UnknownChoice for an unknown name or key, InputError for a bad value.
    """
    tokens = [t for t in _TOKEN_SPLIT.split(text.strip()) if t]
    if not tokens:
        raise UnknownChoice(
            f"{field}: empty; use one of {', '.join(POLICIES)} or e.g. 'months=24;exclude=CHF,GPF'",
            field=field,
        )
    base = POLICIES.get(tokens[0].lower())
    if base is not None and len(tokens) == 1:
        return base
    months = base.months if base else 12
    exclude = set(base.exclude_types) if base else set()
    history_aware = base.history_aware if base else False
    for tok in tokens[1:] if base else tokens:
        key, eq, value = tok.partition("=")
        key = key.lower().replace("_", "-")
        if key == "months" and eq:
            if not value.isdigit() or not 1 <= int(value) <= 600:
                raise InputError(
                    f"{field}: months={value!r}; expected a whole number of months from 1 to 600", field=field
                )
            months = int(value)
        elif key in ("exclude", "exclude-types") and eq:
            exclude = {parse_device_type(t, field=f"{field} exclude") for t in value.split(",") if t.strip()}
        elif key == "history-aware":
            if eq and value.lower() not in ("yes", "no", "true", "false", "1", "0"):
                raise InputError(f"{field}: history-aware={value!r}; expected yes or no", field=field)
            history_aware = not eq or value.lower() in ("yes", "true", "1")
        else:
            raise UnknownChoice(
                f"{field}: {tok!r} is not a policy or policy setting; use one of {', '.join(POLICIES)}, or build one "
                "from months=N;exclude=CHF,GPF;history-aware",
                field=field,
            )
    parts = [f"months={months}"]
    if exclude:
        parts.append("exclude=" + ",".join(sorted(exclude)))
    if history_aware:
        parts.append("history-aware")
    return HousekeepingPolicy(
        name="custom(" + ";".join(parts) + ")",
        months=months,
        exclude_types=frozenset(exclude),
        history_aware=history_aware,
    )
