"""Every command's output reads on an 80-column terminal: no line wider, nothing cut off.

The consoles are set as a terminal of 80 columns sets them (word-wrapped at 80); each command's
human output is then held to: no line past 80 characters, no cell cut short with an ellipsis,
and the words a person looks for (reason codes, Device IDs, policies) whole on one line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.cli import main
from api.cli._common import console, err_console
from tests.conftest import MANGLED, REAL_WORKBOOK, SAMPLE_DIR
from tests.test_cli_options import CALLS

WIDTH = 80
FLEET = str(SAMPLE_DIR / "sample-fleet.csv")
#: Words that must never be broken across lines.
WHOLE = re.compile(
    r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b|\b(?:[0-9A-F]{2}-){7}[0-9A-F]{2}\b|\b\d{4}-\d{2}-\d{2}\b"
)


@pytest.fixture(autouse=True)
def terminal_80(monkeypatch: pytest.MonkeyPatch) -> None:
    for c in (console, err_console):
        monkeypatch.setattr(c, "soft_wrap", False)
        monkeypatch.setattr(c, "width", WIDTH)


def _check(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= WIDTH, f"{len(line)} columns: {line!r}"
    assert "…" not in text, text


def _run(db: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", db, *args])
    out, err = capsys.readouterr()
    _check(out)
    _check(err)
    return code, out, err


@pytest.mark.parametrize("command", [c for c in CALLS if c not in ("keys create", "keys demo")])
def test_every_command_fits_80_columns(
    sample_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    args = [a.format(tmp=tmp_path) for a in CALLS[command]]
    if command in ("keys revoke", "keys list"):  # a key of each role, one revoked, to list
        for role in ("installer", "supplier", "dcc", "admin"):
            party = ["--party", "Calder Gas & Electric"] if role in ("installer", "supplier") else []
            main(["--db", sample_db, "keys", "create", "--role", role, *party, "--label", "t"])
        main(["--db", sample_db, "keys", "revoke", "--label", "t"])
        main(["--db", sample_db, *CALLS["keys create"]])
        capsys.readouterr()
    code, _, _ = _run(sample_db, args, capsys)
    assert code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "01020000",
         "--status-since", "2026-06-01", "--install-date", "2026-11-28"],
        ["check", "--manufacturer", "F0C3", "--model", "C3010101", "--firmware", "0A010001",
         "--status-since", "2025-06-01", "--install-date", "2026-11-28", "--tsat-install-end", "2026-01-01"],
        ["charging", FLEET, "--date", "2026-11-28", "--tariff", "2.10"],
        ["risk", FLEET, "--from", "2026-11-28", "--months", "36"],
        ["batch", FLEET, "-o", "{tmp}/v.csv", "--install-date", "2040-01-01"],
    ],
)  # fmt: skip
def test_words_stay_whole(
    sample_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    argv = [a.format(tmp=tmp_path) for a in args]
    code, out, err = _run(sample_db, argv, capsys)
    assert code in (0, 1)
    assert main(["--db", sample_db, "--json", *argv]) == code
    words = set(WHOLE.findall(capsys.readouterr().out))
    assert words
    text = out + err
    glued = re.sub(r"\n\s*", "", text)  # the text as if no line were ever broken
    broken = [w for w in words if w in glued and w not in text]
    assert not broken, f"broken across lines: {broken}"


def test_the_real_cpl_and_its_refusals_fit(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, ["cpl", "import", str(REAL_WORKBOOK), "--warnings"], capsys)[0] == 0
    versions = ["cpl", "versions", "--manufacturer", "1086", "--model", "54311F52", "--date", "2022-09-01"]
    assert _run(db_url, versions, capsys)[0] == 0
    code, _, err = _run(db_url, ["cpl", "import", str(MANGLED)], capsys)
    assert code == 2
    assert "row 483, column Device_Type.name: value 'octopus.cs'" in err.replace("\n   ", "")
