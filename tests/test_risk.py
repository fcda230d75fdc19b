"""The risk sweep: every figure of a small fleet computed by hand, and invariants on synthetic fleets."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from cpl_data.sample import sample_reference
from cpl_data.synth import FleetMix, synth_fleet
from eligibility.cpl import Cpl
from eligibility.policy_timeline import Policy, parse_timeline
from eligibility.reference import Reference
from eligibility.risk import LEGEND, RiskReport, fleet_risk
from eligibility.smi import POLICIES, parse_policy
from tests._fleets import M1, M3, dev, inventory, tiny_reference

START = date(2025, 4, 1)  # t_k = 2025-(4+k)-01; t_12 = 2026-04-01
_SWITCH = "sec-ac-7.2,secmp0060@2025-01-01"


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
    assert column(report, p, "removed_in_month") == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1]
    # "removed": off the SMI by t_k, h4 (removed before the start) included
    assert column(report, p, "removed") == [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 4]
    # h2 (month 10) still had a plan when removed; h3 and h1 were stranded by then
    assert column(report, p, "usable_lost") == [0] * 10 + [1, 0, 0]
    assert column(report, p, "on_smi") == [3] * 8 + [2, 2, 1, 1, 0]
    assert column(report, p, "stranded_on_smi") == [1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0]
    assert column(report, p, "stranded_hub_months_cumulative")[-1] == 2 + 5 * 2 + 4 * 1
    assert column(report, p, "installable") == [2, 2, 2] + [1] * 7 + [0, 0, 0]
    o = report.summary.policies[0]
    assert (o.removed_before_start, o.removed_in_horizon, o.removed) == (1, 3, 4)
    assert (o.usable_lost, o.stranded_on_smi_at_end) == (1, 0)
    assert (o.stranded_hub_months, o.stranded_charge_gbp, o.installable_at_end) == (16, 32.0, 0)


def test_secmp0060_keeps_everyone_and_h4_runs_out_of_tsat(report: RiskReport) -> None:
    p = "secmp0060"
    assert column(report, p, "removed") == [0] * 13
    assert column(report, p, "stranded_on_smi") == [1, 1, 1] + [2] * 10
    # h4's TSAT installation end (2025-05-01) passes after t_1
    assert column(report, p, "installable") == [3, 3, 2] + [1] * 10
    assert column(report, p, "stranded_hub_months_cumulative")[-1] == 2 + 10 * 2


def test_history_aware_removes_only_the_returned_hub(report: RiskReport) -> None:
    p = "history-aware"
    assert column(report, p, "removed_in_month") == [0] * 10 + [1, 0, 0]
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
    # "removed" counts a hub removed before the start too, as everywhere in the report
    assert (rows[("03000000", 2023)]["removed_before_start"], rows[("03000000", 2023)]["removed"]) == (1, 1)


def test_age_profile(report: RiskReport) -> None:
    # whole months pending at 2025-04-01
    assert report.age_profile.rows() == [(0, 1), (2, 1), (4, 1), (16, 1)]


def test_json_has_every_table_but_the_hubs(report: RiskReport) -> None:
    doc = report.to_json()
    assert {"monthly", "stranding", "cohorts", "rotation", "backstop", "age_profile", "policies"} <= set(doc)
    assert "hubs" not in doc
    assert doc["monthly"][0]["date"] == "2025-04-01"
    # "removed" is the same figure in the comparison and in the months, and the legend says what it counts
    last = [m for m in doc["monthly"] if m["policy"] == "sec-ac-7.2"][-1]
    assert doc["policies"][0]["removed"] == last["removed"] == 4
    assert doc["legend"]["removed"] == LEGEND["removed"]
    assert "removed before the start included" in LEGEND["removed"]


def test_a_timeline_compares_as_a_policy_and_never_undoes_a_removal() -> None:
    # 12 months until 2025-06-01, 36 months from then: h4 (removed 2024-12-01) stays removed; h3 (12 months on
    # 2025-11-20, after the switch) and h2, h1 are judged by 36 months and stay on the SMI
    pols: list[Policy] = [
        POLICIES["sec-ac-7.2"], parse_timeline("sec-ac-7.2,secmp0060@2025-06-01"), POLICIES["secmp0060"],
    ]  # fmt: skip
    r = fleet_risk(inventory(ROWS), START, 12, pols, tiny_reference())
    removed = {o.policy: o.removed for o in r.summary.policies}
    assert removed == {"sec-ac-7.2": 4, "sec-ac-7.2,secmp0060@2025-06-01": 1, "secmp0060": 0}
    assert column(r, "sec-ac-7.2,secmp0060@2025-06-01", "removed") == [1] * 13


def test_smets1_hubs_are_left_out_and_assumptions_counted(real_cpl: Cpl) -> None:
    sku1, itron = ("1086", "54311F52"), ("1028", "04100105")
    rows = [
        hub(1, sku1, "0C240000", "2022-06-01", "A"),
        hub(2, sku1, "0B150000", "2022-06-01", "A"),
        hub(3, itron, "03365337", "2019-08-01", "A"),
    ]
    r = fleet_risk(inventory(rows), real_cpl.issued_on, 12, [POLICIES["sec-ac-7.2"]], Reference(real_cpl))
    s = r.summary
    assert (s.pending_hubs, s.smets1_left_out, s.upgrade_path_assumed_hubs) == (2, 1, 2)
    assert dev(3) not in set(r.hubs["device_id"])


# -- invariants on synthetic fleets ------------------------------------------------------------


@pytest.fixture(scope="module", params=[(7, date(2024, 6, 1)), (8, date(2026, 11, 1))])
def synthetic(request: pytest.FixtureRequest) -> RiskReport:
    seed, start = request.param
    cpl, cat = sample_reference()
    mix = FleetMix(stock=0.6, returned=0.2, stock_age_days=500)
    fleet = synth_fleet(cpl, cat, hubs=4_000, seed=seed, as_of=start, mix=mix)
    pols: list[Policy] = [
        *POLICIES.values(),
        parse_policy("months=24;history-aware"),
        parse_timeline(_SWITCH),
    ]
    return fleet_risk(fleet, start, 36, pols, Reference(cpl, cat))


def _off_smi(r: RiskReport, policy: str) -> list[int]:
    return column(r, policy, "removed")


def test_longer_or_narrower_policies_never_remove_more(synthetic: RiskReport) -> None:
    base = _off_smi(synthetic, "sec-ac-7.2")
    assert base[-1] > 0  # the fleet is old enough for the invariant to mean something
    for p in ("secmp0060", "history-aware", _SWITCH):
        assert all(a <= b for a, b in zip(_off_smi(synthetic, p), base, strict=True)), p
    assert _off_smi(synthetic, "exclusion-list") == [0] * 37
    # a switch to 36 months sits between the two rules, and the same figure is in the comparison table
    switch, longer = _off_smi(synthetic, _SWITCH), _off_smi(synthetic, "secmp0060")
    assert all(a >= b for a, b in zip(switch, longer, strict=True))
    outcome = {o.policy: o for o in synthetic.summary.policies}
    assert all(outcome[p].removed == _off_smi(synthetic, p)[-1] for p in outcome)
    assert outcome["secmp0060"].removed <= outcome[_SWITCH].removed <= outcome["sec-ac-7.2"].removed


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
