"""What the service tests share: a demo inventory of two suppliers on the sample CPL, keys per role."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from api.app.service import SQLITE_STALENESS_MS
from api.store import Store
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.inventory import read_inventory

__all__ = [
    "CHECK_BODY",
    "DEMO_CSV",
    "NORTH",
    "SOUTH",
    "D",
    "Keys",
    "Server",
    "demo_store",
    "free_port",
    "past_the_bound",
    "served_demo",
]


def past_the_bound() -> None:
    """Wait out a service's default staleness bound on SQLite: its next request reads the store's
    counters again, so it serves a commit made behind its back (by the test's own Store)."""
    time.sleep(2 * SQLITE_STALENESS_MS / 1000)


#: The install date the tests judge at (the sample CPL is issued 2026-10-15).
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"
D = date(2026, 11, 28)
NORTH = "Northwind Energy"
SOUTH = "Southern Power"

#: Hubs of the sample CPL's F0A1/A1010100 (window at D: N-1=02020000, N=03000000, N+1=03010000).
#: GREEN: in the window, Pending since recently -> ELIGIBLE.
#: AMBER: 02000000 is outside the window, one hop up -> ELIGIBLE_AFTER_UPGRADE.
#: RED: Pending since 2025-01-10 -> removed from the SMI on 2026-01-10 -> NOT_ELIGIBLE.
#: SOUTH_HUB belongs to the other supplier.
GREEN = "00-DB-12-34-56-78-90-A0"
AMBER = "00-DB-12-34-56-78-90-B0"
RED = "00-DB-12-34-56-78-90-C0"
GPF_OF_GREEN = "00-DB-12-34-56-78-90-A1"
SOUTH_HUB = "00-DB-12-34-56-78-90-D0"
#: A well-formed ad-hoc check (``POST /v1/eligibility``): GREEN's model at 01000000, two hops
#: below the window, Pending since 2026-03-01 -> ELIGIBLE_AFTER_UPGRADE at D.
CHECK_BODY = {
    "device_id": GREEN,
    "manufacturer": "F0A1",
    "model": "A1010100",
    "firmware": "01000000",
    "status": "Pending",
    "status_since": "2026-03-01",
    "install_date": D.isoformat(),
}
DEMO_CSV = f"""device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,supplier
{GREEN},{GPF_OF_GREEN},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{NORTH}
{GPF_OF_GREEN},,GPF,F0A1,A1010100,03000000,Pending,2026-09-01,{NORTH}
{AMBER},,CHF,F0A1,A1010100,02000000,Pending,2026-06-01,{NORTH}
{RED},,CHF,F0A1,A1010100,03000000,Pending,2025-01-10,{NORTH}
{SOUTH_HUB},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{SOUTH}
"""


@dataclass(frozen=True)
class Keys:
    """One key per role (installer and supplier of NORTH, a supplier of SOUTH, dcc, admin)."""

    installer: str
    supplier: str
    south: str
    dcc: str
    admin: str

    def auth(self, role: str) -> dict[str, str]:
        """The Authorization header for a role's key."""
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def demo_store(db_url: str, tmp: Path) -> tuple[Store, Keys]:
    """A store with the sample CPL, its catalogue, the demo inventory and a key per role."""
    store = Store(db_url)
    store.import_cpl(read_cpl(SAMPLE_DIR / "sample-cpl.csv", SAMPLE_DIR / "sample-cpl-version-control.csv"))
    store.import_catalogue(read_catalogue(SAMPLE_DIR / "sample-catalogue.toml", store.load_cpl()))
    inv = tmp / "demo-inventory.csv"
    inv.write_text(DEMO_CSV)
    store.import_inventory(read_inventory(inv))
    keys = Keys(
        installer=store.create_key("installer", NORTH)[1],
        supplier=store.create_key("supplier", NORTH)[1],
        south=store.create_key("supplier", SOUTH)[1],
        dcc=store.create_key("dcc")[1],
        admin=store.create_key("admin")[1],
    )
    return store, keys


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served_demo(tmp: Path) -> Iterator[tuple[Server, Keys]]:
    """``hubcheck serve`` over a demo store in ``tmp``; stopped on exit."""
    url = f"sqlite:///{tmp / 'hubcheck.sqlite'}"
    _, keys = demo_store(url, tmp)
    server = Server(url)
    try:
        yield server, keys
    finally:
        server.stop()


class Server:
    """``hubcheck serve`` in a child process on a free loopback port (killed by ``stop``)."""

    def __init__(self, db_url: str, *, workers: int = 1, wait: bool = True) -> None:
        """Start it; with ``wait=False`` the caller calls :meth:`wait_ready` (to start several at once)."""
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-c", "from api.cli import main; main()", "--db", db_url, "serve"]
        cmd += ["--port", str(self.port), "--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until /healthz answers; raises RuntimeError with the server's stderr if it died."""
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"the server exited with {self.proc.returncode}: {err}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer /healthz in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs."""
        import signal

        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        """Terminate and reap the process."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stderr:
            self.proc.stderr.close()
