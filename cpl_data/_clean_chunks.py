"""The batch's fast path: a chunk proven clean on its distinct values, or no answer at all.

:func:`~cpl_data.inventory.check_inventory` finds, names and rejects every bad cell, and keeps
64-bit keys of every Device ID so that a stream can name the row that repeats an earlier one.
A national inventory is almost always clean, and then all of that is work thrown away.
:func:`clean_chunk` asks only "is every cell of this chunk good?", as cheaply as it can be
answered, and returns the normalised columns exactly as ``check_inventory`` would (the same
rules, :data:`cpl_data._inventory_checks.RULES`, on the same distinct values); at the first
doubt it returns None and the caller runs ``check_inventory``, which then says what is wrong and
where. So a bad row is reported by the one code path that always reported it.

What makes it cheap:

- low-cardinality columns (device type, manufacturer, model, firmware, status, CSP region,
  dates read as text) are checked on their distinct values, a few hundred per chunk;
- status histories too: a fleet holds a few thousand distinct histories, not one per row, and
  the same ones chunk after chunk (those found good once are not checked again);
- Device IDs pass one vectorised regex (canonical ``00-DB-12-34-56-78-90-A0``; any other
  spelling, or a missing one, is left to the full check);
- duplicates are found on 64-bit hashes of the Device IDs (:class:`HashedIds`): a hash is a few
  nanoseconds where the exact key costs a parse; equal hashes send the whole job to the full
  check, which decides exactly (two distinct IDs sharing a hash only cost that detour);
- ``supplier`` and ``han_variant`` are not looked at: no rule rejects them and the batch does
  not read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpl_data._inventory_checks import (
    EUI_DASHED,
    RULES,
    Checked,
    by_value,
    check_dates,
    check_history,
)
from cpl_data.inventory import INVENTORY_COLUMNS, REQUIRED_COLUMNS, SCHEMA

__all__ = ["CHECKED_COLUMNS", "HashedIds", "clean_chunk"]

#: The columns a bad cell can be in (the rest, supplier and han_variant, are only tidied).
CHECKED_COLUMNS: Final[tuple[str, ...]] = tuple(
    c for c in INVENTORY_COLUMNS if c not in ("supplier", "han_variant")
)
_IDS: Final = ("device_id", "gpf_device_id")
_DATES: Final = ("status_since", "tsat_install_end")
#: One seed for every chunk of a job: equal IDs must hash alike across chunks.
_SEED: Final = 0x5EED


def _survey(raw: pl.DataFrame) -> dict[str, object]:
    """In one parallel pass: whether the Device IDs are all present and canonical, and every
    other checked column's distinct values (dates stored as dates need none)."""
    exprs: list[pl.Expr] = []
    for col in CHECKED_COLUMNS:
        if col not in raw.columns:
            continue
        text = pl.col(col).cast(pl.String)
        if col == "device_id":
            exprs.append((text.str.contains(EUI_DASHED).all() & (text.null_count() == 0)).alias(col))
        elif col == "gpf_device_id":
            exprs.append(text.str.contains(EUI_DASHED).fill_null(True).all().alias(col))
        elif not (col in _DATES and raw[col].dtype in (pl.Date, pl.Datetime)):
            exprs.append(text.unique().implode().alias(col))
    return raw.select(exprs).row(0, named=True)


def _text(s: pl.Series) -> pl.Series:
    return s if s.dtype == pl.String else s.cast(pl.String)


def _history(s: pl.Series, values: list[str | None], known: set[str] | None = None) -> Checked:
    """:func:`check_history` on the distinct histories, mapped back to the rows.

    ``known`` holds histories found good and canonical in earlier chunks (they are not checked
    again) and gains this chunk's.
    """
    fresh = values if known is None else [v for v in values if v is None or v not in known]
    distinct = pl.Series("v", fresh, dtype=pl.String)
    checked = check_history(distinct)
    if checked.why is not None:
        return Checked(s, checked.why)  # a bad one: the caller needs only to know that
    if checked.values.equals(distinct):
        if known is not None:
            known.update(v for v in fresh if v is not None)
        return Checked(s)
    table = pl.DataFrame({"v": distinct, "norm": checked.values})
    if known is not None:  # the known ones map to themselves (and another thread may add more)
        checked_now = set(fresh)
        kept = [v for v in values if v not in checked_now]
        table = pl.concat([table, pl.DataFrame({"v": kept, "norm": kept}, schema=table.schema)])
    mapped = s.to_frame("v").join(table, on="v", how="left", nulls_equal=True, maintain_order="left")
    return Checked(mapped["norm"].alias(s.name))


def _checked(raw: pl.DataFrame, col: str, survey: dict[str, object], known: set[str] | None) -> Checked:
    s = raw[col]
    if col in _IDS:
        return Checked(_text(s)) if survey[col] else Checked(s, s)  # any doubt: not clean
    if col in _DATES and s.dtype in (pl.Date, pl.Datetime):
        return check_dates(s)
    values = survey[col]
    assert isinstance(values, list)
    if col == "status_history":
        return _history(_text(s), values, known)
    return by_value(_text(s), RULES[col], distinct=pl.Series(col, values, dtype=pl.String))


def clean_chunk(
    raw: pl.DataFrame, columns: Sequence[str], known_histories: set[str] | None = None
) -> pl.DataFrame | None:
    """``columns`` of ``raw`` as :func:`~cpl_data.inventory.check_inventory` leaves them, when
    no cell of ``raw`` would be rejected; None when one might be (then run ``check_inventory``).

    Duplicate Device IDs are not looked for here: see :class:`HashedIds`. ``columns`` are among
    :data:`CHECKED_COLUMNS` (a missing optional one is filled as ``check_inventory`` fills it);
    raises ValueError for another. ``known_histories``, shared by the chunks of a stream, spares
    checking again the status histories an earlier chunk held (a set: threads may share it).
    """
    if unchecked := [c for c in columns if c not in CHECKED_COLUMNS]:
        raise ValueError(f"not checked on the fast path: {', '.join(unchecked)}")
    raw = raw.rename({c: c.strip().lower() for c in raw.columns if c != c.strip().lower()})
    if len(set(raw.columns)) != raw.width or any(c not in raw.columns for c in REQUIRED_COLUMNS):
        return None
    survey = _survey(raw)
    out: dict[str, pl.Series] = {}
    for col in CHECKED_COLUMNS:
        if col not in raw.columns:
            continue
        checked = _checked(raw, col, survey, known_histories)
        if checked.why is not None:
            return None
        out[col] = checked.values
    n = raw.height
    return pl.DataFrame(
        [
            out[c].alias(c)
            if c in out
            else pl.repeat("CHF" if c == "device_type" else None, n, dtype=SCHEMA[c], eager=True).alias(c)
            for c in columns
        ]
    )


class HashedIds:
    """64-bit hashes of every Device ID of a stream, to tell at the end whether any repeats.

    8 bytes a row, as the exact check keeps. No repeat is the answer for almost every
    inventory, and then it is exact; a repeated hash means a repeated ID or (about once in
    2**64 / rows**2 jobs) two IDs that collide, and either way the caller runs the exact check.
    """

    def __init__(self) -> None:
        self._runs: list[npt.NDArray[np.uint64]] = []

    @staticmethod
    def of(ids: pl.Series) -> npt.NDArray[np.uint64]:
        """The hashes of a chunk's Device IDs (thread-safe: call it from the workers)."""
        return ids.hash(seed=_SEED).to_numpy()

    def add(self, hashes: npt.NDArray[np.uint64]) -> None:
        """Remember a chunk's hashes."""
        self._runs.append(hashes)

    def any_repeated(self) -> bool:
        """Whether two rows added so far share a hash."""
        if not self._runs:
            return False
        ordered = pl.Series(np.concatenate(self._runs)).sort().to_numpy()
        return bool((ordered[1:] == ordered[:-1]).any())
