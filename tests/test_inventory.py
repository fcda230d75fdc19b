"""Inventory files: every column checked, every bad cell reported, normalised output."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpl_data._inventory_checks import RULES, Checked, by_value, check_device_ids
from cpl_data._seen import SeenDevices
from cpl_data.inventory import INVENTORY_COLUMNS, normalise_inventory, read_inventory
from eligibility.errors import DataError, InputError
from eligibility.identifiers import parse_device_id, parse_manufacturer, parse_model
from eligibility.versions import parse_firmware

HEADER = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,status_history,supplier,csp_region,han_variant,tsat_install_end\n"
GOOD = (
    HEADER
    + "00db1234567890a0,00-DB-12-34-56-78-90-A1,CHF,1086,54311f52,B150000,pending,2026-01-10,,Acme,north,single,2027-01-01\n"
    + "00-DB-12-34-56-78-90-A1,,GPF,1086,54311F52,0B150000,Pending,2026-01-10,Commissioned:2019-01-01;Pending:2026-01-10,Acme,4G North,dual band,\n"
)


def test_good_rows_are_normalised() -> None:
    r = read_inventory(GOOD.encode(), source="inv.csv")
    assert r.frame.columns == list(INVENTORY_COLUMNS)
    first, second = r.frame.to_dicts()
    assert first == {
        "device_id": "00-DB-12-34-56-78-90-A0",
        "gpf_device_id": "00-DB-12-34-56-78-90-A1",
        "device_type": "CHF",
        "manufacturer": "1086",
        "model": "54311F52",
        "firmware": "0B150000",  # 7 digits, padded as DUIS allows
        "status": "Pending",
        "status_since": date(2026, 1, 10),
        "status_history": None,
        "supplier": "Acme",
        "csp_region": "North",
        "han_variant": "Single Band",
        "tsat_install_end": date(2027, 1, 1),
    }
    assert (second["device_type"], second["csp_region"], second["han_variant"]) == (
        "GPF",
        "4G North",
        "Dual Band",
    )
    assert r.rejects.height == 0


BAD = (
    HEADER
    + "00-DB-12-34-56-78-90-A2,,CHF,108,54311F52,0B15000X,Lost,2026-13-10,Pending:2020-01-01;Commissioned:2019-01-01,Acme,East,,\n"
    + "00db1234567890a2,,METER,1086,54311F52,0B150000,Pending,,,Acme,,,28/11/2026\n"
    + "00-DB-12-34,,CHF,1086,54311F52,0B150000,Pending,,,,,,\n"
)


def test_every_bad_cell_reported_at_once() -> None:
    with pytest.raises(DataError) as info:
        read_inventory(BAD.encode(), source="inv.csv")
    got = {(p.row, p.column) for p in info.value.problems}
    assert got == {
        (2, "manufacturer"),
        (2, "firmware"),
        (2, "status"),
        (2, "status_since"),
        (2, "status_history"),
        (2, "csp_region"),
        (2, "device_id"),  # the same device as row 3 once normalised
        (3, "device_id"),
        (3, "device_type"),
        (3, "tsat_install_end"),
        (4, "device_id"),
    }
    text = str(info.value)
    assert (
        "row 2, column manufacturer: value '108': 4 hex digits expected; a spreadsheet may have dropped leading zeros"
        in text
    )
    assert "oldest first" in text


def test_skip_invalid_keeps_the_good_rows() -> None:
    r = read_inventory((GOOD + BAD.split("\n", 1)[1]).encode(), source="inv.csv", skip_invalid=True)
    assert r.frame.height == 2
    assert r.rows_read == 5
    assert r.rejected_rows == 3
    assert set(r.rejects.columns) == {"row", "column", "value", "why"}


def test_parquet_with_dates_reads_the_same() -> None:
    csv_read = read_inventory(GOOD.encode(), source="inv.csv")
    buf = io.BytesIO()
    pl.read_csv(io.BytesIO(GOOD.encode()), infer_schema=False).with_columns(
        pl.col("status_since").str.strptime(pl.Date, "%Y-%m-%d")
    ).write_parquet(buf)
    pq = read_inventory(buf.getvalue(), source="inv.parquet")
    assert pq.frame.equals(csv_read.frame)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"device_id,model\n00db1234567890a0,54311F52\n", "columns missing: manufacturer, firmware, status"),
        (b"PAR1 this is not parquet", "not a readable Parquet file"),
    ],
)
def test_unreadable(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_inventory(data, source="inv")


# -- normalisation details and the fast paths --------------------------------------------------


def _frame(**cols: list[str | None]) -> pl.DataFrame:
    base: dict[str, list[str | None]] = {
        "device_id": [f"00-00-00-00-00-00-00-{i:02X}" for i in range(len(next(iter(cols.values()))))],
        "manufacturer": ["1086"],
        "model": ["54311F52"],
        "firmware": ["0B150000"],
        "status": ["Pending"],
    }
    n = len(base["device_id"])
    data = {k: (v * n if len(v) == 1 else v) for k, v in base.items()}
    data.update(cols)
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        # statuses in their DUIS spelling, ';' between steps, no spaces
        ("commissioned:2019-01-01 , PENDING:2026-01-10", "Commissioned:2019-01-01;Pending:2026-01-10"),
        ("Commissioned,Decommissioned;pending", "Commissioned;Decommissioned;Pending"),
        ("Pending:2026-01-10;", "Pending:2026-01-10"),
        ("Pending:2026-01-10", "Pending:2026-01-10"),
        ("   ", None),
    ],
)
def test_history_is_normalised(given: str, normalised: str | None) -> None:
    r = normalise_inventory(_frame(status_history=[given]), source="inv")
    assert r.frame["status_history"].to_list() == [normalised]


@pytest.mark.parametrize(
    "given",
    [
        "Pending:2020-01-01;Commissioned:2019-01-01",  # newest first
        "Pending:2021-13-45",  # not a real date
        "Lost:2021-01-01",  # not a status
        "Pending 2021-01-01",
    ],
)
def test_bad_history(given: str) -> None:
    with pytest.raises(DataError, match="oldest first"):
        normalise_inventory(_frame(status_history=[given]), source="inv")


def test_blank_gpf_is_none_and_rows_count_from_first_row() -> None:
    r = normalise_inventory(_frame(gpf_device_id=["  "]), source="inv")
    assert r.frame["gpf_device_id"].to_list() == [None]
    with pytest.raises(DataError) as info:
        normalise_inventory(_frame(status=["Lost"]), source="inv", first_row=1001)
    assert [p.row for p in info.value.problems] == [1001]


def test_duplicate_in_a_later_chunk() -> None:
    seen = SeenDevices()
    first = _frame(status=["Pending", "Pending"])
    normalise_inventory(first, source="inv", seen=seen)
    again = first.with_columns(pl.col("device_id").str.replace("-01$", "-07"))
    with pytest.raises(DataError) as info:
        normalise_inventory(again, source="inv", seen=seen, first_row=4)
    assert [(p.row, p.message) for p in info.value.problems] == [
        (4, "the same Device ID appears on an earlier row; each device is listed once")
    ]


_TEXT = st.text(alphabet="0123456789abcdefABCDEFxX- \tG", max_size=26)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.none(), _TEXT), min_size=1, max_size=30))
def test_by_value_agrees_with_row_by_row(values: list[str | None]) -> None:
    s = pl.Series("v", values, dtype=pl.String)
    for rule in RULES.values():
        fast, slow = by_value(s, rule), by_value(s, rule, row_wise=True)
        assert fast.values.equals(slow.values)
        assert (fast.why is None) == (slow.why is None)
        if fast.why is not None and slow.why is not None:
            assert fast.why.equals(slow.why)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(_TEXT, min_size=1, max_size=20))
def test_cells_agree_with_the_single_hub_parsers(values: list[str]) -> None:
    # a cell the inventory accepts is exactly what `hubcheck check` accepts, normalised the same
    s = pl.Series("v", values, dtype=pl.String)
    checks: dict[str, tuple[Checked, Callable[[str], str]]] = {
        "device_id": (check_device_ids(s, required=True), parse_device_id),
        "manufacturer": (by_value(s, RULES["manufacturer"]), parse_manufacturer),
        "model": (by_value(s, RULES["model"]), parse_model),
        "firmware": (by_value(s, RULES["firmware"]), lambda t: parse_firmware(t, pad=True)),
    }
    for name, (checked, parse) in checks.items():
        for i, text in enumerate(values):
            bad = checked.why is not None and checked.why[i] is not None
            try:
                want = parse(text)
            except InputError:
                assert bad, (name, text)
                continue
            assert not bad, (name, text)
            assert checked.values[i] == want, (name, text)
