"""Every reason message reads as a full sentence an installer can say aloud, over generated verdicts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eligibility.cpl import Cpl
from eligibility.engine import Engine
from eligibility.messages import plural
from eligibility.policy_timeline import parse_timeline
from eligibility.reference import Reference
from eligibility.smi import SMI_STATUSES
from eligibility.verdict import REASON_CODES, DeviceRecord, Hub, Verdict

# "1 months", "1 days", "1 hops", "1 entries" ...: a count of one with a plural noun
_ONE_PLURAL = re.compile(r"(?<![\d.])1 (months|days|hops|hubs|entries|versions|steps|years)\b")
_PROBLEMS: dict[str, Callable[[str], bool]] = {
    "starts with a capital letter": lambda m: m[:1].isupper(),
    "ends with a full stop": lambda m: m.endswith("."),
    "no '1 months'-style slip": lambda m: _ONE_PLURAL.search(m) is None,
    "no double space": lambda m: "  " not in m,
    "no space before a stop or comma": lambda m: " ." not in m and " ," not in m,
    "no doubled stop": lambda m: ".." not in m.replace("...", ""),
    "no unfilled placeholder": lambda m: "{" not in m and "None" not in m,
}


def faults(message: str) -> list[str]:
    """The rules ``message`` breaks."""
    return [rule for rule, ok in _PROBLEMS.items() if not ok(message)]


def check(v: Verdict) -> None:
    for r in v.reasons:
        assert not faults(r.message), (r.code, faults(r.message), r.message)
    if v.smi.exempt_reason is not None:
        assert v.smi.exempt_reason[:1].isalpha(), v.smi.exempt_reason


@pytest.mark.parametrize(
    ("message", "broken"),
    [
        ("Removed after 1 months pending.", ["no '1 months'-style slip"]),
        ("firmware 0C240000 is N", ["starts with a capital letter", "ends with a full stop"]),
        ("Fit it  soon.", ["no double space"]),
        ("Removed after 1 month pending, or 11 months.", []),
    ],
)
def test_the_rules_catch_what_they_should(message: str, broken: list[str]) -> None:
    assert faults(message) == broken


def test_plural() -> None:
    assert [plural(n, "month") for n in (0, 1, 2, 12)] == ["0 months", "1 month", "2 months", "12 months"]


@pytest.fixture(scope="module")
def engine(real_cpl: Cpl) -> Engine:
    return Engine(Reference(real_cpl))


def _models(cpl: Cpl) -> list[tuple[str, str, list[str]]]:
    """Every Device Model of the CPL (hubs, SMETS1 hubs, meters) with its firmware versions."""
    out: dict[tuple[str, str], list[str]] = {}
    for e in cpl.entries:
        out.setdefault((e.manufacturer, e.model), []).append(e.firmware)
    return [(m, mo, sorted(set(fws))) for (m, mo), fws in sorted(out.items())]


POLICIES = [
    "sec-ac-7.2",
    "secmp0060",
    "history-aware",
    "exclusion-list",
    "months=1",
    "months=1;exclude=GPF",
    "sec-ac-7.2,secmp0060@2023-04-01",
    "secmp0060,months=1@2025-01-01",
]


@st.composite
def hubs(draw: st.DrawFn, models: list[tuple[str, str, list[str]]]) -> tuple[Hub, date, str]:
    manufacturer, model, firmware = draw(st.sampled_from(models))
    fw = draw(st.one_of(st.sampled_from(firmware), st.sampled_from(["00000001", "FFFFFFFF"])))
    if draw(st.integers(0, 20)) == 0:
        model = "DEADBEEF"  # a model no entry has
    on = draw(st.dates(min_value=date(2016, 10, 1), max_value=date(2030, 12, 31)))
    status = draw(st.sampled_from(["Pending"] * 6 + list(SMI_STATUSES)))
    since = draw(st.one_of(st.none(), st.dates(min_value=on - timedelta(days=2000), max_value=on)))
    history = draw(
        st.sampled_from([None, "Pending:2019-01-01", "Commissioned:2015-01-01;Pending:2016-01-01"])
    )
    device_type = draw(st.sampled_from(["CHF", "CHF", "CHF", "GPF", "ESME", "GSME", "PPMID", "IHD"]))
    chf = DeviceRecord(
        device_id="00-DB-12-34-56-78-90-A0",
        device_type=device_type,
        status=status,
        status_since=since,
        history=None if history is None else DeviceRecord.parse(history=history).history,
    )
    gpf = None
    if draw(st.booleans()):
        gpf = DeviceRecord(
            device_id="00-DB-12-34-56-78-90-A1", device_type="GPF", status=status, status_since=since
        )
    tsat = draw(
        st.one_of(st.none(), st.dates(min_value=on - timedelta(days=30), max_value=on + timedelta(days=30)))
    )
    hub = Hub(manufacturer=manufacturer, model=model, firmware=fw, chf=chf, gpf=gpf, tsat_install_end=tsat)
    return hub, on, draw(st.sampled_from(POLICIES))


def _pending(manufacturer: str, model: str, firmware: str, since: date) -> Hub:
    chf = DeviceRecord(
        device_id="00-DB-12-34-56-78-90-A0", device_type="CHF", status="Pending", status_since=since
    )
    return Hub(manufacturer=manufacturer, model=model, firmware=firmware, chf=chf)


def test_every_message_of_generated_verdicts_is_a_full_sentence(engine: Engine, real_cpl: Cpl) -> None:
    seen: set[str] = set()

    @settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hubs(_models(real_cpl)))
    # The draws reach the rarer codes only most of the time; this real hub reaches them every time:
    # EDMI 106C/433100AC at 125080E0 before that firmware was listed, with no later one to go to.
    @example((_pending("106C", "433100AC", "125080E0", date(2017, 6, 1)), date(2017, 6, 1), "sec-ac-7.2"))
    def run(case: tuple[Hub, date, str]) -> None:
        hub, on, policy = case
        v = engine.verdict(hub, on, parse_timeline(policy))
        check(v)
        seen.update(v.codes)

    run()
    # the generator reaches every reason, so every message was read
    assert seen == set(REASON_CODES), set(REASON_CODES) - seen


@pytest.mark.parametrize(
    ("policy", "since", "texts"),
    [
        ("sec-ac-7.2", date(2025, 11, 29), ("sec-ac-7.2 (12 months pending)", "in 1 day.")),
        ("months=1", date(2026, 10, 29), ("(1 month pending)", "in 1 day.")),
        ("months=1", date(2026, 10, 30), ("(1 month pending)", "in 2 days.")),
    ],
)
def test_counts_of_one_read_right(engine: Engine, policy: str, since: date, texts: tuple[str, ...]) -> None:
    chf = DeviceRecord(device_type="CHF", status="Pending", status_since=since)
    hub = Hub(manufacturer="1086", model="54311F52", firmware="0D050002", chf=chf)
    v = engine.verdict(hub, date(2026, 11, 28), parse_timeline(policy))
    check(v)
    soon = next(r.message for r in v.reasons if r.code == "SMI_REMOVAL_SOON")
    assert all(t in soon for t in texts), soon
