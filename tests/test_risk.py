"""The risk sweep: every figure of a small fleet computed by hand, and invariants on synthetic fleets."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from cpl_data.sample import sample_reference
from cpl_data.synth import FleetMix, synth_fleet
from eligibility.reference import Reference
from eligibility.risk import RiskReport, fleet_risk
from eligibility.smi import POLICIES, parse_policy
from tests._fleets import M1, M3, dev, inventory, tiny_reference

START = date(2025, 4, 1)  # t_k = 2025-(4+k)-01; t_12 = 2026-04-01


def hub(
    n: int, model: tuple[str, str], fw: str, since: str | None, supplier: str, **kw: Any
) -> tuple[str | None, ...]:
    return (dev(n), None, "CHF", *model, fw, kw.get("status", "Pending"), since, kw.get("hist"), supplier, None,
            kw.get("tsat"))  # fmt: skip


# h1 M1 01, Pending 2025-03-15: strands 2025-07-01 (month 3); 12-month removal 2026-03-15 (month 12)
# h2 M1 04, returned, Pending 2025-01-10: never strands; removal 2026-01-10 (month 10); past 12 months then
# h3 M3 w1, Pending 2024-11-20: stranded from the start; removal 2025-11-20 (month 8)
# h4 M1 03, Pending 2023-12-01, TSAT end 2025-05-01: removed 2024-12-01 (before the start) under 12 months
# h5 installed: not in the population
ROWS = [
    hub(1, M1, "01000000", "2025-03-15", "A"),
    hub(
        2,
        M1,
        "04000000",
        "2025-01-10",
        "A",
        hist="Commissioned:2022-01-01;Decommissioned:2024-12-01;Pending:2025-01-10",
    ),
    hub(3, M3, "0A000001", "2024-11-20", "B"),
    hub(4, M1, "03000000", "2023-12-01", "B", tsat="2025-05-01"),
    hub(
        5,
        M1,
        "04000000",
        "2023-01-01",
        "A",
        status="Commissioned",
        hist="Pending:2022-06-01;Commissioned:2023-01-01",
    ),
]


@pytest.fixture(scope="module")
def report() -> RiskReport:
    return fleet_risk(
        inventory(ROWS), START, 12, list(POLICIES.values()), tiny_reference(), tariff_gbp_per_hub_month=2.0
    )


def column(r: RiskReport, policy: str, name: str, frame: str = "monthly") -> list[int]:
    f: pl.DataFrame = getattr(r, frame)
    return f.filter(pl.col("policy") == policy).sort("month")[name].to_list()


def test_stranding_dates_by_hand(report: RiskReport) -> None:
    got = dict(zip(report.hubs["device_id"], report.hubs["stranding_date"], strict=True))
    assert got == {dev(1): date(2025, 7, 1), dev(2): None, dev(3): START, dev(4): None}
    s = report.summary
    assert (s.pending_hubs, s.stranded_at_start, s.stranding_within_horizon, s.stranding_later) == (
        4,
        1,
        1,
        0,
    )


def test_sec_ac_7_2_month_by_month(report: RiskReport) -> None:
    p = "sec-ac-7.2"
    #                              month 0  1  2  3  4  5  6  7  8  9 10 11 12
    assert column(report, p, "removed") == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1]
    assert column(report, p, "removed_cumulative")[-1] == 3
    # h2 (month 10) still had a plan when removed; h3 and h1 were stranded by then
    assert column(report, p, "usable_lost") == [0] * 10 + [1, 0, 0]
    assert column(report, p, "on_smi") == [3] * 8 + [2, 2, 1, 1, 0]
    assert column(report, p, "stranded_on_smi") == [1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0]
    assert column(report, p, "stranded_hub_months_cumulative")[-1] == 2 + 5 * 2 + 4 * 1
    assert column(report, p, "installable") == [2, 2, 2] + [1] * 7 + [0, 0, 0]
    o = report.summary.policies[0]
    assert (o.removed_before_start, o.removed, o.usable_lost, o.stranded_on_smi_at_end) == (1, 3, 1, 0)
    assert (o.stranded_hub_months, o.stranded_charge_gbp, o.installable_at_end) == (16, 32.0, 0)


def test_secmp0060_keeps_everyone_and_h4_runs_out_of_tsat(report: RiskReport) -> None:
    p = "secmp0060"
    assert column(report, p, "removed_cumulative") == [0] * 13
    assert column(report, p, "stranded_on_smi") == [1, 1, 1] + [2] * 10
    # h4's TSAT installation end (2025-05-01) passes after t_1
    assert column(report, p, "installable") == [3, 3, 2] + [1] * 10
    assert column(report, p, "stranded_hub_months_cumulative")[-1] == 2 + 10 * 2


def test_history_aware_removes_only_the_returned_hub(report: RiskReport) -> None:
    p = "history-aware"
    assert column(report, p, "removed") == [0] * 10 + [1, 0, 0]
    assert column(report, p, "usable_lost")[10] == 1


def test_backstop_by_hand(report: RiskReport) -> None:
    # h2 passes 12 months pending on 2026-01-10: the 12-month policies remove it that day
    for p in ("sec-ac-7.2", "history-aware"):
        assert column(report, p, "returned_beyond_12_on_smi", "backstop") == [0] * 13
    for p in ("secmp0060", "exclusion-list"):
        assert column(report, p, "returned_beyond_12_on_smi", "backstop") == [0] * 10 + [1, 1, 1]
    outcome = {o.policy: o for o in report.summary.policies}
    assert (outcome["secmp0060"].returned_hubs, outcome["secmp0060"].backstop_hub_months) == (1, 3)


def test_cohorts_by_hand(report: RiskReport) -> None:
    c = report.cohorts.filter(pl.col("policy") == "sec-ac-7.2")
    rows = {(r["firmware"], r["pending_year"]): r for r in c.iter_rows(named=True)}
    assert set(rows) == {("01000000", 2025), ("04000000", 2025), ("0A000001", 2024), ("03000000", 2023)}
    h1 = rows[("01000000", 2025)]
    # stranded months 3..11, removed in month 12
    assert (h1["hubs"], h1["removed"], h1["usable_lost"], h1["stranded_hub_months"]) == (1, 1, 0, 9)
    assert rows[("0A000001", 2024)]["stranded_hub_months"] == 7
    assert rows[("03000000", 2023)]["removed_before_start"] == 1


def test_age_profile(report: RiskReport) -> None:
    # whole months pending at 2025-04-01
    assert report.age_profile.rows() == [(0, 1), (2, 1), (4, 1), (16, 1)]


def test_json_has_every_table_but_the_hubs(report: RiskReport) -> None:
    doc = report.to_json()
    assert {"monthly", "stranding", "cohorts", "rotation", "backstop", "age_profile", "policies"} <= set(doc)
    assert "hubs" not in doc
    assert doc["monthly"][0]["date"] == "2025-04-01"


# -- invariants on synthetic fleets ------------------------------------------------------------


@pytest.fixture(scope="module", params=[(7, date(2024, 6, 1)), (8, date(2026, 11, 1))])
def synthetic(request: pytest.FixtureRequest) -> RiskReport:
    seed, start = request.param
    cpl, cat = sample_reference()
    mix = FleetMix(stock=0.6, returned=0.2, stock_age_days=500)
    fleet = synth_fleet(cpl, cat, hubs=4_000, seed=seed, as_of=start, mix=mix)
    pols = [*POLICIES.values(), parse_policy("months=24;history-aware")]
    return fleet_risk(fleet, start, 36, pols, Reference(cpl, cat))


def _off_smi(r: RiskReport, policy: str) -> list[int]:
    before = next(o.removed_before_start for o in r.summary.policies if o.policy == policy)
    return [before + c for c in column(r, policy, "removed_cumulative")]


def test_longer_or_narrower_policies_never_remove_more(synthetic: RiskReport) -> None:
    base = _off_smi(synthetic, "sec-ac-7.2")
    assert base[-1] > 0  # the fleet is old enough for the invariant to mean something
    for p in ("secmp0060", "history-aware"):
        assert all(a <= b for a, b in zip(_off_smi(synthetic, p), base, strict=True)), p
    assert _off_smi(synthetic, "exclusion-list") == [0] * 37


def test_every_hub_is_on_the_smi_or_removed(synthetic: RiskReport) -> None:
    n = synthetic.summary.pending_hubs
    for o in synthetic.summary.policies:
        on = column(synthetic, o.policy, "on_smi")
        off = _off_smi(synthetic, o.policy)
        assert [a + b for a, b in zip(on, off, strict=True)] == [n] * 37
        assert o.usable_lost <= o.removed
        assert all(x <= y for x, y in zip(column(synthetic, o.policy, "stranded_on_smi"), on, strict=True))
        assert o.backstop_beyond_12_at_end <= o.returned_hubs


def test_twelve_month_policies_leave_no_backstop_gap(synthetic: RiskReport) -> None:
    for p in ("sec-ac-7.2", "history-aware"):
        assert set(column(synthetic, p, "returned_beyond_12_on_smi", "backstop")) == {0}
