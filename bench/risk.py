"""The fleet risk sweep over 10 million hubs x 36 months x 4 policies (target: under a minute).

The fleet is drawn by ``cpl_data.synth`` from the real CPL v2.051 (with a catalogue that makes
a stepping stone of Toshiba SKU1's 0C1D0000, withdrawn during the horizon), every hub in
'Pending' (warehouse stock and returned hubs), so that every one of the 10 million is in the
sweep. Printed, from the same run:

- ``fleet_risk`` end to end (hub frame, stranding outlook, the sweep for every policy, cohorts,
  rotation, backstop, age profile), in seconds, and hubs per second;
- the baseline: the month-by-month figures (removed, on the SMI, stranded on the SMI,
  installable) computed the obvious columnar way, one polars pass over the hubs per month and
  policy (37 x 4 passes), against the sweep computing the same figures from the same prepared
  hubs; the two are checked equal, and equal to the whole report's.

Run: ``make bench`` or ``.venv/bin/python -m bench.risk [HUBS]``.
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
import polars as pl

from bench._timing import report
from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.real_data import shared_data_dir
from cpl_data.synth import FleetMix, synth_fleet
from eligibility.engine import Engine
from eligibility.hubframe import hub_frame
from eligibility.reference import Reference
from eligibility.risk import RiskReport, fleet_risk
from eligibility.smi import POLICIES
from eligibility.stranding import PAIR_KEY, FirmwareOutlook, firmware_outlook
from eligibility.sweep import SweepInput, days, hub_removal_date, hub_status_date, month_dates, sweep_policy

START = date(2024, 6, 1)
MONTHS = 36
CATALOGUE = b"""
name = "bench catalogue"
[[model]]
manufacturer = "1086"
model = "54311F52"
[[model.release]]
firmware = "0C1D0000"
stepping_stone = true
withdrawn_on = 2025-06-01
"""


def prepared(inventory: pl.DataFrame, ref: Reference) -> tuple[pl.DataFrame, FirmwareOutlook]:
    """What both ways of computing the monthly figures start from: pending hubs with their pair
    id and their removal date under each policy, and the pairs' stranding outlook."""
    hubs = hub_frame(inventory).with_columns(hub_status_date()).filter(pl.col("status") == "Pending")
    outlook = firmware_outlook(Engine(ref), hubs, START)
    hubs = hubs.join(outlook.pairs.select(*PAIR_KEY, "pair_id"), on=list(PAIR_KEY), how="left")
    return hubs.with_columns(hub_removal_date(p).alias(p.name) for p in POLICIES.values()), outlook


def baseline(hubs: pl.DataFrame, outlook: FirmwareOutlook) -> pl.DataFrame:
    """The monthly figures one month and one policy at a time: a pass over every hub each."""
    dates = month_dates(START, MONTHS)
    stranded = outlook.stranded_matrix(dates)
    out = []
    for pol in POLICIES:
        for k, t in enumerate(dates):
            state = pl.DataFrame({"pair_id": np.arange(stranded.shape[0]), "stranded": stranded[:, k]})
            on = pl.col(pol).is_null() | (pl.col(pol) > t)
            tsat = pl.col("tsat_install_end").is_null() | (pl.col("tsat_install_end") >= t)
            prev = dates[k - 1] if k else t
            row = (
                hubs.join(state, on="pair_id", how="left")
                .select(
                    (pl.col(pol).is_between(prev, t, closed="right") & (k > 0))
                    .sum()
                    .alias("removed_in_month"),
                    on.sum().alias("on_smi"),
                    (on & pl.col("stranded")).sum().alias("stranded_on_smi"),
                    (on & ~pl.col("stranded") & tsat).sum().alias("installable"),
                )
                .with_columns(pl.lit(pol).alias("policy"), pl.lit(k).alias("month"))
            )
            out.append(row)
    return pl.concat(out).select(
        "policy", "month", "removed_in_month", "on_smi", "stranded_on_smi", "installable"
    )


def swept(hubs: pl.DataFrame, outlook: FirmwareOutlook) -> pl.DataFrame:
    """The same figures by the sweep (:func:`eligibility.sweep.sweep_policy`), from the same hubs."""
    dates = month_dates(START, MONTHS)
    inp = SweepInput(
        hubs["pair_id"].to_numpy().astype(np.int64), days(hubs["tsat_install_end"]), outlook, dates
    )
    stranded = outlook.stranded_matrix(dates)
    frames = [sweep_policy(p, inp, days(hubs[p]), stranded).monthly for p in POLICIES]
    return pl.concat(frames).select(
        "policy", "month", "removed_in_month", "on_smi", "stranded_on_smi", "installable"
    )


def main(hubs: int = 10_000_000) -> None:
    cpl = read_cpl(shared_data_dir() / "cpl" / "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx").cpl
    cat = load_catalogue(CATALOGUE, cpl=cpl).catalogue
    ref = Reference(cpl, cat)
    print(
        f"== fleet risk: {hubs:,} pending hubs x {MONTHS} months x {len(POLICIES)} policies (real CPL v2.051) =="
    )
    t0 = time.perf_counter()
    mix = FleetMix(stock=0.85, returned=0.15, installed_not_commissioned=0.0, other=0.0, stock_age_days=400)
    fleet = synth_fleet(cpl, cat, hubs=hubs, seed=2024, as_of=START, mix=mix)
    print(
        f"(fleet drawn in {time.perf_counter() - t0:.1f} s: {fleet.height:,} inventory rows; not timed below)"
    )

    t0 = time.perf_counter()
    prepped, outlook = prepared(fleet, ref)
    report("shared inputs: hub frame, outlook, removal dates", time.perf_counter() - t0, unit="s")
    t0 = time.perf_counter()
    base = baseline(prepped, outlook)
    base_s = time.perf_counter() - t0
    report("baseline: monthly figures, one pass per month and policy", base_s, unit="s")
    t0 = time.perf_counter()
    mine = swept(prepped, outlook)
    report("the sweep: the same figures as bincounts", time.perf_counter() - t0, baseline=base_s, unit="s")
    assert mine.equals(base.cast(mine.schema)), "the sweep and the baseline disagree"
    del prepped, outlook

    t0 = time.perf_counter()
    result: RiskReport = fleet_risk(fleet, START, MONTHS, list(POLICIES.values()), ref)
    sweep_s = time.perf_counter() - t0
    report("fleet_risk: the whole report, from the inventory", sweep_s, unit="s")
    print(f"{'hubs per second':<58} {hubs / sweep_s:12,.0f}", flush=True)

    whole = result.monthly.select(
        "policy", "month", "removed_in_month", "on_smi", "stranded_on_smi", "installable"
    )
    assert whole.equals(mine), "fleet_risk and the sweep disagree"
    worst = max(result.summary.policies, key=lambda o: o.stranded_hub_months)
    print(
        f"(same figures as the baseline; {result.summary.stranding_within_horizon:,} hubs strand within the horizon, "
        f"{worst.policy} leaves {worst.stranded_hub_months:,} stranded hub-months)",
        flush=True,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
