"""Dates as hubcheck reads and counts them: one grammar, one range, calendar-month arithmetic.

Every date hubcheck reads (install dates, status dates, history dates, TSAT end dates, report
dates) is ``YYYY-MM-DD`` with ASCII digits, and lies in :data:`EARLIEST` .. :data:`LATEST`.
Python's ``date.fromisoformat`` takes more (``20261105``, ``2026-W48-1``, a time after the
date): hubcheck does not, so the same text means the same thing on every path (the service's
cached answers too). The range keeps a typo or a placeholder such as ``9999-12-31`` from
reaching arithmetic that would overflow (a removal date 36 months after it), and is wide
enough for any real SMI record: the DCC's network went live in 2013.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Annotated, Final

from pydantic import AfterValidator

from eligibility.errors import InvalidDate, excerpt

__all__ = ["EARLIEST", "LATEST", "Day", "add_months", "check_range", "parse_date"]

#: The first and last dates hubcheck accepts anywhere.
EARLIEST: Final = date(1990, 1, 1)
LATEST: Final = date(2100, 12, 31)
#: The one grammar (ASCII digits only: ``\d`` would take other scripts' digits).
_ISO: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_range(d: date, *, field: str = "date") -> date:
    """``d`` itself when it lies in EARLIEST..LATEST; raises InvalidDate naming ``field`` otherwise.

    >>> check_range(date(2026, 11, 28))
    datetime.date(2026, 11, 28)
    """
    if EARLIEST <= d <= LATEST:
        return d
    raise InvalidDate(
        f"{field}: {d.isoformat()} is out of range; hubcheck takes dates from {EARLIEST} to {LATEST}",
        field=field,
    )


def _in_range(d: date) -> date:
    return check_range(d, field="date")


#: A date field of a model (a catalogue's ``production_from`` ...): any date, within the range.
Day = Annotated[date, AfterValidator(_in_range)]


def parse_date(text: str, *, field: str = "date") -> date:
    """Parse a date ``YYYY-MM-DD`` (surrounding blanks ignored) within EARLIEST..LATEST.

    >>> parse_date("2020-02-29")
    datetime.date(2020, 2, 29)

    Raises InvalidDate naming ``field``, the form expected and the range.
    """
    s = text.strip()
    if _ISO.fullmatch(s):
        try:
            d = date(int(s[:4]), int(s[5:7]), int(s[8:]))
        except ValueError:
            pass
        else:
            return check_range(d, field=field)
    raise InvalidDate(
        f"{field}: {excerpt(text)} is not a date; expected YYYY-MM-DD, e.g. 2026-11-28 "
        f"(from {EARLIEST} to {LATEST})",
        field=field,
    )


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
