"""The options every command takes, before the command or after it: ``--json`` and ``--details``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from api.cli import app, hoist, main
from tests.conftest import SAMPLE_DIR

FLEET = str(SAMPLE_DIR / "sample-fleet.csv")
CATALOGUE = str(SAMPLE_DIR / "sample-catalogue.toml")
HUB = ["--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "02020000"]


def _root() -> object:
    return typer.main.get_command(app)


@pytest.mark.parametrize(
    ("given", "hoisted", "path"),
    [
        # after the command, moved in front of it
        (["check", "X", "--json"], ["--json", "check", "X"], "check"),
        (
            ["cpl", "import", "f", "--details", "d.txt"],
            ["--details", "d.txt", "cpl", "import", "f"],
            "cpl import",
        ),
        (["cpl", "import", "f", "--details=d.txt"], ["--details=d.txt", "cpl", "import", "f"], "cpl import"),
        # global options before the command stay where they are
        (["--db", "x", "check", "--json"], ["--json", "--db", "x", "check"], "check"),
        (["--json", "cpl", "list"], ["--json", "cpl", "list"], "cpl list"),
        # another option's value is left alone: here --json is the supplier's (odd) name
        (["charging", "--supplier", "--json"], ["charging", "--supplier", "--json"], "charging"),
        # after --, everything is an argument
        (["check", "--", "--json"], ["check", "--", "--json"], "check"),
        # no command named: click says what is wrong
        (["nope", "--json"], ["nope", "--json"], None),
        (["cpl"], ["cpl"], None),
    ],
)
def test_hoist(given: list[str], hoisted: list[str], path: str | None) -> None:
    assert hoist(given, _root()) == (hoisted, path)


def _leaves(cmd: object, prefix: str = "") -> list[str]:
    commands = getattr(cmd, "commands", None)
    if commands is None:
        return [prefix.strip()]
    return [leaf for name, sub in commands.items() for leaf in _leaves(sub, f"{prefix} {name}")]


#: A valid call of every command (with ``{tmp}`` for a scratch folder), whose answer is JSON.
CALLS: dict[str, list[str]] = {
    "cpl import": [
        "cpl",
        "import",
        str(SAMPLE_DIR / "sample-cpl.csv"),
        "--history",
        str(SAMPLE_DIR / "sample-cpl-version-control.csv"),
    ],
    "cpl list": ["cpl", "list"],
    "cpl versions": [
        "cpl",
        "versions",
        "--manufacturer",
        "F0A1",
        "--model",
        "A1010100",
        "--date",
        "2026-11-28",
    ],
    "catalogue import": ["catalogue", "import", CATALOGUE],
    "catalogue check": ["catalogue", "check", CATALOGUE],
    "catalogue clear": ["catalogue", "clear"],
    "check": ["check", *HUB, "--status-since", "2026-06-01", "--install-date", "2026-11-28"],
    "plan": ["plan", *HUB, "--install-date", "2026-11-28"],
    "synth": ["synth", "--hubs", "5", "--as-of", "2026-11-01", "-o", "{tmp}/fleet.parquet"],
    "keys create": ["keys", "create", "--role", "dcc", "--label", "t"],
    "keys list": ["keys", "list"],
    "keys revoke": ["keys", "revoke", "--label", "t"],
    "keys demo": ["keys", "demo"],
    "inventory import": ["inventory", "import", FLEET],
    "batch": ["batch", FLEET, "-o", "{tmp}/v.parquet", "--install-date", "2026-11-28"],
    "charging": ["charging", FLEET, "--date", "2026-11-28"],
    "risk": ["risk", FLEET, "--from", "2026-11-28", "--months", "3"],
    "quality duplicates": ["quality", "duplicates"],
}


def test_every_command_is_covered() -> None:
    # serve runs until stopped: test_serve_takes_json_too checks it accepts the options
    assert set(_leaves(_root())) == {*CALLS, "serve"}


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", list(CALLS))
def test_json_before_or_after_every_command(
    sample_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, where: str
) -> None:
    args = [a.format(tmp=tmp_path) for a in CALLS[command]]
    if command in ("keys revoke",):
        assert main(["--db", sample_db, *CALLS["keys create"]]) == 0
        capsys.readouterr()
    argv = ["--json", *args] if where == "before" else [*args, "--json"]
    code = main(["--db", sample_db, *argv])
    out = capsys.readouterr().out
    assert code == 0, out
    if command == "keys create":  # the key itself is printed alone on the last line, as without --json
        out = out.splitlines()[0]
    json.loads(out)


def test_serve_takes_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    # a bad port stops serve before it starts; --json after it is not the error
    assert main(["serve", "--port", "0", "--json"]) == 2
    err = capsys.readouterr().err
    assert "--port" in err
    assert "No such option" not in err


def test_details_after_the_command(
    sample_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    lines = Path(FLEET).read_text().splitlines()
    bad.write_text("\n".join([lines[0], *(line.replace(",F0A1,", ",F0A,") for line in lines[1:60])]) + "\n")
    details = tmp_path / "problems.txt"
    assert main(["--db", sample_db, "inventory", "import", str(bad), "--details", str(details)]) == 2
    listed = details.read_text().splitlines()
    assert len(listed) > 20
    assert all("value 'F0A': 4 hex digits expected" in line for line in listed)
    err = capsys.readouterr().err
    assert f"written to {details}" in err


def test_details_to_a_missing_folder_is_refused(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sample_db, "cpl", "list", "--details", "/nonexistdir/d.txt"]) == 2
    assert "/nonexistdir does not exist" in capsys.readouterr().err


def test_keys_demo_writes_a_shell_file(
    sample_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / "demo.env"
    assert main(["--db", sample_db, "keys", "demo", "--env", str(env)]) == 0
    printed = [line.split()[-1] for line in capsys.readouterr().out.splitlines()]
    text = env.read_text()
    for role, key in zip(("INSTALLER", "SUPPLIER", "DCC", "ADMIN"), printed, strict=True):
        assert f"export {role}_KEY={key}\n" in text
    assert "export HUBCHECK_DB=" in text
    assert env.stat().st_mode & 0o077 == 0
