"""The SMI and TSAT gates as column expressions: a whole fleet under a policy at a date at once.

These are :meth:`eligibility.engine.Engine.smi_gates` and the TSAT gate of
:meth:`~eligibility.engine.Engine.verdict` written over polars columns, with the same rules
(``tests/test_batch.py`` compares them with the engine hub by hub):

- the status date is ``status_since`` or, when absent, the date of the history's last step if
  that step is the current status;
- a device is **exempt** under a policy when its type is excluded by it, or under a history-aware
  policy when it is Pending and its history never held anything but Pending (no history:
  warehouse stock); under a timeline (:mod:`eligibility.policy_timeline`) when every step exempts
  it; and always when ``never_removed`` holds (a SMETS1 hub);
- its **removal date** is ``status date + months`` (calendar months, a missing day clamped to the
  month's end, as :func:`eligibility.dates.add_months`) for a Pending device not exempt; under a
  timeline, the first step's candidate ``max(step start, status date + its months)`` that falls
  before the next step starts;
- ``SMI_STATUS_NOT_INSTALLABLE``, ``SMI_STATUS_DATE_UNKNOWN``, ``SMI_REMOVED``,
  ``SMI_REMOVAL_SOON`` per device, then for the hub (CHF or GPF), and ``TSAT_INSTALL_END_PASSED``;
- the **deciding device** (the verdict's ``smi``): blocked first, then warned, then the earliest
  removal; the CHF on a tie.

:func:`smi_columns` adds, for a hub frame (:mod:`eligibility.hubframe`): per device (prefix
``chf_`` and ``gpf_``) ``status_date``, ``exempt``, ``removal_date`` and one boolean per SMI code;
per hub one boolean per SMI/TSAT code (columns named by the code) and ``smi_device_id``,
``smi_status``, ``smi_status_since``, ``smi_exempt``, ``removal_date`` of the deciding device.
Columns from the inventory are expected normalised as :mod:`cpl_data.inventory` leaves them
(statuses in their DUIS spelling, histories ``Status:YYYY-MM-DD;...``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, TypeVar

import polars as pl

from eligibility.engine import EngineSettings
from eligibility.policy_timeline import Policy, as_timeline
from eligibility.smi import INSTALLABLE, SMI_STATUSES, HousekeepingPolicy

__all__ = ["SMI_CODES", "device_smi_columns", "smi_columns"]

#: The reason codes these columns decide, in the verdict's order.
SMI_CODES: Final[tuple[str, ...]] = (
    "SMI_STATUS_NOT_INSTALLABLE",
    "SMI_STATUS_DATE_UNKNOWN",
    "SMI_REMOVED",
    "SMI_REMOVAL_SOON",
    "TSAT_INSTALL_END_PASSED",
)
_PER_DEVICE: Final = SMI_CODES[:4]
_NOT_PENDING = "|".join(s for s in SMI_STATUSES if s != "Pending")
_LAST_STATUS = r"([A-Za-z]+)(?::\d{4}-\d{2}-\d{2})?$"
_LAST_DATE = r"[A-Za-z]:(\d{4}-\d{2}-\d{2})$"

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def _exempt(policy: HousekeepingPolicy, device_type: pl.Expr, history: pl.Expr, pending: pl.Expr) -> pl.Expr:
    exempt = (
        device_type.is_in(sorted(policy.exclude_types)).fill_null(False)
        if policy.exclude_types
        else pl.lit(False)
    )
    if policy.history_aware:
        exempt = exempt | (pending & ~history.str.contains(_NOT_PENDING).fill_null(False))
    return exempt


def device_smi_columns(
    policy: Policy,
    d: date,
    *,
    source: str = "",
    prefix: str = "chf_",
    settings: EngineSettings | None = None,
    never_removed: pl.Expr | None = None,
) -> list[pl.Expr]:
    """One device's SMI gates, from the columns ``{source}status``, ``{source}status_since``,
    ``{source}status_history`` and ``{source}device_type``, as columns named ``{prefix}...``.

    ``policy`` may be a timeline. ``never_removed`` (a boolean expression) marks devices no
    housekeeping applies to. A device whose status is null (a hub without a GPF record) passes
    every gate.
    """
    soon_days = (settings or EngineSettings()).removal_soon_days
    steps = as_timeline(policy).steps
    # casts: a column that is all null (a frame built by hand) has no type of its own
    status = pl.col(f"{source}status").cast(pl.String)
    history = pl.col(f"{source}status_history").cast(pl.String)
    device_type = pl.col(f"{source}device_type").cast(pl.String)
    # the history's last step dates the status when it is the current one (histories are
    # normalised by the inventory reader: DUIS spellings, ';' between steps)
    inferred = (
        pl.when(history.str.extract(_LAST_STATUS, 1) == status)
        .then(history.str.extract(_LAST_DATE, 1).str.to_date("%Y-%m-%d", strict=False))
        .otherwise(None)
    )
    status_date = pl.coalesce(pl.col(f"{source}status_since").cast(pl.Date), inferred)
    pending = (status == "Pending").fill_null(False)
    step_exempt = [_exempt(s.policy, device_type, history, pending) for s in steps]
    exempt = step_exempt[0] if len(step_exempt) == 1 else pl.all_horizontal(step_exempt)
    if never_removed is not None:
        exempt = exempt | never_removed.fill_null(False)
    judged = pending & ~exempt
    # offset only the dates that matter (null elsewhere): a few percent of a fleet is Pending
    judged_date = pl.when(judged).then(status_date).otherwise(None)
    if len(steps) == 1:
        removal = judged_date.dt.offset_by(f"{steps[0].policy.months}mo")
    else:
        # the first step whose candidate falls in its own span removes the device (see policy_timeline)
        picks: list[tuple[pl.Expr, pl.Expr]] = []
        for i, step in enumerate(steps):
            cand = judged_date.dt.offset_by(f"{step.policy.months}mo")
            if step.start is not None:
                cand = pl.when(cand < pl.lit(step.start)).then(pl.lit(step.start)).otherwise(cand)
            holds = ~step_exempt[i] & cand.is_not_null()
            nxt = steps[i + 1].start if i + 1 < len(steps) else None
            if nxt is not None:
                holds = holds & (cand < pl.lit(nxt))
            picks.append((holds.fill_null(False), cand))
        removal = pl.lit(None, pl.Date)
        for holds, cand in reversed(picks):
            removal = pl.when(holds).then(cand).otherwise(removal)
    removed = (removal <= pl.lit(d)).fill_null(False)
    soon = ~removed & (removal <= pl.lit(d + timedelta(days=soon_days))).fill_null(False)
    return [
        status_date.alias(f"{prefix}status_date"),
        exempt.alias(f"{prefix}exempt"),
        removal.alias(f"{prefix}removal_date"),
        (status.is_not_null() & ~status.is_in(sorted(INSTALLABLE)))
        .fill_null(False)
        .alias(f"{prefix}SMI_STATUS_NOT_INSTALLABLE"),
        (judged & status_date.is_null()).alias(f"{prefix}SMI_STATUS_DATE_UNKNOWN"),
        removed.alias(f"{prefix}SMI_REMOVED"),
        soon.alias(f"{prefix}SMI_REMOVAL_SOON"),
    ]


def _deciding(prefix: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The engine's ranking of a device: (not blocked, not warned, removal date or the far future)."""
    blocked = pl.col(f"{prefix}SMI_STATUS_NOT_INSTALLABLE") | pl.col(f"{prefix}SMI_REMOVED")
    warned = pl.col(f"{prefix}SMI_STATUS_DATE_UNKNOWN") | pl.col(f"{prefix}SMI_REMOVAL_SOON")
    return (
        (~blocked).cast(pl.Int8),
        (~warned).cast(pl.Int8),
        pl.col(f"{prefix}removal_date").fill_null(date.max),
    )


def smi_columns(
    hubs: F,
    policy: Policy,
    d: date,
    settings: EngineSettings | None = None,
    *,
    never_removed: str | None = None,
) -> F:
    """A hub frame with the SMI and TSAT gates of both devices, for ``policy`` (or a timeline) at install date ``d``.

    ``never_removed`` names a boolean column of ``hubs`` marking hubs no housekeeping applies to
    (the assessment table's ``SMETS1_HUB``).

    >>> from eligibility.smi import POLICIES
    >>> hubs = pl.DataFrame({"device_id": ["A"], "device_type": ["CHF"], "status": ["Pending"],
    ...     "status_since": [date(2020, 2, 29)], "status_history": [None], "tsat_install_end": [None],
    ...     "gpf_device_id": [None], "gpf_device_type": [None], "gpf_status": [None],
    ...     "gpf_status_since": [None], "gpf_status_history": [None]}).cast({"tsat_install_end": pl.Date})
    >>> smi_columns(hubs, POLICIES["sec-ac-7.2"], date(2021, 1, 1)).select(
    ...     "removal_date", "SMI_REMOVAL_SOON").row(0)
    (datetime.date(2021, 2, 28), True)
    """
    never = None if never_removed is None else pl.col(never_removed)
    chf = device_smi_columns(policy, d, source="", prefix="chf_", settings=settings, never_removed=never)
    gpf = device_smi_columns(policy, d, source="gpf_", prefix="gpf_", settings=settings, never_removed=never)
    c_rank, g_rank = _deciding("chf_"), _deciding("gpf_")
    gpf_decides = pl.col("gpf_status").is_not_null() & (
        (g_rank[0] < c_rank[0])
        | ((g_rank[0] == c_rank[0]) & (g_rank[1] < c_rank[1]))
        | ((g_rank[0] == c_rank[0]) & (g_rank[1] == c_rank[1]) & (g_rank[2] < c_rank[2]))
    )

    def pick(chf_col: str, gpf_col: str) -> pl.Expr:
        return pl.when(pl.col("__gpf_decides")).then(pl.col(gpf_col)).otherwise(pl.col(chf_col))

    return (
        hubs.with_columns(*chf, *gpf)
        .with_columns(
            *(pl.any_horizontal(f"chf_{c}", f"gpf_{c}").alias(c) for c in _PER_DEVICE),
            (pl.lit(d) > pl.col("tsat_install_end").cast(pl.Date))
            .fill_null(False)
            .alias("TSAT_INSTALL_END_PASSED"),
            gpf_decides.alias("__gpf_decides"),
        )
        .with_columns(
            pick("device_id", "gpf_device_id").alias("smi_device_id"),
            pick("status", "gpf_status").alias("smi_status"),
            pick("chf_status_date", "gpf_status_date").alias("smi_status_since"),
            pick("chf_exempt", "gpf_exempt").alias("smi_exempt"),
            pick("chf_removal_date", "gpf_removal_date").alias("removal_date"),
        )
        .drop("__gpf_decides")
    )
