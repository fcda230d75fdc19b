"""``cpl_data.csv_out``: formula cells neutralised (OWASP CSV injection), nothing else changed."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from cpl_data.csv_out import FORMULA_START, neutralise, neutralise_cell, write_csv


def _read(buf: io.BytesIO) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(buf.getvalue()), infer_schema=False)


@given(st.lists(st.text(), min_size=1, max_size=20))
def test_no_cell_starts_a_formula_and_the_text_survives(cells: list[str]) -> None:
    buf = io.BytesIO()
    write_csv(pl.DataFrame({"a": cells, "n": list(range(len(cells)))}), buf)
    back = _read(buf)["a"].to_list()
    for given_cell, read in zip(cells, back, strict=True):
        if not read:  # an empty cell
            assert given_cell == ""
            continue
        assert read[0] not in FORMULA_START
        assert read == neutralise_cell(given_cell)
        assert read.removeprefix("'") == given_cell or given_cell.startswith("'")


def test_numbers_stay_numbers_and_lists_are_joined() -> None:
    frame = pl.DataFrame({"n": [-5, 3], "codes": [["=A", "B"], []], "d": [date(2026, 1, 1), None]})
    out = neutralise(frame)
    assert out["n"].to_list() == [-5, 3]
    assert out["codes"].to_list() == ["'=A;B", ""]
    assert out["d"].dtype == pl.Date  # an ordinary date cannot start a formula: left alone


def test_a_year_past_9999_is_not_written_as_a_formula() -> None:
    far = pl.DataFrame({"d": [date(9999, 12, 31)]}).with_columns(pl.col("d") + pl.duration(days=1))
    buf = io.BytesIO()
    write_csv(far, buf)
    assert _read(buf)["d"].to_list() == ["'+10000-01-01"]
