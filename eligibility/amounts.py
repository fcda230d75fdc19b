"""Amounts of money hubcheck reads (tariffs, return charges): finite, not negative, bounded.

A tariff of ``Infinity`` or ``1e308`` is no tariff: it overflows every total it enters (and
JSON cannot carry the result). :data:`MAX_GBP` is far above any real charge (DP238's return
charges are under GBP 60 a hub), low enough that a fleet's totals stay finite.
"""

from __future__ import annotations

import math
from typing import Final

from eligibility.errors import InputError

__all__ = ["MAX_GBP", "parse_gbp"]

#: The largest amount, in GBP, hubcheck takes for one hub (a month's charge or one return).
MAX_GBP: Final = 10_000.0


def parse_gbp(value: float, *, field: str = "tariff") -> float:
    """``value`` when it is a finite amount from 0 to MAX_GBP; raises InputError naming ``field``.

    >>> parse_gbp(2.5)
    2.5
    """
    if not math.isfinite(value) or not 0 <= value <= MAX_GBP:
        raise InputError(
            f"{field}: {value!r} is not an amount hubcheck takes; give GBP from 0 to {MAX_GBP:,.0f}",
            field=field,
        )
    return value
