"""``hubcheck charging`` and ``hubcheck risk`` through the real entry point, on the sample data."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from api.cli import main
from api.cli._risk import parse_policies
from eligibility.stranding import STRANDING_CODES
from tests.conftest import SAMPLE_DIR

FLEET = str(SAMPLE_DIR / "sample-fleet.csv")


@pytest.fixture
def db(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    cpl = [
        "cpl",
        "import",
        str(SAMPLE_DIR / "sample-cpl.csv"),
        "--history",
        str(SAMPLE_DIR / "sample-cpl-version-control.csv"),
    ]
    assert main(["--db", db_url, *cpl]) == 0
    assert main(["--db", db_url, "catalogue", "import", str(SAMPLE_DIR / "sample-catalogue.toml")]) == 0
    capsys.readouterr()
    return db_url


def test_charging_json_carries_the_totals_as_numbers(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "charging", FLEET, "--date", "2026-11-28", "--json", "--tariff", "2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert all(type(doc[k]) is int for k in ("stock", "chargeable", "excluded"))
    assert doc["stock"] == doc["chargeable"] + doc["excluded"] > 0
    assert doc["reconciles"] is True
    assert doc["reference"] == {
        "cpl_version": "1.19",
        "cpl_issued_on": "2026-10-15",
        "catalogue": "sample catalogue 2026-11",
    }
    assert doc["monthly_charge_gbp"] == 2 * doc["chargeable"]
    assert len(doc["excluded_hubs"]) == doc["excluded"]


def test_charging_writes_the_exclusions_file(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exclusions.csv"
    assert main(["--db", db, "charging", FLEET, "--date", "2026-11-28", "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert "= chargeable" in printed.out
    assert "for every supplier and overall" in printed.out
    rows = pl.read_csv(out)
    assert rows.height > 0
    assert set(rows["reason"]) <= set(STRANDING_CODES)
    assert set(rows["cpl_version"].cast(pl.String)) == {"1.19"}


def test_charging_for_one_supplier(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--db", db, "--json", "charging", FLEET, "--date", "2026-11-28", "--supplier", "Ampere Energy"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert [s["supplier"] for s in doc["suppliers"]] in ([], ["Ampere Energy"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "28/11/2026"], "--date: '28/11/2026' is not a date"),
        (["--date", "2026-11-28", "--policy", "forever"], "--policy: 'forever' is not a policy"),
    ],
)
def test_charging_bad_input_exits_2(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--db", db, "charging", FLEET, *args]) == 2
    assert message in capsys.readouterr().err


def test_risk_writes_the_report_and_its_charts(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "risk.html"
    hubs = tmp_path / "hubs.parquet"
    args = ["--from", "2026-11-28", "--months", "36", "--report", str(html), "--hubs-out", str(hubs)]
    assert main(["--db", db, "risk", FLEET, *args]) == 0
    out = capsys.readouterr().out
    assert "sec-ac-7.2" in out
    assert "exclusion-list" in out
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 5
    assert "<script" not in page
    assert "http" not in page.split("</style>")[0]
    pngs = sorted(p.name for p in tmp_path.glob("risk-*.png"))
    assert pngs == [
        "risk-pending-stock-by-age.png",
        "risk-policy-comparison.png",
        "risk-removals-per-month.png",
        "risk-security-backstop.png",
        "risk-stranded-over-time.png",
    ]
    assert all((tmp_path / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert {"stranding_date", "removal_date_sec-ac-7.2", "removal_date_exclusion-list"} <= set(
        pl.read_parquet(hubs).columns
    )


def test_risk_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--db",
                db,
                "risk",
                FLEET,
                "--from",
                "2026-11-28",
                "--months",
                "12",
                "--policies",
                "sec-ac-7.2,secmp0060,sec-ac-7.2,secmp0060@2027-01-01",
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    # a dated step continues the policy before it: three policies compared, the last a timeline
    assert [p["policy"] for p in doc["policies"]] == [
        "sec-ac-7.2",
        "secmp0060",
        "sec-ac-7.2,secmp0060@2027-01-01",
    ]
    assert len(doc["monthly"]) == 3 * 13
    removed = [p["removed"] for p in doc["policies"]]
    assert removed[1] <= removed[2] <= removed[0]
    assert "removed before the start included" in doc["legend"]["removed"]


def test_policies_keep_a_custom_policy_whole() -> None:
    got = parse_policies("sec-ac-7.2,months=24;exclude=CHF,GPF,history-aware")
    assert [p.name for p in got] == ["sec-ac-7.2", "custom(months=24;exclude=CHF,GPF)", "history-aware"]


def test_without_a_file_the_stores_inventory_is_used(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # the same fleet, once from the file and once imported into the store, gives the same reports
    assert main(["--db", db, "--json", "charging", FLEET, "--date", "2026-11-28"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "inventory", "import", FLEET]) == 0
    capsys.readouterr()
    assert main(["--db", db, "--json", "charging", "--date", "2026-11-28"]) == 0
    from_store = json.loads(capsys.readouterr().out)
    assert from_store["stock"] > 0
    assert from_store == from_file
    assert main(["--db", db, "--json", "risk", "--from", "2026-11-28", "--months", "6"]) == 0
    risk_store = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "--json", "risk", FLEET, "--from", "2026-11-28", "--months", "6"]) == 0
    assert json.loads(capsys.readouterr().out) == risk_store
