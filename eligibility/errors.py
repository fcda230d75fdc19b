"""The one exception tree of hubcheck.

Every error hubcheck raises on purpose descends from :class:`HubcheckError`::

    HubcheckError
     ├── InputError (ValueError)            a value a person typed is malformed
     │    ├── InvalidIdentifier               Device ID, manufacturer, model
     │    ├── InvalidFirmwareVersion          firmware value
     │    ├── InvalidDate                     a date in the wrong form
     │    └── UnknownChoice                   a policy, status, format ... not in the list
     ├── DataError (ValueError)             a file's content is wrong; carries every Problem
     ├── ReferenceDataMissing (LookupError) no CPL imported yet, or the wrong one asked for
     └── NotFound (LookupError)             a hub, model or import that does not exist

The edges (CLI, HTTP) map these to exit codes and status codes in one place each, and
third-party exceptions are translated into this tree where they are raised (the readers),
so that nothing reaches a person as a bare traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "DataError",
    "HubcheckError",
    "InputError",
    "InvalidDate",
    "InvalidFirmwareVersion",
    "InvalidIdentifier",
    "NotFound",
    "Problem",
    "ReferenceDataMissing",
    "UnknownChoice",
    "excerpt",
]

#: How much of a value a message quotes: enough to recognise it, never a whole body echoed back.
EXCERPT: int = 40


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """``repr(value)`` cut to about ``limit`` characters, saying how long the whole was.

    >>> excerpt("2026-11-28")
    "'2026-11-28'"
    >>> excerpt("9" * 1000, 8)
    "'99999999'... (1,000 characters)"
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


class HubcheckError(Exception):
    """Root of every error hubcheck raises on purpose."""


class InputError(HubcheckError, ValueError):
    """A value given by a person or a program is malformed.

    ``field`` names the input (``--model``, ``device_id`` ...) so the edge can point at it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidIdentifier(InputError):
    """A Device ID, manufacturer identifier or Device Model is malformed."""


class InvalidFirmwareVersion(InputError):
    """A firmware version is not 8 hex digits (or 1-8 where padding is allowed)."""


class InvalidDate(InputError):
    """A date is not in the ISO form ``YYYY-MM-DD``."""


class UnknownChoice(InputError):
    """A value is not one of a fixed list (policy, SMI status, version format ...)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file: where, what value, and what to do about it."""

    message: str
    source: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    line: int | None = None
    #: what kind of fault, when many problems share one cause (``dropped leading zeros``): a
    #: person reads a summary grouped by kind before the detail
    kind: str | None = None

    def __str__(self) -> str:
        return self.describe()

    def describe(self, *, with_source: bool = True) -> str:
        """One line: where (file, line, row, column), the value, and what to do."""
        where = []
        if self.source and with_source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        head = ", ".join(where)
        value = f" value {self.value!r}:" if self.value is not None else ""
        return f"{head}:{value} {self.message}" if head else f"{value} {self.message}".strip()


class DataError(HubcheckError, ValueError):
    """A file (or a request body) could not be used; ``problems`` lists every fault found.

    Nothing was written: the import is refused whole.
    """

    def __init__(self, summary: str, problems: Iterable[Problem] = ()) -> None:
        self.summary = summary
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.problems:
            return self.summary
        lines = [f"{self.summary} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        # The summary names the file already; repeating it on every line only adds noise.
        sources = {p.source for p in self.problems}
        with_source = not (len(sources) == 1 and str(next(iter(sources))) in self.summary)
        lines.extend(f"  - {p.describe(with_source=with_source)}" for p in self.problems)
        return "\n".join(lines)


class ReferenceDataMissing(HubcheckError, LookupError):
    """The reference data needed (a CPL, a catalogue) has not been imported."""


class NotFound(HubcheckError, LookupError):
    """A hub, Device Model or import does not exist (or is not visible to the caller)."""
