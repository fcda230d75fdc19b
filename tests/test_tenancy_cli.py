"""The command line keeps the same promises as the service (issue 10, items 2, 6 and 8).

| rule | test |
| --- | --- |
| Device IDs two suppliers hold are reported by ``hubcheck quality duplicates`` | ``test_quality_duplicates_reports_device_ids_two_suppliers_hold`` |
| ``check`` of such an id says whose it is not sure of: exit 2 | ``test_check_of_a_duplicate_device_id_is_exit_2`` |
| supplier names match one way; an unknown supplier is exit 2 | ``test_charging_and_risk_match_supplier_names_one_way`` |
| amounts are finite and bounded | ``test_amounts_are_finite_and_bounded`` |
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests.service_support import DEMO_CSV, NORTH, SOUTH, SOUTH_HUB

FLEET_HEAD = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,supplier\n"


@pytest.fixture
def db(sample_db: str, tmp_path: Path) -> str:
    """The sample reference data and the service tests' two-supplier inventory."""
    inv = tmp_path / "demo.csv"
    inv.write_text(DEMO_CSV)
    assert main(["--db", sample_db, "inventory", "import", str(inv)]) == 0
    return sample_db


def _import_as(db: str, tmp_path: Path, supplier: str, rows: str) -> None:
    path = tmp_path / "more.csv"
    path.write_text(FLEET_HEAD + rows)
    assert main(["--db", db, "inventory", "import", str(path), "--supplier", supplier]) == 0


def test_quality_duplicates_reports_device_ids_two_suppliers_hold(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", db, "quality", "duplicates"]) == 0
    assert "No Device ID" in capsys.readouterr().out
    _import_as(db, tmp_path, NORTH, f"{SOUTH_HUB},,CHF,F0A1,A1010100,01000000,Pending,2026-01-01,\n")
    capsys.readouterr()
    assert main(["--db", db, "quality", "duplicates", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] == 1
    assert doc["devices"][0]["device_id"] == SOUTH_HUB
    assert sorted(doc["devices"][0]["suppliers"]) == [NORTH, SOUTH]
    assert main(["--db", db, "quality", "duplicates"]) == 0
    out = capsys.readouterr().out
    assert SOUTH_HUB in out
    assert NORTH in out


def test_check_of_a_duplicate_device_id_is_exit_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import_as(db, tmp_path, NORTH, f"{SOUTH_HUB},,CHF,F0A1,A1010100,01000000,Pending,2026-01-01,\n")
    capsys.readouterr()
    assert main(["--db", db, "check", SOUTH_HUB, "--install-date", "2026-11-28"]) == 2
    err = capsys.readouterr().err
    assert "2 suppliers" in err
    assert "quality duplicates" in err


@pytest.mark.parametrize("command", ["charging", "risk"])
def test_charging_and_risk_match_supplier_names_one_way(
    db: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    date = ["--date", "2026-11-28"] if command == "charging" else ["--from", "2026-11-28"]
    answers = []
    for spelling in (NORTH, NORTH.upper(), f" {NORTH.lower()} ", "northwind   energy"):
        capsys.readouterr()
        assert main(["--db", db, command, *date, "--supplier", spelling, "--json"]) == 0, spelling
        doc = json.loads(capsys.readouterr().out)
        assert doc["supplier"] == NORTH
        answers.append(doc)
    assert all(a == answers[0] for a in answers)
    capsys.readouterr()
    assert main(["--db", db, command, *date, "--supplier", "Nobody Power"]) == 2
    out = capsys.readouterr()
    assert "Nobody Power" in out.err
    assert NORTH in out.err  # the suppliers it does know
    assert "Traceback" not in out.err + out.out


@pytest.mark.parametrize("amount", ["nan", "inf", "1e308", "10001", "-1"])
def test_amounts_are_finite_and_bounded(db: str, capsys: pytest.CaptureFixture[str], amount: str) -> None:
    for args in (
        ["charging", "--date", "2026-11-28", "--tariff", amount],
        ["charging", "--date", "2026-11-28", "--return-dual-band", amount],
        ["risk", "--from", "2026-11-28", "--tariff", amount],
    ):
        capsys.readouterr()
        assert main(["--db", db, *args]) == 2, args
        err = capsys.readouterr().err
        assert "Traceback" not in err
