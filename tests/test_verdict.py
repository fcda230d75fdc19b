"""Verdicts gate by gate and policy by policy, on real hub models of CPL v2.051."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cpl_data.catalogue import load_catalogue
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl
from eligibility.engine import Engine, EngineSettings
from eligibility.identifiers import DeviceModel
from eligibility.policy_timeline import parse_timeline
from eligibility.reference import Reference
from eligibility.verdict import REASON_CODES, SEVERITY, DeviceRecord, Hub, Verdict

TODAY = date(2026, 11, 28)
CHF = "00-DB-12-34-56-78-90-A0"
GPF = "00-DB-12-34-56-78-90-A1"
SKU1 = {"manufacturer": "1086", "model": "54311F52"}  # Toshiba SMIP Communications Hub SKU1


def catalogue(cpl: Cpl, releases: str) -> Catalogue:
    text = f'[[model]]\nmanufacturer = "1086"\nmodel = "54311F52"\ndisplay_format = "quad"\n{releases}'
    return load_catalogue(text.encode(), source="t.toml", cpl=cpl).catalogue


def hub(
    firmware: str = "0D050002",
    *,
    status: str = "Pending",
    since: str | None = "2026-06-01",
    history: str | None = None,
    gpf: DeviceRecord | None = None,
    tsat: str | None = None,
    model: dict[str, str] | None = None,
    device_type: str = "CHF",
) -> Hub:
    chf = DeviceRecord.parse(
        device_id=CHF, device_type=device_type, status=status, status_since=since, history=history
    )
    return Hub.parse(**(model or SKU1), firmware=firmware, chf=chf, gpf=gpf, tsat_install_end=tsat)


def judge(
    cpl: Cpl,
    h: Hub,
    *,
    on: date = TODAY,
    policy: str = "sec-ac-7.2",
    cat: Catalogue | None = None,
    assumed: bool = False,
    **kw: Any,
) -> Verdict:
    """The verdict; without ``cat``, a catalogue that describes SKU1 (no releases: the CPL alone
    decides, but nothing is assumed) unless ``assumed``, which judges with no catalogue at all."""
    if cat is None and not assumed:
        cat = catalogue(cpl, "")
    return Engine(Reference(cpl, cat), EngineSettings(**kw)).verdict(h, on, parse_timeline(policy))


# -- the firmware gates --------------------------------------------------------------------------


def test_in_window_is_eligible(real_cpl: Cpl) -> None:
    v = judge(real_cpl, hub("0D050002"))
    assert (v.verdict, v.codes) == ("ELIGIBLE", ("FIRMWARE_IN_WINDOW",))
    assert v.upgrade_plan is None
    assert v.window is not None
    assert v.window.members == ("0C240000", "0D050002")
    v = judge(real_cpl, hub("0C240000"))
    assert (v.verdict, v.codes) == ("ELIGIBLE", ("FIRMWARE_IN_WINDOW",))
    assert "N-1" in v.reasons[0].message


def test_old_firmware_upgrades_in_one_hop_without_a_catalogue(real_cpl: Cpl) -> None:
    v = judge(real_cpl, hub("0B150000"), assumed=True)
    # with no catalogue for the model the answer rests on the ZigBee defaults, and says so
    assert (v.verdict, v.codes) == ("ELIGIBLE_AFTER_UPGRADE", ("UPGRADE_PATH_ASSUMED", "UPGRADE_REQUIRED"))
    assert "assumes that N is its newest listed version" in v.reasons[0].message
    assert v.upgrade_plan is not None
    assert [(h.from_, h.to, h.rule) for h in v.upgrade_plan] == [("0B150000", "0D050002", "later release")]
    assert (v.plan_target, v.plan_target_role) == ("0D050002", "N")
    # the hop changes the hub's CHTS and GBCS versions, and says so
    assert v.upgrade_plan[0].changes == ("CHTS V1.0 -> CHTS V1.3", "GBCS Version 1.0 -> GBCS Version 3.2")


def test_stepping_stone_makes_two_hops(real_cpl: Cpl) -> None:
    cat = catalogue(real_cpl, '[[model.release]]\nfirmware = "0C1D0000"\nstepping_stone = true\n')
    v = judge(real_cpl, hub("0B150000"), cat=cat)
    assert (v.verdict, v.codes) == ("ELIGIBLE_AFTER_UPGRADE", ("UPGRADE_REQUIRED",))
    assert v.upgrade_plan is not None
    assert [(h.from_, h.to, h.rule) for h in v.upgrade_plan] == [
        ("0B150000", "0C1D0000", "stepping stone"),
        ("0C1D0000", "0D050002", "later release"),
    ]
    # versions are shown in the model's display format too
    assert [(h.from_display, h.to_display) for h in v.upgrade_plan] == [
        ("11.21.0.0", "12.29.0.0"),
        ("12.29.0.0", "13.5.0.2"),
    ]
    assert v.firmware_display == "11.21.0.0"


def test_withdrawn_stepping_stone_strands_the_hub(real_cpl: Cpl) -> None:
    cat = catalogue(
        real_cpl,
        '[[model.release]]\nfirmware = "0C1D0000"\nstepping_stone = true\nwithdrawn_on = 2024-01-01\n',
    )
    v = judge(real_cpl, hub("0B150000"), cat=cat)
    assert (v.verdict, v.codes) == ("NOT_ELIGIBLE", ("NO_UPGRADE_PATH",))
    assert v.no_plan is not None
    assert v.no_plan.blockers == (
        "stepping stone 0C1D0000 cannot be jumped over and its image was withdrawn on 2024-01-01",
    )
    # before the withdrawal the same hub had a plan
    v = judge(real_cpl, hub("0B150000", since="2023-06-01"), on=date(2023, 12, 31), cat=cat)
    assert v.verdict == "ELIGIBLE_AFTER_UPGRADE"


def test_delta_image_for_another_source(real_cpl: Cpl) -> None:
    cat = catalogue(real_cpl, '[[model.release]]\nfirmware = "0D050002"\nsources = ["0C240000"]\n')
    v = judge(real_cpl, hub("0B150000"), cat=cat)
    # N is a delta from N-1 only, so the plan ends at N-1 ... in one hop
    assert v.verdict == "ELIGIBLE_AFTER_UPGRADE"
    assert (v.plan_target, v.plan_target_role) == ("0C240000", "N-1")


@pytest.mark.parametrize(
    ("model", "firmware", "on", "verdict", "codes"),
    [
        # a model no CPL entry has
        (
            {"manufacturer": "1086", "model": "54311F53"},
            "0D050002",
            TODAY,
            "NOT_ELIGIBLE",
            ("DEVICE_MODEL_NOT_ON_CPL",),
        ),
        # a firmware never listed for this model (0C230000 is listed, but for SKU7/8/9 only)
        (SKU1, "0C230000", TODAY, "NOT_ELIGIBLE", ("FIRMWARE_UNKNOWN",)),
        # entry 7 (000A7100 on 54332152) was removed in v1.4, and N (000A6900) is numerically older: no downgrades
        (
            {"manufacturer": "1086", "model": "54332152"},
            "000A7100",
            TODAY,
            "NOT_ELIGIBLE",
            ("UPGRADE_PATH_ASSUMED", "FIRMWARE_NOT_ON_CPL", "NO_UPGRADE_PATH"),
        ),
        # EDMI entry 24 (125080E0) was removed in v1.22, but later versions take it into the window
        (
            {"manufacturer": "106C", "model": "433100AC"},
            "125080E0",
            TODAY,
            "ELIGIBLE_AFTER_UPGRADE",
            ("UPGRADE_PATH_ASSUMED", "FIRMWARE_NOT_ON_CPL", "UPGRADE_REQUIRED"),
        ),
        # the same EDMI firmware while it was listed and was N
        (
            {"manufacturer": "106C", "model": "433100AC"},
            "125080E0",
            date(2017, 8, 1),
            "ELIGIBLE",
            ("UPGRADE_PATH_ASSUMED", "FIRMWARE_IN_WINDOW"),
        ),
        # issue 9, AC 2.4: a model whose every entry is removed is not on the CPL (5401/57310001: listed
        # 2016-12-29, removed 2017-01-11); the firmware gates have nothing to judge
        (
            {"manufacturer": "5401", "model": "57310001"},
            "010C0000",
            TODAY,
            "NOT_ELIGIBLE",
            ("DEVICE_MODEL_NOT_ON_CPL",),
        ),
        # ... while it was listed, it was judged as any other
        (
            {"manufacturer": "5401", "model": "57310001"},
            "010C0000",
            date(2017, 1, 5),
            "ELIGIBLE",
            ("UPGRADE_PATH_ASSUMED", "FIRMWARE_IN_WINDOW"),
        ),
        # issue 9: an L+G E470 electricity meter's model checked as a CHF
        (
            {"manufacturer": "1063", "model": "00030201"},
            "24040404",
            TODAY,
            "NOT_ELIGIBLE",
            ("DEVICE_TYPE_MISMATCH",),
        ),
        # issue 9: an Itron SMETS1 hub ('SMETS V1.2', GBCS 0.0)
        (
            {"manufacturer": "1028", "model": "04100105"},
            "03365337",
            TODAY,
            "NOT_ELIGIBLE",
            ("SMETS1_HUB",),
        ),
    ],
)
def test_firmware_gates(
    real_cpl: Cpl, model: dict[str, str], firmware: str, on: date, verdict: str, codes: tuple[str, ...]
) -> None:
    v = judge(real_cpl, hub(firmware, since=on.isoformat(), model=model), on=on)
    assert (v.verdict, v.codes) == (verdict, codes)


def test_a_removed_model_says_when_it_was_listed_and_where_its_firmware_went(real_cpl: Cpl) -> None:
    v = judge(real_cpl, hub("010C0000", model={"manufacturer": "5401", "model": "57310001"}))
    msg = v.reasons[0].message
    assert msg.startswith(
        "This hub cannot be commissioned: Device Model 5401/57310001 is not on the CPL on 2026-11-28"
    )
    assert "from 2016-12-29 until 2017-01-11 (entry 000015, since removed)" in msg
    assert "AC 2.4" in msg
    # entry 16 is the corrected entry: the same firmware under 5401/57310100
    assert "The same firmware 010C0000 is listed under Device Model 5401/57310100 (entry 000016)" in msg
    assert v.window is None
    assert v.upgrade_plan is None


def test_device_type_mismatch_both_ways(real_cpl: Cpl) -> None:
    meter = {"manufacturer": "1063", "model": "00030201"}
    v = judge(real_cpl, hub("24040404", model=meter))
    assert "the CPL lists Device Model 1063/00030201 as Single Element Electricity Metering Equipment" in (
        v.reasons[0].message
    )
    # the meter's model checked as what it is: the window gates apply
    v = judge(real_cpl, hub("24040404", model=meter, device_type="ESME"), assumed=True)
    assert v.codes[:2] == ("UPGRADE_PATH_ASSUMED", "FIRMWARE_IN_WINDOW")
    # a hub's model given for a meter
    v = judge(real_cpl, hub("0D050002", device_type="ESME"))
    assert v.codes[0] == "DEVICE_TYPE_MISMATCH"
    assert "cannot be judged as an ESME: the CPL lists Device Model 1086/54311F52 as Communications Hub" in (
        v.reasons[0].message
    )
    # the GPF shares the hub's model: no mismatch
    assert judge(real_cpl, hub("0D050002", device_type="GPF")).codes == ("FIRMWARE_IN_WINDOW",)


def test_a_smets1_hub_is_never_stock(real_cpl: Cpl) -> None:
    # pending for years: no AC 7.2 housekeeping, no window, no plan
    gpf = DeviceRecord.parse(device_id=GPF, device_type="GPF", status="Pending", status_since="2019-01-01")
    h = hub("03365337", since="2019-01-01", gpf=gpf, model={"manufacturer": "1028", "model": "04100105"})
    v = judge(real_cpl, h)
    assert v.codes == ("SMETS1_HUB",)
    assert "enrolled through the DCC's SMETS1 service" in v.reasons[0].message
    assert all(s.exempt and s.removal_date is None for s in v.smi_devices)
    assert v.smi.exempt_reason is not None
    assert "SMETS1" in v.smi.exempt_reason
    # its version name from the notes ("Itron Comms Hub 03.36")
    assert v.firmware_display == "03.36"


def test_firmware_padding_follows_duis(real_cpl: Cpl) -> None:
    # DUIS allows 1-8 hex digits for an inventory's firmware: A6900 is 000A6900
    v = judge(real_cpl, hub("A6900"), on=date(2016, 11, 1))
    assert v.firmware == "000A6900"
    assert v.verdict == "ELIGIBLE"


# -- the SMI gates and the policies ----------------------------------------------------------------


PENDING_13_MONTHS = "2025-10-28"


@pytest.mark.parametrize(
    ("policy", "history", "codes", "removal"),
    [
        # 13 months pending: removed under today's rule, not under SECMP0060's 36 months
        ("sec-ac-7.2", None, ("FIRMWARE_IN_WINDOW", "SMI_REMOVED"), date(2026, 10, 28)),
        ("secmp0060", None, ("FIRMWARE_IN_WINDOW",), date(2028, 10, 28)),
        # warehouse stock (never anything but Pending) is exempt under history-aware ...
        ("history-aware", None, ("FIRMWARE_IN_WINDOW",), None),
        ("history-aware", "Pending:2025-10-28", ("FIRMWARE_IN_WINDOW",), None),
        # ... a hub returned through the returns chain is not
        (
            "history-aware",
            "Commissioned:2019-01-01;Decommissioned:2025-09-01;Pending:2025-10-28",
            ("FIRMWARE_IN_WINDOW", "SMI_REMOVED"),
            date(2026, 10, 28),
        ),
        # CHF and GPF are exempt under exclusion-list
        ("exclusion-list", None, ("FIRMWARE_IN_WINDOW",), None),
        # a custom list without CHF removes it
        ("exclusion-list;exclude=GPF", None, ("FIRMWARE_IN_WINDOW", "SMI_REMOVED"), date(2026, 10, 28)),
        ("months=24", None, ("FIRMWARE_IN_WINDOW",), date(2027, 10, 28)),
    ],
)
def test_policies(
    real_cpl: Cpl, policy: str, history: str | None, codes: tuple[str, ...], removal: date | None
) -> None:
    v = judge(real_cpl, hub(since=PENDING_13_MONTHS, history=history), policy=policy)
    assert v.codes == codes
    assert v.smi.removal_date == removal
    assert v.verdict == ("NOT_ELIGIBLE" if "SMI_REMOVED" in codes else "ELIGIBLE")


def test_gpf_exempt_under_exclusion_list_too(real_cpl: Cpl) -> None:
    gpf = DeviceRecord.parse(device_id=GPF, device_type="GPF", status="Pending", status_since="2020-01-01")
    v = judge(real_cpl, hub(since="2020-01-01", gpf=gpf), policy="exclusion-list")
    assert v.codes == ("FIRMWARE_IN_WINDOW",)
    assert all(s.exempt for s in v.smi_devices)
    v = judge(real_cpl, hub(since="2020-01-01", gpf=gpf), policy="sec-ac-7.2")
    assert v.codes == ("FIRMWARE_IN_WINDOW", "SMI_REMOVED", "SMI_REMOVED")


@pytest.mark.parametrize(
    ("on", "codes", "message"),
    [
        # 2020-02-29 + 12 months = 2021-02-28 (February 2021 has no 29th)
        (date(2021, 2, 26), ("FIRMWARE_IN_WINDOW", "SMI_REMOVAL_SOON"), "on 2021-02-28, in 2 days"),
        (date(2021, 2, 27), ("FIRMWARE_IN_WINDOW", "SMI_REMOVAL_SOON"), "on 2021-02-28, in 1 day"),
        (
            date(2021, 2, 28),
            ("FIRMWARE_IN_WINDOW", "SMI_REMOVED"),
            "sec-ac-7.2 (12 months pending) removed it on 2021-02-28",
        ),
        # 90 days before the removal date is still 'soon'; 91 is not
        (date(2020, 11, 30), ("FIRMWARE_IN_WINDOW", "SMI_REMOVAL_SOON"), "in 90 days"),
        (date(2020, 11, 29), ("FIRMWARE_IN_WINDOW",), ""),
    ],
)
def test_month_end_clamping_and_soon(real_cpl: Cpl, on: date, codes: tuple[str, ...], message: str) -> None:
    v = judge(real_cpl, hub("0C1D0000", since="2020-02-29"), on=on)
    assert v.codes == codes
    assert v.smi.removal_date == date(2021, 2, 28)
    assert message in " ".join(r.message for r in v.reasons)


def test_unknown_status_date(real_cpl: Cpl) -> None:
    v = judge(real_cpl, hub(since=None))
    assert (v.verdict, v.codes) == ("ELIGIBLE", ("FIRMWARE_IN_WINDOW", "SMI_STATUS_DATE_UNKNOWN"))
    # exempt devices need no date: nothing to judge
    assert judge(real_cpl, hub(since=None), policy="exclusion-list").codes == ("FIRMWARE_IN_WINDOW",)
    # the date can come from the history's last step
    v = judge(real_cpl, hub(since=None, history="Commissioned:2020-01-01;Pending:2025-01-01"))
    assert v.smi.status_since == date(2025, 1, 1)
    assert "SMI_REMOVED" in v.codes


@pytest.mark.parametrize(
    "status",
    ["Whitelisted", "Commissioned", "Decommissioned", "Withdrawn", "Suspended", "Recovery", "Recovered"],
)
def test_not_installable_statuses(real_cpl: Cpl, status: str) -> None:
    v = judge(real_cpl, hub(status=status, since="2015-01-01"))
    assert (v.verdict, v.codes) == ("NOT_ELIGIBLE", ("FIRMWARE_IN_WINDOW", "SMI_STATUS_NOT_INSTALLABLE"))
    assert v.smi.removal_date is None  # only Pending devices are removed


def test_installed_not_commissioned_is_installable_and_never_removed(real_cpl: Cpl) -> None:
    v = judge(real_cpl, hub(status="InstalledNotCommissioned", since="2015-01-01"))
    assert (v.verdict, v.codes) == ("ELIGIBLE", ("FIRMWARE_IN_WINDOW",))


@pytest.mark.parametrize(
    ("tsat", "passed"), [("2026-11-27", True), ("2026-11-28", False), ("2027-06-30", False)]
)
def test_tsat_install_end(real_cpl: Cpl, tsat: str, passed: bool) -> None:
    v = judge(real_cpl, hub(tsat=tsat))
    assert ("TSAT_INSTALL_END_PASSED" in v.codes) is passed
    assert v.verdict == ("NOT_ELIGIBLE" if passed else "ELIGIBLE")


def test_every_gate_reported_together(real_cpl: Cpl) -> None:
    gpf = DeviceRecord.parse(device_id=GPF, device_type="GPF", status="Withdrawn")
    h = hub(
        "0C1D0001",
        since="2020-01-01",
        gpf=gpf,
        tsat="2025-01-01",
        model={"manufacturer": "1086", "model": "54311F53"},
    )
    v = judge(real_cpl, h)
    assert v.codes == (
        "DEVICE_MODEL_NOT_ON_CPL",
        "SMI_REMOVED",
        "SMI_STATUS_NOT_INSTALLABLE",
        "TSAT_INSTALL_END_PASSED",
    )
    assert v.verdict == "NOT_ELIGIBLE"
    assert {r.device_id for r in v.reasons if r.code.startswith("SMI")} == {CHF, GPF}


def test_hub_is_as_good_as_the_worse_device(real_cpl: Cpl) -> None:
    gpf = DeviceRecord.parse(device_id=GPF, device_type="GPF", status="Pending", status_since="2025-06-01")
    v = judge(real_cpl, hub(since="2026-06-01", gpf=gpf))
    assert v.codes == ("FIRMWARE_IN_WINDOW", "SMI_REMOVED")
    assert v.reasons[1].device_id == GPF
    assert (v.smi.device_type, v.smi.removal_date) == ("GPF", date(2026, 6, 1))
    assert [s.device_type for s in v.smi_devices] == ["CHF", "GPF"]


def test_severities_and_json(real_cpl: Cpl) -> None:
    assert set(REASON_CODES) == set(SEVERITY)
    v = judge(real_cpl, hub("0B150000", since="2025-12-01"))
    doc = v.to_json()
    for key in (
        "device_id",
        "verdict",
        "reasons",
        "install_date",
        "window",
        "upgrade_plan",
        "smi",
        "reference",
    ):
        assert key in doc
    assert set(doc["window"]) >= {"n_minus_1", "n", "n_plus_1", "members"}
    assert set(doc["smi"]) >= {"status", "status_since", "policy", "removal_date"}
    assert doc["upgrade_plan"][0]["from"] == "0B150000"
    assert doc["reference"] == {"cpl_version": "2.051", "cpl_issued_on": "2022-09-21", "catalogue": "t.toml"}
    assert [r["severity"] for r in doc["reasons"]] == ["info", "warning"]


def test_graph_is_shared_within_an_epoch(real_cpl: Cpl) -> None:
    eng = Engine(Reference(real_cpl))
    m = DeviceModel("1086", "54311F52")
    # no SKU1 listing changes between 2023 and 2026: one graph serves both dates
    assert eng.graph(m, date(2023, 1, 1)) is eng.graph(m, date(2026, 1, 1))
    # entry 715 (2022-08-30) changes it
    assert eng.graph(m, date(2022, 8, 29)) is not eng.graph(m, date(2022, 8, 30))


# -- policies in force at a date -----------------------------------------------------------------

SWITCH = "sec-ac-7.2,secmp0060@2023-04-01"


@pytest.mark.parametrize(
    ("since", "removal", "under", "codes"),
    [
        # removed under the 12-month rule before the switch: it stays removed when 36 months begins
        ("2021-06-01", date(2022, 6, 1), "sec-ac-7.2", ("FIRMWARE_IN_WINDOW", "SMI_REMOVED")),
        # 12 months would end after the switch: the 36-month rule judges it from then on
        ("2022-06-01", date(2025, 6, 1), "secmp0060", ("FIRMWARE_IN_WINDOW", "SMI_REMOVED")),
        ("2024-01-01", date(2027, 1, 1), "secmp0060", ("FIRMWARE_IN_WINDOW", "SMI_REMOVAL_SOON")),
        # exactly 12 months on the switch day: the new rule is in force that day
        ("2022-04-01", date(2025, 4, 1), "secmp0060", ("FIRMWARE_IN_WINDOW", "SMI_REMOVED")),
        ("2022-03-31", date(2023, 3, 31), "sec-ac-7.2", ("FIRMWARE_IN_WINDOW", "SMI_REMOVED")),
    ],
)
def test_a_policy_timeline_never_rewrites_history(
    real_cpl: Cpl, since: str, removal: date, under: str, codes: tuple[str, ...]
) -> None:
    v = judge(real_cpl, hub(since=since), policy=SWITCH)
    assert v.codes == codes
    assert (v.smi.removal_date, v.smi.removed_under, v.smi.policy) == (removal, under, SWITCH)
    # the reason names the policy that removed it, with its months
    months = 12 if under == "sec-ac-7.2" else 36
    assert f"{under} ({months} months pending)" in v.reasons[-1].message


def test_a_later_shorter_rule_removes_on_the_day_it_begins(real_cpl: Cpl) -> None:
    # 36 months, then 12 from 2024-01-01: a hub pending since 2022-06-01 goes on 2024-01-01
    v = judge(real_cpl, hub(since="2022-06-01"), policy="secmp0060,sec-ac-7.2@2024-01-01")
    assert (v.smi.removal_date, v.smi.removed_under) == (date(2024, 1, 1), "sec-ac-7.2")


def test_an_exemption_says_why(real_cpl: Cpl) -> None:
    v = judge(real_cpl, hub(since="2020-01-01"), policy="exclusion-list")
    assert v.smi.exempt_reason == "CHF is on the exclusion list of exclusion-list"
    v = judge(real_cpl, hub(since="2020-01-01"), policy="history-aware")
    assert v.smi.exempt_reason is not None
    assert "never left Pending" in v.smi.exempt_reason
    # exempt under the first policy only: the timeline's later rule still removes it (from its start)
    v = judge(real_cpl, hub(since="2020-01-01"), policy="exclusion-list,sec-ac-7.2@2026-01-01")
    assert (v.smi.exempt, v.smi.removal_date) == (False, date(2026, 1, 1))
