"""CLI start-up: what each command imports, and that the shortcuts taken for speed change nothing.

Timing is bench/cli.py's; these tests hold what makes it fast, as facts that can fail: which
modules a fresh process has loaded after ``import api.cli``, ``--help`` and ``check``, and that
the listing ``main()`` builds for help prints what the whole app prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import _named, app, command_app
from api.cli._charging import RETURN_DEFAULTS_GBP
from api.cli._risk import ALL_POLICIES
from eligibility.charging import ChargingSettings
from eligibility.smi import POLICIES
from tests.conftest import REPO

#: Libraries no command needs merely to start: each costs a tenth of a second or more to import.
HEAVY = ("polars", "numpy", "pyarrow", "networkx", "matplotlib", "sqlalchemy", "alembic", "duckdb")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` (after ``import json, sys``) run by a fresh interpreter in the repository, with
    ``args`` as its arguments and no HUBCHECK_DB of the caller's."""
    env = {k: v for k, v in os.environ.items() if k != "HUBCHECK_DB"}
    return subprocess.run(
        [sys.executable, "-c", "import json, sys\n" + code, *args],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def _loaded(code: str, *args: str) -> list[str]:
    """The top-level packages a fresh interpreter has loaded after running ``code``."""
    done = _python(
        code + "\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)", *args
    )
    assert done.returncode == 0, done.stderr  # a probe's own failure, said as such
    last = done.stderr.strip().splitlines()[-1]
    loaded = json.loads(last)
    assert isinstance(loaded, list)
    return loaded


def test_import_api_cli_loads_no_heavy_library() -> None:
    loaded = _loaded("import api.cli")
    assert "typer" in loaded  # the probe sees what was imported
    assert [m for m in (*HEAVY, "pydantic", "rich") if m in loaded] == []


def test_help_loads_no_heavy_library() -> None:
    loaded = _loaded("from api.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert [m for m in (*HEAVY, "pydantic", "rich") if m in loaded] == []


def _check(firmware: str) -> str:
    return (
        "from api.cli import main\n"
        f"args = ['check', '--manufacturer', 'F0A1', '--model', 'A1010100', '--firmware', '{firmware}',"
        " '--install-date', '2026-11-01', '--json']\n"
        "assert main(['--db', sys.argv[1], *args]) == 0"
    )


def test_check_with_a_snapshot_opens_no_store(sample_db: str) -> None:
    loaded = _loaded(_check("03000000"), sample_db)  # N on 2026-11-01: no upgrade graph needed
    assert "eligibility" in loaded  # it did judge the hub
    assert [m for m in HEAVY if m in loaded] == []


def test_check_builds_only_the_models_it_uses(sample_db: str) -> None:
    # the models defer their validators to first use (defer_build): a check of a hub in its window
    # builds the reference data's, never the charging, risk or listing ones (~35 ms of start-up)
    code = (
        _check("03000000") + "\nimport pydantic\nfrom eligibility import charging, listing, risk, verdict\n"
        "def built(*modules):\n"
        "    return sorted(c.__name__ for m in modules for c in vars(m).values() if isinstance(c, type)"
        " and issubclass(c, pydantic.BaseModel) and c.__module__ == m.__name__ and c.__pydantic_complete__)\n"
        "print(json.dumps([built(verdict), built(charging, listing, risk)]), file=sys.stderr)"
    )
    done = _python(code, sample_db)
    assert done.returncode == 0, done.stderr
    used, unused = json.loads(done.stderr.strip().splitlines()[-1])
    assert "Hub" in used  # the probe sees what was built
    assert unused == []


def test_check_builds_the_upgrade_graph_only_for_a_plan(sample_db: str) -> None:
    # 01000000 is outside the window: the plan is found on networkx's graph, and nothing else heavy loads
    loaded = _loaded(_check("01000000"), sample_db)
    assert [m for m in HEAVY if m in loaded] == ["networkx"]


def test_check_without_a_snapshot_still_answers(sample_db: str) -> None:
    # a server's URL (here SQLite spelt with a driver option) goes through the store itself
    code = (
        "from api.cli import main\n"
        "args = ['check', '--manufacturer', 'F0A1', '--model', 'A1010100', '--firmware', '01000000',"
        " '--install-date', '2026-11-01']\n"
        "assert main(['--db', sys.argv[1] + '?timeout=5', *args]) == 0"
    )
    assert "sqlalchemy" in _loaded(code, sample_db)


@pytest.mark.parametrize("name", ["missing.parquet", "missing-folder/"])
def test_batch_refuses_a_missing_inventory_before_loading_the_engine(
    sample_db: str, tmp_path: Path, name: str
) -> None:
    code = (
        "import contextlib, io\n"
        "from api.cli import main\n"
        "err = io.StringIO()\n"
        "with contextlib.redirect_stderr(err):\n"
        "    code = main(['--db', sys.argv[1], 'batch', sys.argv[2], '-o', sys.argv[3]])\n"
        "said = ' '.join(err.getvalue().split())  # as read, whatever the wrapping\n"
        "assert code == 2, (code, said)\n"
        "assert 'cannot read' in said and 'No such file' in said and 'check the path' in said, said"
    )
    loaded = _loaded(code, sample_db, str(tmp_path / name), str(tmp_path / "verdicts.parquet"))
    assert [m for m in HEAVY if m in loaded] == []
    assert not (tmp_path / "verdicts.parquet").exists()


@pytest.mark.parametrize(("firmware", "exit_code"), [("03000000", 0), ("not-hex", 2)])
def test_the_console_script_ends_without_a_last_collection(
    sample_db: str, firmware: str, exit_code: int
) -> None:
    # as the console script: main() freezes the collector before it exits (the final collection
    # took ~0.15 s after a batch), and the answer and the exit code are still what they were
    code = (
        "import atexit, gc\n"
        "from api.cli import main\n"
        "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "sys.argv = ['hubcheck', '--db', sys.argv[1], '--json', 'check', '--manufacturer', 'F0A1',"
        " '--model', 'A1010100', '--firmware', sys.argv[2], '--install-date', '2026-11-01']\n"
        "main()"
    )
    done = _python(code, sample_db, firmware)
    assert done.returncode == exit_code, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "frozen: True"
    if exit_code == 0:
        assert json.loads(done.stdout)["verdict"] == "ELIGIBLE"


def test_batch_without_a_terminal_loads_no_progress_bar(sample_db: str, tmp_path: Path) -> None:
    # --json, or stderr piped (as here): no bar is shown, so rich's progress machinery never loads
    code = (
        "import contextlib, io\n"
        "from api.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    assert main(['--db', sys.argv[1], '--json', 'batch', sys.argv[2], '-o', sys.argv[3]]) == 0\n"
        "assert json.loads(out.getvalue())['hubs'] > 0, out.getvalue()\n"
        "assert 'rich.progress' not in sys.modules"
    )
    fleet = REPO / "sample" / "sample-fleet.csv"
    loaded = _loaded(code, sample_db, str(fleet), str(tmp_path / "verdicts.parquet"))
    assert "polars" in loaded  # the probe ran the job
    assert (tmp_path / "verdicts.parquet").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        [],
        ["chek"],
        ["--db", "x.sqlite", "--json"],
        ["cpl", "--help"],
        ["check", "--help"],
        ["keys"],
        ["--db", "check", "--help"],  # "check" is --db's value here, not the command
    ],
)
def test_the_app_main_builds_prints_what_the_whole_app_prints(args: list[str]) -> None:
    runner = CliRunner()
    whole = runner.invoke(app, args, prog_name="hubcheck")
    small = runner.invoke(command_app(args), args, prog_name="hubcheck")
    assert (small.exit_code, small.output) == (whole.exit_code, whole.output)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["check", "--db", "x"], "check"),
        (["--db", "check", "plan"], "plan"),
        (["--db=x", "--json", "cpl", "list"], "cpl"),
        (["--details", "out.txt", "batch"], "batch"),
        (["--help"], None),
        (["--", "check"], None),
        ([], None),
    ],
)
def test_named_command(args: list[str], name: str | None) -> None:
    assert _named(args) == name


def test_a_named_command_is_built_alone() -> None:
    small = command_app(["--json", "check", "x"])
    assert [c.name for c in small.registered_commands] == ["check"]
    assert small.registered_groups == []
    assert len(app.registered_commands) > 1  # the whole app is untouched


def test_defaults_written_out_for_help_agree_with_their_sources() -> None:
    assert ",".join(POLICIES) == ALL_POLICIES
    d = ChargingSettings()
    assert {
        "redeployable": d.return_redeployable_gbp,
        "single_band": d.return_single_band_gbp,
        "dual_band": d.return_dual_band_gbp,
    } == RETURN_DEFAULTS_GBP


def test_sqlite_file_of_reads_only_simple_urls(tmp_path: Path) -> None:
    from api.store._location import sqlite_file_of

    assert sqlite_file_of(f"sqlite:///{tmp_path}/a.sqlite") == tmp_path / "a.sqlite"
    assert sqlite_file_of("sqlite:///rel.sqlite") == Path("rel.sqlite")
    assert sqlite_file_of(str(tmp_path / "b.sqlite")) == tmp_path / "b.sqlite"
    assert sqlite_file_of("sqlite://") is None
    assert sqlite_file_of("sqlite:///:memory:") is None
    assert sqlite_file_of("sqlite+pysqlite:///a.sqlite") is None
    assert sqlite_file_of("sqlite:///a.sqlite?timeout=5") is None
    assert sqlite_file_of("postgresql+psycopg://u@h/db") is None
