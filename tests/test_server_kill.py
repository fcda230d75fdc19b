"""A server killed with SIGKILL in the middle of an import restarts with every committed change and
nothing of the import it was running: the import is all there or not there at all."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import httpx
import pytest

from api.store import Store
from cpl_data.sample import sample_inventory_csv
from tests.service_support import GREEN, Server, demo_store

N = 150_000


@pytest.mark.slow
def test_sigkill_mid_import_keeps_committed_data_and_no_half_import(tmp_path: Path) -> None:
    db = tmp_path / "hubcheck.sqlite"
    url = f"sqlite:///{db}"
    store, keys = demo_store(url, tmp_path)
    committed = store.inventory_frame()
    events_before = len(store.audit_events(1000))
    store.engine.dispose()
    body = sample_inventory_csv(N)
    server = Server(url)
    try:
        # a committed change made through the server: it must survive the kill
        small = sample_inventory_csv(3, start=0x9_0000)
        r = httpx.post(
            server.url + "/v1/inventory/imports",
            content=small,
            headers={**keys.auth("dcc"), "content-type": "text/csv"},
            timeout=30,
        )
        assert r.status_code == 201
        wal = Path(str(db) + "-wal")
        baseline = wal.stat().st_size if wal.exists() else 0

        def send() -> None:
            with contextlib.suppress(httpx.TransportError):  # the server dies under it, as intended
                httpx.post(
                    server.url + "/v1/inventory/imports",
                    content=body,
                    headers={**keys.auth("dcc"), "content-type": "text/csv"},
                    timeout=60,
                )

        t = threading.Thread(target=send)
        t.start()
        # kill once the import is writing the store (the WAL grows), i.e. inside its transaction
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > baseline + 2_000_000:
                break
            time.sleep(0.002)
        server.kill()
        t.join(60)
    finally:
        server.stop()

    after = Store(url)
    with after.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    count = after.inventory_count()
    imports = [
        e for e in after.audit_events(1000) if e["event"] == "inventory_import" and e["status"] == "committed"
    ]
    assert count in (len(committed) + 3, len(committed) + 3 + N), count
    print(
        f"after the kill: {count} devices ({'import cut off' if count == len(committed) + 3 else 'import had committed'})"
    )
    if count == len(committed) + 3:  # cut off: none of its rows, no record of it
        assert len(imports) == 2
    else:  # it had committed just before the kill: all of it, recorded
        assert imports[0]["counts"]["rows"] == N
    frame = after.inventory_frame()
    assert committed.join(frame, on="device_id", how="anti").height == 0  # nothing committed was lost
    assert len(after.audit_events(1000)) >= events_before + 1
    restarted = Server(url)
    try:
        r = httpx.get(f"{restarted.url}/v1/hubs/{GREEN}/eligibility", headers=keys.auth("dcc"), timeout=10)
        assert r.status_code == 200
    finally:
        restarted.stop()
