"""Several server processes on one store: what one commits, every other serves within a second.

Three worker processes share one store (PostgreSQL, and an SQLite file in WAL mode): the two of
``hubcheck serve --workers 2`` and a separate ``hubcheck serve`` on another port. The test holds
a keep-alive connection to each process (told apart by the pid ``/readyz`` names in
``X-Hubcheck-Worker``), so it chooses which worker answers. Each worker first answers (and
caches: the caller's key, the hub's verdict) from the old state; then one change is committed
and every other worker must serve the new state within a second of the commit:

- a key revoked (as ``hubcheck keys revoke`` does, in this test's process): refused (401) by all;
- a newer CPL imported over HTTP through one worker: read (the verdict's CPL version) through the others;
- a catalogue change through the separate server: read through both workers of the other;
- a hub's new firmware imported through one worker: its verdict changes on the others (the
  verdict cache of the old state is not answered from).

Each change must move the store's counters, which every request reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.app.routes.health import WORKER_HEADER
from api.store import Store
from tests.service_support import GPF_OF_GREEN, GREEN, NORTH, SAMPLE_DIR, D, Keys, Server, demo_store

#: The issue's bound: every worker serves a commit within a second of it (a correctness bound).
FRESH_S = 1.0
HUB = f"/v1/hubs/{GREEN}/eligibility?install_date={D}"


class Worker:
    """A keep-alive connection held to one server process (re-made if the server closes it)."""

    def __init__(self, server: Server, pid: int, client: httpx.Client) -> None:
        self.server, self.pid, self.client = server, pid, client

    def __repr__(self) -> str:
        return f"worker {self.pid} on port {self.server.port}"

    def reaches_it(self) -> bool:
        """Whether this connection still reaches the process (uvicorn closes idle ones after 5 s)."""
        return _pid(self.client) == self.pid

    def pin(self) -> None:
        """Make sure the connection reaches the process, opening new ones until one does."""
        if self.reaches_it():
            return
        self.client.close()
        for _ in range(200):
            client = _client(self.server)
            if _pid(client) == self.pid:
                self.client = client
                return
            client.close()
        raise AssertionError(f"no connection reached {self} again")

    def verdict(self, key: str) -> httpx.Response:
        """GET the demo hub's verdict (the cached hot path once the worker has judged it)."""
        return self.client.get(HUB, headers={"Authorization": f"Bearer {key}"})

    def close(self) -> None:
        self.client.close()


def _client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10, limits=httpx.Limits(max_connections=1))


def _pid(client: httpx.Client) -> int:
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    return int(r.headers[WORKER_HEADER])


def _workers(server: Server, count: int, timeout: float = 60.0) -> list[Worker]:
    """One connection to each of the server's ``count`` worker processes."""
    found: dict[int, Worker] = {}
    deadline = time.monotonic() + timeout
    while len(found) < count:
        assert time.monotonic() < deadline, f"only {len(found)} of {count} workers answered on {server.url}"
        client = _client(server)
        pid = _pid(client)
        if pid in found:
            client.close()
            time.sleep(0.05)  # the other worker may still be starting
        else:
            found[pid] = Worker(server, pid, client)
    return list(found.values())


def _within_a_second(
    workers: list[Worker], committed: float, what: str, check: Callable[[Worker], bool]
) -> None:
    """Each worker passes ``check`` within FRESH_S of the commit (asked on its own connection).

    Only ``check``'s own requests reach a worker until it passes (``/readyz`` would read the
    counters for it); that the answers came from that worker is verified after.
    """
    deadline = committed + FRESH_S
    for w in workers:
        while not check(w):
            assert time.monotonic() < deadline, f"{w} still serves the old state {FRESH_S} s after {what}"
            time.sleep(0.01)
        assert w.reaches_it(), f"the connection to {w} moved to another process"


def _moved(store: Store, before: tuple[int, int], *, reference: bool) -> tuple[int, int]:
    """The counters after a change: the change counter moved, the reference one iff reference data changed."""
    after = store.generation()
    assert after[0] > before[0], f"the change counter did not move: {before} -> {after}"
    assert (after[1] > before[1]) == reference, f"reference counter: {before} -> {after}"
    return after


def _post(
    every: list[Worker], through: Worker, path: str, body: str, auth: dict[str, str], ctype: str
) -> float:
    """POST a change through one worker, each connection pinned first; when it was committed."""
    for w in every:
        w.pin()
    r = through.client.post(path, content=body, headers={**auth, "content-type": ctype})
    committed = time.monotonic()
    assert r.status_code == 201, r.text
    return committed


def _cpl_of(w: Worker, key: str) -> str:
    r = w.verdict(key)
    assert r.status_code == 200, r.text
    return str(r.json()["reference"]["cpl_version"])


@pytest.fixture
def workers(store_url: str, tmp_path: Path) -> Iterator[tuple[Store, Keys, list[Worker]]]:
    """The demo store and a connection to each of three workers: two of one server, one of another."""
    store, keys = demo_store(store_url, tmp_path)
    servers = [Server(store_url, workers=2, wait=False), Server(store_url, wait=False)]
    held: list[Worker] = []
    try:
        for s in servers:
            s.wait_ready(timeout=90)
        held = _workers(servers[0], 2) + _workers(servers[1], 1)
        yield store, keys, held
    finally:
        for w in held:
            w.close()
        for s in servers:
            s.stop()
        store.engine.dispose()


def test_every_worker_serves_what_another_committed(
    workers: tuple[Store, Keys, list[Worker]], tmp_path: Path
) -> None:
    store, keys, (a1, a2, b) = workers
    every = [a1, a2, b]
    gen = store.generation()
    for w in every:  # each judges the hub twice: the second answer comes from its caches
        for _ in range(2):
            r = w.verdict(keys.installer)
            assert r.status_code == 200, r.text
            assert r.json()["verdict"] == "ELIGIBLE"
        assert _cpl_of(w, keys.dcc) == "1.19"
        assert w.client.get("/readyz").json()["generation"] == gen[0]

    # a key revoked: refused by every worker that had it cached
    for w in every:
        w.pin()
    store.revoke_key(keys.installer)  # what `hubcheck keys revoke` runs
    committed = time.monotonic()
    gen = _moved(store, gen, reference=False)
    _within_a_second(
        every, committed, "the key's revocation", lambda w: w.verdict(keys.installer).status_code == 401
    )

    # a newer CPL through a1: a1 answers with it at once, a2 and b within a second
    cpl = (
        (SAMPLE_DIR / "sample-cpl.csv")
        .read_text()
        .replace("Version 1.19 Issued on 15-10-2026", "Version 1.20 Issued on 20-11-2026")
    )
    committed = _post(every, a1, "/v1/cpl/imports", cpl, keys.auth("admin"), "text/csv")
    gen = _moved(store, gen, reference=True)
    assert _cpl_of(a1, keys.dcc) == "1.20"
    _within_a_second([a2, b], committed, "CPL 1.20's import", lambda w: _cpl_of(w, keys.dcc) == "1.20")

    # a catalogue change through the other server: both workers of the first serve it
    cat = (
        (SAMPLE_DIR / "sample-catalogue.toml")
        .read_text()
        .replace("sample catalogue 2026-11", "catalogue 2026-12")
    )
    committed = _post(every, b, "/v1/catalogue/imports", cat, keys.auth("admin"), "application/toml")
    gen = _moved(store, gen, reference=True)

    def new_catalogue(w: Worker) -> bool:
        got = w.verdict(keys.dcc)
        return got.status_code == 200 and got.json()["reference"]["catalogue"] == "catalogue 2026-12"

    _within_a_second([a1, a2], committed, "the catalogue's import", new_catalogue)

    # the hub's new firmware through a2: its cached verdict is not answered by a1 or b
    for w in every:
        assert w.verdict(keys.dcc).json()["verdict"] == "ELIGIBLE"  # judged, then cached, in the new state
    row = f"{GREEN},{GPF_OF_GREEN},CHF,F0A1,A1010100,02000000,Pending,2026-09-01,{NORTH}\n"
    header = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,supplier\n"
    committed = _post(every, a2, "/v1/inventory/imports", header + row, keys.auth("supplier"), "text/csv")
    gen = _moved(store, gen, reference=False)
    _within_a_second(
        [a1, b],
        committed,
        "the hub's import",
        lambda w: w.verdict(keys.dcc).json()["verdict"] == "ELIGIBLE_AFTER_UPGRADE",
    )

    # every worker now serves the store's committed state
    for w in every:
        assert w.client.get("/readyz").json()["generation"] == gen[0]


@pytest.mark.parametrize("db", ["sqlite://", "sqlite:///:memory:"])
def test_workers_refuse_a_store_in_memory(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each worker would open its own empty database: refused before any starts, without a traceback."""
    from api.cli import main

    assert main(["--db", db, "serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers 2: the store" in err
    assert "in-memory SQLite" in err
    assert "PostgreSQL URL" in err
    assert "Traceback" not in err


def test_serve_never_prints_the_store_password(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn
    from sqlalchemy.engine import make_url

    from api.cli import main

    started: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: started.append(kw))
    password = make_url(postgres_url).password
    assert password  # the test server's URL carries one
    assert main(["--db", postgres_url, "serve", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    assert started, "the server was not started"
    assert "hubcheck serving postgresql+psycopg://" in out
    assert f":{password}@" not in out
    assert "***" in out


def test_staleness_is_bounded_by_the_setting(store_url: str, tmp_path: Path) -> None:
    """A worker reads the counters at most every 5 ms on SQLite and every 50 ms on a server by
    default; HUBCHECK_MAX_STALENESS_MS sets the bound, and a commit is served once it has passed."""
    from api.app import Settings
    from api.app.service import SERVER_STALENESS_MS, SQLITE_STALENESS_MS, Service

    store, keys = demo_store(store_url, tmp_path)
    services: list[Service] = []
    try:
        services.append(default := Service(Settings(db=store_url), store))
        want = SQLITE_STALENESS_MS if store.engine.dialect.name == "sqlite" else SERVER_STALENESS_MS
        assert default._staleness_s == want / 1000
        services.append(slow := Service(Settings(db=store_url, max_staleness_ms=400), store))
        services.append(fresh := Service(Settings(db=store_url, max_staleness_ms=0), store))
        for svc in (slow, fresh):
            assert svc.principal(svc.current(), keys.installer) is not None
        store.revoke_key(keys.installer)
        committed = time.monotonic()
        assert fresh.principal(fresh.current(), keys.installer) is None  # read at once
        assert slow.principal(slow.current(), keys.installer) is not None  # within its bound: the old view
        while slow.principal(slow.current(), keys.installer) is not None:
            assert time.monotonic() - committed < 0.4 + 0.2, "still the old view past the bound"
            time.sleep(0.01)
    finally:
        for svc in services:
            svc.close()
        store.engine.dispose()
