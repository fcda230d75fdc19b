"""The service under load: GET eligibility with 16 concurrent clients over loopback (wrk).

- the hot GET with the verdict cache, against a baseline run of the same server with the cache
  off (every request reads the hub and judges it), for 1 and 2 server processes;
- ``--workers``: 1 and 2 workers of ``hubcheck serve --workers N`` on SQLite and on PostgreSQL
  (when ``HUBCHECK_BENCH_POSTGRES`` names a server), for the hot GET and ``POST /v1/eligibility``
  at saturation, with the cost of the change-counter read each request makes (issue 12), beside
  the stack's floor: a bare ASGI app (``bench/_floor_app.py``) under the same uvicorn settings
  and the same load, answering every request with the same bytes and doing nothing else;
- ``--soak``: the same load held for 60 s while a 1,000,000-hub inventory import runs through
  the API; then every imported row is checked (none lost or half-written).

Targets (issue 5): p50 < 2 ms, p99 < 10 ms, >= 2,000 requests a second, zero errors.
Targets (issue 11), at saturation with 16 connections: GET p99 < 5 ms; POST >= 3,000 req/s, p99 < 5 ms.
Run: ``make bench`` (without the soak) or ``.venv/bin/python -m bench.service [--workers] [--soak]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import polars as pl

from api.app.routes.health import WORKER_HEADER
from api.app.service import _Probe, build_snapshot
from api.store import Store
from bench import targets
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.inventory import read_inventory
from cpl_data.real_data import shared_data_dir
from cpl_data.sample import sample_inventory_csv
from eligibility.engine import EngineSettings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
HUBS = 100_000
ASKED = 10_000  # distinct hubs the load asks about
CONNECTIONS = 16
PACE_MS = 6  # per client: 16 clients / (6 ms + latency) ~ 2,400 req/s at most

#: The summary every script prints for :func:`wrk` (``%%`` as the scripts are %-formatted).
_DONE = """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "errors": %%d, "non_2xx": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""

LUA = (
    """
local ids = {%(ids)s}
local key = "%(key)s"
math.randomseed(42)
%(pace)s
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/hubs/" .. id .. "/eligibility?install_date=2026-11-28",
                    {["Authorization"] = "Bearer " .. key})
end
"""
    + _DONE
)


def prepare(
    tmp: Path, url: str | None = None, hubs: int = HUBS, asked: int = ASKED
) -> tuple[str, str, list[str]]:
    """A store with the sample reference data and ``hubs`` hubs; returns (url, dcc key, ids asked)."""
    url = url or f"sqlite:///{tmp / 'bench.sqlite'}"
    store = Store(url)
    store.import_cpl(read_cpl(SAMPLE / "sample-cpl.csv", SAMPLE / "sample-cpl-version-control.csv"))
    store.import_catalogue(read_catalogue(SAMPLE / "sample-catalogue.toml", store.load_cpl()))
    data = sample_inventory_csv(hubs, start=0x100000)
    store.import_inventory(read_inventory(data, source="bench.csv"))
    _, key = store.create_key("dcc")
    ids = store.inventory_frame()["device_id"].sample(asked, seed=1).to_list()
    store.engine.dispose()
    return url, key, ids


class _Server:
    def __init__(self, url: str, port: int, workers: int, cache: bool, floor: Path | None = None) -> None:
        """``hubcheck serve`` on the store at ``url``; with ``floor`` (a file of the bytes to
        answer) the bare ASGI app of ``bench/_floor_app.py`` under the same uvicorn settings."""
        env = {**os.environ, "HUBCHECK_VERDICT_CACHE": "200000" if cache else "0"}
        if floor is None:
            cmd = [sys.executable, "-c", "from api.cli import main; main()", "--db", url, "serve"]
        else:
            env["HUBCHECK_FLOOR_BODY"] = str(floor)
            cmd = [sys.executable, "-m", "uvicorn", "bench._floor_app:app", "--http", "httptools"]
            cmd += ["--loop", "uvloop", "--no-access-log", "--log-level", "warning"]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=REPO,
        )
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


def wrk(url: str, script: Path, seconds: int) -> dict[str, float]:
    """One wrk run: 2 threads, 16 connections; the script's RESULT line as a dict."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result: dict[str, float] = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def show(name: str, r: dict[str, float], baseline: dict[str, float] | None = None) -> None:
    """One line of figures (and the throughput ratio to the baseline)."""
    ratio = f"  ({r['rps'] / baseline['rps']:.1f}x the baseline's throughput)" if baseline else ""
    print(
        f"{name:<44} {r['rps']:8.0f} req/s  p50 {r['p50_us'] / 1000:6.2f} ms  p99 {r['p99_us'] / 1000:6.2f} ms"
        f"  errors {int(r['errors'] + r['non_2xx'])}{ratio}",
        flush=True,
    )


def main(soak: bool = False, seconds: int = 10) -> None:
    """The verdict cache against its baseline (1 and 2 workers), then the workers' matrix; ``soak``: the soak too."""
    cache_rows(seconds)
    workers_matrix()
    if soak:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            url, key, ids = prepare(tmp)
            script = tmp / "load.lua"
            script.write_text(LUA % {"ids": ",".join(f'"{i}"' for i in ids), "key": key, "pace": ""})
            _soak(url, key, script, 18_000 + os.getpid() % 1000)


def cache_rows(seconds: int = 10) -> None:
    """The hot GET with the verdict cache on and off, saturated and paced, for 1 and 2 workers (SQLite)."""
    print(f"== service: GET /v1/hubs/{{id}}/eligibility, {CONNECTIONS} clients over loopback (wrk) ==")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        url, key, ids = prepare(tmp)
        script = tmp / "load.lua"
        quoted = ",".join(f'"{i}"' for i in ids)
        script.write_text(LUA % {"ids": quoted, "key": key, "pace": ""})
        # Paced: each client waits PACE_MS between answer and next request (~2,000 req/s in all),
        # so latency is measured at the target rate, not at saturation (where, with 16 clients,
        # latency is just 16 / throughput by Little's law).
        paced = tmp / "paced.lua"
        paced.write_text(
            LUA % {"ids": quoted, "key": key, "pace": f"delay = function() return {PACE_MS} end"}
        )
        port = 18_000 + os.getpid() % 1000
        for workers in (1, 2):
            base_srv = _Server(url, port, workers, cache=False)
            try:
                wrk(base_srv.url, script, 2)  # warm-up
                base = wrk(base_srv.url, script, seconds)
            finally:
                base_srv.stop()
            show(f"baseline: {workers} worker(s), verdict cache off", base)
            srv = _Server(url, port, workers, cache=True)
            try:
                wrk(srv.url, script, 3)  # warm-up: fills the verdict cache
                hot = wrk(srv.url, script, seconds)
            finally:
                srv.stop()
            show(f"{workers} worker(s), verdict cache on (saturated)", hot, base)
            srv = _Server(url, port, workers, cache=True)
            try:
                wrk(srv.url, script, 3)
                steady = wrk(srv.url, paced, seconds)
            finally:
                srv.stop()
            show(f"{workers} worker(s), cache on, paced to ~2,000 req/s", steady)


def _soak(url: str, key: str, script: Path, port: int) -> None:
    n = 1_000_000
    body = sample_inventory_csv(n, start=0x1000_0000)
    srv = _Server(url, port, 2, cache=True)
    outcome: dict[str, object] = {}

    def run_import() -> None:
        t0 = time.perf_counter()
        r = httpx.post(
            srv.url + "/v1/inventory/imports",
            content=body,
            headers={"Authorization": f"Bearer {key}", "content-type": "text/csv"},
            timeout=600,
        )
        outcome.update(status=r.status_code, seconds=time.perf_counter() - t0, body=r.json())

    try:
        wrk(srv.url, script, 3)
        importer = threading.Thread(target=run_import)
        importer.start()
        time.sleep(1)
        during = wrk(srv.url, script, 60)
        importer.join(600)
    finally:
        srv.stop()
    show("60 s of load during a 1,000,000-hub import", during)
    print(
        f"  the import: HTTP {outcome.get('status')} in {outcome.get('seconds', 0):.1f} s: {outcome.get('body')}"
    )
    store = Store(url)
    imported = store.inventory_frame("Northwind Energy").filter(
        pl.col("device_id") >= "00-00-00-00-10-00-00-00"
    )
    expected = read_inventory(body, source="soak.csv").frame.sort("device_id")
    same = imported.height == n and imported.equals(expected)
    print(f"  rows after the import: {imported.height:,} of {n:,}; every row as sent: {same}", flush=True)


# -- issue 12: 1 and 2 workers on SQLite and PostgreSQL --------------------------------------

#: A PostgreSQL server to make a throw-away database in, as an SQLAlchemy URL to one of its
#: databases (e.g. postgresql+psycopg://hubcheck:hubcheck@127.0.0.1/postgres).
POSTGRES_ENV = "HUBCHECK_BENCH_POSTGRES"
MATRIX_HUBS = 20_000
MATRIX_ASKED = 1_000  # distinct hubs: the warm-up caches them all in each worker (see _warm)

POST_LUA = (
    """
local key = "%(key)s"
local firmware = {"01000000", "01020000", "02000000", "02020000", "03000000", "03010000"}
local status = {"Pending", "Pending", "Pending", "InstalledNotCommissioned", "Withdrawn"}
math.randomseed(42)
-- a different hub each request: its own Device ID, firmware, status and date (no two bodies alike)
request = function()
  local body = string.format('{"device_id": "00-DB-%%02X-%%02X-%%02X-%%02X-%%02X-%%02X", "manufacturer": "F0A1", ' ..
    '"model": "A1010100", "firmware": "%%s", "status": "%%s", "status_since": "20%%02d-%%02d-%%02d", ' ..
    '"install_date": "2026-11-28"}',
    math.random(0, 255), math.random(0, 255), math.random(0, 255), math.random(0, 255),
    math.random(0, 255), math.random(0, 255), firmware[math.random(#firmware)],
    status[math.random(#status)], math.random(20, 26), math.random(1, 12), math.random(1, 28))
  return wrk.format("POST", "/v1/eligibility",
                    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
"""
    + _DONE
)


def probe_cost(url: str, n: int = 3000) -> float:
    """Microseconds one read of the change counters takes (what every request pays for freshness)."""
    store = Store(url)
    probe = _Probe(store)
    probe()
    t0 = time.perf_counter()
    for _ in range(n):
        probe()
    took = (time.perf_counter() - t0) / n * 1e6
    store.engine.dispose()
    return took


def rebuild_cost(url: str) -> str:
    """How long a worker takes to rebuild its reference snapshot after another imported a CPL.

    Until then it keeps answering from the old snapshot; this is the lag of a CPL or catalogue
    change (a key or inventory change needs no rebuild: the next request reads it).
    """
    store = Store(url)
    t0 = time.perf_counter()
    snap = build_snapshot(store, store.generation()[1], EngineSettings(), date.today())
    ms = (time.perf_counter() - t0) * 1000
    store.engine.dispose()
    return f"{ms:.0f} ms ({len(snap.require().reference.device_models())} hub models)"


def real_rebuild_cost(tmp: Path) -> str:
    """:func:`rebuild_cost` for the real CPL v2.051 (with its Version Control history), in an SQLite store."""
    url = f"sqlite:///{tmp / 'real.sqlite'}"
    real = shared_data_dir() / "cpl"
    Store(url).import_cpl(
        read_cpl(
            real / "CPL_v2.051_2022-09-21__sheet_Central_Products_List.csv",
            real / "CPL_v2.051_2022-09-21__sheet_Version_Control.csv",
        )
    )
    return rebuild_cost(url)


@contextmanager
def _postgres_db() -> Iterator[str | None]:
    """A fresh database on HUBCHECK_BENCH_POSTGRES's server, dropped afterwards; None when unset."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        yield None
        return
    from api.store.scratch import scratch_database

    with scratch_database(server, "hubcheck_bench") as url:
        yield url


def _met(route: str, r: dict[str, float]) -> bool:
    """Whether a row meets issue 11's target: p99 < 5 ms, and for POST 3,000 req/s too."""
    return r["p99_us"] < 5000 and (route != "POST" or r["rps"] >= 3000)


def _figure(r: dict[str, float]) -> str:
    return f"{r['rps']:,.0f} req/s, p99 {r['p99_us'] / 1000:.1f} ms"


#: The floor's rows, by (route, workers), as :func:`_floor_rows` measured them.
_FLOOR: dict[tuple[str, int], dict[str, float]] = {}


def _record(what: str, route: str, workers: int, r: dict[str, float]) -> None:
    floor = _FLOOR.get((route, workers))
    targets.record(
        f"{what}, {CONNECTIONS} connections",
        _figure(r),
        ">= 3,000 req/s, p99 < 5 ms" if route == "POST" else "p99 < 5 ms",
        _met(route, r),
        ".venv/bin/python -m bench.service --workers",
        floor=None if floor is None else f"bare ASGI app: {_figure(floor)}",
    )


def _target(route: str, r: dict[str, float]) -> str:
    """The issue-11 target beside a row, and whether the row meets it."""
    verdict = "met" if _met(route, r) else "missed"
    if route == "POST":
        return f"target >=3,000 req/s, p99 <5 ms: {verdict}"
    return f"target p99 <5 ms: {verdict}"


def workers_matrix(seconds: int = 3) -> None:
    """req/s and p99 with 1 and 2 workers, SQLite and PostgreSQL, hot GET and POST /v1/eligibility."""
    print(
        f"== service: 1 and 2 workers, {CONNECTIONS} connections at saturation (wrk, {seconds} s a row, "
        f"{MATRIX_HUBS:,} hubs, {MATRIX_ASKED:,} asked) ==",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as d, _postgres_db() as pg_url:
        tmp = Path(d)
        _backend_rows("SQLite", f"sqlite:///{tmp / 'matrix.sqlite'}", tmp, seconds)
        if pg_url is None:
            print(
                f"PostgreSQL: skipped; set {POSTGRES_ENV}=postgresql+psycopg://USER:PASSWORD@HOST/postgres "
                "(a server where USER may create a database) to run its rows",
                flush=True,
            )
        else:
            _backend_rows("PostgreSQL", pg_url, tmp, seconds)


def _warm(url: str, workers: int, key: str, ids: list[str]) -> None:
    """Ask every worker about every hub once, so the measured GETs are the cached hot path.

    A keep-alive connection stays with the worker that accepted it (``/readyz`` names its pid
    in ``X-Hubcheck-Worker``): connections are opened until each worker holds one.
    """
    clients: dict[int, httpx.Client] = {}
    try:
        deadline = time.monotonic() + 60
        while len(clients) < workers and time.monotonic() < deadline:
            client = httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_connections=1))
            pid = int(client.get("/readyz").headers[WORKER_HEADER])
            if pid in clients:
                client.close()
            else:
                clients[pid] = client
        auth = {"Authorization": f"Bearer {key}"}
        for client in clients.values():
            for i in ids:
                client.get(
                    f"/v1/hubs/{i}/eligibility?install_date=2026-11-28", headers=auth
                ).raise_for_status()
    finally:
        for client in clients.values():
            client.close()


def _backend_rows(name: str, url: str, tmp: Path, seconds: int) -> None:
    url, key, ids = prepare(tmp, url, MATRIX_HUBS, MATRIX_ASKED)
    every = "at most every 5 ms" if name == "SQLite" else "at most every 50 ms"
    print(f"{name}: one read of the change counters ({every}) costs {probe_cost(url):.0f} µs", flush=True)
    get = tmp / f"get-{name}.lua"
    get.write_text(LUA % {"ids": ",".join(f'"{i}"' for i in ids), "key": key, "pace": ""})
    post = tmp / f"post-{name}.lua"
    post.write_text(POST_LUA % {"key": key})
    port = 19_000 + os.getpid() % 1000
    if not _FLOOR:
        _floor_rows(url, key, ids[0], tmp, {"GET": get, "POST": post}, port, seconds)
    for workers in (1, 2):
        srv = _Server(url, port, workers, cache=True)
        try:
            _warm(srv.url, workers, key, ids)
            for route, script in (("GET", get), ("POST", post)):
                wrk(srv.url, script, 1)  # warm-up: connections made, code paths run
                r = wrk(srv.url, script, seconds)
                label = "GET /v1/hubs/{id}/eligibility" if route == "GET" else "POST /v1/eligibility"
                show(f"{name}, {workers} worker(s), {label}", r)
                print(f"{'':<44} {_target(route, r)}", flush=True)
                _record(f"{label}, {name}, {workers} worker(s)", route, workers, r)
        finally:
            srv.stop()
    print(
        f"{name}: after a CPL import elsewhere, a worker rebuilds its reference in {rebuild_cost(url)}",
        flush=True,
    )
    if name == "SQLite":
        print(f"{name}: the same for the real CPL v2.051: {real_rebuild_cost(tmp)}", flush=True)


def _floor_rows(
    url: str, key: str, device_id: str, tmp: Path, scripts: dict[str, Path], port: int, seconds: int
) -> None:
    """The stack's floor: the bare ASGI app, answering a real verdict document's bytes, under the
    same uvicorn settings, load and wrk scripts as the rows it stands beside."""
    srv = _Server(url, port, 1, cache=True)
    try:
        document = httpx.get(
            f"{srv.url}/v1/hubs/{device_id}/eligibility?install_date=2026-11-28",
            headers={"Authorization": f"Bearer {key}"},
        )
        document.raise_for_status()
    finally:
        srv.stop()
    body = tmp / "floor-body.json"
    body.write_bytes(document.content)
    for workers in (1, 2):
        srv = _Server(url, port, workers, cache=True, floor=body)
        try:
            for route, script in scripts.items():
                wrk(srv.url, script, 1)
                r = _FLOOR[route, workers] = wrk(srv.url, script, seconds)
                show(f"floor: bare ASGI app, {workers} worker(s), {route}", r)
        finally:
            srv.stop()


if __name__ == "__main__":
    if "--workers" in sys.argv:
        workers_matrix()
    else:
        main(soak="--soak" in sys.argv)
