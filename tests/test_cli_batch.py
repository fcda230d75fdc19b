"""``hubcheck batch`` through the real entry point: files in and out, the summary, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from api.cli import main
from cpl_data.real_data import shared_data_dir
from tests.conftest import DUIS_DIR, SAMPLE_DIR

FLEET = SAMPLE_DIR / "sample-fleet.csv"
ON = ["--install-date", "2026-11-28"]


@pytest.fixture
def db(sample_db: str) -> str:
    return sample_db


def test_sample_fleet_to_csv(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "verdicts.csv"
    assert main(["--db", db, "batch", str(FLEET), "-o", str(out), *ON]) == 0
    text = capsys.readouterr().out
    assert "300 hubs judged at 2026-11-28 under sec-ac-7.2" in text
    assert "NOT_ELIGIBLE" in text
    assert "SMI_REMOVAL_SOON" in text
    got = pl.read_csv(out)
    assert got.columns == [
        "device_id",
        "verdict",
        "reasons",
        "plan_hops",
        "plan_target",
        "plan_target_role",
        "removal_date",
    ]
    assert got.height == 300
    assert got.filter(pl.col("reasons").str.contains(";")).height > 0  # codes ;-joined in CSV


def test_json_summary_and_parquet(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "verdicts.parquet"
    assert (
        main(["--db", db, "--json", "batch", str(FLEET), "-o", str(out), *ON, "--policy", "secmp0060"]) == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["hubs"] == 300
    assert summary["policy"] == "secmp0060"
    assert sum(summary["by_verdict"].values()) == 300
    reasons = pl.read_parquet(out)["reasons"]
    assert isinstance(reasons.dtype, pl.List)  # a list of codes in Parquet
    assert reasons.explode().drop_nulls().cast(pl.String).n_unique() == len(summary["by_reason"])


def test_skip_invalid(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    lines = FLEET.read_text().splitlines()
    cells = lines[5].split(",")
    short = cells[3] = cells[3][:3]  # the manufacturer loses a digit
    lines[5] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "v.csv"
    assert main(["--db", db, "batch", str(bad), "-o", str(out), *ON]) == 2
    err = capsys.readouterr().err
    assert f"row 6, column manufacturer: value '{short}': 4 hex digits expected" in err
    assert not out.exists()
    assert main(["--db", db, "batch", str(bad), "-o", str(out), *ON, "--skip-invalid"]) == 0
    assert "1 bad rows skipped" in capsys.readouterr().out
    assert pl.read_csv(tmp_path / "v.csv.rejects.csv")["row"].to_list() == [6]


def test_duis_folder(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "v.csv"
    args = ["--db", db, "batch", str(DUIS_DIR / "responses"), "-o", str(out), *ON]
    assert main([*args, "--xsd-dir", str(DUIS_DIR / "xsd")]) == 2
    assert "signing-tool__readfw-response-invalid.xml" in capsys.readouterr().err
    assert main([*args, "--skip-invalid"]) == 0
    text = capsys.readouterr().out
    assert "9 DUIS response(s) read" in text
    assert "skipped: 1 CAD device (not a hub)" in text
    rejects = pl.read_csv(tmp_path / "v.csv.rejects.csv")
    assert "signing-tool__read-inventory-response-4g.xml, device 00-11-22-33-44-55-66-77" in set(
        rejects["where"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batch", "nowhere.csv", "-o", "x.csv"], "cannot read nowhere.csv"),
        (["batch", str(FLEET), "-o", "x.csv", "--policy", "months=0"], "--policy"),
        (["batch", str(FLEET), "-o", "x.csv", "--install-date", "28/11/2026"], "--install-date"),
        (["batch", str(DUIS_DIR / "responses"), "-o", "x.csv", "--xsd-dir", "/nonexistent"], "--xsd-dir"),
    ],
)
def test_bad_input_exit_2(db: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, *args]) == 2
    assert message in capsys.readouterr().err


def test_stock_is_summarised_apart_from_installed_hubs(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v.parquet"
    assert main(["--db", db, "--json", "batch", str(FLEET), "-o", str(out), *ON]) == 0
    doc = json.loads(capsys.readouterr().out)
    fleet = pl.read_csv(FLEET, infer_schema=False).filter(pl.col("device_type") == "CHF")
    in_stock = fleet.filter(pl.col("status").is_in(["Pending", "InstalledNotCommissioned"])).height
    assert doc["stock"]["hubs"] == in_stock > 0
    assert doc["stock"]["hubs"] + doc["not_stock"]["hubs"] == doc["hubs"] == 300
    assert "SMI_STATUS_NOT_INSTALLABLE" not in doc["stock"]["by_reason"]  # stock is installable
    for code, n in doc["by_reason"].items():
        assert doc["stock"]["by_reason"].get(code, 0) + doc["not_stock"]["by_reason"].get(code, 0) == n
    # --stock-only: the stock's verdicts alone, the same ones
    only = tmp_path / "stock.parquet"
    assert main(["--db", db, "batch", str(FLEET), "-o", str(only), *ON, "--stock-only", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert (alone["hubs"], alone["skipped_not_stock"]) == (in_stock, 300 - in_stock)
    assert alone["by_verdict"] == doc["stock"]["by_verdict"]
    written = pl.read_parquet(only)
    assert written.height == in_stock
    assert written.equals(
        pl.read_parquet(out).filter(pl.col("device_id").is_in(written["device_id"].implode()))
    )


def test_the_summary_names_both_groups(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "batch", str(FLEET), "-o", str(tmp_path / "v.csv"), *ON]) == 0
    text = capsys.readouterr().out
    assert "in stock" in text
    assert "not in stock" in text


def test_a_reason_on_nearly_every_hub_is_warned_of(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 2040: the TSAT installation end dates of the sample fleet's hubs have all passed (its SMETS1
    # hubs have none)
    args = ["--db", db, "batch", str(FLEET), "-o", str(tmp_path / "v.csv"), "--install-date", "2040-01-01"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: TSAT_INSTALL_END_PASSED holds for 9\d% of the hubs judged", err)
    assert "--install-date" in err
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"][0].startswith("TSAT_INSTALL_END_PASSED holds")
    assert main(["--db", db, "batch", str(FLEET), "-o", str(tmp_path / "v.csv"), *ON]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_fleet_without_a_catalogue_is_told_to_import_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the real CPL alone: nearly every plan rests on the ZigBee default, and the hint says why
    # (not that the CPL may be the wrong one)
    db = f"sqlite:///{tmp_path / 'real.sqlite'}"
    workbook = shared_data_dir() / "cpl" / "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx"
    assert main(["--db", db, "cpl", "import", str(workbook)]) == 0
    fleet = tmp_path / "fleet.parquet"
    assert main(["--db", db, "synth", "--hubs", "1000", "--as-of", "2022-09-21", "-o", str(fleet)]) == 0
    capsys.readouterr()
    out = tmp_path / "v.parquet"
    assert main(["--db", db, "batch", str(fleet), "-o", str(out), "--install-date", "2022-09-21"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: UPGRADE_PATH_ASSUMED holds for 9\d% of the hubs judged", err)
    assert "hubcheck catalogue import" in err
    assert "the one these hubs come from" not in err


def test_synth_and_batch_default_to_the_same_date(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = tmp_path / "fleet.parquet"
    assert main(["--db", db, "--json", "synth", "--hubs", "2000", "-o", str(fleet)]) == 0
    drawn = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "--json", "batch", str(fleet), "-o", str(tmp_path / "v.parquet")]) == 0
    judged = json.loads(capsys.readouterr().out)
    assert judged["install_date"] == drawn["as_of"]
    assert judged["warnings"] == []
    assert judged["stock"]["by_verdict"]["ELIGIBLE"] > 0
