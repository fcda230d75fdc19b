"""Timing tells: does "another supplier's hub" answer at the speed of "no such hub"? (issue 10, item 3)

A served store holds supplier B's hubs (each a CHF with its GPF row). Supplier A's key asks,
over one keep-alive connection to ``hubcheck serve``, for B's hubs and for Device IDs nobody
holds, interleaved (each pair in alternating order, so drift cancels), in two phases:

- **uncached**: nobody has asked for B's hub before;
- **after B read it**: B's key asks for its hub (its verdict is cached for B) just before A does.

Both must be the same 404 after the same work: the medians should differ by less than
0.2 ms. Each phase also prints the "missing" requests' odd against even medians: what noise
alone does on this machine at this moment (on a loaded machine it exceeds the target). Run: ``.venv/bin/python -m bench.isolation [--requests 200]`` (part of ``make bench``).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from api.store import Store
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.inventory import read_inventory

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
TARGET_MS = 0.2
HEAD = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,supplier\n"


def _eui(prefix: int, n: int) -> str:
    raw = f"{prefix:02X}{n:014X}"
    return "-".join(raw[i : i + 2] for i in range(0, 16, 2))


def prepare(tmp: Path, hubs: int) -> tuple[str, str, str, list[str], list[str]]:
    """A store with B's ``hubs`` hubs and one hub of A; returns (url, A's key, B's key, B's ids, missing ids)."""
    url = f"sqlite:///{tmp / 'isolation.sqlite'}"
    store = Store(url)
    store.import_cpl(read_cpl(SAMPLE / "sample-cpl.csv", SAMPLE / "sample-cpl-version-control.csv"))
    store.import_catalogue(read_catalogue(SAMPLE / "sample-catalogue.toml", store.load_cpl()))
    theirs = [_eui(0x20, i) for i in range(hubs)]
    rows = [HEAD]
    for i, chf in enumerate(theirs):
        gpf = _eui(0x21, i)
        rows.append(f"{chf},{gpf},CHF,F0A1,A1010100,03000000,Pending,2026-06-01,Southern Power\n")
        rows.append(f"{gpf},,GPF,F0A1,A1010100,03000000,Pending,2025-01-10,Southern Power\n")
    rows.append(f"{_eui(0x10, 1)},,CHF,F0A1,A1010100,03000000,Pending,2026-06-01,Northwind Energy\n")
    store.import_inventory(read_inventory("".join(rows).encode(), source="isolation.csv"))
    a = store.create_key("supplier", "Northwind Energy")[1]
    b = store.create_key("supplier", "Southern Power")[1]
    store.engine.dispose()
    return url, a, b, theirs, [_eui(0x30, i) for i in range(hubs)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-c",
        "from api.cli import main; main()",
        "--db",
        url,
        "serve",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def _ask(client: httpx.Client, key: str, device: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = client.get(
        f"/v1/hubs/{device}/eligibility?install_date=2026-11-28", headers={"Authorization": f"Bearer {key}"}
    )
    return time.perf_counter() - t0, r.status_code


def measure(
    client: httpx.Client, a: str, b: str, theirs: list[str], missing: list[str], *, warm: bool
) -> dict[str, float]:
    """Median ms of A asking for B's hubs and for missing ids, interleaved; B reads each first when ``warm``."""
    times: dict[str, list[float]] = {"theirs": [], "missing": []}
    for i, (hub, nobody) in enumerate(zip(theirs, missing, strict=True)):
        if warm:
            assert _ask(client, b, hub)[1] == 200
        pair = [("theirs", hub), ("missing", nobody)]
        for kind, device in pair if i % 2 == 0 else reversed(pair):
            seconds, status = _ask(client, a, device)
            assert status == 404, (kind, device, status)
            times[kind].append(seconds)
    out = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    # the same kind against itself (odd against even requests): how far apart noise alone puts medians
    out["noise"] = (
        statistics.median(times["missing"][::2]) - statistics.median(times["missing"][1::2])
    ) * 1e3
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the medians of both phases and whether their difference is within the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind in each phase")
    n = parser.parse_args(argv).requests
    with tempfile.TemporaryDirectory(prefix="hubcheck-isolation-") as tmp:
        url, a, b, theirs, missing = prepare(Path(tmp), 2 * n + 20)
        port = _free_port()
        proc = _serve(url, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                measure(client, a, b, theirs[-20:], missing[-20:], warm=False)  # the key, the connection
                print(
                    f"A asks for B's hub and for a hub nobody holds: {n} interleaved requests of each, medians"
                )
                for name, warm, part in (
                    ("uncached", False, slice(0, n)),
                    ("after B read it", True, slice(n, 2 * n)),
                ):
                    m = measure(client, a, b, theirs[part], missing[part], warm=warm)
                    diff = m["theirs"] - m["missing"]
                    verdict = "within" if abs(diff) <= TARGET_MS else "OUTSIDE"
                    print(
                        f"  {name:<16} B's hub {m['theirs']:7.3f} ms   nobody's {m['missing']:7.3f} ms   "
                        f"difference {diff:+7.3f} ms ({verdict} the {TARGET_MS} ms target; "
                        f"nobody's against itself {m['noise']:+.3f} ms)",
                        flush=True,
                    )
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
