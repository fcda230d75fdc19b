"""Charging exclusions: a fleet computed by hand, the evidence, and reconciliation on synthetic fleets."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from cpl_data.sample import sample_reference
from cpl_data.synth import synth_fleet
from eligibility.charging import EVIDENCE_COLUMNS, SMETS1_WHY, ChargingSettings, charging_exclusions
from eligibility.cpl import Cpl
from eligibility.policy_timeline import parse_timeline
from eligibility.reference import Reference
from eligibility.smi import POLICIES
from tests._fleets import M1, M2, M3, dev, inventory, tiny_reference

D = date(2025, 8, 1)


def hub(
    n: int, model: tuple[str, str], fw: str, since: str | None, supplier: str, **kw: Any
) -> tuple[str | None, ...]:
    return (dev(n), kw.get("gpf"), kw.get("dt", "CHF"), *model, fw, kw.get("status", "Pending"), since,
            kw.get("hist"), supplier, kw.get("han"), kw.get("tsat"))  # fmt: skip


# Supplier A
#   1  M1 04 Pending 2025-03-01 (GPF 101 the same)        in the window            chargeable
#   2  M1 01 Pending 2025-02-01                           stone 02 withdrawn 07-01 excluded NO_UPGRADE_PATH
#   3  M1 0F Pending 2025-06-01                           never listed             excluded FIRMWARE_UNKNOWN
#   4  M1 03 Pending 2024-01-15                           removed 2025-01-15       dropped
#   5  M1 03 Pending 2025-01-10, TSAT end 2025-06-30      N-1                      chargeable, return due 8.27
#   6  M1 04 Commissioned                                 not stock
#   7  M1 04 Pending 2025-05-01, GPF 107 since 2024-05-01 GPF removed 2025-05-01   dropped
# Supplier B
#   11 M2 Pending 2025-05-05, dual band, TSAT 2025-07-01  model not on the CPL      excluded, return due 58.75
#   12 M3 0A000001 2025-04-01, single band, TSAT 07-31    delta images only        excluded, return due 30.87
#   13 M3 0A030001, no status date                        N                        chargeable, date unknown
ROWS = [
    hub(1, M1, "04000000", "2025-03-01", "A", gpf=dev(101)),
    hub(101, M1, "04000000", "2025-03-01", "A", dt="GPF"),
    hub(2, M1, "01000000", "2025-02-01", "A"),
    hub(3, M1, "0F000000", "2025-06-01", "A"),
    hub(4, M1, "03000000", "2024-01-15", "A"),
    hub(5, M1, "03000000", "2025-01-10", "A", tsat="2025-06-30"),
    hub(6, M1, "04000000", "2025-01-10", "A", status="Commissioned"),
    hub(7, M1, "04000000", "2025-05-01", "A", gpf=dev(107)),
    hub(107, M1, "04000000", "2024-05-01", "A", dt="GPF"),
    hub(11, M2, "01000000", "2025-05-05", "B", han="Dual Band", tsat="2025-07-01"),
    hub(12, M3, "0A000001", "2025-04-01", "B", han="Single Band", tsat="2025-07-31"),
    hub(13, M3, "0A030001", None, "B"),
]


@pytest.fixture(scope="module")
def ref() -> Reference:
    return tiny_reference()


def test_totals_by_hand(ref: Reference) -> None:
    r = charging_exclusions(
        inventory(ROWS), D, ref, settings=ChargingSettings(stock_charge_gbp_per_hub_month=1.5)
    )
    doc = r.to_json()
    assert (doc["stock"], doc["chargeable"], doc["excluded"]) == (7, 3, 4)
    assert all(isinstance(doc[k], int) for k in ("stock", "chargeable", "excluded"))
    assert doc["excluded_by_reason"] == {
        "DEVICE_MODEL_NOT_ON_CPL": 1,
        "DEVICE_TYPE_MISMATCH": 0,
        "FIRMWARE_UNKNOWN": 1,
        "NO_UPGRADE_PATH": 2,
    }
    # every model in stock has a catalogue part (M2 is not on the CPL at all): nothing rests on assumptions
    assert (doc["upgrade_path_assumed"], doc["smets1_not_stock"], doc["smets1_hubs"]) == (0, 0, [])
    assert (doc["return_due"], doc["return_cost_gbp"]) == (3, pytest.approx(8.27 + 58.75 + 30.87))
    assert (doc["dropped_from_smi"], doc["status_date_unknown"]) == (2, 1)
    assert (doc["monthly_charge_gbp"], doc["monthly_charge_excluded_gbp"]) == (4.5, 6.0)
    assert doc["reconciles"] is True
    assert doc["reconciliation"] == "stock 7 = chargeable 3 + excluded 4, for every supplier and overall"
    per = {s["supplier"]: s for s in doc["suppliers"]}
    assert {
        k: (v["stock"], v["chargeable"], v["excluded"], v["return_due"], v["dropped_from_smi"])
        for k, v in per.items()
    } == {
        "A": (4, 2, 2, 1, 2),
        "B": (3, 1, 2, 2, 0),
    }
    assert sorted(h["device_id"] for h in doc["excluded_hubs"]) == [dev(2), dev(3), dev(11), dev(12)]
    assert sorted(h["device_id"] for h in doc["dropped_hubs"]) == [dev(4), dev(7)]
    # hub 7 is dropped because of its GPF: the earlier device decides
    assert {h["device_id"]: h["removal_date"] for h in doc["dropped_hubs"]}[dev(7)] == "2025-05-01"


def test_every_excluded_hub_carries_its_evidence(ref: Reference) -> None:
    r = charging_exclusions(inventory(ROWS), D, ref)
    assert r.exclusions.columns == list(EVIDENCE_COLUMNS)
    ex = {row["device_id"]: row for row in r.exclusions.iter_rows(named=True)}
    stone = ex[dev(2)]
    assert (stone["reason"], stone["window_n_minus_1"], stone["window_n"], stone["window_n_plus_1"]) == (
        "NO_UPGRADE_PATH", "03000000", "04000000", None,
    )  # fmt: skip
    assert stone["blockers"] == [
        "stepping stone 02000000 cannot be jumped over and its image was withdrawn on 2025-07-01"
    ]
    assert (stone["cpl_version"], stone["cpl_issued_on"], stone["catalogue"]) == (
        "9.001",
        "2024-06-01",
        "test catalogue",
    )
    assert (stone["as_of"], stone["policy"]) == (D, "sec-ac-7.2")
    delta = ex[dev(12)]
    assert delta["blockers"] == [
        "0A020001 is a delta image from 0A010001 only",
        "0A030001 is a delta image from 0A020001 only",
    ]
    assert (delta["return_due"], delta["return_cost_gbp"]) == (True, 30.87)
    assert "never listed" in ex[dev(3)]["message"]
    assert "is not on CPL 9.001" in ex[dev(11)]["message"]
    assert not any(ex[d]["upgrade_path_assumed"] for d in (dev(2), dev(3), dev(12)))
    flat = r.flat_exclusions()
    assert flat.schema["blockers"] == pl.String
    assert flat.filter(pl.col("device_id") == dev(2))["window_members"].item() == "03000000;04000000"


def test_policy_decides_what_is_still_on_the_smi(ref: Reference) -> None:
    # exclusion-list never removes a CHF or GPF: the two dropped hubs are stock again
    r = charging_exclusions(inventory(ROWS), D, ref, POLICIES["exclusion-list"])
    assert (r.summary.stock, r.summary.chargeable, r.summary.excluded, r.summary.dropped_from_smi) == (
        9,
        5,
        4,
        0,
    )


def test_supplier_filter_and_tariff_settings(ref: Reference) -> None:
    settings = ChargingSettings(
        return_redeployable_gbp=1.0, return_single_band_gbp=2.0, return_dual_band_gbp=3.0
    )
    r = charging_exclusions(inventory(ROWS), D, ref, settings=settings, supplier=" b ")
    assert [s.supplier for s in r.summary.suppliers] == ["B"]
    assert (r.summary.stock, r.summary.return_cost_gbp) == (3, 5.0)
    empty = charging_exclusions(inventory(ROWS), D, ref, supplier="nobody")
    assert (empty.summary.stock, empty.summary.reconciles, empty.summary.suppliers) == (0, True, ())


@pytest.mark.parametrize(
    ("seed", "as_of"), [(1, date(2024, 3, 1)), (2, date(2026, 11, 1)), (3, date(2028, 6, 30))]
)
@pytest.mark.parametrize("policy", list(POLICIES))
def test_stock_reconciles_on_synthetic_fleets(seed: int, as_of: date, policy: str) -> None:
    cpl, cat = sample_reference()
    fleet = synth_fleet(cpl, cat, hubs=3_000, seed=seed, as_of=date(2026, 11, 1))
    r = charging_exclusions(fleet, as_of, Reference(cpl, cat), POLICIES[policy])
    s = r.summary
    assert s.reconciles
    assert s.stock == s.chargeable + s.excluded == sum(x.stock for x in s.suppliers)
    assert all(x.stock == x.chargeable + x.excluded for x in s.suppliers)
    assert s.excluded == r.exclusions.height == sum(s.excluded_by_reason.values())
    assert s.dropped_from_smi == r.dropped.height
    pending = fleet.filter((pl.col("device_type") == "CHF") & (pl.col("status") == "Pending")).height
    assert s.stock + s.dropped_from_smi + s.smets1_not_stock == pending
    if policy == "exclusion-list":
        assert s.dropped_from_smi == 0


def test_smets1_hubs_apart_mismatches_excluded_and_assumptions_counted(real_cpl: Cpl) -> None:
    # the real CPL, no catalogue: every SMETS2 answer rests on UPGRADE_PATH_ASSUMED
    itron = ("1028", "04100105")  # a SMETS1 hub
    meter = ("1063", "00030201")  # an L+G E470 electricity meter's model, recorded for a CHF
    sku1 = ("1086", "54311F52")
    rows = [
        hub(1, sku1, "0C240000", "2022-06-01", "A"),
        hub(2, sku1, "0B150000", "2022-06-01", "A"),
        hub(3, itron, "03365337", "2019-08-01", "A"),  # pending for years: AC 7.2 does not apply
        hub(4, meter, "24040404", "2022-06-01", "B"),
    ]
    r = charging_exclusions(inventory(rows), real_cpl.issued_on, Reference(real_cpl))
    s = r.summary
    assert (s.stock, s.chargeable, s.excluded, s.dropped_from_smi) == (3, 2, 1, 0)
    assert s.excluded_by_reason["DEVICE_TYPE_MISMATCH"] == 1
    assert s.upgrade_path_assumed == 2  # hubs 1 and 2; the mismatch's answer assumes nothing
    assert s.smets1_not_stock == 1
    assert r.smets1.rows() == [("A", dev(3), *itron, "03365337", date(2019, 8, 1), SMETS1_WHY)]
    assert "never DCC stock" in SMETS1_WHY
    assert s.reconciles


def test_a_policy_timeline_decides_what_is_still_on_the_smi(ref: Reference) -> None:
    # hub 4 (pending since 2024-01-15) was removed under 12 months on 2025-01-15: a 36-month rule from
    # 2025-03-01 does not bring it back; hub 7's GPF (2024-05-01) was still on the SMI then, so it stays
    r = charging_exclusions(inventory(ROWS), D, ref, parse_timeline("sec-ac-7.2,secmp0060@2025-03-01"))
    assert [h["device_id"] for h in r.to_json()["dropped_hubs"]] == [dev(4)]
    assert r.summary.policy == "sec-ac-7.2,secmp0060@2025-03-01"
    assert (r.summary.stock, r.summary.dropped_from_smi) == (8, 1)
