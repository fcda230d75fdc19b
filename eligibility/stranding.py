"""When a (Device Model, firmware) strands: the first date from D on which it has no plan.

A hub *strands* when the firmware gates block it: its Device Model is not on the CPL (never
listed, or every entry removed), the CPL lists its model as another device type, its firmware
was never listed, or no over-the-air plan reaches the window (``NO_UPGRADE_PATH``).
Those gates depend only on (Device Model, firmware, date), and change only on the model's
change dates (listings, removals, the catalogue's pilot, production and withdrawal dates:
:meth:`eligibility.releases.ModelReleases.change_dates`). So the whole future of a pair is
known from the engine's verdict at D and at each later change date: a step function.

:func:`firmware_outlook` builds that step function for every pair of a fleet (a small table:
hundreds of pairs, not millions of hubs); :meth:`FirmwareOutlook.stranded_at` then answers
"stranded on day t?" for millions of (pair, day) queries at once, with one ``searchsorted``.
A pair may strand and later recover (a new release accepts its firmware); the step function
keeps both, and the *stranding date* is the first date from D with no plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from eligibility.engine import Engine, FirmwareAssessment
from eligibility.identifiers import DeviceModel

__all__ = ["PAIR_KEY", "STRANDING_CODES", "FirmwareOutlook", "firmware_outlook", "stranding_reason"]

#: The columns that name a pair.
PAIR_KEY: Final[tuple[str, str, str]] = ("manufacturer", "model", "firmware")
#: The firmware gates that make a hub unable to be commissioned in production.
STRANDING_CODES: Final[tuple[str, ...]] = (
    "DEVICE_MODEL_NOT_ON_CPL",
    "DEVICE_TYPE_MISMATCH",
    "FIRMWARE_UNKNOWN",
    "NO_UPGRADE_PATH",
)

_EPOCH = date(1970, 1, 1)
# Packs (pair, day) into one sortable int64: days since 1970 plus an offset that keeps every
# date from year 1 to 9999 positive and below 2**22.
_DAY_OFFSET = 800_000
_DAY_BITS = 22


def _day(d: date) -> int:
    return (d - _EPOCH).days


def stranding_reason(fa: FirmwareAssessment) -> str | None:
    """The blocking firmware code of an assessment (None when a plan or the window exists)."""
    return next((r.code for r in fa.reasons if r.code in STRANDING_CODES), None)


@dataclass(frozen=True)
class FirmwareOutlook:
    """Every pair's stranded/installable step function from ``start`` on.

    ``pairs``: ``pair_id``, manufacturer, model, firmware, ``stranded_at_start``,
    ``stranding_date`` (null: never, given the known events), ``stranding_code``,
    ``stranding_evidence`` (the verdict's reason on that date), ``upgrade_path_assumed`` (the
    answer at the start rests on the CPL alone: no catalogue for the model) and ``smets1_hub``
    (a SMETS1 hub's model: never DCC stock).
    ``steps``: ``pair_id``, ``from_date``, ``stranded``, ``code``: one row per change of state,
    the first at ``start``.
    """

    start: date
    pairs: pl.DataFrame
    steps: pl.DataFrame

    def pair_ids(self, frame: pl.DataFrame) -> npt.NDArray[np.int64]:
        """The ``pair_id`` of each row of ``frame`` (which has the pair columns), in row order."""
        got = frame.select(PAIR_KEY).join(
            self.pairs.select(*PAIR_KEY, "pair_id"), on=list(PAIR_KEY), how="left", maintain_order="left"
        )
        ids = got["pair_id"]
        if ids.null_count():
            raise ValueError("a row's (manufacturer, model, firmware) is not in this outlook")
        return ids.to_numpy().astype(np.int64)

    def stranded_at(
        self, pair_id: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """Whether each (pair, day) is stranded; ``day`` in days since 1970; before ``start``, as at start."""
        keys, states = self._index()
        q_day = np.maximum(day, _day(self.start)) + _DAY_OFFSET
        q = (pair_id << _DAY_BITS) | q_day
        idx = np.searchsorted(keys, q, side="right") - 1
        out: npt.NDArray[np.bool_] = states[idx]
        return out

    def _index(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        cached: tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None = self.__dict__.get("_idx")
        if cached is None:
            s = self.steps.sort("pair_id", "from_date")
            day = s["from_date"].cast(pl.Int32).to_numpy().astype(np.int64) + _DAY_OFFSET
            keys = (s["pair_id"].to_numpy().astype(np.int64) << _DAY_BITS) | day
            cached = (keys, s["stranded"].to_numpy().astype(bool))
            object.__setattr__(self, "_idx", cached)
        return cached

    def extended(self, other: FirmwareOutlook) -> FirmwareOutlook:
        """This outlook and ``other``'s pairs (none of them already here) after its own, their ids
        shifted: an outlook built as a stream meets new pairs."""
        shift = pl.col("pair_id") + self.pairs.height
        return FirmwareOutlook(
            self.start,
            pl.concat([self.pairs, other.pairs.with_columns(shift)]),
            pl.concat([self.steps, other.steps.with_columns(shift)]),
        )

    def stranded_matrix(self, days: Iterable[date]) -> npt.NDArray[np.bool_]:
        """``[pair_id, k]``: stranded on the k-th of ``days`` (the sweep's small table)."""
        ds = np.array([_day(d) for d in days], dtype=np.int64)
        n = self.pairs.height
        p = np.repeat(np.arange(n, dtype=np.int64), len(ds))
        return self.stranded_at(p, np.tile(ds, n)).reshape(n, len(ds))


def firmware_outlook(
    engine: Engine, pairs: pl.DataFrame | Iterable[tuple[str, str, str]], start: date
) -> FirmwareOutlook:
    """The step function of every (manufacturer, model, firmware) in ``pairs`` from ``start``.

    >>> from eligibility.cpl import Cpl, CplEntry
    >>> from eligibility.reference import Reference
    >>> e = CplEntry(number=1, status="Current", device_type="Communications Hub",
    ...              manufacturer="F0A1", model="A1010100", firmware="01000000", listed_on=date(2020, 1, 1))
    >>> ref = Reference(Cpl(version="1", issued_on=date(2020, 1, 1), entries=(e,)))
    >>> o = firmware_outlook(Engine(ref), [("F0A1", "A1010100", "01000000"), ("F0A1", "A1010100", "09000000")],
    ...                      date(2024, 1, 1))
    >>> o.pairs.select("firmware", "stranding_date", "stranding_code").rows()
    [('01000000', None, None), ('09000000', datetime.date(2024, 1, 1), 'FIRMWARE_UNKNOWN')]

    The pairs are assessed by ``engine`` (its caches are shared with any verdict it gives).
    """
    if isinstance(pairs, pl.DataFrame):
        rows = pairs.select(PAIR_KEY).unique().sort(PAIR_KEY).rows()
    else:
        rows = sorted(set(pairs))
    pair_rows: list[tuple[object, ...]] = []
    step_rows: list[tuple[int, date, bool, str | None]] = []
    for pid, (manufacturer, model, firmware) in enumerate(rows):
        dm = DeviceModel(manufacturer, model)
        rel = engine.reference.releases(dm)
        dates = [start] + ([d for d in rel.change_dates() if d > start] if rel is not None else [])
        first: tuple[date, str, str] | None = None
        state: bool | None = None
        at_start = assumed = smets1 = False
        for d in dates:
            fa = engine.assess_firmware(dm, firmware, d)
            code = stranding_reason(fa)
            stranded = code is not None
            if d == start:
                at_start, assumed, smets1 = stranded, fa.upgrade_path_assumed, fa.smets1_hub
            if stranded != state:
                step_rows.append((pid, d, stranded, code))
                state = stranded
            if stranded and first is None:
                assert code is not None
                msg = next(r.message for r in fa.reasons if r.code == code)
                first = (d, code, msg)
        pair_rows.append(
            (
                pid,
                manufacturer,
                model,
                firmware,
                at_start,
                *(first if first is not None else (None, None, None)),
                assumed,
                smets1,
            )
        )
    pair_frame = pl.DataFrame(
        pair_rows,
        schema={
            "pair_id": pl.Int64,
            "manufacturer": pl.String,
            "model": pl.String,
            "firmware": pl.String,
            "stranded_at_start": pl.Boolean,
            "stranding_date": pl.Date,
            "stranding_code": pl.String,
            "stranding_evidence": pl.String,
            "upgrade_path_assumed": pl.Boolean,
            "smets1_hub": pl.Boolean,
        },
        orient="row",
    )
    steps = pl.DataFrame(
        step_rows,
        schema={"pair_id": pl.Int64, "from_date": pl.Date, "stranded": pl.Boolean, "code": pl.String},
        orient="row",
    )
    return FirmwareOutlook(start, pair_frame, steps)
