"""The month-by-month sweep of a fleet under one housekeeping policy, as array arithmetic.

Definitions (``t_0`` = the start date D, ``t_k`` = D + k calendar months, k = 1 ... M):

- a hub is **on the SMI at t** when it has no removal date or its removal date is after t;
- **removed** at t_k: hubs off the SMI by t_k (removal date on or before it), those removed on or
  before D (``removed_before_start``) included: the one figure every table, chart and JSON of the
  risk report calls "removed", so that a longer policy never shows more of it;
- **removed in month k**: removal date in (t_{k-1}, t_k];
- **usable stock lost** in month k: hubs removed in month k that still had a plan on their
  removal date;
- **stranded on the SMI** at t_k: on the SMI and without a plan at t_k: still charged for;
  month k's **stranded hub-months** are the hubs stranded on the SMI at t_k (the charge of
  month k is levied on the stock held at its end);
- **installable** at t_k: on the SMI, a plan (or the window) at t_k, and the TSAT
  installation end date not passed.

Nothing is installed during the horizon: the sweep shows what waiting does to the stock.

How it is computed: a hub only matters through its pair (Device Model, firmware) and the
month index of a few dates (removal, TSAT end), so each figure is a ``bincount`` of
``pair * (M + 2) + k`` over the hubs, turned into "still there at t_k" by a reversed
cumulative sum, and crossed with the pairs' stranded matrix ``[pair, k]``
(:class:`eligibility.stranding.FirmwareOutlook`). No loop over hubs or months in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt
import polars as pl

from eligibility.dates import add_months
from eligibility.policy_timeline import Policy, as_timeline
from eligibility.smi import POLICIES, SMI_STATUSES, HousekeepingPolicy
from eligibility.smi_columns import device_smi_columns
from eligibility.stranding import FirmwareOutlook

__all__ = [
    "MONTHLY_COLUMNS",
    "NEVER",
    "DeviceDays",
    "PolicySweep",
    "SweepInput",
    "add_months_days",
    "days",
    "gone_histogram",
    "hub_removal_date",
    "hub_removal_days",
    "hub_status_date",
    "lost_on_removal",
    "month_dates",
    "month_index",
    "monthly_figures",
    "resolved_status_date",
    "smi_inputs",
    "sweep_policy",
]

#: A day number after every date the sweep meets: "no such date" (never removed, no TSAT end).
NEVER = 10**7

MONTHLY_COLUMNS = (
    "policy",
    "month",
    "date",
    "removed_in_month",
    "removed",
    "usable_lost",
    "usable_lost_cumulative",
    "on_smi",
    "stranded_on_smi",
    "stranded_hub_months_cumulative",
    "installable",
)

_EPOCH = date(1970, 1, 1)
_NOT_PENDING = "(?i)" + "|".join(s for s in SMI_STATUSES if s != "Pending")


def _device_column(policy: Policy, device: str, name: str) -> pl.Expr:
    # The removal date and status date do not depend on the judging date: any will do.
    exprs = device_smi_columns(policy, _EPOCH, source="" if device == "chf" else "gpf_", prefix=f"{device}_")
    return next(e for e in exprs if e.meta.output_name() == f"{device}_{name}")


def hub_removal_date(policy: Policy) -> pl.Expr:
    """When a hub of a hub frame (:mod:`eligibility.hubframe`) leaves the SMI under ``policy`` (or a timeline).

    The earlier of its CHF's and GPF's removal dates (:mod:`eligibility.smi_columns`): the hub
    cannot be commissioned once either device is gone. Null: never removed, or not judged.
    """
    chf = _device_column(policy, "chf", "removal_date")
    gpf = _device_column(policy, "gpf", "removal_date")
    return pl.min_horizontal(chf, gpf).alias("removal_date")


def smi_inputs(*, chf_dated: bool = False) -> list[pl.Expr]:
    """A hub frame's SMI columns made cheap to judge again and again: each device's status date
    resolved once (``status_since``, else the history's last step) and its history reduced to
    whether it ever held a status other than Pending (``Commissioned``) or not (null).

    :func:`hub_removal_date` gives the same dates on these columns as on the originals, without
    reading every history again for every policy. ``chf_dated``: the CHF's ``status_since`` is
    already resolved (:func:`hub_status_date`) and is kept as it is.
    """
    out = []
    for device, source in (("chf", ""), ("gpf", "gpf_")):
        if not (chf_dated and device == "chf"):
            out.append(
                _device_column(POLICIES["sec-ac-7.2"], device, "status_date").alias(f"{source}status_since")
            )
        else:
            out.append(pl.col("status_since"))
        history = pl.col(f"{source}status_history").cast(pl.String)
        came_back = history.str.contains(_NOT_PENDING).fill_null(False)
        out.append(pl.when(came_back).then(pl.lit("Commissioned")).alias(f"{source}status_history"))
    return out


def hub_status_date() -> pl.Expr:
    """The CHF's status date (``status_since``, else the date of the history's last step)."""
    return _device_column(POLICIES["sec-ac-7.2"], "chf", "status_date").alias("status_since")


def resolved_status_date(hubs: pl.DataFrame, device: str = "chf") -> pl.Series:
    """A device's status date (``status_since``, else the date of the history's last step when
    that step is its status) as :func:`hub_status_date` gives it, reading the histories only of
    the rows without a ``status_since`` (a few in a fleet); named ``{source}status_since``."""
    source = "" if device == "chf" else "gpf_"
    since = hubs[f"{source}status_since"].cast(pl.Date)
    missing = since.is_null()
    if missing.any():
        inferred = hubs.filter(missing).select(_device_column(POLICIES["sec-ac-7.2"], device, "status_date"))
        since = since.scatter(missing.arg_true(), inferred.to_series())
    return since.alias(f"{source}status_since")


def _add_months_exact(day: npt.NDArray[np.int64], months: int) -> npt.NDArray[np.int64]:
    d = day.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    dom = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    out: npt.NDArray[np.int64] = first.astype(np.int64) + np.minimum(dom, length - 1)
    return out


def add_months_days(day: npt.NDArray[np.int64], months: int) -> npt.NDArray[np.int64]:
    """Days since 1970 plus ``months`` calendar months, a missing day clamped to the month's end
    (:func:`eligibility.dates.add_months`, and polars' ``offset_by("<n>mo")``); :data:`NEVER` stays.

    Calendar arithmetic is done once per distinct day (a fleet's dates span a few thousand days),
    then looked up for every hub.

    >>> d = np.array([(date(2024, 1, 31) - _EPOCH).days, NEVER])
    >>> add_months_days(d, 1).tolist() == [(date(2024, 2, 29) - _EPOCH).days, NEVER]
    True
    """
    known = day != NEVER
    if not known.any():
        return day.copy()
    lo, hi = int(day[known].min()), int(day[known].max())
    if hi - lo < 100_000:
        table = _add_months_exact(np.arange(lo, hi + 1, dtype=np.int64), months)
        out = table[np.where(known, day - lo, 0)]
    else:  # wild dates: only the distinct ones
        distinct, inverse = np.unique(day, return_inverse=True)
        out = _add_months_exact(distinct, months)[inverse]
    out[~known] = NEVER
    return out


def month_index(t: npt.NDArray[np.int64], day: npt.NDArray[np.int64], side: str) -> npt.NDArray[np.int64]:
    """``np.searchsorted(t, day, side)`` for sorted month dates ``t``, by a table over their span.

    >>> t = np.array([10, 40, 70])
    >>> month_index(t, np.array([-5, 10, 11, 70, 71, NEVER]), "left").tolist()
    [0, 0, 1, 2, 3, 3]
    """
    lo, hi = int(t[0]) - 1, int(t[-1]) + 1
    table = np.searchsorted(t, np.arange(lo, hi + 1, dtype=np.int64), side=side)  # type: ignore[call-overload]
    out: npt.NDArray[np.int64] = table[np.clip(day, lo, hi) - lo].astype(np.int64)
    return out


@dataclass(frozen=True)
class DeviceDays:
    """One device (CHF or GPF) of each hub as arrays: all its removal date depends on, under any policy.

    :meth:`removal` gives the dates :func:`hub_removal_date` gives, without a polars expression
    per policy over every hub: a status, a day, a flag and a type membership per step, in numpy.
    """

    pending: npt.NDArray[np.bool_]
    #: status date as days since 1970 (:data:`NEVER`: unknown)
    day: npt.NDArray[np.int64]
    #: the history held a status other than Pending
    came_back: npt.NDArray[np.bool_]
    device_type: pl.Series
    _later: dict[int, npt.NDArray[np.int64]] = field(default_factory=dict, compare=False, repr=False)

    def plus_months(self, months: int) -> npt.NDArray[np.int64]:
        """Status day plus ``months`` (:data:`NEVER` stays; policies share their months: computed once)."""
        if months not in self._later:
            self._later[months] = add_months_days(self.day, months)
        return self._later[months]

    @classmethod
    def of(cls, hubs: pl.DataFrame, device: str) -> DeviceDays:
        """The CHF's (``device="chf"``) or GPF's arrays of a hub frame; a CHF's ``status_since`` is
        taken as resolved already (:func:`resolved_status_date`)."""
        source = "" if device == "chf" else "gpf_"
        since = hubs["status_since"] if device == "chf" else resolved_status_date(hubs, device)
        history = hubs[f"{source}status_history"].cast(pl.String)
        status = hubs[f"{source}status"].cast(pl.String)
        return cls(
            pending=(status == "Pending").fill_null(False).to_numpy(),
            day=days(since),
            came_back=history.str.contains(_NOT_PENDING).fill_null(False).to_numpy(),
            device_type=hubs[f"{source}device_type"].cast(pl.String),
        )

    def _exempt(self, policy: HousekeepingPolicy) -> npt.NDArray[np.bool_]:
        """As :func:`eligibility.smi_columns.device_smi_columns` exempts a device under one policy."""
        exempt = np.zeros(len(self.day), dtype=bool)
        if policy.exclude_types:
            exempt |= self.device_type.is_in(sorted(policy.exclude_types)).fill_null(False).to_numpy()
        if policy.history_aware:
            exempt |= self.pending & ~self.came_back
        return exempt

    def removal(self, policy: Policy) -> npt.NDArray[np.int64]:
        """The device's removal day under ``policy`` or a timeline (:data:`NEVER`: not removed)."""
        steps = as_timeline(policy).steps
        step_exempt = [self._exempt(s.policy) for s in steps]
        exempt = step_exempt[0] if len(steps) == 1 else np.logical_and.reduce(step_exempt)
        judged = self.pending & ~exempt & (self.day != NEVER)
        out = np.full(len(self.day), NEVER, dtype=np.int64)
        decided = np.zeros(len(self.day), dtype=bool)
        # the first step whose candidate falls in its own span removes the device (see policy_timeline)
        for i, step in enumerate(steps):
            cand = self.plus_months(step.policy.months)
            if step.start is not None:
                cand = np.maximum(cand, (step.start - _EPOCH).days)
            holds = judged & ~step_exempt[i] & ~decided
            nxt = steps[i + 1].start if i + 1 < len(steps) else None
            if nxt is not None:
                holds &= cand < (nxt - _EPOCH).days
            out[holds] = cand[holds]
            decided |= holds
        return out


def hub_removal_days(policy: Policy, chf: DeviceDays, gpf: DeviceDays) -> npt.NDArray[np.int64]:
    """:func:`hub_removal_date` as days since 1970 (:data:`NEVER`: never removed): the earlier device's."""
    out: npt.NDArray[np.int64] = np.minimum(chf.removal(policy), gpf.removal(policy))
    return out


def days(col: pl.Series) -> npt.NDArray[np.int64]:
    """Dates as days since 1970 (null: :data:`NEVER`)."""
    return col.cast(pl.Int32).cast(pl.Int64).fill_null(NEVER).to_numpy()


def month_dates(start: date, months: int) -> list[date]:
    """``t_0 ... t_M``: the start date and each calendar month after it (days clamped)."""
    return [add_months(start, k) for k in range(months + 1)]


@dataclass
class SweepInput:
    """The hubs as arrays: pair id, and TSAT end day (NEVER when unknown)."""

    pair: npt.NDArray[np.int64]
    tsat_end: npt.NDArray[np.int64]
    outlook: FirmwareOutlook
    dates: list[date]

    @property
    def t(self) -> npt.NDArray[np.int64]:
        """The month dates as day numbers."""
        return np.array([(d - _EPOCH).days for d in self.dates], dtype=np.int64)

    @cached_property
    def k_tsat(self) -> npt.NDArray[np.int64]:
        """Per hub, the first month index whose date is past its TSAT installation end."""
        return np.searchsorted(self.t, self.tsat_end, side="right").astype(np.int64)


def _after(hist: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``[pair, k]`` from a ``[pair, k_gone]`` histogram (M + 2 columns): hubs whose ``k_gone`` is after k."""
    # reversed cumulative sum: at k, every hub gone at k+1 or later (or never: m+1)
    after = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
    out: npt.NDArray[np.int64] = after[:, 1:]
    return out


def gone_histogram(
    pair: npt.NDArray[np.int64], k_gone: npt.NDArray[np.int64], n_pairs: int, m: int
) -> npt.NDArray[np.int64]:
    """``[pair, k]``: how many hubs of each pair are gone from t_k on (k = 0 ... M + 1)."""
    hist: npt.NDArray[np.int64] = np.bincount(pair * (m + 2) + k_gone, minlength=n_pairs * (m + 2)).reshape(
        n_pairs, m + 2
    )
    return hist


def monthly_figures(
    name: str,
    dates: list[date],
    removed_by_k: npt.NDArray[np.int64],
    lost_by_k: npt.NDArray[np.int64],
    removal_hist: npt.NDArray[np.int64],
    tsat_hist: npt.NDArray[np.int64],
    stranded: npt.NDArray[np.bool_],
) -> tuple[pl.DataFrame, int]:
    """One policy's monthly figures (:data:`MONTHLY_COLUMNS`) and its hubs removed before the start,
    from counts alone: so a fleet may be counted chunk by chunk and the counts summed.

    ``removed_by_k`` and ``lost_by_k``: hubs (and hubs removed with a plan) by removal month
    index (M + 2 entries); ``removal_hist`` and ``tsat_hist``: :func:`gone_histogram` of the
    removal month, and of the earlier of it and the TSAT month; ``stranded``: ``[pair, k]``.
    """
    m = len(dates) - 1
    removed = removed_by_k[: m + 1].copy()
    removed_before = int(removed[0])
    off_smi = np.cumsum(removed)  # removed by t_k, those removed on or before the start included
    removed[0] = 0
    lost = lost_by_k[: m + 1]
    on_smi = _after(removal_hist)
    # TSAT end passed at t_k when t_k > end: gone from the first k with t_k > end
    on_and_tsat = _after(tsat_hist)
    stranded_on = (on_smi * stranded).sum(axis=0)
    installable = (on_and_tsat * ~stranded).sum(axis=0)
    hub_months = np.cumsum(np.where(np.arange(m + 1) >= 1, stranded_on, 0))
    frame = pl.DataFrame(
        {
            "policy": [name] * (m + 1),
            "month": np.arange(m + 1),
            "date": dates,
            "removed_in_month": removed,
            "removed": off_smi,
            "usable_lost": lost,
            "usable_lost_cumulative": np.cumsum(lost),
            "on_smi": on_smi.sum(axis=0),
            "stranded_on_smi": stranded_on,
            "stranded_hub_months_cumulative": hub_months,
            "installable": installable,
        },
        schema_overrides={"month": pl.Int64, "date": pl.Date},
    ).with_columns(pl.exclude("policy", "month", "date").cast(pl.Int64))
    return frame, removed_before


def lost_on_removal(
    outlook: FirmwareOutlook,
    pair: npt.NDArray[np.int64],
    removal: npt.NDArray[np.int64],
    k_removed: npt.NDArray[np.int64],
    m: int,
) -> npt.NDArray[np.bool_]:
    """Per hub: removed within the horizon (month 1 ... M) while its pair still had a plan."""
    in_horizon = (k_removed >= 1) & (k_removed <= m)
    lost_mask = np.zeros(len(removal), dtype=bool)
    lost_mask[in_horizon] = ~outlook.stranded_at(pair[in_horizon], removal[in_horizon])
    return lost_mask


@dataclass(frozen=True)
class PolicySweep:
    """One policy's monthly figures, the hubs removed before the start, each hub's removal month."""

    monthly: pl.DataFrame
    removed_before_start: int
    #: per hub: 0 removed on or before the start, k in month k, M + 1 still on the SMI at the end
    k_removed: npt.NDArray[np.int64]
    #: per hub: removed within the horizon while it still had a plan
    lost: npt.NDArray[np.bool_]


def sweep_policy(
    name: str, inp: SweepInput, removal: npt.NDArray[np.int64], stranded: npt.NDArray[np.bool_]
) -> PolicySweep:
    """The monthly figures under one policy (:data:`MONTHLY_COLUMNS`), and each hub's removal month.

    ``removal``: each hub's removal day (NEVER: not removed); ``stranded``: the outlook's
    ``[pair, k]`` matrix at ``inp.dates``. The month index is 0 for a hub removed on or before
    the start, k for one removed in month k, M + 1 for one still on the SMI at the end.
    """
    t = inp.t
    m = len(t) - 1
    n_pairs = stranded.shape[0]
    k_removed = np.searchsorted(t, removal, side="left").astype(np.int64)
    lost_mask = lost_on_removal(inp.outlook, inp.pair, removal, k_removed, m)
    frame, removed_before = monthly_figures(
        name,
        inp.dates,
        np.bincount(k_removed, minlength=m + 2),
        np.bincount(k_removed[lost_mask], minlength=m + 2),
        gone_histogram(inp.pair, k_removed, n_pairs, m),
        gone_histogram(inp.pair, np.minimum(k_removed, inp.k_tsat), n_pairs, m),
        stranded,
    )
    return PolicySweep(frame, removed_before, k_removed, lost_mask)
