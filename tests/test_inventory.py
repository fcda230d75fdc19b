"""Inventory files: every column checked, every bad cell reported, normalised output."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest

from cpl_data.inventory import INVENTORY_COLUMNS, read_inventory
from eligibility.errors import DataError

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
        (b"PAR1 this is not parquet", "not a readable parquet file"),
    ],
)
def test_unreadable(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_inventory(data, source="inv")
