"""The service under load: GET eligibility with 16 concurrent clients over loopback (wrk).

- the hot GET with the verdict cache, against a baseline run of the same server with the cache
  off (every request reads the hub and judges it), for 1 and 2 server processes;
- ``--soak``: the same load held for 60 s while a 1,000,000-hub inventory import runs through
  the API; then every imported row is checked (none lost or half-written).

Targets (issue 5): p50 < 2 ms, p99 < 10 ms, >= 2,000 requests a second, zero errors.
Run: ``make bench`` (without the soak) or ``.venv/bin/python -m bench.service [--soak]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import polars as pl

from api.store import Store
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.inventory import read_inventory
from cpl_data.sample import sample_inventory_csv

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
HUBS = 100_000
ASKED = 10_000  # distinct hubs the load asks about
CONNECTIONS = 16
PACE_MS = 6  # per client: 16 clients / (6 ms + latency) ~ 2,400 req/s at most

LUA = """
local ids = {%(ids)s}
local key = "%(key)s"
math.randomseed(42)
%(pace)s
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/hubs/" .. id .. "/eligibility?install_date=2026-11-28",
                    {["Authorization"] = "Bearer " .. key})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "errors": %%d, "non_2xx": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def prepare(tmp: Path) -> tuple[str, str, list[str]]:
    """A store with the sample reference data and HUBS hubs; returns (url, dcc key, ids asked)."""
    url = f"sqlite:///{tmp / 'bench.sqlite'}"
    store = Store(url)
    store.import_cpl(read_cpl(SAMPLE / "sample-cpl.csv", SAMPLE / "sample-cpl-version-control.csv"))
    store.import_catalogue(read_catalogue(SAMPLE / "sample-catalogue.toml", store.load_cpl()))
    data = sample_inventory_csv(HUBS, start=0x100000)
    store.import_inventory(read_inventory(data, source="bench.csv"))
    _, key = store.create_key("dcc")
    ids = store.inventory_frame()["device_id"].sample(ASKED, seed=1).to_list()
    store.engine.dispose()
    return url, key, ids


class _Server:
    def __init__(self, url: str, port: int, workers: int, cache: bool) -> None:
        env = {**os.environ, "HUBCHECK_VERDICT_CACHE": "200000" if cache else "0"}
        cmd = [sys.executable, "-c", "from api.cli import main; main()", "--db", url, "serve"]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
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
        if soak:
            _soak(url, key, script, port)


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


if __name__ == "__main__":
    main(soak="--soak" in sys.argv)
