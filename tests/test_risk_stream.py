"""The streaming risk report equals the whole-frame one, whatever the chunks.

The reference is the report as computed before it streamed (tests/_risk_reference.py: every hub
in memory, one row each). The streaming report is fed the same fleets in chunks of 1 row, of sizes
that do not divide the fleet, and whole; from a frame and from a lazy Parquet scan; with a GPF's
row far from its CHF's (hubs wait across chunks), and with two suppliers holding the same Device IDs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cpl_data.sample import sample_reference
from cpl_data.synth import FleetMix, synth_fleet
from eligibility.hubframe import hub_frame
from eligibility.policy_timeline import Policy, parse_timeline
from eligibility.reference import Reference
from eligibility.risk import RiskReport, fleet_risk
from eligibility.smi import POLICIES, parse_policy
from eligibility.sweep import (
    DeviceDays,
    add_months_days,
    days,
    hub_removal_date,
    hub_removal_days,
    hub_status_date,
    resolved_status_date,
    smi_inputs,
)
from tests._fleets import M1, M3, dev, inventory, tiny_reference
from tests._risk_reference import reference_fleet_risk

START = date(2024, 6, 1)
POLS: list[Policy] = [
    *POLICIES.values(),
    parse_policy("months=24;history-aware"),
    parse_timeline("sec-ac-7.2,secmp0060@2025-01-01"),
]
FRAMES = ("monthly", "stranding", "cohorts", "rotation", "backstop", "age_profile", "hubs")


@pytest.fixture(scope="module")
def ref() -> Reference:
    cpl, cat = sample_reference()
    return Reference(cpl, cat)


def fleet(ref: Reference, hubs: int, seed: int) -> pl.DataFrame:
    mix = FleetMix(stock=0.6, returned=0.2, stock_age_days=500)
    return synth_fleet(ref.cpl, ref.catalogue, hubs=hubs, seed=seed, as_of=START, mix=mix)


def assert_same(got: RiskReport, want: RiskReport) -> None:
    assert got.summary == want.summary
    for name in FRAMES:
        assert_frame_equal(getattr(got, name), getattr(want, name), check_column_order=False)


def test_the_fleet_has_every_case(ref: Reference) -> None:
    # the comparisons below mean something only if the fleet strands, removes and rotates hubs
    r = reference_fleet_risk(fleet(ref, 400, 3), START, 36, POLS, ref)
    assert r.summary.pending_hubs > 200
    assert r.summary.stranding_within_horizon > 0
    assert r.rotation.height > 0
    assert r.cohorts.height > 0
    assert {o.removed_in_horizon > 0 for o in r.summary.policies} == {True, False}
    assert any(o.usable_lost > 0 for o in r.summary.policies)
    assert any(o.backstop_beyond_12_at_end > 0 for o in r.summary.policies)


@pytest.mark.parametrize("chunk_rows", [1, 3, 7, 250, 801, 10_000])
def test_chunks_of_any_size_give_the_whole_frame_answer(ref: Reference, chunk_rows: int) -> None:
    inv = fleet(ref, 400 if chunk_rows > 1 else 60, 3)
    want = reference_fleet_risk(inv, START, 36, POLS, ref, tariff_gbp_per_hub_month=1.5)
    got = fleet_risk(inv, START, 36, POLS, ref, tariff_gbp_per_hub_month=1.5, chunk_rows=chunk_rows)
    assert_same(got, want)


@pytest.mark.parametrize("chunk_rows", [1, 13, 500])
def test_gpf_rows_far_from_their_chf_wait_across_chunks(ref: Reference, chunk_rows: int) -> None:
    inv = fleet(ref, 300 if chunk_rows > 1 else 60, 5).sample(fraction=1.0, shuffle=True, seed=1)
    want = reference_fleet_risk(inv, START, 36, POLS, ref)
    assert_same(fleet_risk(inv, START, 36, POLS, ref, chunk_rows=chunk_rows), want)


@pytest.mark.parametrize("supplier", [None, "Other Energy"])
def test_two_suppliers_with_the_same_device_ids_keep_their_own_gpfs(
    ref: Reference, supplier: str | None
) -> None:
    one = fleet(ref, 200, 9)
    # the same Device IDs under another supplier, whose GPFs say something else
    other = one.with_columns(
        pl.lit("Other Energy").alias("supplier"),
        pl.when(pl.col("device_type") == "GPF")
        .then(pl.lit("Pending:2020-01-01;Commissioned:2021-01-01;Pending:2023-01-01"))
        .otherwise(pl.col("status_history"))
        .alias("status_history"),
    )
    inv = pl.concat([one, other]).sample(fraction=1.0, shuffle=True, seed=2)
    want = reference_fleet_risk(inv, START, 36, POLS, ref, supplier=supplier)
    for rows in (17, 1000):
        assert_same(fleet_risk(inv, START, 36, POLS, ref, supplier=supplier, chunk_rows=rows), want)


def test_a_lazy_parquet_scan_gives_the_same_answer(ref: Reference, tmp_path: Path) -> None:
    inv = fleet(ref, 500, 11)
    path = tmp_path / "fleet.parquet"
    inv.write_parquet(path, row_group_size=64)
    want = reference_fleet_risk(inv, START, 36, POLS, ref)
    assert_same(fleet_risk(pl.scan_parquet(path), START, 36, POLS, ref, chunk_rows=97), want)
    # an empty file still gives a report, every table with its columns
    inv.clear().write_parquet(empty := tmp_path / "empty.parquet")
    want = reference_fleet_risk(inv.clear(), START, 36, POLS, ref)
    assert_same(fleet_risk(pl.scan_parquet(empty), START, 36, POLS, ref, chunk_rows=97), want)


def test_hand_built_fleet_row_by_row() -> None:
    # the tiny fleet of tests/test_risk.py's figures by hand: a SMETS1-free fleet with a returned hub,
    # a TSAT end, a hub removed before the start and an installed hub outside the population
    rows: list[tuple[str | None, ...]] = [
        (dev(1), None, "CHF", *M1, "01000000", "Pending", "2025-03-15", None, "A", None, None),
        (dev(2), None, "CHF", *M1, "04000000", "Pending", "2025-01-10",
         "Commissioned:2022-01-01;Decommissioned:2024-12-01;Pending:2025-01-10", "A", None, None),
        (dev(3), None, "CHF", *M3, "0A000001", "Pending", "2024-11-20", None, "B", None, None),
        (dev(4), None, "CHF", *M1, "03000000", "Pending", "2023-12-01", None, "B", None, "2025-05-01"),
        (dev(5), None, "CHF", *M1, "04000000", "Commissioned", "2023-01-01",
         "Pending:2022-06-01;Commissioned:2023-01-01", "A", None, None),
    ]  # fmt: skip
    inv, ref, start = inventory(rows), tiny_reference(), date(2025, 4, 1)
    want = reference_fleet_risk(inv, start, 12, POLS, ref)
    for n in (1, 2, 100):
        assert_same(fleet_risk(inv, start, 12, POLS, ref, chunk_rows=n), want)


def test_an_empty_inventory_and_one_without_pending_hubs(ref: Reference) -> None:
    inv = fleet(ref, 50, 4)
    for frame in (inv.clear(), inv.with_columns(pl.lit("Commissioned").alias("status"))):
        want = reference_fleet_risk(frame, START, 12, POLS, ref)
        assert_same(fleet_risk(frame, START, 12, POLS, ref, chunk_rows=7), want)


def test_without_the_per_hub_table_the_rest_is_the_same(ref: Reference) -> None:
    inv = fleet(ref, 300, 6)
    full = fleet_risk(inv, START, 36, POLS, ref, chunk_rows=100)
    lean = fleet_risk(inv, START, 36, POLS, ref, chunk_rows=100, per_hub=False)
    assert lean.hubs.height == 0
    assert lean.hubs.columns == full.hubs.columns
    assert lean.summary == full.summary
    for name in FRAMES[:-1]:
        assert_frame_equal(getattr(lean, name), getattr(full, name))


@pytest.mark.parametrize("spread", ["usual", "wild"])
def test_adding_months_to_days_is_polars_offset_by(spread: str) -> None:
    # every day of 1999-2030 (month ends, leap days), and a spread that takes the distinct-days path
    lo, hi = (10_500, 22_000) if spread == "usual" else (-700_000, 2_900_000)
    day = np.unique(np.concatenate([np.arange(lo, hi, 1 if spread == "usual" else 997), [lo, hi]]))
    for months in (1, 12, 36, 0, 7):
        want = (
            pl.Series(day).cast(pl.Int32).cast(pl.Date).dt.offset_by(f"{months}mo").cast(pl.Int32).to_numpy()
        )
        np.testing.assert_array_equal(add_months_days(day, months), want)


def test_removal_days_are_the_polars_removal_dates(ref: Reference) -> None:
    inv = fleet(ref, 3000, 12)
    # GPF records of every kind: other statuses, returned histories, unknown dates, no GPF at all
    n = inv.height
    inv = inv.with_columns(
        pl.when(pl.int_range(n) % 14 == 1)
        .then(pl.lit("Commissioned"))
        .otherwise(pl.col("status"))
        .alias("status"),
        pl.when(pl.int_range(n) % 10 == 3).then(None).otherwise(pl.col("status_since")).alias("status_since"),
        pl.when(pl.int_range(n) % 22 == 5)
        .then(None)
        .otherwise(pl.col("gpf_device_id"))
        .alias("gpf_device_id"),
    )
    hubs = hub_frame(inv).filter(pl.col("status") == "Pending")
    hubs = hubs.with_columns(resolved_status_date(hubs))
    chf, gpf = DeviceDays.of(hubs, "chf"), DeviceDays.of(hubs, "gpf")
    smi = hubs.select("device_type", "status", "gpf_device_type", "gpf_status", *smi_inputs(chf_dated=True))
    timelines = [
        parse_timeline("exclusion-list,sec-ac-7.2@2024-01-01,secmp0060@2025-03-15"),
        parse_timeline("secmp0060,history-aware@2023-06-30"),
    ]
    for pol in [*POLS, *timelines]:
        want = days(smi.select(hub_removal_date(pol)).to_series())
        np.testing.assert_array_equal(hub_removal_days(pol, chf, gpf), want, err_msg=pol.name)
    assert (hubs["status_since"] == hubs.select(hub_status_date()).to_series()).fill_null(True).all()
    assert hubs["status_since"].null_count() == hubs.select(hub_status_date()).to_series().null_count()
