"""``hubcheck cpl ...`` and ``catalogue ...`` end to end, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests.conftest import MANGLED, REAL_CSV, REAL_HISTORY, REAL_WORKBOOK, SAMPLE_DIR


def run(db: str, *args: str) -> int:
    return main(["--db", db, *args])


def test_import_prints_a_summary(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_url, "cpl", "import", str(REAL_WORKBOOK)) == 0
    out, err = capsys.readouterr()
    assert "CPL 2.051 imported" in out
    assert "729" in out
    assert "Communications Hub" in out
    assert "Current 694, Removed 35" in out
    # 198 listing inversions (of two shapes: listed later; listed the same day under a later entry
    # number), entries 1-4 inferred, and version 1.158 dated before 1.157
    assert "203 warnings, of 4 kinds; --warnings lists each" in err
    assert "like listing inversion, " in err
    assert "4  like entry 000001: no Version Control note adds it" in err


def test_warnings_are_summarised_and_listed_on_request(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # without its history, the CSV export carries a warning for nearly every entry
    assert run(db_url, "cpl", "import", str(REAL_CSV)) == 0
    err = capsys.readouterr().err
    assert "765 warnings, of 3 kinds" in err
    assert "pass --history to date the entries" in err  # the kind that explains the rest is shown
    assert len(err.splitlines()) < 10
    details = tmp_path / "warnings.txt"
    assert (
        run(db_url, "cpl", "import", str(REAL_CSV), "--replace", "--warnings", "--details", str(details)) == 0
    )
    err = capsys.readouterr().err
    assert len(err.splitlines()) > 765
    assert len(details.read_text().splitlines()) == 765


def test_mangled_refusal_starts_with_a_summary_by_kind(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    details = tmp_path / "problems.txt"
    assert run(db_url, "cpl", "import", str(MANGLED), "--details", str(details)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("the CPL was not imported (1,341 problems):")
    summary = err[1 : err.index("one by one:")]
    assert len(summary) == 3
    assert "dropped leading zeros" in summary[0]
    assert summary[-1].split() == [
        "1", "not", "a", "device", "type:", "row", "483,", "column", "Device_Type.name:", "value", "'octopus.cs'",
    ]  # fmt: skip
    # with the full list in a file, the terminal gets only the first problems
    assert len(err) < 40
    assert len(details.read_text(encoding="utf-8").splitlines()) == 1341


def test_import_json_and_reimport_noop(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_url, "--json", "cpl", "import", str(REAL_CSV), "--history", str(REAL_HISTORY)) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["entries"], first["created"], first["dated"]) == (729, True, 729)
    assert run(db_url, "--json", "cpl", "import", str(REAL_WORKBOOK)) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["created"] is False  # the workbook is the same CPL as the CSV + history


def test_mangled_refused_exit_2(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_url, "cpl", "import", str(REAL_WORKBOOK)) == 0
    capsys.readouterr()
    assert run(db_url, "cpl", "import", str(MANGLED)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "the CPL was not imported (1,341 problems)" in err
    assert "row 483, column Device_Type.name: value 'octopus.cs'" in err
    assert run(db_url, "--json", "cpl", "list") == 0
    assert [v["version"] for v in json.loads(capsys.readouterr().out)] == ["2.051"]


def test_missing_file_is_bad_input(db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(db_url, "cpl", "import", str(tmp_path / "nope.csv")) == 2
    assert "cannot read" in capsys.readouterr().err


def test_versions_json(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(db_url, "cpl", "import", str(REAL_WORKBOOK))
    capsys.readouterr()
    code = run(
        db_url,
        "--json",
        "cpl",
        "versions",
        "--manufacturer",
        "1086",
        "--model",
        "54311f52",
        "--date",
        "2022-09-01",
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert [v["firmware"] for v in doc["versions"]][-3:] == ["0C1D0000", "0C240000", "0D050002"]
    assert doc["window"] == {
        "date": "2022-09-01",
        "n": "0D050002",
        "older": ["0C240000"],
        "n_plus_1": None,
        "n_minus_1": "0C240000",
        "members": ["0C240000", "0D050002"],
    }
    last = doc["versions"][-1]
    assert last["entries"][0] == {
        "number": "000715",
        "status": "Current",
        "listed_on": "2022-08-30",
        "listed_on_inferred": False,
        "removed_on": None,
        "smets_chts": "CHTS V1.3",
        "gbcs": "GBCS Version 3.2",
        "version_name": None,
        "on_cpl": True,
    }
    assert last["window_role"] == "N"
    assert doc["reference"]["cpl_version"] == "2.051"


def test_versions_show_release_order_with_listing_beside_it(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 9: EDMI 433100AC at 2016-12-01: N = 124074DA, N-1 = 1220665A, though 1220665A was listed later
    run(db_url, "cpl", "import", str(REAL_WORKBOOK))
    capsys.readouterr()
    args = ["cpl", "versions", "--manufacturer", "106C", "--model", "433100AC", "--date", "2016-12-01"]
    assert run(db_url, "--json", *args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["release_order"] == "numeric"
    assert (doc["window"]["n"], doc["window"]["n_minus_1"]) == ("124074DA", "1220665A")
    first, second = doc["versions"][:2]
    assert (first["firmware"], first["release_order"], first["listing_order"]) == ("1220665A", 1, 2)
    assert (second["firmware"], second["release_order"], second["listing_order"]) == ("124074DA", 2, 1)
    assert first["listed_after"] == ["124074DA"]
    assert (second["listed_on"], second["listed_on_inferred"]) == ("2016-10-28", True)
    named = {v["firmware"]: v["version_name"] for v in doc["versions"]}
    assert (named["126094D0"], named["2030D680"], named["124074DA"]) == ("1.38.3", "2.03.3", None)
    assert run(db_url, *args) == 0
    out = capsys.readouterr().out
    assert "2016-10-28*" in out
    assert "*: listing date inferred" in out
    assert "126094D0 (1.38.3)" in out
    assert "listing inversion: 1220665A was listed after 124074DA" in out
    assert "window: N-1=1220665A, N=124074DA" in out


def test_versions_human(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        db_url,
        "cpl",
        "import",
        str(SAMPLE_DIR / "sample-cpl.csv"),
        "--history",
        str(SAMPLE_DIR / "sample-cpl-version-control.csv"),
    )
    run(db_url, "catalogue", "import", str(SAMPLE_DIR / "sample-catalogue.toml"))
    capsys.readouterr()
    assert (
        run(
            db_url, "cpl", "versions", "--manufacturer", "F0A1", "--model", "A1010100", "--date", "2026-11-28"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "03010000 (3.1.0.0)" in out
    assert "window: N-1=02020000, N=03000000, N+1=03010000" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--manufacturer", "1086", "--model", "54311G52"], "'G' is not a hex digit"),
        (["--manufacturer", "108", "--model", "54311F52"], "manufacturer"),
        (
            ["--manufacturer", "1086", "--model", "54311F52", "--date", "01/09/2022"],
            "--date: '01/09/2022' is not a date; expected YYYY-MM-DD",
        ),
        (["--manufacturer", "FFFF", "--model", "54311F52"], "not on CPL 2.051"),
    ],
)
def test_versions_bad_input(
    db_url: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    run(db_url, "cpl", "import", str(REAL_WORKBOOK))
    capsys.readouterr()
    assert run(db_url, "cpl", "versions", *args) == 2
    assert message in capsys.readouterr().err


def test_no_cpl_yet(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_url, "cpl", "versions", "--manufacturer", "1086", "--model", "54311F52") == 2
    assert "cpl import FILE" in capsys.readouterr().err


def test_catalogue_errors_exit_2(db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(db_url, "cpl", "import", str(REAL_WORKBOOK))
    bad = tmp_path / "c.toml"
    bad.write_text(
        '[[model]]\nmanufacturer = "1086"\nmodel = "54311F52"\n[[model.release]]\nfirmware = "0D050003"\n'
    )
    capsys.readouterr()
    assert run(db_url, "catalogue", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert "line 5, column model[0].release[0].firmware" in err


def test_usage_errors_exit_2(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_url, "cpl", "versions", "--manufacturer", "1086") == 2
    assert "--model" in capsys.readouterr().err
    assert (
        run(db_url, "cpl", "versions", "--manufacturer", "1086", "--model", "54311F52", "--window-back", "-1")
        == 2
    )
    assert run(db_url, "no-such-command") == 2
