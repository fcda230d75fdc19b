"""Housekeeping policies in force at a date: a rule changes on a date, and history is not rewritten.

A **policy timeline** names the policy in force from each date: ``sec-ac-7.2`` until SECMP0060 is
implemented, ``secmp0060`` from then on. A device's removal date is the first date on which the
policy then in force removes it: for step i, in force on [s_i, s_{i+1}), the candidate is
``max(s_i, status_since + months_i)`` when step i's policy does not exempt the device, and it
counts only if it falls before s_{i+1}. So a hub the 12-month rule removed stays removed when a
36-month rule begins, and a hub the 12-month rule had not yet removed is judged by 36 months
from then on. Steps are in date order, so the first candidate that counts is the earliest.

A single named policy is a timeline of one step. Text form (``--policy``): steps separated by
``,``, each step after the first ending in ``@YYYY-MM-DD``, the date it comes into force:
``sec-ac-7.2,secmp0060@2023-04-01``; a step may be a custom policy
(``sec-ac-7.2,months=24;exclude=GPF@2024-01-01``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

from pydantic import BaseModel, ConfigDict

from eligibility.dates import add_months, parse_date
from eligibility.errors import InputError
from eligibility.smi import DEVICE_TYPES, HousekeepingPolicy, StatusChange, parse_policy

__all__ = ["Policy", "PolicyStep", "PolicyTimeline", "as_timeline", "parse_policies", "parse_timeline"]


class PolicyStep(BaseModel):
    """One policy and the date it comes into force (None: in force from the start)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    start: date | None
    policy: HousekeepingPolicy


class PolicyTimeline(BaseModel):
    """The housekeeping policy in force from each date; ``name`` is its text form."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    steps: tuple[PolicyStep, ...]

    @classmethod
    def of(cls, policy: HousekeepingPolicy) -> PolicyTimeline:
        """A single policy as a timeline of one step."""
        return cls(name=policy.name, steps=(PolicyStep(start=None, policy=policy),))

    def in_force(self, d: date) -> HousekeepingPolicy:
        """The policy in force on ``d``."""
        current = self.steps[0].policy
        for step in self.steps[1:]:
            if step.start is not None and step.start <= d:
                current = step.policy
        return current

    def removal(
        self, device_type: str, status: str, status_since: date | None, history: Sequence[StatusChange] | None
    ) -> tuple[date, HousekeepingPolicy] | None:
        """When a Pending device leaves the SMI, and the policy that removes it; None if never."""
        if status != "Pending" or status_since is None:
            return None
        for i, step in enumerate(self.steps):
            pol = step.policy
            if pol.exempt(device_type, history, status):
                continue
            when = add_months(status_since, pol.months)
            if step.start is not None and when < step.start:
                when = step.start  # already past the months when the policy came into force
            end = self.steps[i + 1].start if i + 1 < len(self.steps) else None
            if end is None or when < end:
                return when, pol
        return None

    def removal_date(
        self, device_type: str, status: str, status_since: date | None, history: Sequence[StatusChange] | None
    ) -> date | None:
        """When a Pending device leaves the SMI; None if not Pending, never removed, or the date is unknown."""
        got = self.removal(device_type, status, status_since, history)
        return None if got is None else got[0]

    def exempt(self, device_type: str, history: Sequence[StatusChange] | None, status: str) -> bool:
        """True when no policy of the timeline ever removes this device."""
        return all(s.policy.exempt(device_type, history, status) for s in self.steps)

    def exempt_reason(
        self, device_type: str, history: Sequence[StatusChange] | None, status: str
    ) -> str | None:
        """Why no policy of the timeline removes this device, in words; None when one does."""
        if not self.exempt(device_type, history, status):
            return None
        whys = [s.policy.exempt_reason(device_type, history, status) for s in self.steps]
        return "; ".join(dict.fromkeys(w for w in whys if w))

    def describe(self) -> str:
        """The timeline in words, for reports."""
        if len(self.steps) == 1:
            return self.steps[0].policy.describe()
        parts = []
        for i, step in enumerate(self.steps):
            end = self.steps[i + 1].start if i + 1 < len(self.steps) else None
            span = "" if step.start is None else f"from {step.start.isoformat()}"
            if end is not None:
                until = f"until {(end - timedelta(days=1)).isoformat()}"
                span = f"{span} {until}".strip()
            parts.append(f"{step.policy.describe()} ({span})")
        return "; then ".join(parts)


#: What eligibility functions take: one policy, or a timeline of them.
Policy = HousekeepingPolicy | PolicyTimeline


def as_timeline(policy: Policy) -> PolicyTimeline:
    """Any policy as a timeline (a single policy is one step)."""
    return policy if isinstance(policy, PolicyTimeline) else _one_step(policy)


@lru_cache(maxsize=256)
def _one_step(policy: HousekeepingPolicy) -> PolicyTimeline:
    # a verdict asks for every device: build the one-step timeline once per policy
    return PolicyTimeline.of(policy)


# A comma starts a new step (or policy) unless a device type follows it, so that a custom policy
# keeps the commas of its exclude list ("months=24;exclude=CHF,GPF").
_NEXT: Final = re.compile(r",\s*(?!(?:" + "|".join(DEVICE_TYPES) + r")\b)", re.IGNORECASE)
_FROM: Final = re.compile(r"@\s*(\S+)\s*$")


def _segments(text: str) -> list[tuple[str, str | None]]:
    """``(policy text, date text or None)`` for each comma-separated step."""
    out = []
    for seg in _NEXT.split(text.strip()):
        seg = seg.strip()
        if not seg:
            continue
        m = _FROM.search(seg)
        out.append((seg[: m.start()].strip(), m.group(1)) if m else (seg, None))
    return out


def _timeline(steps: list[tuple[str, str | None]], field: str) -> PolicyTimeline:
    built: list[PolicyStep] = []
    for i, (text, when) in enumerate(steps):
        if i == 0 and when is not None:
            raise InputError(
                f"{field}: the first policy ({text}@{when}) is in force from the start; give it no date, e.g. "
                "sec-ac-7.2,secmp0060@2023-04-01",
                field=field,
            )
        start = parse_date(when, field=f"{field} ({text}@)") if when is not None else None
        prev = built[-1].start if built else None
        if i > 0 and start is not None and prev is not None and start <= prev:
            raise InputError(
                f"{field}: {text} comes into force on {start.isoformat()}, not after the step before it "
                f"({prev.isoformat()}); give the steps in date order",
                field=field,
            )
        built.append(PolicyStep(start=start, policy=parse_policy(text, field=field)))
    name = ",".join(
        s.policy.name if s.start is None else f"{s.policy.name}@{s.start.isoformat()}" for s in built
    )
    return PolicyTimeline(name=name, steps=tuple(built))


def parse_timeline(text: str, *, field: str = "policy") -> PolicyTimeline:
    """A policy or a policy timeline from its text.

    >>> t = parse_timeline("sec-ac-7.2,secmp0060@2023-04-01")
    >>> [(s.policy.months, s.start) for s in t.steps]
    [(12, None), (36, datetime.date(2023, 4, 1))]
    >>> parse_timeline("months=24;exclude=CHF,GPF").steps[0].policy.exclude_types == {"CHF", "GPF"}
    True

    Raises UnknownChoice for an unknown policy, InputError for a step without a date (or dates
    out of order) and InvalidDate for a bad date.
    """
    steps = _segments(text)
    if not steps:
        parse_policy(text, field=field)  # its message for an empty policy
    for i, (part, when) in enumerate(steps):
        if i > 0 and when is None:
            raise InputError(
                f"{field}: {part} follows another policy but says not when it comes into force; write "
                f"{part}@YYYY-MM-DD (e.g. sec-ac-7.2,secmp0060@2023-04-01)",
                field=field,
            )
    return _timeline(steps, field)


def parse_policies(text: str, *, field: str = "--policies") -> list[PolicyTimeline]:
    """Policies and timelines to compare, comma-separated: a step with ``@DATE`` continues the one before.

    >>> [t.name for t in parse_policies("sec-ac-7.2,secmp0060,sec-ac-7.2,secmp0060@2023-04-01")]
    ['sec-ac-7.2', 'secmp0060', 'sec-ac-7.2,secmp0060@2023-04-01']
    """
    groups: list[list[tuple[str, str | None]]] = []
    for part, when in _segments(text):
        if when is not None and groups:
            groups[-1].append((part, when))
        else:
            groups.append([(part, when)])
    if not groups:
        parse_policy(text, field=field)
    return [_timeline(g, field) for g in groups]
