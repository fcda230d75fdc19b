"""Dates as hubcheck reads and counts them: ISO input, calendar-month arithmetic."""

from __future__ import annotations

import calendar
from datetime import date

from eligibility.errors import InvalidDate

__all__ = ["add_months", "parse_date"]


def parse_date(text: str, *, field: str = "date") -> date:
    """Parse an ISO date ``YYYY-MM-DD``.

    >>> parse_date("2020-02-29")
    datetime.date(2020, 2, 29)

    Raises InvalidDate naming ``field`` and the expected form.
    """
    s = text.strip()
    try:
        if len(s) != 10:
            raise ValueError(s)
        return date.fromisoformat(s)
    except ValueError:
        raise InvalidDate(
            f"{field}: {text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-28", field=field
        ) from None


def add_months(d: date, months: int) -> date:
    """``d`` plus calendar months; a day missing in the target month clamps to its last day.

    >>> add_months(date(2020, 2, 29), 12)
    datetime.date(2021, 2, 28)
    >>> add_months(date(2021, 1, 31), 1)
    datetime.date(2021, 2, 28)
    """
    total = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(total, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))
