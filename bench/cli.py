"""CLI start-up: ``hubcheck --help`` and one hub's ``hubcheck check`` as whole processes, and the
phases of ``check``, against ``python -c pass`` measured in the same run.

Each command is a fresh process (what a person waits for), run in turn with the others
(``pass``, ``--help``, ``check`` ...) so that a machine whose speed drifts slows all alike; the
figure is the median wall time of ``--runs`` runs after one warm-up, and its ratio to the median
of ``python -c pass``; beside it the median CPU time (user + system), which a busy machine
disturbs less than the wall clock. The processes may write bytecode (``.pyc``), as an installed
tool's imports use it: ``PYTHONDONTWRITEBYTECODE`` is dropped from their environment, and the
warm-up writes it. The stores are temporary SQLite files made with the CLI, as ``make data``
makes one: the sample CPL and catalogue, and the real CPL v2.051 with its history.

Beside them, the stack's floor (``bench/_floor_cli.py``): a typer command with as many options as
``check``, pydantic imported and a rich panel printed, nothing of hubcheck; and the same with
networkx imported, as a plan needs. No ``check`` in this stack starts faster.

The phases of ``check`` are timed inside fresh processes with ``time.perf_counter`` (each
phase includes the imports it is the first to need), beside the path without a snapshot
(SQLAlchemy, migrations checked, the reference rebuilt from the rows) for comparison.

Run: ``make bench`` or ``.venv/bin/python -m bench.cli [--runs N]``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from bench import targets
from bench._timing import CHILD_ENV
from cpl_data.real_data import shared_data_dir

REPO: Final = Path(__file__).resolve().parents[1]
SAMPLE: Final = REPO / "sample"
#: The console script of the interpreter running the benchmark (the venv's).
HUBCHECK: Final = str(Path(sys.executable).with_name("hubcheck"))
PYTHON: Final = sys.executable

#: Issue 11's targets (wall seconds, whole process).
TARGET_HELP: Final = 0.25
TARGET_CHECK: Final = 0.35

#: The stack's floor rows (see the module docstring).
FLOOR: Final = "floor: typer, pydantic, rich"
FLOOR_PLAN: Final = "floor: the same and networkx"

#: A hub of each store that needs an upgrade plan (the engine builds a graph, importing networkx),
#: at a date.
SAMPLE_HUB: Final = ("F0A1", "A1010100", "01000000", "2026-11-01")
REAL_HUB: Final = ("106C", "433100AC", "1220665A", "2022-09-21")
#: The same models at a firmware in the window (N): the verdict needs no graph.
SAMPLE_IN_WINDOW: Final = ("F0A1", "A1010100", "03000000", "2026-11-01")
REAL_IN_WINDOW: Final = ("106C", "433100AC", "2030D680", "2022-09-21")

_PHASES: Final = """
import json, os, sys, time
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as main() sets it
t0 = time.perf_counter()
import api.cli
t1 = time.perf_counter()
from pathlib import Path
from api.store.snapshot import stored_document, decode
text = stored_document(Path(sys.argv[1]))
assert text is not None, "no current snapshot in the store"
t2 = time.perf_counter()
ref = decode(text)
t3 = time.perf_counter()
from datetime import date
from eligibility.engine import Engine
from eligibility.policy_timeline import parse_timeline
from eligibility.verdict import DeviceRecord, Hub
mf, model, fw, day = sys.argv[2:6]
chf = DeviceRecord.parse(device_id=None, device_type="CHF", status="Pending", status_since=None, history=None)
hub = Hub.parse(manufacturer=mf, model=model, firmware=fw, chf=chf, gpf=None, tsat_install_end=None)
v = Engine(ref).verdict(hub, date.fromisoformat(day), parse_timeline("sec-ac-7.2", field="--policy"))
json.dumps(v.to_json(), default=str)
t4 = time.perf_counter()
from api.store import Store
store = Store(sys.argv[1])
t5 = time.perf_counter()
from eligibility.reference import Reference
fresh = Reference(store.load_cpl(), store.active_catalogue())
t6 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5]))
"""

_PHASE_NAMES: Final = (
    "import api.cli (typer, the command modules)",
    "open store: sqlite3 read-only, the snapshot row",
    "load snapshot: import pydantic + models, validate the JSON",
    "verdict (a plan: networkx too): engine, verdict, JSON",
    "no snapshot: open the store (SQLAlchemy, migrations)",
    "no snapshot: rebuild the reference from the rows",
)


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _timed(cmd: Sequence[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``cmd``, its output dropped (exit 0 or 1 expected)."""
    c0, t0 = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV, check=False)
    took, cpu = time.perf_counter() - t0, _cpu() - c0
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return took, cpu


def _store(path: Path, cpl: Sequence[str], catalogue: Path | None) -> None:
    """A store made as ``make data`` makes one."""
    run = [HUBCHECK, "--db", str(path)]
    subprocess.run(
        [*run, "cpl", "import", *cpl, "--no-warnings"], env=CHILD_ENV, check=True, capture_output=True
    )
    if catalogue is not None:
        subprocess.run(
            [*run, "catalogue", "import", str(catalogue)], env=CHILD_ENV, check=True, capture_output=True
        )


def _check_options() -> int:
    """How many options ``hubcheck check`` takes (its parameters but the typer context)."""
    from api.cli._check import check

    return sum(name != "ctx" for name in inspect.signature(check).parameters)


def _floor_cmd(plan: bool) -> list[str]:
    return [PYTHON, str(REPO / "bench" / "_floor_cli.py"), str(_check_options()), "plan" if plan else "in"]


def _check_cmd(db: Path, hub: tuple[str, str, str, str]) -> list[str]:
    mf, model, fw, day = hub
    hub_args = ["--manufacturer", mf, "--model", model, "--firmware", fw, "--install-date", day]
    return [HUBCHECK, "--db", str(db), "check", *hub_args]


def _row(name: str, wall: float, base: float, cpu: float, target: float | None) -> None:
    verdict = ""
    if target is not None:
        verdict = f"<= {target:.2f} s: {'met' if wall <= target else 'MISSED'}"
    print(f"{name:<37} {wall:6.3f} s {wall / base:5.1f}x {cpu:6.3f} s  {verdict}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="counted runs of each command (default 7)")
    args = parser.parse_args(argv)
    cpl_dir = shared_data_dir() / "cpl"
    with tempfile.TemporaryDirectory() as tmp:
        sample_db, real_db = Path(tmp) / "sample.sqlite", Path(tmp) / "real.sqlite"
        sample_cpl = [
            str(SAMPLE / "sample-cpl.csv"),
            "--history",
            str(SAMPLE / "sample-cpl-version-control.csv"),
        ]
        _store(sample_db, sample_cpl, SAMPLE / "sample-catalogue.toml")
        real_cpl = [
            str(cpl_dir / "CPL_v2.051_2022-09-21__sheet_Central_Products_List.csv"),
            "--history",
            str(cpl_dir / "CPL_v2.051_2022-09-21__sheet_Version_Control.csv"),
        ]
        _store(real_db, real_cpl, None)
        commands: dict[str, tuple[list[str], float | None]] = {
            "python -c pass": ([PYTHON, "-c", "pass"], None),
            "hubcheck --help": ([HUBCHECK, "--help"], TARGET_HELP),
            "check: sample CPL, hub in window": (
                _check_cmd(sample_db, SAMPLE_IN_WINDOW),
                TARGET_CHECK,
            ),
            "check: real CPL v2.051, in window": (_check_cmd(real_db, REAL_IN_WINDOW), TARGET_CHECK),
            "check: sample CPL, upgrade plan": (
                _check_cmd(sample_db, SAMPLE_HUB),
                TARGET_CHECK,
            ),
            "check: real CPL v2.051, upgrade plan": (_check_cmd(real_db, REAL_HUB), TARGET_CHECK),
            "python -c 'import api.cli'": ([PYTHON, "-c", "import api.cli"], None),
            FLOOR: ([*_floor_cmd(plan=False), "check", "--o0", "x"], None),
            FLOOR_PLAN: ([*_floor_cmd(plan=True), "check", "--o0", "x"], None),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for i in range(args.runs + 1):  # run 0 warms the page cache and writes the .pyc files
            for name, (cmd, _) in commands.items():
                took = _timed(cmd)
                if i:
                    times[name].append(took)
        wall = {name: statistics.median(t[0] for t in ts) for name, ts in times.items()}
        cpu = {name: statistics.median(t[1] for t in ts) for name, ts in times.items()}
        base = wall["python -c pass"]
        print(
            f"== CLI start-up, whole process: median of {args.runs} runs ==\n"
            f"{'command':<37} {'wall':>8} {'/pass':>6} {'CPU':>8}  target"
        )
        for name, (_, target) in commands.items():
            _row(name, wall[name], base, cpu[name], target)
            if target is not None:
                floor = None
                if name.startswith("check"):
                    floor = FLOOR_PLAN if name.endswith("plan") else FLOOR
                targets.record(
                    f"hubcheck {name}" if name.startswith("check") else name,
                    f"{wall[name]:.3f} s ({wall[name] / base:.1f}x pass)",
                    f"<= {target:.2f} s",
                    wall[name] <= target,
                    ".venv/bin/python -m bench.cli",
                    floor=None if floor is None else f"{wall[floor]:.3f} s, {floor.removeprefix('floor: ')}",
                )

        phases: list[list[float]] = []
        for db, hub in ((sample_db, SAMPLE_HUB), (real_db, REAL_HUB)):
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [PYTHON, "-c", _PHASES, str(db), *hub],
                    env=CHILD_ENV,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs.append(json.loads(out))
            phases.append([statistics.median(col) * 1e3 for col in zip(*runs, strict=True)])
        print(f"-- phases of check (a hub needing a plan), fresh processes, median of {args.runs} --")
        print(f"{'phase':<58} {'sample':>8} {'real CPL':>9}")
        for name, s_ms, r_ms in zip(_PHASE_NAMES, *phases, strict=True):
            print(f"{name:<58} {s_ms:5.0f} ms {r_ms:6.0f} ms", flush=True)


if __name__ == "__main__":
    main()
