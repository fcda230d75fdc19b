"""The risk report as computed before it streamed: the whole fleet in memory, one row per hub.

Kept verbatim (but for its name) as the reference the streaming :func:`eligibility.risk.fleet_risk`
must equal on every fleet and chunk size (tests/test_risk_stream.py). Not for use outside tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from eligibility.backstop import BACKSTOP_MONTHS, backstop_counts
from eligibility.cohorts import Cohorts
from eligibility.engine import Engine
from eligibility.hubframe import hub_frame
from eligibility.policy_timeline import Policy
from eligibility.reference import Reference
from eligibility.risk import PolicyOutcome, RiskReport, RiskSummary
from eligibility.rotation import ROTATION_INPUT, stock_rotation
from eligibility.stranding import PAIR_KEY, firmware_outlook
from eligibility.sweep import (
    SweepInput,
    days,
    hub_removal_date,
    hub_status_date,
    month_dates,
    smi_inputs,
    sweep_policy,
)

#: Inventory columns the report never reads (left out before anything is copied).
_UNREAD = ("csp_region", "han_variant")


def _months_pending(start: date) -> pl.Expr:
    since = pl.col("status_since")
    whole = (start.year - since.dt.year()) * 12 + (start.month - since.dt.month())
    return (whole - (since.dt.day() > start.day).cast(pl.Int32)).alias("months_pending")


def reference_fleet_risk(
    inventory: pl.DataFrame,
    start: date,
    months: int,
    policies: Sequence[Policy],
    reference: Reference,
    *,
    supplier: str | None = None,
    tariff_gbp_per_hub_month: float | None = None,
    engine: Engine | None = None,
) -> RiskReport:
    """The risk report of a normalised inventory from ``start`` over ``months`` months.

    Raises ValueError when ``months`` is not 1 to 600 or ``policies`` is empty.
    """
    if not 1 <= months <= 600 or not policies:
        raise ValueError("months must be 1 to 600 and at least one policy is needed")
    policies = list({p.name: p for p in policies}.values())  # a policy named twice is compared once
    engine = engine or Engine(reference)
    # lazily, both frames in one plan: polars prunes the columns, shares the join of the CHF
    # rows with their GPF's, and filters before copying
    frame = hub_frame(inventory.lazy().drop(_UNREAD, strict=False)).with_columns(
        pl.col("supplier").fill_null("(none)")
    )
    if supplier is not None:
        frame = frame.filter(
            pl.col("supplier").str.strip_chars().str.to_lowercase() == supplier.strip().lower()
        )
    histories, hubs = pl.collect_all(
        [
            frame.select(ROTATION_INPUT),
            frame.filter(pl.col("status") == "Pending").with_columns(hub_status_date()),
        ]
    )
    outlook = firmware_outlook(engine, hubs, start)
    dates = month_dates(start, months)
    m = months
    hubs = hubs.join(
        outlook.pairs.select(
            *PAIR_KEY, "pair_id", "stranding_date", "stranding_code", "upgrade_path_assumed", "smets1_hub"
        ),
        on=list(PAIR_KEY),
        how="left",
        maintain_order="left",
    )
    # a SMETS1 hub is never DCC stock: left out of the population, and counted
    smets1_left_out = int(hubs["smets1_hub"].sum())
    if smets1_left_out:
        hubs = hubs.filter(~pl.col("smets1_hub"))
    smi = hubs.select("device_type", "status", "gpf_device_type", "gpf_status", *smi_inputs(chf_dated=True))
    # returned: either device's history held a status other than Pending (see eligibility.backstop)
    hubs = hubs.with_columns(
        (smi["status_history"].is_not_null() | smi["gpf_status_history"].is_not_null()).alias("returned")
    )
    inp = SweepInput(
        hubs["pair_id"].to_numpy().astype(np.int64), days(hubs["tsat_install_end"]), outlook, dates
    )
    stranded = outlook.stranded_matrix(dates)
    # stranded months of a hub on the SMI up to month k: cumulative over k >= 1
    stranded_cum = np.cumsum(np.where(np.arange(m + 1)[None, :] >= 1, stranded, False), axis=1)
    returned = hubs["returned"].to_numpy()
    beyond = days(hubs.select(pl.col("status_since").dt.offset_by(f"{BACKSTOP_MONTHS}mo")).to_series())
    cohorts = Cohorts.of(inp.pair, hubs["status_since"], outlook.pairs.height)
    monthly, backstop, outcomes = [], [], []
    per_cohort: dict[str, dict[str, npt.NDArray[np.generic]]] = {}
    per_hub: dict[str, pl.Series] = {}
    # every policy in one pass: polars shares the common work of the expressions
    removals = (
        smi.lazy().select(hub_removal_date(p).alias(f"removal_date_{p.name}") for p in policies).collect()
    )
    for pol in policies:
        removal = removals[f"removal_date_{pol.name}"]
        sw = sweep_policy(pol.name, inp, days(removal), stranded)
        monthly.append(sw.monthly)
        per_hub[removal.name] = removal
        gap = backstop_counts(inp.t, beyond[returned], sw.k_removed[returned])
        backstop.append(
            pl.DataFrame(
                {
                    "policy": pol.name,
                    "month": np.arange(m + 1),
                    "date": dates,
                    "returned_beyond_12_on_smi": gap,
                },
                schema_overrides={"month": pl.Int64, "returned_beyond_12_on_smi": pl.Int64},
            )
        )
        k = sw.k_removed
        per_cohort[pol.name] = {
            "removed_before_start": k == 0,
            "removed": k <= m,
            "usable_lost": sw.lost,
            "stranded_on_smi_at_end": (k == m + 1) & stranded[inp.pair, m],
            "stranded_hub_months": stranded_cum[inp.pair, np.clip(k - 1, 0, m)],
        }
        last = sw.monthly.row(m, named=True)
        outcomes.append(
            PolicyOutcome(
                policy=pol.name,
                description=pol.describe(),
                removed=last["removed"],
                removed_before_start=sw.removed_before_start,
                removed_in_horizon=last["removed"] - sw.removed_before_start,
                usable_lost=last["usable_lost_cumulative"],
                stranded_on_smi_at_end=last["stranded_on_smi"],
                stranded_hub_months=last["stranded_hub_months_cumulative"],
                stranded_charge_gbp=None
                if tariff_gbp_per_hub_month is None
                else round(last["stranded_hub_months_cumulative"] * tariff_gbp_per_hub_month, 2),
                installable_at_end=last["installable"],
                returned_hubs=int(returned.sum()),
                backstop_beyond_12_at_end=int(gap[m]),
                backstop_hub_months=int(gap[1:].sum()),
            )
        )
    end = dates[-1]
    sd = hubs["stranding_date"]
    summary = RiskSummary(
        start=start,
        months=months,
        end=end,
        supplier=supplier,
        reference=engine.reference.info,
        tariff_gbp_per_hub_month=tariff_gbp_per_hub_month,
        pending_hubs=hubs.height,
        stranded_at_start=int((sd == start).sum()),
        stranding_within_horizon=int(((sd > start) & (sd <= end)).sum()),
        stranding_later=int((sd > end).sum()),
        upgrade_path_assumed_hubs=int(hubs["upgrade_path_assumed"].sum()),
        smets1_left_out=smets1_left_out,
        policies=tuple(outcomes),
    )
    hub_counts = hubs.group_by(PAIR_KEY).agg(pl.len().alias("hubs"))
    stranding = (
        outlook.pairs.filter(~pl.col("smets1_hub"))
        .join(hub_counts, on=list(PAIR_KEY), how="left")
        .select(
            *PAIR_KEY, "hubs", "stranded_at_start", "stranding_date", "stranding_code", "stranding_evidence"
        )
        .sort("stranding_date", *PAIR_KEY, nulls_last=True)
    )
    ages = (
        hubs.filter(pl.col("status_since").is_not_null())
        .group_by(_months_pending(start))
        .agg(pl.len().alias("hubs"))
        .sort("months_pending")
    )
    per_hub_frame = hubs.select(
        "device_id", "supplier", *PAIR_KEY, "status_since", "returned", "stranding_date", "stranding_code"
    ).with_columns(**per_hub)
    return RiskReport(
        summary=summary,
        monthly=pl.concat(monthly),
        stranding=stranding,
        cohorts=cohorts.table(outlook.pairs, per_cohort),
        rotation=stock_rotation(histories, start),
        backstop=pl.concat(backstop),
        age_profile=ages,
        hubs=per_hub_frame,
    )
