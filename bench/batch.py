"""Batch evaluation at GB scale: 2 million synthetic hubs, Parquet in, Parquet out.

Printed, from one run on this machine:

- the **I/O floor**: what reading the same Parquet and writing output-sized columns costs with
  no logic at all (polars, in its own process: scan the fleet, keep the CHF rows, sink six
  columns), the yardstick of issue 11;
- **hubcheck batch** end to end (the CLI in a fresh process: start-up, reading, checking every
  cell, pairing CHF and GPF rows, the engine's table, the join, writing), hubs per second and
  peak memory (the child's maximum RSS, from ``resource.getrusage``);
- the **DuckDB baseline**: the same job written directly as one SQL query (``eligibility.batch.
  verdict_sql`` over the CHF/GPF self-join) over a precomputed (model, firmware) table, no
  checking, in its own process; and the ratio;
- DuckDB's ratio to the floor: what the same joins cost with no checking at all, the yardstick
  of what "2x the floor" asks of a job that also checks every cell;
- the ratios with their targets beside: hubcheck / floor (target <= 2.0, end to end and the job
  alone) and hubcheck / DuckDB (target <= 1.0);
- the **naive way**: one ``Engine.verdict`` per hub in a Python loop, on 100,000 hubs, for the
  ratio (``--no-naive`` leaves it out).

The fleet is drawn from the real CPL v2.051 (36 hub models, no catalogue) as of its issue date
and judged at that date; it is written once to ``bench/out/`` and reused (delete it to time
``write_fleet`` again). The machine is shared: the floor, hubcheck and DuckDB run in turn, best
of ``$HUBCHECK_BENCH_REPEAT`` (2) each; the processes write and read bytecode, as an installed
tool's imports do (the first run writes what the others read).
Run: ``make bench``, or ``.venv/bin/python -m bench.batch [--hubs N] [--no-naive]`` (default
2,000,000, or ``$HUBCHECK_BENCH_HUBS``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Final

import polars as pl

from bench import targets
from bench._timing import CHILD_ENV
from cpl_data.cpl import read_cpl
from cpl_data.real_data import shared_data_dir
from cpl_data.synth import write_fleet
from eligibility.assessment import assessment_table
from eligibility.engine import Engine
from eligibility.hubframe import hub_frame
from eligibility.reference import Reference
from eligibility.smi import POLICIES
from eligibility.verdict import DeviceRecord, Hub

REPO: Final = Path(__file__).resolve().parents[1]
OUT: Final = REPO / "bench" / "out"
WORKBOOK: Final = "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx"
SEED: Final = 2022
NAIVE_HUBS: Final = 100_000
POLICY: Final = "sec-ac-7.2"
REPEAT: Final = int(os.environ.get("HUBCHECK_BENCH_REPEAT", "2"))
DEFAULT_HUBS: Final = 2_000_000
#: issue 11's targets: hubcheck within 2x the I/O floor, and no slower than DuckDB
FLOOR_TARGET: Final = 2.0
DUCKDB_TARGET: Final = 1.0

# The I/O floor: the same file read, the CHF rows kept, six output-sized columns written, no logic.
_FLOOR_JOB = r"""
import sys
import polars as pl
fleet, out = sys.argv[1:3]
pl.scan_parquet(fleet).filter(pl.col("device_type") == "CHF").select(
    "device_id", "manufacturer", "model", "firmware", "status", "status_since"
).sink_parquet(out, compression="zstd")
"""

_DUCKDB_JOB = r"""
import duckdb, sys
from datetime import date
from eligibility.batch import verdict_sql
from eligibility.smi import POLICIES
fleet, table, out, day = sys.argv[1:5]
hubs = f'''(SELECT c.*, g.device_type AS gpf_device_type, g.status AS gpf_status,
        g.status_since AS gpf_status_since, g.status_history AS gpf_status_history
    FROM read_parquet('{fleet}') c
    LEFT JOIN (SELECT device_id, device_type, status, status_since, status_history
               FROM read_parquet('{fleet}') WHERE device_type = 'GPF') g
      ON g.device_id = c.gpf_device_id
    WHERE c.device_type = 'CHF')'''
query = verdict_sql(hubs, f"read_parquet('{table}')", POLICIES[sys.argv[5]], date.fromisoformat(day))
duckdb.connect().execute(f"COPY ({query}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
"""


# Each job runs under a fresh wrapper whose only child is the job, so that RUSAGE_CHILDREN's
# maximum RSS is that job's own peak (in this process it would be the largest of every child).
_MEASURED = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "sys.stderr.write('\\nmaxrss=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.exit(r.returncode)"
)


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run a job in its own process; its wall seconds, peak RSS in MB, and stdout."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=CHILD_ENV,
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed: {done.stderr[-2000:]}")
    kb = int(done.stderr.rsplit("maxrss=", 1)[1].split()[0])  # KB on Linux
    return seconds, kb / 1024, done.stdout


def _fleet(hubs: int, as_of: date) -> Path:
    path = OUT / f"fleet-{hubs}-seed{SEED}.parquet"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        cpl = read_cpl(shared_data_dir() / "cpl" / WORKBOOK).cpl
        t0 = time.perf_counter()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        write_fleet(tmp, cpl, None, hubs, SEED, as_of)
        tmp.replace(path)
        print(
            f"{'synthetic fleet written (hubcheck synth)':<58} {time.perf_counter() - t0:12.1f} s", flush=True
        )
    return path


def _record(row: dict[str, Any], p: str, device_id: str | None) -> DeviceRecord:
    since = row[f"{p}status_since"]
    return DeviceRecord.parse(
        device_id=device_id,
        device_type=row[f"{p}device_type"],
        status=row[f"{p}status"],
        status_since=since.isoformat() if since else None,
        history=row[f"{p}status_history"],
    )


def _naive(fleet: Path, engine: Engine, day: date) -> float:
    """Hubs per second, one Engine.verdict per hub in a Python loop (as a single check would)."""
    rows = hub_frame(pl.scan_parquet(fleet).head(2 * NAIVE_HUBS).collect())
    policy = POLICIES[POLICY]
    t0 = time.perf_counter()
    for r in rows.iter_rows(named=True):
        hub = Hub(
            manufacturer=r["manufacturer"],
            model=r["model"],
            firmware=r["firmware"],
            chf=_record(r, "", r["device_id"]),
            gpf=_record(r, "gpf_", r["gpf_device_id"]) if r["gpf_status"] is not None else None,
            tsat_install_end=r["tsat_install_end"],
        )
        engine.verdict(hub, day, policy)
    return rows.height / (time.perf_counter() - t0)


def _line(name: str, value: str) -> None:
    print(f"{name:<58} {value}", flush=True)


def _ratio(name: str, value: float, target: float, hubs: int, floor: str | None = None) -> None:
    met = "met" if value <= target else "NOT met"
    _line(name, f"{value:12.2f}x   (target <= {target:.1f}x: {met})")
    targets.record(
        f"batch, {hubs / 1e6:g}M hubs: {name}",
        f"{value:.2f}x",
        f"<= {target:.1f}x",
        value <= target,
        f".venv/bin/python -m bench.batch --hubs {hubs} --no-naive",
        floor=floor,
    )


def main(hubs: int | None = None, *, naive: bool = True) -> None:
    """Print the batch figures; ``hubs`` defaults to $HUBCHECK_BENCH_HUBS or 2 million."""
    hubs = hubs or int(os.environ.get("HUBCHECK_BENCH_HUBS", str(DEFAULT_HUBS)))
    workbook = shared_data_dir() / "cpl" / WORKBOOK
    cpl = read_cpl(workbook).cpl
    day = cpl.issued_on
    fleet = _fleet(hubs, day)
    engine = Engine(Reference(cpl))
    print(f"batch: {hubs:,} hubs ({2 * hubs:,} inventory rows), Parquet in and out, at {day}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.sqlite"
        hubcheck = [str(Path(sys.executable).with_name("hubcheck")), "--db", db]
        subprocess.run([*hubcheck, "cpl", "import", str(workbook)], capture_output=True, check=True)
        out = Path(tmp) / "verdicts.parquet"
        ours_cmd = [*hubcheck, "--json", "batch", str(fleet), "-o", str(out)]
        ours_cmd += ["--install-date", day.isoformat(), "--policy", POLICY]
        # the baseline: the small table is precomputed (not timed), then one SQL query
        keys = pl.scan_parquet(fleet).select("manufacturer", "model", "firmware").unique().collect()
        table = Path(tmp) / "table.parquet"
        assessment_table(engine, keys, day).write_parquet(table)
        duck_out = Path(tmp) / "duck.parquet"
        duck_cmd = [sys.executable, "-c", _DUCKDB_JOB, str(fleet), str(table), str(duck_out)]
        duck_cmd += [day.isoformat(), POLICY]
        floor_cmd = [sys.executable, "-c", _FLOOR_JOB, str(fleet), str(Path(tmp) / "floor.parquet")]
        # in turn, best of REPEAT each: the machine is shared and its load comes and goes
        floor_runs, ours_runs, duck_runs = [], [], []
        for _ in range(REPEAT):
            floor_runs.append(_child(floor_cmd))
            ours_runs.append(_child(ours_cmd))
            duck_runs.append(_child(duck_cmd))
        f_seconds = min(floor_runs)[0]
        seconds, _, stdout = min(ours_runs)
        d_seconds = min(duck_runs)[0]
        job = json.loads(stdout)
        assert job["hubs"] == hubs, job
        ours, theirs = hubs / seconds, hubs / d_seconds
        _line("I/O floor: polars scan, CHF rows, sink 6 columns", f"{f_seconds:12.2f} s")
        _line("hubcheck batch, end to end (CLI process)", f"{seconds:12.2f} s {ours:15,.0f} hubs/s")
        _line("  of which the job itself (read, check, judge, write)", f"{job['seconds']:12.2f} s")
        _line("  peak memory (max RSS, largest run)", f"{max(r[1] for r in ours_runs):12,.0f} MB")
        _line(
            "DuckDB, one SQL query over the precomputed table", f"{d_seconds:12.2f} s {theirs:15,.0f} hubs/s"
        )
        _line("  peak memory (max RSS, largest run)", f"{max(r[1] for r in duck_runs):12,.0f} MB")
        # the same joins in DuckDB, with no checking at all, against the same floor
        duck = f"DuckDB's SQL, unchecked: {d_seconds / f_seconds:.2f}x the floor"
        _line("DuckDB / I/O floor, end to end", f"{d_seconds / f_seconds:12.2f}x")
        _ratio("hubcheck / I/O floor, end to end", seconds / f_seconds, FLOOR_TARGET, hubs, duck)
        _ratio("hubcheck / I/O floor, the job alone", job["seconds"] / f_seconds, FLOOR_TARGET, hubs, duck)
        _ratio("hubcheck / DuckDB, end to end", seconds / d_seconds, DUCKDB_TARGET, hubs)
        same = pl.read_parquet(out).select("device_id", "verdict").sort("device_id")
        base = pl.read_parquet(duck_out).select("device_id", "verdict").sort("device_id")
        assert same["verdict"].cast(pl.String).equals(base["verdict"]), "the baseline disagrees"

    if not naive:
        return
    naive_rate = _naive(fleet, engine, day)
    _line(
        f"naive: Engine.verdict per hub in Python ({NAIVE_HUBS:,} hubs)",
        f"{'':14} {naive_rate:15,.0f} hubs/s",
    )
    _line("  hubcheck batch / naive, hubs per second", f"{ours / naive_rate:12.0f}x")


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__.split("\n")[0])
    parser.add_argument("--hubs", type=int, default=None, help="fleet size (default 2,000,000)")
    parser.add_argument("--no-naive", action="store_true", help="leave out the per-hub Python loop")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _args()
    main(args.hubs, naive=not args.no_naive)
