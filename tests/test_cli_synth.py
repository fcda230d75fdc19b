"""``hubcheck synth``: fleets from the store's CPL, and the sample data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from api.cli import main
from cpl_data.inventory import read_inventory
from tests.conftest import SAMPLE_DIR


@pytest.fixture
def db(sample_db: str) -> str:
    return sample_db


def test_fleet_from_the_store(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fleet.parquet"
    args = ["--db", db, "--json", "synth", "--hubs", "1000", "--seed", "9", "-o", str(out)]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    # the default date is today, the date batch judges at by default
    assert (result["rows"], result["as_of"], result["cpl_version"]) == (
        2000,
        date.today().isoformat(),
        "1.19",
    )
    read = read_inventory(out)
    assert read.frame.height == 2000
    assert read.rejects.height == 0
    again = tmp_path / "again.parquet"
    assert main([*args[:-1], str(again)]) == 0
    assert pl.read_parquet(out).equals(pl.read_parquet(again))


def test_csv_and_as_of(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fleet.csv"
    assert main(["--db", db, "synth", "--hubs", "10", "--as-of", "2025-01-01", "-o", str(out)]) == 0
    assert "10 hubs (20 inventory rows) as of 2025-01-01 from CPL 1.19" in capsys.readouterr().out
    assert str(read_inventory(out).frame["status_since"].max()) <= "2025-01-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["synth"], "give --hubs N and -o FILE"),
        (
            ["synth", "--hubs", "5", "-o", "/nonexistent/dir/f.parquet"],
            "the folder /nonexistent/dir does not exist",
        ),
        (["synth", "--hubs", "5", "-o", "x.parquet", "--as-of", "2026-13-01"], "--as-of"),
    ],
)
def test_bad_input_exit_2(db: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, *args]) == 2
    assert message in capsys.readouterr().err


def test_sample_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--sample-data", str(tmp_path)]) == 0
    assert "sample-fleet.csv" in capsys.readouterr().out
    assert (tmp_path / "sample-fleet.csv").read_bytes() == (SAMPLE_DIR / "sample-fleet.csv").read_bytes()
