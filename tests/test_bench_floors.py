"""The benchmarks' floors and summary table: what ``make bench`` prints beside its targets.

``make bench`` is not run by the suite (timing belongs in ``bench/``), so these hold the parts
whose mistakes would not show as a slow figure but as a wrong one: the floor programs do what
they claim (and nothing of hubcheck), and the summary prints each row's floor.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from bench import targets
from tests.conftest import REPO


def test_the_summary_prints_a_rows_floor_within_80_columns() -> None:
    rows = [
        targets.Row("hubcheck check", "0.42 s", "<= 0.35 s", False, "python -m bench.cli", "0.39 s, typer"),
        targets.Row("hubcheck --help", "0.15 s", "<= 0.25 s", True, "python -m bench.cli"),
    ]
    lines = targets.table(rows).splitlines()
    assert "    floor: 0.39 s, typer" in lines
    assert sum(line.lstrip().startswith("floor:") for line in lines) == 1  # only the row that has one
    assert lines[-1] == "1 of 2 targets met"
    assert max(map(len, lines)) <= 80


@pytest.mark.parametrize("plan", [False, True], ids=["in-window", "plan"])
def test_the_cli_floor_prints_a_panel_and_loads_nothing_of_hubcheck(plan: bool) -> None:
    probe = (
        "import json, runpy, sys\n"
        "sys.argv = sys.argv[1:]  # as if the floor were run itself\n"
        "try:\n"
        "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    floor = REPO / "bench" / "_floor_cli.py"
    args = [str(floor), "20", "plan" if plan else "in", "check", "--o0", "x", "--o19", "y"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "ELIGIBLE" in done.stdout
    assert "╭" in done.stdout  # the panel was printed
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert {"typer", "pydantic", "rich"} <= set(loaded)
    assert ("networkx" in loaded) is plan
    assert not {"api", "eligibility", "cpl_data"} & set(loaded)


def test_the_cli_floor_takes_as_many_options_as_asked() -> None:
    floor = REPO / "bench" / "_floor_cli.py"
    ok = subprocess.run([sys.executable, str(floor), "3", "in", "check", "--o2", "x"], capture_output=True)
    past = subprocess.run([sys.executable, str(floor), "3", "in", "check", "--o3", "x"], capture_output=True)
    assert (ok.returncode, past.returncode) == (0, 2), past.stderr


def test_the_service_floor_reads_the_body_and_answers_the_given_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = b'{"verdict": "ELIGIBLE", "reasons": ["FIRMWARE_IN_WINDOW"]}'
    (tmp_path / "body.json").write_bytes(document)
    monkeypatch.setenv("HUBCHECK_FLOOR_BODY", str(tmp_path / "body.json"))
    monkeypatch.delitem(sys.modules, "bench._floor_app", raising=False)
    from bench import _floor_app

    parts = [{"type": "http.request", "body": b"{", "more_body": True}]
    parts.append({"type": "http.request", "body": b"}", "more_body": False})
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return parts.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(_floor_app.app({"type": "http", "method": "POST"}, receive, send))
    assert parts == []  # the whole body was read, as a real handler reads it
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"content-length"] == str(len(document)).encode()
    assert sent[1]["body"] == document
