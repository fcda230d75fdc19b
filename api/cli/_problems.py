"""Refusals and warnings as a person reads them: a summary grouped by kind, then capped detail.

A re-saved CPL is refused for 1,341 cells, nearly all one cause; a CSV import without its history
carries 765 warnings of three kinds. Listing them first buries the one that matters (the corrupt
cell at row 483). So: first the count of each kind, with the columns or the rows it touches, then
the detail, capped on a terminal; ``--details FILE`` writes every line in full.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from api.cli._common import err_console
from api.cli._output import indented
from eligibility.errors import DataError, Problem

__all__ = ["DETAIL_LINES", "print_refusal", "print_warnings", "write_details"]

#: Detail lines shown on a terminal before "... N more".
DETAIL_LINES: Final = 20
#: Up to this many problems are simply listed: a summary of three lines would only repeat them.
_FEW: Final = 8
#: Kinds listed in a summary (the rest are counted together).
_KINDS_SHOWN: Final = 6


@dataclass
class _Group:
    label: str
    problems: list[Problem] = field(default_factory=list)

    def where(self) -> str:
        """The cells of one problem, or the columns and rows many share."""
        if len(self.problems) == 1:
            p = self.problems[0]
            return replace(p, source=None, message="").describe().rstrip(": ")
        columns = list(dict.fromkeys(p.column for p in self.problems if p.column))
        rows = [p.row for p in self.problems if p.row is not None]
        where = []
        if columns:
            names = ", ".join(columns[:4]) + (f" and {len(columns) - 4} more" if len(columns) > 4 else "")
            where.append(f"{len(columns)} column{'s' if len(columns) > 1 else ''} ({names})")
        if rows:
            lo, hi = min(rows), max(rows)
            where.append(f"row {lo}" if lo == hi else f"rows {lo}-{hi}")
        return ", ".join(where)


def _groups(problems: Sequence[Problem]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for p in problems:
        label = p.kind or p.message
        groups.setdefault(label, _Group(label)).problems.append(p)
    return sorted(groups.values(), key=lambda g: -len(g.problems))


def _terminal() -> bool:
    return sys.stderr.isatty()


def say(text: str, indent: int = 0, hang: int = 0) -> None:
    """A line on stderr: word-wrapped (with a hanging indent) where the width is known, else whole."""
    indented(text, indent, hang=hang, to=err_console)


def _counted(rows: Sequence[tuple[int, str]]) -> None:
    """Lines that start with a count, the counts aligned and the text wrapped beside them."""
    width = max(len(f"{n:,}") for n, _ in rows)
    for n, text in rows:
        say(f"{n:>{width},}  {text}", 2, hang=width + 2)


def write_details(path: Path, lines: Sequence[str]) -> None:
    """Write every line to ``path`` (UTF-8) and say so."""
    try:
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        say(f"--details: {path} was not written ({exc.strerror})")
        return
    say(f"all {len(lines):,} written to {path}")


def _detail(lines: Sequence[str], details: Path | None) -> None:
    # capped on a terminal, and when the full list goes to a file; a pipe (a log) gets every line
    shown = lines[:DETAIL_LINES] if _terminal() or details is not None else lines
    for line in shown:
        say(f"- {line}", 2, hang=2)
    if len(shown) < len(lines):
        rest = "in the --details file" if details is not None else "--details FILE writes them all"
        say(f"... {len(lines) - len(shown):,} more: {rest}", 2)
    if details is not None:
        write_details(details, lines)


def print_refusal(exc: DataError, details: Path | None) -> None:
    """``error: <summary>``, then how many problems of each kind, then the problems one by one."""
    problems = exc.problems
    n = len(problems)
    say(f"error: {exc.summary} ({n:,} problem{'s' if n != 1 else ''}):")
    sources = {p.source for p in problems}
    with_source = not (len(sources) == 1 and str(next(iter(sources))) in exc.summary)
    lines = [p.describe(with_source=with_source) for p in problems]
    groups = _groups(problems)
    if n > _FEW and len(groups) < n:
        shown = groups[:_KINDS_SHOWN]
        rows = [(len(g.problems), f"{g.label}: {g.where()}" if g.where() else g.label) for g in shown]
        rest = groups[_KINDS_SHOWN:]
        if rest:
            rows.append((sum(len(g.problems) for g in rest), f"of {len(rest)} other kinds"))
        _counted(rows)
        say("one by one:")
    _detail(lines, details)


_VARYING = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"  # dates
    r"|\b[0-9A-F]{8}\b"  # firmware versions and models
    r"|\b[0-9A-F]{4}\b"  # manufacturer identifiers
    r"|\b\d+(?:\.\d+)+\b"  # CPL and vendor versions
    r"|\b\d+\b"  # entry numbers, counts
)


def _shape(warning: str) -> str:
    """A warning with its particulars masked: warnings of one kind share a shape."""
    return _VARYING.sub("#", warning)


def print_warnings(warnings: Sequence[str], *, listed: bool, details: Path | None) -> None:
    """One summary line and a line per kind (its first warning); every warning with ``listed``."""
    if not warnings:
        return
    kinds: dict[str, list[str]] = {}
    for w in warnings:
        kinds.setdefault(_shape(w), []).append(w)
    n = len(warnings)
    how = [] if listed else ["--warnings lists each"]
    if details is None:
        how.append("--details FILE writes them all")
    hint = f"; {', '.join(how)}" if how and n > 1 else ""
    many = f", of {len(kinds)} kinds" if len(kinds) > 1 else ""
    say(f"{n:,} warning{'s' if n != 1 else ''}{many}{hint}:")
    if listed:
        _detail(list(warnings), None)
    else:
        ordered = sorted(kinds.values(), key=len, reverse=True)
        rows = [
            (len(same), same[0] if len(same) == 1 else f"like {same[0]}") for same in ordered[:_KINDS_SHOWN]
        ]
        rest = ordered[_KINDS_SHOWN:]
        if rest:
            rows.append((sum(map(len, rest)), f"of {len(rest)} other kinds"))
        _counted(rows)
    if details is not None:
        write_details(details, list(warnings))
