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

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt
import polars as pl

from eligibility.dates import add_months
from eligibility.policy_timeline import Policy
from eligibility.smi import POLICIES, SMI_STATUSES
from eligibility.smi_columns import device_smi_columns
from eligibility.stranding import FirmwareOutlook

__all__ = [
    "MONTHLY_COLUMNS",
    "NEVER",
    "PolicySweep",
    "SweepInput",
    "days",
    "hub_removal_date",
    "hub_status_date",
    "month_dates",
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


def _still_there(
    pair: npt.NDArray[np.int64], k_gone: npt.NDArray[np.int64], n_pairs: int, m: int
) -> npt.NDArray[np.int64]:
    """``[pair, k]``: hubs whose ``k_gone`` is after k (gone from t_{k_gone} on)."""
    hist = np.bincount(pair * (m + 2) + k_gone, minlength=n_pairs * (m + 2)).reshape(n_pairs, m + 2)
    # reversed cumulative sum: at k, every hub gone at k+1 or later (or never: m+1)
    after = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
    out: npt.NDArray[np.int64] = after[:, 1:]
    return out


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
    removed = np.bincount(k_removed, minlength=m + 2)[: m + 1].copy()
    removed_before = int(removed[0])
    off_smi = np.cumsum(removed)  # removed by t_k, those removed on or before the start included
    removed[0] = 0
    in_horizon = (k_removed >= 1) & (k_removed <= m)
    lost_mask = np.zeros(len(removal), dtype=bool)
    lost_mask[in_horizon] = ~inp.outlook.stranded_at(inp.pair[in_horizon], removal[in_horizon])
    lost = np.bincount(k_removed[lost_mask], minlength=m + 2)[: m + 1]
    on_smi = _still_there(inp.pair, k_removed, n_pairs, m)
    # TSAT end passed at t_k when t_k > end: gone from the first k with t_k > end
    on_and_tsat = _still_there(inp.pair, np.minimum(k_removed, inp.k_tsat), n_pairs, m)
    stranded_on = (on_smi * stranded).sum(axis=0)
    installable = (on_and_tsat * ~stranded).sum(axis=0)
    hub_months = np.cumsum(np.where(np.arange(m + 1) >= 1, stranded_on, 0))
    frame = pl.DataFrame(
        {
            "policy": [name] * (m + 1),
            "month": np.arange(m + 1),
            "date": inp.dates,
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
    return PolicySweep(frame, removed_before, k_removed, lost_mask)
