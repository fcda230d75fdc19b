"""Batch verdicts equal single-hub verdicts, hub by hub, on thousands of synthetic hubs.

The batch path (hub frame, the engine's small table, a keyed join, column arithmetic) and the
single-hub path (``Engine.verdict``) are written apart; these tests hold them together: every
verdict, every reason code, the plan, the removal date and the deciding device, under every
named policy, a custom one and policy timelines, at several dates, on the sample CPL with its catalogue and on the
real CPL. The same join written as SQL (DuckDB) must agree too.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpl_data.inventory import normalise_inventory
from cpl_data.sample import SAMPLE_FLEET_MIX, sample_reference
from cpl_data.synth import synth_fleet
from eligibility.assessment import assessment_table
from eligibility.batch import evaluate, verdict_sql
from eligibility.cpl import Cpl
from eligibility.dates import add_months
from eligibility.engine import Engine, EngineSettings
from eligibility.hubframe import hub_frame
from eligibility.policy_timeline import Policy, parse_timeline
from eligibility.reference import Reference
from eligibility.smi import POLICIES, HousekeepingPolicy, parse_policy
from eligibility.smi_columns import device_smi_columns
from eligibility.verdict import REASON_CODES, DeviceRecord, Hub, Verdict

ALL_POLICIES: list[Policy] = [
    *POLICIES.values(),
    parse_policy("months=24;exclude=GPF;history-aware"),
    # policies in force at a date: a removal under the first rule stands when the second begins
    parse_timeline("sec-ac-7.2,secmp0060@2025-06-01"),
    parse_timeline("exclusion-list,history-aware@2025-01-01,months=1;exclude=GPF@2026-09-01"),
]


def _record(row: dict[str, Any], p: str) -> DeviceRecord:
    since = row[f"{p}status_since"]
    return DeviceRecord.parse(
        device_id=row["device_id"] if p == "" else row["gpf_device_id"],
        device_type=row[f"{p}device_type"],
        status=row[f"{p}status"],
        status_since=since.isoformat() if since else None,
        history=row[f"{p}status_history"],
    )


def hub_of(row: dict[str, Any]) -> Hub:
    """The hub as a single check sees it: its CHF row and, if the inventory has one, its GPF row."""
    return Hub(
        manufacturer=row["manufacturer"],
        model=row["model"],
        firmware=row["firmware"],
        chf=_record(row, ""),
        gpf=_record(row, "gpf_") if row["gpf_status"] is not None else None,
        tsat_install_end=row["tsat_install_end"],
        supplier=row["supplier"],
    )


def expected(v: Verdict) -> dict[str, Any]:
    """What the batch reports of a verdict: distinct codes in the verdict table's order."""
    plan = v.upgrade_plan
    return {
        "verdict": v.verdict,
        "reasons": [c for c in REASON_CODES if c in set(v.codes)],
        "plan_hops": len(plan) if plan is not None else None,
        "plan_target": v.plan_target,
        "plan_target_role": v.plan_target_role,
        "removal_date": v.smi.removal_date,
        "smi_device_id": v.smi.device_id,
        "smi_status": v.smi.status,
    }


def compare(engine: Engine, hubs: pl.DataFrame, policy: Policy, d: date) -> Counter[str]:
    """Assert batch == single-hub for every hub; return how often each code was seen."""
    table = assessment_table(engine, hubs, d)
    batch = evaluate(hubs, table, policy, d, engine.settings).with_columns(
        pl.col("verdict").cast(pl.String), pl.col("reasons").cast(pl.List(pl.String))
    )
    assert batch.height == hubs.height
    seen: Counter[str] = Counter()
    for row, got in zip(hubs.iter_rows(named=True), batch.iter_rows(named=True), strict=True):
        want = expected(engine.verdict(hub_of(row), d, policy))
        assert {k: got[k] for k in want} == want, (row["device_id"], policy.name, d)
        seen.update(want["reasons"])
    return seen


@pytest.fixture(scope="module")
def sample_engine() -> Engine:
    return Engine(Reference(*sample_reference()), EngineSettings())


@pytest.fixture(scope="module")
def sample_hubs() -> pl.DataFrame:
    cpl, cat = sample_reference()
    fleet = synth_fleet(cpl, cat, hubs=3000, seed=42, as_of=date(2026, 11, 1), mix=SAMPLE_FLEET_MIX)
    return hub_frame(fleet)


@pytest.mark.parametrize("d", [date(2026, 11, 28), date(2024, 7, 1)])
def test_batch_equals_single_hub_on_the_sample(
    sample_engine: Engine, sample_hubs: pl.DataFrame, d: date
) -> None:
    seen: Counter[str] = Counter()
    for policy in ALL_POLICIES:
        seen += compare(sample_engine, sample_hubs, policy, d)
    if d == date(2026, 11, 28):
        # the fleet is meant to exercise every gate: each code shows up (most many times)
        assert set(seen) == set(REASON_CODES), set(REASON_CODES) - set(seen)


def test_batch_equals_single_hub_on_the_real_cpl(real_cpl: Cpl) -> None:
    engine = Engine(Reference(real_cpl))
    fleet = synth_fleet(real_cpl, None, hubs=1500, seed=7, as_of=real_cpl.issued_on, mix=SAMPLE_FLEET_MIX)
    hubs = hub_frame(fleet)
    seen: Counter[str] = Counter()
    timeline = parse_timeline("sec-ac-7.2,secmp0060@2022-10-01")
    for d in (real_cpl.issued_on, real_cpl.issued_on + timedelta(days=400)):
        for policy in (POLICIES["sec-ac-7.2"], POLICIES["history-aware"], timeline):
            seen += compare(engine, hubs, policy, d)
    assert {
        "UPGRADE_REQUIRED", "FIRMWARE_IN_WINDOW", "FIRMWARE_UNKNOWN", "SMI_REMOVED", "DEVICE_MODEL_NOT_ON_CPL",
        "DEVICE_TYPE_MISMATCH", "SMETS1_HUB", "UPGRADE_PATH_ASSUMED",
    } <= set(seen)  # fmt: skip


def test_hub_without_gpf_row_and_gpf_that_decides(sample_engine: Engine) -> None:
    # the CHF's GPF row is missing for one hub; for the other the GPF is removed first
    rows = pl.DataFrame(
        {
            "device_id": ["00-00-00-00-00-00-00-01", "00-00-00-00-00-00-00-03", "00-00-00-00-00-00-00-04"],
            "gpf_device_id": ["00-00-00-00-00-00-00-02", "00-00-00-00-00-00-00-04", None],
            "device_type": ["CHF", "CHF", "GPF"],
            "manufacturer": ["F0A1"] * 3,
            "model": ["A1010100"] * 3,
            "firmware": ["03000000"] * 3,
            "status": ["Pending", "Pending", "Pending"],
            "status_since": [date(2026, 6, 1), date(2026, 6, 1), date(2025, 6, 1)],
            "status_history": [None, None, None],
            "supplier": [None] * 3,
            "csp_region": [None] * 3,
            "han_variant": [None] * 3,
            "tsat_install_end": [None, None, None],
        },
        schema_overrides={"tsat_install_end": pl.Date, "supplier": pl.String},
    )
    hubs = hub_frame(rows)
    assert hubs["device_id"].to_list() == ["00-00-00-00-00-00-00-01", "00-00-00-00-00-00-00-03"]
    assert hubs["gpf_status"].to_list() == [None, "Pending"]
    d = date(2026, 11, 28)
    compare(sample_engine, hubs, POLICIES["sec-ac-7.2"], d)
    out = evaluate(hubs, assessment_table(sample_engine, hubs, d), POLICIES["sec-ac-7.2"], d)
    assert out["smi_device_id"].to_list() == ["00-00-00-00-00-00-00-01", "00-00-00-00-00-00-00-04"]
    assert out["removal_date"].to_list() == [date(2027, 6, 1), date(2026, 6, 1)]


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_the_same_join_in_sql_agrees(
    sample_engine: Engine, sample_hubs: pl.DataFrame, policy: Policy
) -> None:
    d = date(2026, 11, 28)
    table = assessment_table(sample_engine, sample_hubs, d)
    cols = ["device_id", "verdict", "reasons", "plan_hops", "plan_target", "plan_target_role", "removal_date"]
    ours = evaluate(sample_hubs, table, policy, d).select(cols)
    con = duckdb.connect()
    con.register("hubs", sample_hubs.to_arrow())
    con.register("t", table.to_arrow())
    theirs = pl.from_arrow(con.sql(verdict_sql("hubs", "t", policy, d)).arrow())
    assert isinstance(theirs, pl.DataFrame)
    ours = ours.with_columns(pl.col("verdict").cast(pl.String), pl.col("reasons").cast(pl.List(pl.String)))
    assert theirs.select(cols).cast(ours.schema).equals(ours)


@settings(max_examples=200, deadline=None)
@given(
    since=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    months=st.integers(min_value=1, max_value=600),
)
def test_removal_date_is_add_months(since: date, months: int) -> None:
    # calendar months, a day missing in the target month clamped to its last day
    policy = HousekeepingPolicy(name="p", months=months)
    frame = pl.DataFrame(
        {"status": ["Pending"], "status_since": [since], "status_history": [None], "device_type": ["CHF"]},
        schema_overrides={"status_history": pl.String},
    )
    got = frame.select(device_smi_columns(policy, date(2000, 1, 1)))["chf_removal_date"][0]
    assert got == add_months(since, months)


@pytest.mark.parametrize(
    ("history", "status", "since", "exempt", "status_date"),
    [
        # history-aware: warehouse stock (never anything but Pending, or no history) is exempt
        (None, "Pending", None, True, None),
        ("Pending:2024-01-02", "Pending", None, True, date(2024, 1, 2)),
        ("pending:2024-01-02 ; PENDING:2024-03-04", "Pending", None, True, date(2024, 3, 4)),
        # ... a returned hub is not; its status date comes from the history's last step
        (
            "Commissioned:2020-01-01;Decommissioned:2023-05-01;Pending:2023-06-01",
            "Pending",
            None,
            False,
            date(2023, 6, 1),
        ),
        # the last step is not the current status: the history does not date it
        ("Commissioned:2020-01-01;Decommissioned:2023-05-01", "Pending", None, False, None),
        # a given status_since wins over the history
        ("Commissioned:2020-01-01;Pending:2023-06-01", "Pending", date(2023, 7, 1), False, date(2023, 7, 1)),
        # not Pending: never exempt under history-aware
        (None, "Commissioned", date(2020, 1, 1), False, date(2020, 1, 1)),
    ],
)
def test_history_rules(
    history: str | None, status: str, since: date | None, exempt: bool, status_date: date | None
) -> None:
    # through the inventory reader, which normalises the history as the batch gets it
    raw = pl.DataFrame(
        {
            "device_id": ["00db1234567890a0"],
            "manufacturer": ["1086"],
            "model": ["54311F52"],
            "firmware": ["0B150000"],
            "status": [status],
            "status_since": [since.isoformat() if since else None],
            "status_history": [history],
        },
        schema_overrides={"status_history": pl.String, "status_since": pl.String},
    )
    frame = normalise_inventory(raw, source="inv").frame
    got = frame.select(device_smi_columns(POLICIES["history-aware"], date(2026, 1, 1))).row(0, named=True)
    assert (got["chf_exempt"], got["chf_status_date"]) == (exempt, status_date)
    record = DeviceRecord.parse(
        status=status, status_since=since.isoformat() if since else None, history=history
    )
    assert POLICIES["history-aware"].exempt("CHF", record.history, record.status) == exempt
    assert record.status_since == status_date
