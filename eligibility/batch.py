"""Batch verdicts: the hub frame joined with the engine's small table, then column arithmetic.

The whole batch is three steps that any columnar engine can run:

1. :func:`eligibility.assessment.assessment_table`: the firmware gates per (manufacturer, model,
   firmware) at the date, from the engine (a few hundred rows for a national fleet);
2. a left join of the hub frame (:mod:`eligibility.hubframe`) with it on those three columns;
3. :mod:`eligibility.smi_columns` (date arithmetic per device), then the verdict: one boolean per
   reason code, ``NOT_ELIGIBLE`` if any blocking one holds, else ``ELIGIBLE_AFTER_UPGRADE`` if
   ``UPGRADE_REQUIRED``, else ``ELIGIBLE``.

:func:`verdict_sql` writes the same steps 2-3 as one SQL query (DuckDB's dialect, close to ANSI),
which ``tests/test_batch.py`` runs against :func:`evaluate` and ``bench/batch.py`` uses as its
baseline. ``reasons`` lists the distinct codes that hold, in the order of the verdict table
(:data:`eligibility.verdict.REASON_CODES`); a code raised by both the CHF and the GPF appears once.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Final, TypeVar

import polars as pl

from eligibility.assessment import FIRMWARE_CODES, KEY
from eligibility.engine import EngineSettings
from eligibility.policy_timeline import Policy, as_timeline
from eligibility.smi import INSTALLABLE, SMI_STATUSES, HousekeepingPolicy
from eligibility.smi_columns import SMI_CODES, smi_columns
from eligibility.verdict import REASON_CODES, SEVERITY

__all__ = [
    "OUTPUT_COLUMNS",
    "OUTPUT_SCHEMA",
    "VERDICTS",
    "VERDICT_INPUTS",
    "evaluate",
    "mask_counts",
    "reason_mask",
    "verdict_sql",
]

#: The verdicts, as the ``verdict`` column's categories.
VERDICTS: Final[tuple[str, ...]] = ("ELIGIBLE", "ELIGIBLE_AFTER_UPGRADE", "NOT_ELIGIBLE")
#: What ``hubcheck batch`` writes, per hub (the same as :func:`verdict_sql` returns). Join back to
#: the inventory on ``device_id`` for anything else; :func:`evaluate` itself keeps every column.
OUTPUT_COLUMNS: Final[tuple[str, ...]] = (
    "device_id",
    "verdict",
    "reasons",
    "plan_hops",
    "plan_target",
    "plan_target_role",
    "removal_date",
)
#: The inventory columns a verdict reads; a batch may drop the others before pairing and joining.
VERDICT_INPUTS: Final[tuple[str, ...]] = (
    "device_id",
    "gpf_device_id",
    "device_type",
    "manufacturer",
    "model",
    "firmware",
    "status",
    "status_since",
    "status_history",
    "tsat_install_end",
)
assert set(FIRMWARE_CODES + SMI_CODES) == set(REASON_CODES)
_BLOCKING: Final = tuple(c for c in REASON_CODES if SEVERITY[c] == "blocking")

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def reason_mask() -> pl.Expr:
    """The reason-code booleans as one integer, bit ``i`` for ``REASON_CODES[i]``."""
    return pl.sum_horizontal(pl.col(c).cast(pl.UInt16) * (1 << i) for i, c in enumerate(REASON_CODES)).cast(
        pl.UInt16
    )


@cache
def _lookups() -> tuple[pl.Series, pl.Series]:
    """Per possible mask: its reasons (codes in order) and its verdict, built once (one row per mask).

    Built with frame operations: 2**14 masks of 14 codes each would take a second as Python lists.
    (Built from numpy arrays it cost the batch's first chunk numpy.ma's import, 30 ms.)
    """
    n = len(REASON_CODES)
    enum = pl.Enum(REASON_CODES)
    masks = pl.DataFrame({"mask": pl.int_range(0, 1 << n, dtype=pl.Int64, eager=True)})
    codes = pl.DataFrame(
        {"code": pl.Series(REASON_CODES, dtype=enum), "bit": [1 << i for i in range(n)]},
        schema={"code": enum, "bit": pl.Int64},
    )
    # every (mask, code) whose bit is set, each mask's codes in the table's order
    lists = (
        masks.join(codes, how="cross", maintain_order="left_right")
        .filter(pl.col("mask") & pl.col("bit") != 0)
        .group_by("mask", maintain_order=True)
        .agg("code")
    )
    reasons = (
        masks.join(lists, on="mask", how="left", maintain_order="left")
        .select(pl.col("code").fill_null(pl.lit([], dtype=pl.List(enum))).alias("reasons"))
        .to_series()
    )
    blocking = sum(1 << i for i, c in enumerate(REASON_CODES) if c in _BLOCKING)
    upgrade = 1 << REASON_CODES.index("UPGRADE_REQUIRED")
    verdict = masks.select(
        pl.when(pl.col("mask") & blocking != 0)
        .then(pl.lit(VERDICTS[2]))
        .when(pl.col("mask") & upgrade != 0)
        .then(pl.lit(VERDICTS[1]))
        .otherwise(pl.lit(VERDICTS[0]))
        .cast(pl.Enum(VERDICTS))
        .alias("verdict")
    ).to_series()
    return reasons, verdict


#: The types of :data:`OUTPUT_COLUMNS` (``verdict`` an Enum, ``reasons`` a list of Enum codes).
OUTPUT_SCHEMA: Final[dict[str, pl.DataType]] = {
    **{c: pl.String() for c in OUTPUT_COLUMNS},
    "verdict": pl.Enum(VERDICTS),
    "reasons": pl.List(pl.Enum(REASON_CODES)),
    "plan_hops": pl.Int16(),
    "removal_date": pl.Date(),
}


def evaluate(
    hubs: F, table: pl.DataFrame, policy: Policy, d: date, settings: EngineSettings | None = None
) -> F:
    """Every hub's verdict at install date ``d`` under ``policy`` (or a timeline): the hub frame with its gates.

    ``table`` is :func:`~eligibility.assessment.assessment_table` at the same ``d`` for (at least)
    the hubs' keys. Adds the table's columns, the SMI columns, ``reason_mask`` (bit ``i`` for
    ``REASON_CODES[i]``: cheap to group by), ``verdict`` (an Enum of :data:`VERDICTS`) and
    ``reasons`` (a list of codes); :data:`OUTPUT_COLUMNS` selects the report.
    """
    right = table.lazy() if isinstance(hubs, pl.LazyFrame) else table
    joined = hubs.join(right, on=list(KEY), how="left", maintain_order="left")
    gated = smi_columns(joined, policy, d, settings, never_removed="SMETS1_HUB").with_columns(
        reason_mask().alias("reason_mask")
    )
    reasons, verdict = _lookups()
    return gated.with_columns(
        pl.lit(verdict).gather(pl.col("reason_mask")).alias("verdict"),
        pl.lit(reasons).gather(pl.col("reason_mask")).alias("reasons"),
    )


def mask_counts(counts: dict[int, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Hubs per verdict and per reason code, from hub counts per ``reason_mask`` value."""
    verdicts = dict.fromkeys(VERDICTS, 0)
    reasons = dict.fromkeys(REASON_CODES, 0)
    verdict = _lookups()[1]
    for mask, n in counts.items():
        verdicts[str(verdict[mask])] += n
        for i, code in enumerate(REASON_CODES):
            if mask >> i & 1:
                reasons[code] += n
    return verdicts, reasons


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_exempt(policy: HousekeepingPolicy, p: str) -> str:
    status, hist = f"{p}status", f"{p}status_history"
    not_pending = "|".join(s for s in SMI_STATUSES if s != "Pending")
    excluded = ", ".join(_sql_text(t) for t in sorted(policy.exclude_types))
    exempt = f"coalesce({p}device_type IN ({excluded}), false)" if excluded else "false"
    if policy.history_aware:
        exempt = f"({exempt} OR ({status} = 'Pending' AND NOT coalesce(regexp_matches({hist}, '(?i){not_pending}'), false)))"
    return exempt


def _sql_device(policy: Policy, d: date, soon: date, p: str, never: str | None) -> dict[str, str]:
    """One device's SMI gates in SQL, over columns ``{p}status`` ... (``p`` is ``''`` or ``gpf_``)."""
    status, hist, since = f"{p}status", f"{p}status_history", f"{p}status_since"
    last = r"([A-Za-z]+)(:([0-9]{4}-[0-9]{2}-[0-9]{2}))?[ ;,]*$"
    date_ = (
        f"coalesce({since}, CASE WHEN lower(regexp_extract({hist}, '{last}', 1)) = lower({status}) "
        f"THEN try_cast(nullif(regexp_extract({hist}, '{last}', 3), '') AS DATE) END)"
    )
    steps = as_timeline(policy).steps
    step_exempt = [_sql_exempt(s.policy, p) for s in steps]
    exempt = " AND ".join(step_exempt) if len(step_exempt) > 1 else step_exempt[0]
    if never is not None:
        exempt = f"({exempt} OR coalesce({never}, false))"
    judged = f"(coalesce({status} = 'Pending', false) AND NOT ({exempt}))"
    if len(steps) == 1:
        removal = (
            f"CASE WHEN {judged} THEN CAST({date_} + INTERVAL {steps[0].policy.months} MONTH AS DATE) END"
        )
    else:
        # the first step whose candidate falls in its own span removes the device (see policy_timeline)
        whens = []
        for i, step in enumerate(steps):
            cand = f"CAST({date_} + INTERVAL {step.policy.months} MONTH AS DATE)"
            if step.start is not None:
                start = f"DATE '{step.start.isoformat()}'"
                cand = f"(CASE WHEN {cand} < {start} THEN {start} ELSE {cand} END)"
            holds = f"NOT ({step_exempt[i]}) AND {cand} IS NOT NULL"
            nxt = steps[i + 1].start if i + 1 < len(steps) else None
            if nxt is not None:
                holds += f" AND {cand} < DATE '{nxt.isoformat()}'"
            whens.append(f"WHEN {holds} THEN {cand}")
        removal = f"CASE WHEN {judged} THEN CASE {' '.join(whens)} END END"
    installable = ", ".join(_sql_text(s) for s in sorted(INSTALLABLE))
    return {
        "removal": removal,
        "SMI_STATUS_NOT_INSTALLABLE": f"coalesce({status} NOT IN ({installable}), false)",
        "SMI_STATUS_DATE_UNKNOWN": f"({judged} AND {date_} IS NULL)",
        "SMI_REMOVED": f"coalesce(({removal}) <= DATE '{d.isoformat()}', false)",
        "SMI_REMOVAL_SOON": f"coalesce(({removal}) > DATE '{d.isoformat()}' AND ({removal}) <= DATE '{soon.isoformat()}', false)",
    }


def verdict_sql(
    hubs: str, table: str, policy: Policy, d: date, settings: EngineSettings | None = None
) -> str:
    """Steps 2-3 as one SQL query over relations ``hubs`` (a hub frame) and ``table`` (the small table).

    ``policy`` may be a timeline. Returns ``device_id``, ``verdict``, ``reasons`` (a list of
    codes), ``plan_hops``, ``plan_target``, ``removal_date`` (the deciding device's), like
    :func:`evaluate`.
    """
    soon = d + timedelta(days=(settings or EngineSettings()).removal_soon_days)
    never = "t.SMETS1_HUB"  # no housekeeping applies to a SMETS1 hub
    c, g = _sql_device(policy, d, soon, "", never), _sql_device(policy, d, soon, "gpf_", never)
    flags = {code: f"coalesce(t.{code}, false)" for code in FIRMWARE_CODES}
    for code in SMI_CODES[:4]:
        flags[code] = f"({c[code]} OR (gpf_status IS NOT NULL AND {g[code]}))"
    flags["TSAT_INSTALL_END_PASSED"] = f"coalesce(DATE '{d.isoformat()}' > tsat_install_end, false)"

    def rank(x: dict[str, str]) -> str:
        blocked = f"({x['SMI_STATUS_NOT_INSTALLABLE']} OR {x['SMI_REMOVED']})"
        warned = f"({x['SMI_STATUS_DATE_UNKNOWN']} OR {x['SMI_REMOVAL_SOON']})"
        return f"[CASE WHEN {blocked} THEN 0 ELSE 1 END, CASE WHEN {warned} THEN 0 ELSE 1 END, coalesce(epoch_ms(({x['removal']})::TIMESTAMP), 9223372036854775807)]"

    blocking = " OR ".join(f"f.{code}" for code in _BLOCKING)
    listed = ", ".join(f"CASE WHEN f.{code} THEN '{code}' END" for code in REASON_CODES)
    return f"""
WITH f AS (
  SELECT h.device_id, t.plan_hops, t.plan_target, t.plan_target_role,
         CASE WHEN h.gpf_status IS NOT NULL AND {rank(g)} < {rank(c)} THEN {g["removal"]} ELSE {c["removal"]} END
           AS removal_date,
         {", ".join(f"{expr} AS {code}" for code, expr in flags.items())}
  FROM {hubs} h LEFT JOIN {table} t USING ({", ".join(KEY)})
)
SELECT f.device_id,
       CASE WHEN {blocking} THEN 'NOT_ELIGIBLE' WHEN f.UPGRADE_REQUIRED THEN 'ELIGIBLE_AFTER_UPGRADE'
            ELSE 'ELIGIBLE' END AS verdict,
       list_filter([{listed}], lambda x: x IS NOT NULL) AS reasons,
       f.plan_hops, f.plan_target, f.plan_target_role, f.removal_date
FROM f
"""
