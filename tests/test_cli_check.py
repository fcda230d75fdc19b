"""``hubcheck check`` and ``hubcheck plan`` through the real entry point: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests.conftest import REAL_WORKBOOK

SKU1 = ["--manufacturer", "1086", "--model", "54311F52"]
ON = ["--install-date", "2026-11-28"]


@pytest.fixture
def db(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--db", db_url, "cpl", "import", str(REAL_WORKBOOK)]) == 0
    capsys.readouterr()
    return db_url


def test_eligible_after_upgrade_exit_0(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "--db",
            db,
            "check",
            "00db1234567890a0",
            *SKU1,
            "--firmware",
            "0B150000",
            "--status-since",
            "2026-06-01",
            *ON,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "ELIGIBLE AFTER UPGRADE" in out
    assert "UPGRADE_REQUIRED" in out
    assert "00-DB-12-34-56-78-90-A0" in out
    assert "Upgrade plan: 1 hop to 0D050002 (N)" in out
    assert "SMI removal date 2027-06-01 under sec-ac-7.2" in out


def test_not_eligible_exit_1(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", db, "check", *SKU1, "--firmware", "0D050002", "--status-since", "2024-01-01", *ON])
    assert code == 1
    out = capsys.readouterr().out
    assert "NOT ELIGIBLE" in out
    assert "SMI_REMOVED" in out
    code = main(
        [
            "--db",
            db,
            "check",
            *SKU1,
            "--firmware",
            "0D050002",
            "--status-since",
            "2024-01-01",
            *ON,
            "--policy",
            "secmp0060",
        ]
    )
    assert code == 0


def test_json_verdict(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cat = tmp_path / "c.toml"
    cat.write_text(
        '[[model]]\nmanufacturer = "1086"\nmodel = "54311F52"\ndisplay_format = "quad"\n'
        '[[model.release]]\nfirmware = "0C1D0000"\nstepping_stone = true\n'
    )
    code = main(
        [
            "--db",
            db,
            "--json",
            "check",
            *SKU1,
            "--firmware",
            "0B150000",
            "--status-since",
            "2026-06-01",
            *ON,
            "--catalogue",
            str(cat),
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "ELIGIBLE_AFTER_UPGRADE"
    assert [(h["from"], h["to"], h["rule"]) for h in doc["upgrade_plan"]] == [
        ("0B150000", "0C1D0000", "stepping stone"),
        ("0C1D0000", "0D050002", "later release"),
    ]
    assert doc["reference"]["catalogue"] == "c.toml"
    assert doc["smi"]["removal_date"] == "2027-06-01"
    # a catalogue describes SKU1: nothing assumed; without it, the verdict says what it assumes
    assert "UPGRADE_PATH_ASSUMED" not in [r["code"] for r in doc["reasons"]]
    assert doc["version_names"] == {
        "0B150000": "11.21.0.0",
        "0C1D0000": "12.29.0.0",
        "0C240000": "12.36",
        "0D050002": "13.5.0.2",
    }
    args = [
        "--db",
        db,
        "--json",
        "check",
        *SKU1,
        "--firmware",
        "0B150000",
        "--status-since",
        "2026-06-01",
        *ON,
    ]
    assert main(args) == 0
    codes = [r["code"] for r in json.loads(capsys.readouterr().out)["reasons"]]
    assert codes == ["UPGRADE_PATH_ASSUMED", "UPGRADE_REQUIRED"]


# issue 9 on the real CPL: each new gate, through the CLI
@pytest.mark.parametrize(
    ("model", "firmware", "code", "words"),
    [
        (["--manufacturer", "1063", "--model", "00030201"], "24040404", "DEVICE_TYPE_MISMATCH",
         "as Single Element Electricity Metering Equipment"),
        (["--manufacturer", "1028", "--model", "04100105"], "03365337", "SMETS1_HUB",
         "never removed: a SMETS1 hub"),
        (["--manufacturer", "5401", "--model", "57310001"], "010C0000", "DEVICE_MODEL_NOT_ON_CPL",
         "5401/57310100 (entry 000016)"),
    ],
)  # fmt: skip
def test_new_gates_on_real_models(
    db: str, capsys: pytest.CaptureFixture[str], model: list[str], firmware: str, code: str, words: str
) -> None:
    args = ["--db", db, "check", *model, "--firmware", firmware, "--status-since", "2019-01-01", *ON]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert code in out
    assert words in " ".join(out.split())


def test_a_policy_timeline(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    switch = "sec-ac-7.2,secmp0060@2023-04-01"
    args = ["--db", db, "check", *SKU1, "--firmware", "0D050002", *ON, "--policy", switch]
    # removed under 12 months before the switch: it stays removed
    assert main([*args, "--status-since", "2021-06-01"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert f"SMI removal date 2022-06-01 under sec-ac-7.2 (policy {switch})" in out
    # not yet 12 months at the switch: 36 months from then
    assert main([*args, "--status-since", "2024-01-01"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"SMI removal date 2027-01-01 under secmp0060 (policy {switch})" in out
    assert main([*args[:-1], "secmp0060@2023-04-01", "--status-since", "2024-01-01"]) == 2
    assert "in force from the start; give it no date" in capsys.readouterr().err


def test_plan_only(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "plan", *SKU1, "--firmware", "0B150000", *ON]) == 0
    out = capsys.readouterr().out
    assert "Upgrade plan: 1 hop to 0D050002 (N)" in out
    assert "SMI" not in out
    assert main(["--db", db, "--json", "check", *SKU1, "--firmware", "0B150000", *ON, "--plan"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {
        "device_id",
        "firmware",
        "install_date",
        "window",
        "upgrade_plan",
        "plan_target",
        "plan_target_role",
        "no_plan",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["00-DB-12-34", *SKU1, "--firmware", "0B150000"], "device_id: '00-DB-12-34' is not a Device ID"),
        (["--manufacturer", "1086", "--model", "54311F5Z", "--firmware", "0B150000"], "model: '54311F5Z'"),
        ([*SKU1, "--firmware", "0B15000X"], "firmware: '0B15000X' is not a firmware version"),
        (
            [*SKU1, "--firmware", "0B150000", "--install-date", "28/11/2026"],
            "--install-date: '28/11/2026' is not a date; expected YYYY-MM-DD",
        ),
        (
            [*SKU1, "--firmware", "0B150000", "--status-since", "2026-02-30"],
            "'--status-since': '2026-02-30' is not a date",
        ),
        ([*SKU1, "--firmware", "0B150000", "--policy", "36-months"], "--policy: '36-months' is not a policy"),
        (
            [*SKU1, "--firmware", "0B150000", "--status", "Lost"],
            "status: 'Lost' is not an SMI status; use one of Pending",
        ),
        (
            [*SKU1, "--firmware", "0B150000", "--device-type", "METER"],
            "device_type: 'METER' is not a device type",
        ),
        ([*SKU1], "--firmware missing"),
        ([], "give a DEVICE_ID"),
        (["00db1234567890a0"], "no hub 00-DB-12-34-56-78-90-A0 in the store's inventory"),
    ],
)
def test_bad_input_exit_2(db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["--db", db, "check", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
