"""The batch's fast check gives check_inventory's answer, or none: never a different one.

:func:`cpl_data._clean_chunks.clean_chunk` validates distinct values where check_inventory
validates every row. On generated inventories, good and bad, whenever it answers its frame is
check_inventory's, and whenever check_inventory rejects a cell it gives no answer.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpl_data._clean_chunks import CHECKED_COLUMNS, HashedIds, _history, clean_chunk
from cpl_data._inventory_checks import check_history
from cpl_data.inventory import INVENTORY_COLUMNS, check_inventory
from eligibility.batch import VERDICT_INPUTS
from eligibility.smi import SMI_STATUSES

# Per column: canonical good values, and values that are bad or need normalising.
GOOD: dict[str, list[str | None]] = {
    "device_type": ["CHF", "GPF", "ESME"],
    "manufacturer": ["1086", "00DB"],
    "model": ["54311F52", "0002C801"],
    "firmware": ["0B150000", "00000001"],
    "status": ["Pending", "Commissioned", "InstalledNotCommissioned"],
    "status_since": ["2024-01-02", None],
    "status_history": [None, "Pending:2024-01-02", "Commissioned:2020-01-01;Pending:2024-01-02"],
    "supplier": ["Acme", None],
    "csp_region": ["North", "4G South", None],
    "han_variant": ["Single Band", None],
    "tsat_install_end": ["2027-01-01", None],
    "gpf_device_id": [None, "00-DB-12-34-56-78-90-FF"],
}
ODD: dict[str, list[str | None]] = {
    "device_id": ["00db1234567890a0", "00-DB-12", "", None, "00-db-12-34-56-78-90-a0"],
    "device_type": ["Lamp", "chf", " GPF", ""],
    "manufacturer": ["108", "10866", "zz10", None, "1086 "],
    "model": ["54311f52", "5431", None],
    "firmware": ["B150000", "0x0B150000", "123456789", "G", None],
    "status": ["pending", "Lost", None, "Installed Not Commissioned"],
    "status_since": ["2024-13-01", "9999-12-31", "02/01/2024", "2024-01-02 "],
    "status_history": ["pending:2024-01-02", "Pending:2024-01-02;Commissioned:2020-01-01", "Lost", ""],
    "supplier": ["  Acme  ", ""],
    "csp_region": ["north", "Mars", ""],
    "han_variant": ["dual", "single-band"],
    "tsat_install_end": ["0001-01-01", "tomorrow"],
    "gpf_device_id": ["00db1234567890ff", "nope", ""],
}


def _id(n: int) -> str:
    return "-".join(f"{b:02X}" for b in (0x00DB000000000000 + n).to_bytes(8, "big"))


@st.composite
def inventories(draw: st.DrawFn) -> pl.DataFrame:
    """A few rows of text cells: mostly good, some odd (bad, or to be normalised), maybe a repeat."""
    n = draw(st.integers(1, 12))
    columns = [c for c in INVENTORY_COLUMNS if c == "device_id" or c in GOOD]
    odd_share = draw(st.sampled_from([0.0, 0.0, 0.1, 0.3]))
    data: dict[str, list[str | None]] = {}
    for col in columns:
        cells: list[str | None] = []
        for i in range(n):
            good = [_id(i)] if col == "device_id" else GOOD[col]
            odd = draw(st.floats(0, 1)) < odd_share
            cells.append(draw(st.sampled_from(ODD[col] if odd else good)))
        data[col] = cells
    if draw(st.booleans()):  # leave out an optional column
        data.pop(draw(st.sampled_from(["status_history", "csp_region", "gpf_device_id", "device_type"])))
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


@settings(max_examples=200, deadline=None)
@given(raw=inventories())
def test_fast_check_answers_as_check_inventory_or_not_at_all(raw: pl.DataFrame) -> None:
    full = check_inventory(raw, source="t")
    fast = clean_chunk(raw, CHECKED_COLUMNS)
    if full.rejects.height:
        assert fast is None, full.rejects
    if fast is not None:
        assert fast.equals(full.frame.select(CHECKED_COLUMNS))


def test_columns_it_does_not_check_are_refused() -> None:
    # supplier and han_variant can hold no bad cell, so the fast path never tidies them
    with pytest.raises(ValueError, match="supplier"):
        clean_chunk(pl.DataFrame({"device_id": [_id(1)]}), ["device_id", "supplier"])


def test_fast_check_answers_for_clean_canonical_rows() -> None:
    # the fast path is not vacuous: a clean canonical chunk is answered, and as check_inventory
    raw = pl.DataFrame({c: [GOOD[c][i % len(GOOD[c])] for i in range(6)] for c in GOOD}).with_columns(
        device_id=pl.Series([_id(i) for i in range(6)])
    )
    raw = raw.with_columns(pl.col("status_since", "tsat_install_end").str.to_date())
    fast = clean_chunk(raw, VERDICT_INPUTS)
    assert fast is not None
    assert fast.equals(check_inventory(raw, source="t").frame.select(VERDICT_INPUTS))


def test_fast_check_normalises_low_cardinality_columns_as_the_full_check() -> None:
    # lower-case statuses, short firmware, text dates: normalised on distinct values, same answer
    raw = pl.DataFrame(
        {
            "device_id": [_id(1), _id(2), _id(3)],
            "manufacturer": ["1086"] * 3,
            "model": ["54311f52"] * 3,
            "firmware": ["B150000", "0b150000", "0x0B150000"],
            "status": ["pending", "COMMISSIONED", "Pending"],
            "status_since": ["2024-01-02", "", "2024-01-02"],
        }
    )
    fast = clean_chunk(raw, VERDICT_INPUTS)
    assert fast is not None
    assert fast.equals(check_inventory(raw, source="t").frame.select(VERDICT_INPUTS))
    assert fast["firmware"].unique().to_list() == ["0B150000"]
    assert fast["status_since"].to_list() == [date(2024, 1, 2), None, date(2024, 1, 2)]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("device_id", None),  # missing: left to the full check, whatever it decides
        ("device_id", "00db1234567890a0"),  # not canonical: the full check rewrites it
        ("gpf_device_id", "00-DB-12"),
        ("status", "Lost"),
        ("status_history", "Pending:2024-01-02;Commissioned:2020-01-01"),  # not oldest first
        ("tsat_install_end", "9999-12-31"),
        ("csp_region", "Mars"),
    ],
)
def test_one_doubtful_cell_gives_no_answer(column: str, value: str | None) -> None:
    raw = pl.DataFrame(
        {
            "device_id": [_id(1), _id(2)],
            "gpf_device_id": [_id(2), None],
            "device_type": ["CHF", "GPF"],
            "manufacturer": ["1086"] * 2,
            "model": ["54311F52"] * 2,
            "firmware": ["0B150000"] * 2,
            "status": ["Pending"] * 2,
            "status_history": [None, None],
            "tsat_install_end": [None, None],
            "csp_region": [None, None],
        },
        schema_overrides={"gpf_device_id": pl.String, "status_history": pl.String, "csp_region": pl.String},
    )
    assert clean_chunk(raw, VERDICT_INPUTS) is not None
    bad = raw.with_columns(pl.Series(column, [raw[column][0], value], dtype=pl.String))
    assert clean_chunk(bad, VERDICT_INPUTS) is None


_STEP = st.tuples(
    st.sampled_from([*SMI_STATUSES, "pending", "Lost", " Commissioned "]),
    st.one_of(st.none(), st.sampled_from(["2019-03-01", "2021-05-02", "2024-13-40", "1850-01-01"])),
)


@settings(max_examples=150, deadline=None)
@given(
    histories=st.lists(
        st.one_of(
            st.none(),
            st.lists(_STEP, min_size=1, max_size=4).map(
                lambda steps: ";".join(s if d is None else f"{s}:{d}" for s, d in steps)
            ),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_histories_on_distinct_values_agree_with_row_by_row(histories: list[str | None]) -> None:
    s = pl.Series("status_history", histories, dtype=pl.String)
    slow = check_history(s)
    # alone, and after an earlier chunk (the first half) left the good ones it held as known
    known: set[str] = set()
    _history(s[: len(histories) // 2], s[: len(histories) // 2].unique().to_list(), known)
    for fast in (_history(s, s.unique().to_list()), _history(s, s.unique().to_list(), known)):
        assert (fast.why is None) == (slow.why is None)
        if slow.why is None:
            assert fast.values.equals(slow.values)


def test_hashed_ids_find_a_device_listed_again_in_a_later_chunk() -> None:
    ids = pl.Series([_id(i) for i in range(1000)])
    hashed = HashedIds()
    hashed.add(HashedIds.of(ids[:500]))
    hashed.add(HashedIds.of(ids[500:]))
    assert not hashed.any_repeated()
    hashed.add(HashedIds.of(ids[700:701]))
    assert hashed.any_repeated()
    assert HashedIds.of(ids).dtype == np.uint64
