"""Policy timelines: the policy in force from each date; a removal is never undone by a later rule."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.batch import _sql_device
from eligibility.errors import InputError, InvalidDate, UnknownChoice
from eligibility.policy_timeline import PolicyStep, PolicyTimeline, parse_policies, parse_timeline
from eligibility.smi import POLICIES, HousekeepingPolicy, StatusChange
from eligibility.smi_columns import device_smi_columns

SWITCH = date(2023, 4, 1)


# -- the text form -------------------------------------------------------------------------------


def test_parse_a_timeline() -> None:
    t = parse_timeline("sec-ac-7.2,secmp0060@2023-04-01")
    assert t.name == "sec-ac-7.2,secmp0060@2023-04-01"
    assert [(s.start, s.policy.name) for s in t.steps] == [(None, "sec-ac-7.2"), (SWITCH, "secmp0060")]
    assert t.in_force(date(2023, 3, 31)).name == "sec-ac-7.2"
    assert t.in_force(SWITCH).name == "secmp0060"
    assert "until 2023-03-31" in t.describe()
    assert "from 2023-04-01" in t.describe()


def test_a_single_policy_is_a_timeline_of_one_step() -> None:
    t = parse_timeline("secmp0060")
    assert (t.name, len(t.steps), t.steps[0].policy) == ("secmp0060", 1, POLICIES["secmp0060"])
    assert t.describe() == POLICIES["secmp0060"].describe()


def test_custom_steps_keep_the_commas_of_their_exclude_list() -> None:
    t = parse_timeline("sec-ac-7.2,months=24;exclude=CHF,GPF@2024-01-01")
    assert t.steps[1].policy.exclude_types == {"CHF", "GPF"}
    assert t.steps[1].start == date(2024, 1, 1)


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ("secmp0060@2023-04-01", InputError, "in force from the start; give it no date"),
        ("sec-ac-7.2,secmp0060", InputError, "secmp0060@YYYY-MM-DD"),
        ("sec-ac-7.2,secmp0060@2023-04-31", InvalidDate, "not a date"),
        ("sec-ac-7.2,secmp0060@2024-01-01,history-aware@2023-01-01", InputError, "in date order"),
        ("sec-ac-7.2,nonsense@2024-01-01", UnknownChoice, "not a policy"),
    ],
)
def test_bad_timelines_say_what_to_fix(text: str, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        parse_timeline(text, field="--policy")


def test_policies_to_compare_group_dated_steps_with_the_one_before() -> None:
    got = parse_policies("sec-ac-7.2,secmp0060,sec-ac-7.2,secmp0060@2023-04-01,months=24;exclude=CHF,GPF")
    assert [t.name for t in got] == [
        "sec-ac-7.2",
        "secmp0060",
        "sec-ac-7.2,secmp0060@2023-04-01",
        "custom(months=24;exclude=CHF,GPF)",
    ]


# -- removal dates under a timeline --------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "removal", "under"),
    [
        (date(2021, 6, 1), date(2022, 6, 1), "sec-ac-7.2"),  # removed before the switch: stays removed
        (date(2022, 3, 31), date(2023, 3, 31), "sec-ac-7.2"),  # the day before the switch
        (date(2022, 4, 1), date(2025, 4, 1), "secmp0060"),  # on the switch day the new rule is in force
        (date(2024, 1, 1), date(2027, 1, 1), "secmp0060"),
    ],
)
def test_removal_under_a_timeline(since: date, removal: date, under: str) -> None:
    t = parse_timeline("sec-ac-7.2,secmp0060@2023-04-01")
    got = t.removal("CHF", "Pending", since, None)
    assert got is not None
    assert (got[0], got[1].name) == (removal, under)


def test_a_device_past_the_new_months_goes_on_the_day_the_rule_begins() -> None:
    t = parse_timeline("secmp0060,sec-ac-7.2@2024-01-01")
    assert t.removal_date("CHF", "Pending", date(2022, 6, 1), None) == date(2024, 1, 1)


def test_exempt_only_when_every_step_exempts() -> None:
    warehouse: tuple[StatusChange, ...] = ()
    t = parse_timeline("exclusion-list,history-aware@2025-01-01")
    assert t.exempt("CHF", warehouse, "Pending")
    assert t.exempt_reason("CHF", warehouse, "Pending") == (
        "CHF is on the exclusion list of exclusion-list; it never left Pending (warehouse stock), and "
        "history-aware never removes such a device"
    )
    returned = (StatusChange(status="Commissioned"), StatusChange(status="Pending"))
    assert not t.exempt("CHF", returned, "Pending")
    assert t.removal_date("CHF", "Pending", date(2020, 1, 1), returned) == date(2025, 1, 1)


# -- properties ----------------------------------------------------------------------------------


@st.composite
def timelines(draw: st.DrawFn) -> PolicyTimeline:
    n = draw(st.integers(1, 4))
    starts = sorted(
        draw(
            st.lists(
                st.dates(date(2018, 1, 1), date(2030, 1, 1)), min_size=n - 1, max_size=n - 1, unique=True
            )
        )
    )
    steps = []
    for i in range(n):
        policy = HousekeepingPolicy(
            name=f"p{i}",
            months=draw(st.integers(1, 48)),
            exclude_types=frozenset(draw(st.sets(st.sampled_from(["CHF", "GPF"]), max_size=1))),
            history_aware=draw(st.booleans()),
        )
        steps.append(PolicyStep(start=None if i == 0 else starts[i - 1], policy=policy))
    return PolicyTimeline(name="t", steps=tuple(steps))


HISTORIES: dict[str, tuple[StatusChange, ...] | None] = {
    "": None,
    "Pending:2019-01-01": (StatusChange(status="Pending", since=date(2019, 1, 1)),),
    "Commissioned:2015-01-01;Pending:2016-01-01": (
        StatusChange(status="Commissioned", since=date(2015, 1, 1)),
        StatusChange(status="Pending", since=date(2016, 1, 1)),
    ),
}


@settings(max_examples=400, deadline=None)
@given(
    timelines(),
    st.dates(date(2015, 1, 1), date(2029, 1, 1)),
    st.sampled_from(["CHF", "GPF"]),
    st.sampled_from(sorted(HISTORIES)),
)
def test_a_timeline_never_brings_back_a_device_an_earlier_policy_removed(
    t: PolicyTimeline, since: date, device_type: str, history: str
) -> None:
    hist = HISTORIES[history]
    full = t.removal_date(device_type, "Pending", since, hist)
    for i in range(len(t.steps)):
        # the timeline as it stood while step i was the newest rule
        so_far = PolicyTimeline(name="so far", steps=t.steps[: i + 1])
        then = so_far.removal_date(device_type, "Pending", since, hist)
        nxt = t.steps[i + 1].start if i + 1 < len(t.steps) else None
        if then is not None and (nxt is None or then < nxt):
            # removed before the next rule began: later rules never undo it
            assert full == then
        elif nxt is not None:
            # still on the SMI when the next rule began: the removal, if any, comes after
            assert full is None or full >= nxt
    # once off, off for good: the removal is one date and the policy in force then removed it
    got = t.removal(device_type, "Pending", since, hist)
    if got is not None:
        assert t.in_force(got[0]) == got[1]


_DUCK = duckdb.connect()
_CASE = st.tuples(
    st.dates(date(2015, 1, 1), date(2029, 1, 1)),
    st.sampled_from(["CHF", "GPF"]),
    st.sampled_from(sorted(HISTORIES)),
)


@settings(max_examples=60, deadline=None)
@given(timelines(), st.lists(_CASE, min_size=1, max_size=40))
def test_columns_and_sql_give_the_engine_s_removal_date(
    t: PolicyTimeline, cases: list[tuple[date, str, str]]
) -> None:
    want = [t.removal_date(dt, "Pending", since, HISTORIES[h]) for since, dt, h in cases]
    frame = pl.DataFrame(
        {
            "status": ["Pending"] * len(cases),
            "status_since": [since for since, _, _ in cases],
            "status_history": [h or None for _, _, h in cases],
            "device_type": [dt for _, dt, _ in cases],
        },
        schema_overrides={"status_history": pl.String, "status_since": pl.Date},
    )
    d = date(2000, 1, 1)
    assert frame.select(device_smi_columns(t, d))["chf_removal_date"].to_list() == want
    sql = _sql_device(t, d, d + timedelta(days=90), "", None)["removal"]
    _DUCK.register("h", frame.with_row_index("i").to_arrow())
    got = _DUCK.execute(f"SELECT {sql} FROM h ORDER BY i").fetchall()
    _DUCK.unregister("h")
    assert [r[0] for r in got] == want
