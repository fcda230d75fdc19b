"""The batch on Apache Spark (local[2]) against the default engine, in the same run, on the same fleet.

Printed:

- **hubcheck batch** (default engine) end to end in a fresh process, as ``bench/batch.py`` times it;
- **hubcheck batch --engine spark --master local[2]** end to end in a fresh process (JVM start-up,
  session, reading and checking every row, pairing, the engine's table on the driver, the
  broadcast join and the verdict SQL, writing), and how many times slower it is on this machine;
- from the Spark run's own listener metrics (its event log: ``SparkListenerTaskEnd`` carries each
  task's executor run time and CPU time): the jobs' wall time, the time outside them (JVM, session,
  driver work), the executor core-seconds the tasks used, and so the **hubs per second per executor
  core**, which sizes a cluster: ``hubs / (rate x cores)`` plus the fixed part.

The fleet is ``hubcheck synth``'s (the real CPL v2.051, no catalogue; ``bench/batch.py``'s file,
written once under ``bench/out/``). Both outputs are compared hub by hub at the end.
Run: ``.venv/bin/python -m bench.spark [--hubs N]`` (default $HUBCHECK_BENCH_HUBS or 10,000,000);
``make bench`` runs it with the others.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from bench.batch import POLICY, WORKBOOK, _fleet, _line
from cpl_data.cpl import read_cpl
from cpl_data.real_data import shared_data_dir

MASTER: Final = "local[2]"
#: The driver is the executor in local mode: room for a national fleet's shuffle.
DRIVER_MEMORY: Final = os.environ.get("HUBCHECK_BENCH_SPARK_MEMORY", "6g")


@dataclass(frozen=True)
class SparkMetrics:
    """What the event log says of one application."""

    app_seconds: float
    jobs_seconds: float
    tasks: int
    run_seconds: float
    cpu_seconds: float
    started_at: float
    #: per stage name: executor run time and CPU time (core-seconds)
    per_stage: dict[str, tuple[float, float]]


def read_event_log(folder: Path) -> SparkMetrics:
    """Sum the listener metrics of the one application logged in ``folder``.

    Spark 4 writes an application's log as a folder of numbered ``events_N_...`` files.
    """
    (app_dir,) = [p for p in folder.iterdir() if p.is_dir()]
    parts = sorted(app_dir.glob("events_*"), key=lambda p: int(p.name.split("_")[1]))
    run_ms = cpu_ns = tasks = 0
    jobs: dict[int, list[int]] = {}
    app = [0, 0]
    names: dict[int, str] = {}
    stage_run: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for line in (text for part in parts for text in part.read_text().splitlines()):
        event = json.loads(line)
        kind = event["Event"]
        if kind == "SparkListenerTaskEnd" and event.get("Task Metrics"):
            m = event["Task Metrics"]
            run_ms += m["Executor Run Time"]
            cpu_ns += m["Executor CPU Time"]
            stage_run[event["Stage ID"]][0] += m["Executor Run Time"] / 1000
            stage_run[event["Stage ID"]][1] += m["Executor CPU Time"] / 1e9
            tasks += 1
        elif kind == "SparkListenerStageCompleted":
            info = event["Stage Info"]
            names[info["Stage ID"]] = info["Stage Name"].split(" at ")[0]
        elif kind == "SparkListenerJobStart":
            jobs[event["Job ID"]] = [event["Submission Time"], 0]
        elif kind == "SparkListenerJobEnd":
            jobs[event["Job ID"]][1] = event["Completion Time"]
        elif kind == "SparkListenerApplicationStart":
            app[0] = event["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            app[1] = event["Timestamp"]
    per_stage: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    for stage, (run, cpu) in stage_run.items():
        name = names.get(stage, f"stage {stage}")
        per_stage[name] = (per_stage[name][0] + run, per_stage[name][1] + cpu)
    return SparkMetrics(
        app_seconds=(app[1] - app[0]) / 1000,
        jobs_seconds=_covered([(start, end) for start, end in jobs.values() if end]) / 1000,
        tasks=tasks,
        run_seconds=run_ms / 1000,
        cpu_seconds=cpu_ns / 1e9,
        started_at=app[0] / 1000,
        per_stage=dict(per_stage),
    )


def _covered(spans: list[tuple[int, int]]) -> int:
    """The time some span covers: jobs may run at once (a broadcast beside a scan), so their
    wall times overlap and their sum would exceed the application's.

    >>> _covered([(0, 10), (5, 15), (20, 25)])
    20
    """
    total, end = 0, None
    for a, b in sorted(spans):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


#: What each stage's call site does in hubcheck's Spark job (cpl_data/spark_job.py).
STAGE_LABELS: Final = {
    "first": "the census: read, check every cell, count",
    "$anonfun$withThreadLocalCaptured$1": "the verdicts: pair, join, verdict SQL, write",
    "toArrow": "the distinct models, to the driver",
    "parquet": "reading the Parquet footers",
}


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """A job in its own process: its wall seconds, its start (epoch seconds), and stdout."""
    started = time.time()
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:6])} failed: {done.stderr[-3000:]}")
    return seconds, started, done.stdout


def main(hubs: int | None = None) -> None:
    """Print the Spark figures; ``hubs`` defaults to $HUBCHECK_BENCH_HUBS or 10 million."""
    hubs = hubs or int(os.environ.get("HUBCHECK_BENCH_HUBS", "10000000"))
    workbook = shared_data_dir() / "cpl" / WORKBOOK
    day = read_cpl(workbook).cpl.issued_on
    fleet = _fleet(hubs, day)
    print(f"spark: {hubs:,} hubs ({2 * hubs:,} inventory rows), Parquet in and out, at {day}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.sqlite"
        hubcheck = [str(Path(sys.executable).with_name("hubcheck")), "--db", db]
        subprocess.run([*hubcheck, "cpl", "import", str(workbook)], capture_output=True, check=True)
        job = ["batch", str(fleet), "--install-date", day.isoformat(), "--policy", POLICY]
        ours = Path(tmp) / "default.parquet"
        d_seconds, _, stdout = _run([*hubcheck, "--json", *job, "-o", str(ours)])
        assert json.loads(stdout)["hubs"] == hubs
        events = Path(tmp) / "events"
        events.mkdir()
        conf = {
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": events.as_uri(),
            "spark.eventLog.compress": "false",
            "spark.ui.enabled": "false",
        }
        submit = " ".join(f"--conf {k}={v}" for k, v in conf.items())
        env = {**os.environ, "PYSPARK_SUBMIT_ARGS": f"--driver-memory {DRIVER_MEMORY} {submit} pyspark-shell"}
        theirs = Path(tmp) / "spark.parquet"
        spark_cmd = [*hubcheck, "--json", *job, "-o", str(theirs), "--engine", "spark", "--master", MASTER]
        s_seconds, started, stdout = _run(spark_cmd, env)
        assert json.loads(stdout)["hubs"] == hubs
        m = read_event_log(events)
        _line(
            "hubcheck batch, default engine",
            f"{d_seconds:12.2f} s {hubs / d_seconds:15,.0f} hubs/s",
        )
        _line(
            f"hubcheck batch --engine spark --master {MASTER}",
            f"{s_seconds:12.2f} s {hubs / s_seconds:15,.0f} hubs/s",
        )
        _line("  Spark / default engine, time on this machine", f"{s_seconds / d_seconds:12.1f}x slower")
        _line("  before the Spark application started (Python, JVM)", f"{m.started_at - started:12.2f} s")
        _line("  Spark jobs, wall time", f"{m.jobs_seconds:12.2f} s")
        _line(
            "  the rest (session, driver: the engine's table, planning)",
            f"{m.app_seconds - m.jobs_seconds:12.2f} s",
        )
        _line(f"  executor run time, {m.tasks:,} tasks (core-seconds)", f"{m.run_seconds:12.2f} s")
        _line("  executor CPU time (core-seconds)", f"{m.cpu_seconds:12.2f} s")
        for stage, (run, cpu) in sorted(m.per_stage.items(), key=lambda kv: -kv[1][0])[:4]:
            label = STAGE_LABELS.get(stage, f"stages at {stage[:30]}")
            _line(f"    {label} (run, CPU)", f"{run:12.2f} s {cpu:10.2f} s")
        rate = hubs / m.run_seconds
        _line("  per executor core: hubs / executor run time", f"{'':14} {rate:15,.0f} hubs/s")
        # on a shared machine a task waits for a CPU too: its run time counts the wait, its CPU time not
        _line(
            "  per executor core: hubs / executor CPU time", f"{'':14} {hubs / m.cpu_seconds:15,.0f} hubs/s"
        )
        fixed = s_seconds - m.jobs_seconds
        for cores in (16, 64, 256):
            estimate = fixed + 10_000_000 / (rate * cores)
            _line(
                f"  estimate: 10M hubs on {cores} executor cores", f"{estimate:12.0f} s (fixed {fixed:.0f} s)"
            )
        default = pl.read_parquet(ours).select("device_id", "verdict").sort("device_id")
        on_spark = pl.read_parquet(theirs / "*.parquet").select("device_id", "verdict").sort("device_id")
        assert default["verdict"].cast(pl.String).equals(on_spark["verdict"]), "Spark disagrees"
        _line("  same verdict for every hub", "yes")


def _args(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(prog="python -m bench.spark", description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", type=int, default=None, help="fleet size (default 10,000,000)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main(_args().hubs)
