"""One date grammar, YYYY-MM-DD, and one range, 1990-01-01 to 2100-12-31, for every date hubcheck reads."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.dates import EARLIEST, LATEST, add_months, parse_date
from eligibility.errors import InvalidDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28", date(2026, 11, 28)),
        (" 2026-11-28 ", date(2026, 11, 28)),  # surrounding blanks are not part of it
        ("2020-02-29", date(2020, 2, 29)),
        # the range's ends are in it
        ("1990-01-01", date(1990, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_dates_in_the_grammar_and_range(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # other ISO 8601 forms Python's fromisoformat takes: one grammar only
        ("20261105", "YYYY-MM-DD"),
        ("20261128xx", "YYYY-MM-DD"),
        ("2026-W48-1", "YYYY-MM-DD"),
        ("2026-11-28T00:00", "YYYY-MM-DD"),
        ("+2026-11-28", "YYYY-MM-DD"),
        ("２０２６-１１-２８", "YYYY-MM-DD"),  # full-width digits are digits to Python, not to us
        ("2026-13-01", "YYYY-MM-DD"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        # out of the range: a typo or a placeholder, never a real status date
        ("9999-12-31", "1990-01-01"),
        ("0001-01-01", "1990-01-01"),
        ("1989-12-31", "1990-01-01"),
        ("2101-01-01", "2100-12-31"),
    ],
)
def test_everything_else_is_refused_naming_the_grammar_or_range(text: str, why: str) -> None:
    with pytest.raises(InvalidDate, match=why) as caught:
        parse_date(text, field="install_date")
    assert caught.value.field == "install_date"


def test_a_long_input_is_quoted_as_an_excerpt() -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_date("9" * 100_000)
    assert len(str(caught.value)) < 300


@given(st.text(max_size=40))
def test_any_text_is_a_date_in_range_or_an_invalid_date(text: str) -> None:
    try:
        d = parse_date(text)
    except InvalidDate:
        return
    assert EARLIEST <= d <= LATEST
    assert d.isoformat() == text.strip()


@given(st.dates(EARLIEST, LATEST), st.integers(0, 1200))
def test_months_added_to_a_date_in_range_never_overflow(d: date, months: int) -> None:
    assert add_months(d, months) >= d
