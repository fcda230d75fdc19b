"""The fleet risk sweep over 10 million hubs x 36 months x 4 policies: under 20 s and 4 GB peak.

The fleet is drawn by ``cpl_data.synth`` from the real CPL v2.051 (with a catalogue that makes
a stepping stone of Toshiba SKU1's 0C1D0000, withdrawn during the horizon), every hub in
'Pending' (warehouse stock and returned hubs), so that every one of the 10 million is in the
sweep. It is written once to Parquet in a cache folder (``--cache``, kept across runs: drawing
10 million hubs takes minutes) and never timed.

Each measurement runs in a fresh process, so that its peak memory is its own
(``getrusage(RUSAGE_SELF).ru_maxrss``, read at the end of the child): ``fleet_risk`` end to end
(hub pairing, stranding outlook, the sweep for every policy, cohorts, rotation, backstop, age
profile) on a lazy scan of the Parquet file, streamed in chunks. Printed beside the targets:
wall seconds, CPU seconds (all threads: steadier than wall time on a shared machine), hubs per
second, peak RSS; first without the per-hub table (``hubcheck risk`` and the HTTP API need only
the tables), then with it (``hubcheck risk --hubs-out``; ``--no-per-hub`` skips that run).

``--check N`` also draws N hubs in memory and checks the streamed report against the month-by-
month figures computed the obvious columnar way (one polars pass over the hubs per month and
policy) and against the sweep on the whole frame.

Run: ``make bench`` or ``.venv/bin/python -m bench.risk [--hubs N] [--no-per-hub] [--check N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bench import targets
from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.real_data import shared_data_dir
from cpl_data.synth import FleetMix, synth_fleet, write_fleet
from eligibility.engine import Engine
from eligibility.hubframe import hub_frame
from eligibility.reference import Reference
from eligibility.risk import CHUNK_ROWS, fleet_risk
from eligibility.smi import POLICIES
from eligibility.stranding import PAIR_KEY, FirmwareOutlook, firmware_outlook
from eligibility.sweep import SweepInput, days, hub_removal_date, hub_status_date, month_dates, sweep_policy

START = date(2024, 6, 1)
MONTHS = 36
SEED = 2024
TARGET_SECONDS = 20.0
TARGET_GB = 4.0
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
MIX = FleetMix(stock=0.85, returned=0.15, installed_not_commissioned=0.0, other=0.0, stock_age_days=400)
FIGURES = ("policy", "month", "removed_in_month", "on_smi", "stranded_on_smi", "installable")


def reference() -> Reference:
    """The real CPL v2.051 and the bench catalogue."""
    cpl = read_cpl(shared_data_dir() / "cpl" / "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx").cpl
    return Reference(cpl, load_catalogue(CATALOGUE, cpl=cpl).catalogue)


def cached_fleet(hubs: int, cache: Path, ref: Reference) -> Path:
    """The fleet's Parquet file in ``cache``, drawn (untimed) when not there yet."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"risk-fleet-{hubs}-seed{SEED}-{START.isoformat()}.parquet"
    if not path.exists():
        t0 = time.perf_counter()
        partial = path.with_suffix(".partial")
        write_fleet(partial, ref.cpl, ref.catalogue, hubs=hubs, seed=SEED, as_of=START, mix=MIX)
        partial.rename(path)
        print(f"(fleet drawn to {path} in {time.perf_counter() - t0:.1f} s; not timed, kept for later runs)")
    else:
        print(f"(fleet read from {path}: drawn by an earlier run)")
    return path


def _child(path: Path, per_hub: bool, chunk_rows: int) -> None:
    """In a fresh process: the report of the Parquet fleet, timed; one JSON line on stdout."""
    ref = reference()
    t0, c0 = time.perf_counter(), time.process_time()
    r = fleet_risk(
        pl.scan_parquet(path),
        START,
        MONTHS,
        list(POLICIES.values()),
        ref,
        per_hub=per_hub,
        chunk_rows=chunk_rows,
    )
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    worst = max(r.summary.policies, key=lambda o: o.stranded_hub_months)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_rss": rss,
                "hubs": r.summary.pending_hubs,
                "strand_in_horizon": r.summary.stranding_within_horizon,
                "worst": [worst.policy, worst.stranded_hub_months],
                "per_hub_rows": r.hubs.height,
            }
        )
    )


def measure(path: Path, *, per_hub: bool, chunk_rows: int) -> dict[str, Any]:
    """``fleet_risk`` of the fleet at ``path`` in a fresh process: its wall time and peak RSS."""
    args = [sys.executable, "-m", "bench.risk", "--child", str(path), "--chunk-rows", str(chunk_rows)]
    out = subprocess.run(
        [*args, "--per-hub" if per_hub else "--no-per-hub"], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"the measured run failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def show(label: str, got: dict[str, Any], hubs: int) -> None:
    """One measured run beside the targets."""
    seconds, rss = float(got["seconds"]), int(got["peak_rss"])
    s_ok = "meets" if seconds < TARGET_SECONDS else "misses"
    m_ok = "meets" if rss < TARGET_GB * 1e9 else "misses"
    print(f"{label}")
    print(f"  {'wall':<20} {seconds:10.1f} s    target < {TARGET_SECONDS:.0f} s ({s_ok})")
    print(f"  {'peak RSS':<20} {rss / 1e9:10.2f} GB   target < {TARGET_GB:.0f} GB ({m_ok})")
    print(
        f"  {'CPU, all threads':<20} {float(got['cpu_seconds']):10.1f} s    (the machine's other load is not in it)"
    )
    print(f"  {'hubs per second':<20} {hubs / seconds:10,.0f}", flush=True)


# -- the cross-check at a smaller size: the obvious columnar way against the sweep ----------------


def _prepared(inventory: pl.DataFrame, ref: Reference) -> tuple[pl.DataFrame, FirmwareOutlook]:
    hubs = hub_frame(inventory).with_columns(hub_status_date()).filter(pl.col("status") == "Pending")
    outlook = firmware_outlook(Engine(ref), hubs, START)
    hubs = hubs.join(outlook.pairs.select(*PAIR_KEY, "pair_id"), on=list(PAIR_KEY), how="left")
    return hubs.with_columns(hub_removal_date(p).alias(p.name) for p in POLICIES.values()), outlook


def _baseline(hubs: pl.DataFrame, outlook: FirmwareOutlook) -> pl.DataFrame:
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
    return pl.concat(out).select(FIGURES)


def _swept(hubs: pl.DataFrame, outlook: FirmwareOutlook) -> pl.DataFrame:
    dates = month_dates(START, MONTHS)
    inp = SweepInput(
        hubs["pair_id"].to_numpy().astype(np.int64), days(hubs["tsat_install_end"]), outlook, dates
    )
    stranded = outlook.stranded_matrix(dates)
    return pl.concat([sweep_policy(p, inp, days(hubs[p]), stranded).monthly for p in POLICIES]).select(
        FIGURES
    )


def check(hubs: int, ref: Reference) -> None:
    """The streamed report's figures against the obvious columnar way and the whole-frame sweep."""
    fleet = synth_fleet(ref.cpl, ref.catalogue, hubs=hubs, seed=SEED, as_of=START, mix=MIX)
    prepped, outlook = _prepared(fleet, ref)
    t0 = time.perf_counter()
    base = _baseline(prepped, outlook)
    base_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    whole = _swept(prepped, outlook)
    sweep_s = time.perf_counter() - t0
    streamed = fleet_risk(fleet, START, MONTHS, list(POLICIES.values()), ref, chunk_rows=hubs // 3 + 1)
    assert whole.equals(base.cast(whole.schema)), "the sweep and the baseline disagree"
    assert streamed.monthly.select(FIGURES).equals(whole), "the streamed report and the sweep disagree"
    print(
        f"check at {hubs:,} hubs: the streamed report = the whole-frame sweep ({sweep_s:.2f} s) = one pass per "
        f"month and policy ({base_s:.2f} s)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.risk", description=__doc__.split("\n", 1)[0])
    p.add_argument("--hubs", type=int, default=10_000_000)
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "hubcheck-bench")
    p.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    p.add_argument(
        "--per-hub",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure with the per-hub table built (hubcheck risk --hubs-out)",
    )
    p.add_argument("--check", type=int, default=0, metavar="N", help="cross-check the figures on N hubs")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child is not None:
        _child(a.child, a.per_hub, a.chunk_rows)
        return
    print(
        f"== fleet risk: {a.hubs:,} pending hubs x {MONTHS} months x {len(POLICIES)} policies (real CPL v2.051) =="
    )
    print(f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    ref = reference()
    path = cached_fleet(a.hubs, a.cache, ref)
    got = measure(path, per_hub=False, chunk_rows=a.chunk_rows)
    show("fleet_risk, streamed from Parquet (no per-hub table)", got, a.hubs)
    what = f"risk, {a.hubs / 1e6:g}M hubs x {MONTHS} months x {len(POLICIES)} policies"
    rerun = f".venv/bin/python -m bench.risk --hubs {a.hubs} --no-per-hub"
    seconds, rss = float(got["seconds"]), int(got["peak_rss"])
    targets.record(
        f"{what}: wall", f"{seconds:.1f} s", f"< {TARGET_SECONDS:.0f} s", seconds < TARGET_SECONDS, rerun
    )
    targets.record(
        f"{what}: peak RSS", f"{rss / 1e9:.2f} GB", f"< {TARGET_GB:.0f} GB", rss < TARGET_GB * 1e9, rerun
    )
    if a.per_hub:
        show(
            "fleet_risk, with the per-hub table", measure(path, per_hub=True, chunk_rows=a.chunk_rows), a.hubs
        )
    hubs, worst = got["hubs"], got["worst"]
    print(
        f"({hubs:,} hubs; {got['strand_in_horizon']:,} strand within the horizon; {worst[0]} leaves {worst[1]:,} stranded hub-months)"
    )
    if a.check:
        check(a.check, ref)


if __name__ == "__main__":
    main()
