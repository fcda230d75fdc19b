"""Calendar months, statuses, histories and housekeeping policies."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.dates import add_months, parse_date
from eligibility.errors import InputError, InvalidDate, UnknownChoice
from eligibility.smi import POLICIES, StatusChange, parse_history, parse_policy, parse_status


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2020, 2, 29), 12, date(2021, 2, 28)),  # a day missing in the target month clamps
        (date(2020, 2, 29), 48, date(2024, 2, 29)),  # ... and is kept where it exists
        (date(2021, 1, 31), 1, date(2021, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2021, 8, 31), 36, date(2024, 8, 31)),
        (date(2023, 10, 31), 12, date(2024, 10, 31)),
        (date(2023, 3, 31), 6, date(2023, 9, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # across a year end
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=120),
)
def test_add_months_properties(start: date, months: int) -> None:
    out = add_months(start, months)
    assert (out.year * 12 + out.month) - (start.year * 12 + start.month) == months
    # the same day of the month, or the month's last day when it is shorter
    assert out.day == min(start.day, calendar.monthrange(out.year, out.month)[1])


@pytest.mark.parametrize("text", ["2026/11/28", "28-11-2026", "2026-13-01", "2026-2-1", "", "today"])
def test_parse_date_refused(text: str) -> None:
    with pytest.raises(InvalidDate, match="expected YYYY-MM-DD"):
        parse_date(text, field="--install-date")


def test_status_spellings() -> None:
    assert parse_status("pending") == "Pending"
    assert parse_status("INSTALLEDNOTCOMMISSIONED") == "InstalledNotCommissioned"
    assert parse_status("installed not commissioned") == "InstalledNotCommissioned"
    with pytest.raises(UnknownChoice, match="Pending, Whitelisted, InstalledNotCommissioned"):
        parse_status("Installed")


def test_history() -> None:
    h = parse_history("Commissioned:2019-03-01;Decommissioned:2021-05-02;Pending:2021-06-01")
    assert h == (
        StatusChange(status="Commissioned", since=date(2019, 3, 1)),
        StatusChange(status="Decommissioned", since=date(2021, 5, 2)),
        StatusChange(status="Pending", since=date(2021, 6, 1)),
    )
    assert [c.status for c in parse_history("Commissioned,Pending")] == ["Commissioned", "Pending"]
    with pytest.raises(UnknownChoice, match="item 2"):
        parse_history("Pending:2020-01-01;Lost:2021-01-01")
    with pytest.raises(InvalidDate, match="item 1"):
        parse_history("Pending:01/01/2020")
    with pytest.raises(InputError, match="oldest first"):
        parse_history("Pending:2021-01-01;Commissioned:2020-01-01")


def test_named_policies() -> None:
    assert {k: (p.months, sorted(p.exclude_types), p.history_aware) for k, p in POLICIES.items()} == {
        "sec-ac-7.2": (12, [], False),
        "secmp0060": (36, [], False),
        "history-aware": (12, [], True),
        "exclusion-list": (12, ["CHF", "GPF"], False),
    }
    assert parse_policy("SECMP0060") is POLICIES["secmp0060"]


@pytest.mark.parametrize(
    ("text", "months", "exclude", "history_aware", "name"),
    [
        ("months=24", 24, [], False, "custom(months=24)"),
        (
            "months=24;exclude=CHF,GPF;history-aware",
            24,
            ["CHF", "GPF"],
            True,
            "custom(months=24;exclude=CHF,GPF;history-aware)",
        ),
        ("secmp0060 exclude=gpf", 36, ["GPF"], False, "custom(months=36;exclude=GPF)"),
        ("history-aware;months=18", 18, [], True, "custom(months=18;history-aware)"),
        ("exclusion-list;history_aware=no", 12, ["CHF", "GPF"], False, "custom(months=12;exclude=CHF,GPF)"),
    ],
)
def test_custom_policies(text: str, months: int, exclude: list[str], history_aware: bool, name: str) -> None:
    p = parse_policy(text)
    assert (p.months, sorted(p.exclude_types), p.history_aware, p.name) == (
        months,
        exclude,
        history_aware,
        name,
    )


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("sec-ac-7.3", UnknownChoice, "sec-ac-7.2, secmp0060, history-aware, exclusion-list"),
        ("months=0", InputError, "from 1 to 600"),
        ("months=twelve", InputError, "whole number"),
        ("exclude=CHF,METER", UnknownChoice, "not a device type"),
        ("history-aware=maybe", InputError, "yes or no"),
        ("", UnknownChoice, "empty"),
    ],
)
def test_bad_policies(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse_policy(text, field="--policy")


WAREHOUSE = None  # no history: only the current status is known
RETURNED = parse_history("Commissioned:2019-01-01;Decommissioned:2023-01-01;Pending:2023-02-01")
SINCE = date(2023, 2, 1)


@pytest.mark.parametrize(
    ("policy", "device_type", "history", "expected"),
    [
        # sec-ac-7.2: 12 months, nothing exempt
        ("sec-ac-7.2", "CHF", WAREHOUSE, date(2024, 2, 1)),
        ("sec-ac-7.2", "CHF", RETURNED, date(2024, 2, 1)),
        # secmp0060: 36 months
        ("secmp0060", "CHF", WAREHOUSE, date(2026, 2, 1)),
        ("secmp0060", "GPF", RETURNED, date(2026, 2, 1)),
        # history-aware: warehouse stock is never removed, a returned hub is
        ("history-aware", "CHF", WAREHOUSE, None),
        ("history-aware", "CHF", parse_history("Pending:2023-02-01"), None),
        ("history-aware", "CHF", RETURNED, date(2024, 2, 1)),
        # exclusion-list: CHF and GPF are exempt, other devices are not
        ("exclusion-list", "CHF", RETURNED, None),
        ("exclusion-list", "GPF", WAREHOUSE, None),
        ("exclusion-list", "ESME", WAREHOUSE, date(2024, 2, 1)),
    ],
)
def test_removal_dates(
    policy: str, device_type: str, history: tuple[StatusChange, ...] | None, expected: date | None
) -> None:
    assert POLICIES[policy].removal_date(device_type, "Pending", SINCE, history) == expected


def test_only_pending_devices_are_removed() -> None:
    p = POLICIES["sec-ac-7.2"]
    assert p.removal_date("CHF", "InstalledNotCommissioned", SINCE, None) is None
    assert p.removal_date("CHF", "Commissioned", SINCE, None) is None
    assert p.removal_date("CHF", "Pending", None, None) is None
