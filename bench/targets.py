"""Issue 11's table, row by row, as the benchmarks of one ``make bench`` measured it.

Each benchmark prints its own figures as it goes and :func:`record` s the rows the issue names;
``python -m bench`` prints them together at the end, each beside its target and the command that
measures it alone, so one run gives the whole table (the README's performance table is one such
run on an idle machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["Row", "record", "rows", "table"]


@dataclass(frozen=True)
class Row:
    """One measured row: what, the figure, the target, whether it is met, how to rerun it."""

    what: str
    figure: str
    target: str
    met: bool
    command: str
    #: what the same measurement gives with none of hubcheck's work (the stack or the I/O alone)
    floor: str | None = None


_ROWS: Final[list[Row]] = []


def record(what: str, figure: str, target: str, met: bool, command: str, *, floor: str | None = None) -> None:
    """Keep a row for the summary (a benchmark run alone keeps them unprinted)."""
    _ROWS.append(Row(what, figure, target, met, command, floor))


def rows() -> list[Row]:
    """The rows recorded so far, in order."""
    return list(_ROWS)


def table(recorded: list[Row] | None = None) -> str:
    """The rows as plain text, three lines each (four with a floor), within 80 columns.

    >>> print(table([Row("hubcheck --help", "0.13 s", "<= 0.25 s", True, "python -m bench.cli")]))
    == issue 11: every row of its table, beside its target ==
    hubcheck --help
        0.13 s                      target <= 0.25 s                  met
        rerun: python -m bench.cli
    1 of 1 targets met
    """
    recorded = rows() if recorded is None else recorded
    lines = ["== issue 11: every row of its table, beside its target =="]
    for r in recorded:
        lines.append(r.what)
        lines.append(f"    {r.figure:<27} target {r.target:<26} {'met' if r.met else 'MISSED'}")
        if r.floor is not None:
            lines.append(f"    floor: {r.floor}")
        lines.append(f"    rerun: {r.command}")
    met = sum(r.met for r in recorded)
    lines.append(f"{met} of {len(recorded)} targets met")
    return "\n".join(lines)
