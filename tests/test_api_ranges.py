"""No 500 anywhere (issue 10, items 6-7): finite numbers, one date grammar and range, bounded nesting.

| rule | test |
| --- | --- |
| tariffs are finite and bounded | ``test_tariffs_are_finite_and_bounded`` |
| every date in range, 1990-01-01 to 2100-12-31 | ``test_far_dates_are_refused_everywhere`` |
| a hub with a date out of range cannot be stored, and one stored before is harmless | ``test_a_far_status_date_*`` |
| a catalogue nested 10,000 deep is refused | ``test_a_deeply_nested_catalogue_is_refused`` |
| the hot path validates exactly as the route | ``test_the_cached_answer_validates_as_the_route`` |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.cli import main
from api.store import Store
from api.store.schema import inventory
from tests.service_support import AMBER, GREEN, Keys

Demo = tuple[Store, Keys]
CHECK = {"manufacturer": "F0A1", "model": "A1010100", "firmware": "03000000", "status_since": "2026-06-01"}


def _is_refusal(r: Any, status: int = 422) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"]


@pytest.mark.parametrize("tariff", ["Infinity", "inf", "-inf", "NaN", "1e308", "100001"])
def test_tariffs_are_finite_and_bounded(client: TestClient, demo: Demo, tariff: str) -> None:
    _, keys = demo
    r = client.get(f"/v1/charging/exclusions?date=2026-11-28&tariff={tariff}", headers=keys.auth("dcc"))
    _is_refusal(r)
    assert r.json()["field"] == "tariff"
    body = (
        f'{{"from": "2026-11-28", "tariff": {tariff if tariff[0].isdigit() else chr(34) + tariff + chr(34)}}}'
    )
    raw = client.post(
        "/v1/risk/queries",
        content=body.encode(),
        headers={**keys.auth("dcc"), "content-type": "application/json"},
    )
    _is_refusal(raw)
    # JSON's own non-standard literals are no way round it
    literal = client.post(
        "/v1/risk/queries",
        content=b'{"tariff": Infinity}',
        headers={**keys.auth("dcc"), "content-type": "application/json"},
    )
    _is_refusal(literal)


def test_a_tariff_in_range_is_taken(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    r = client.get("/v1/charging/exclusions?date=2026-11-28&tariff=2.5", headers=keys.auth("dcc"))
    assert r.status_code == 200
    assert r.json()["monthly_charge_gbp"] == 7.5  # 3 hubs in stock (2 Northwind, 1 Southern)


FAR = ["9999-12-31", "0001-01-01", "1900-01-01", "2101-01-01", "20261105", "20261128xx", "2026-W48-1"]


@pytest.mark.parametrize("far", FAR)
def test_far_dates_are_refused_everywhere(client: TestClient, demo: Demo, far: str) -> None:
    _, keys = demo
    dcc = keys.auth("dcc")
    answers = {
        "hub install_date": client.get(f"/v1/hubs/{GREEN}/eligibility?install_date={far}", headers=dcc),
        "check status_since": client.post(
            "/v1/eligibility", json={**CHECK, "status_since": far}, headers=dcc
        ),
        "check install_date": client.post(
            "/v1/eligibility", json={**CHECK, "install_date": far}, headers=dcc
        ),
        "check tsat": client.post("/v1/eligibility", json={**CHECK, "tsat_install_end": far}, headers=dcc),
        "check history": client.post(
            "/v1/eligibility",
            json={**CHECK, "status_history": f"Commissioned:{far};Pending:2026-06-01"},
            headers=dcc,
        ),
        "check gpf": client.post(
            "/v1/eligibility", json={**CHECK, "gpf": {"status": "Pending", "status_since": far}}, headers=dcc
        ),
        "batch install_date": client.post(
            f"/v1/eligibility/batch?install_date={far}",
            content=b"device_id,manufacturer,model,firmware\n00-DB-12-34-56-78-90-F0,F0A1,A1010100,03000000\n",
            headers={**dcc, "content-type": "text/csv"},
        ),
        "batch status_since": client.post(
            "/v1/eligibility/batch",
            content=f"device_id,manufacturer,model,firmware,status_since\n00-DB-12-34-56-78-90-F0,F0A1,A1010100,03000000,{far}\n".encode(),
            headers={**dcc, "content-type": "text/csv"},
        ),
        "versions date": client.get(f"/v1/cpl/models/F0A1/A1010100/versions?date={far}", headers=dcc),
        "charging date": client.get(f"/v1/charging/exclusions?date={far}", headers=dcc),
        "risk from": client.post("/v1/risk/queries", json={"from": far}, headers=dcc),
    }
    for name, r in answers.items():
        assert r.status_code == 422, (name, r.status_code, r.text[:300])
        assert r.json()["detail"], name


@pytest.mark.parametrize("far", ["9999-12-31", "2101-01-01", "1900-01-01"])
def test_a_far_status_date_cannot_be_stored(client: TestClient, demo: Demo, tmp_path: Path, far: str) -> None:
    store, keys = demo
    before = store.inventory_frame()
    rows = (
        "device_id,manufacturer,model,firmware,status,status_since,status_history,tsat_install_end\n"
        f"00-DB-12-34-56-78-90-E0,F0A1,A1010100,03000000,Pending,{far},,\n"
        f"00-DB-12-34-56-78-90-E1,F0A1,A1010100,03000000,Pending,2026-06-01,Commissioned:{far};Pending:2026-06-01,\n"
        f"00-DB-12-34-56-78-90-E2,F0A1,A1010100,03000000,Pending,2026-06-01,,{far}\n"
    )
    r = client.post(
        "/v1/inventory/imports",
        content=rows.encode(),
        headers={**keys.auth("supplier"), "content-type": "text/csv"},
    )
    _is_refusal(r)
    assert {p["row"] for p in r.json()["problems"]} == {2, 3, 4}
    path = tmp_path / "far.csv"
    path.write_text(rows)
    assert main(["--db", store.url, "inventory", "import", str(path), "--supplier", "Northwind Energy"]) == 2
    assert store.inventory_frame().equals(before)


def _store_far(store: Store, device: str, far: str = "9999-12-31") -> None:
    """What a store made by an older hubcheck may hold: a status date no import takes any more."""
    with store.engine.begin() as conn:
        from datetime import date

        conn.execute(
            update(inventory)
            .where(inventory.c.device_id == device)
            .values(status_since=date.fromisoformat(far))
        )


def test_a_far_status_date_stored_before_is_harmless(
    client: TestClient, demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    store, keys = demo
    _store_far(store, AMBER)
    for role in ("installer", "dcc"):
        r = client.get(f"/v1/hubs/{AMBER}/eligibility?install_date=2026-11-28", headers=keys.auth(role))
        _is_refusal(r)
        assert "9999-12-31" in r.json()["detail"]
    # the other hubs are judged as before, and the fleet reports still answer
    assert (
        client.get(
            f"/v1/hubs/{GREEN}/eligibility?install_date=2026-11-28", headers=keys.auth("dcc")
        ).status_code
        == 200
    )
    charging = client.get("/v1/charging/exclusions?date=2026-11-28", headers=keys.auth("dcc"))
    risk = client.post("/v1/risk/queries", json={"from": "2026-11-28"}, headers=keys.auth("dcc"))
    assert charging.status_code == risk.status_code == 200, (charging.text[:300], risk.text[:300])
    # the command line: exit 2 with a message, never a traceback or exit 1 (NOT_ELIGIBLE)
    capsys.readouterr()
    assert main(["--db", store.url, "check", AMBER, "--install-date", "2026-11-28"]) == 2
    out = capsys.readouterr()
    assert "9999-12-31" in out.err
    assert "Traceback" not in out.err + out.out


def test_a_deeply_nested_catalogue_is_refused(
    client: TestClient, demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, keys = demo
    deep = ("x = " + "[" * 10_000 + "]" * 10_000 + "\n").encode()
    r = client.post(
        "/v1/catalogue/imports",
        content=deep,
        headers={**keys.auth("dcc"), "content-type": "application/toml"},
    )
    _is_refusal(r)
    assert "nested" in r.json()["detail"]
    path = tmp_path / "deep.toml"
    path.write_bytes(deep)
    capsys.readouterr()
    assert main(["--db", store.url, "catalogue", "import", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["20261105", "2026-W45-4", "20261105xx"])
def test_the_cached_answer_validates_as_the_route(client: TestClient, demo: Demo, bad: str) -> None:
    _, keys = demo
    for role in ("installer", "dcc"):
        before = client.get(f"/v1/hubs/{GREEN}/eligibility?install_date={bad}", headers=keys.auth(role))
        ok = client.get(f"/v1/hubs/{GREEN}/eligibility?install_date=2026-11-05", headers=keys.auth(role))
        assert ok.status_code == 200  # now cached for 2026-11-05
        after = client.get(f"/v1/hubs/{GREEN}/eligibility?install_date={bad}", headers=keys.auth(role))
        assert before.status_code == after.status_code == 422, (role, after.text[:200])
        assert before.json() == after.json()


def test_the_cached_answer_reads_the_path_as_the_route(client: TestClient, demo: Demo) -> None:
    from tests.asgi_driver import drive

    _, keys = demo
    url = f"/v1/hubs/{GREEN}/eligibility?install_date=2026-11-28"
    assert client.get(url, headers=keys.auth("dcc")).status_code == 200  # now cached
    # a request for .../00%252DDB-... reaches the app as 00%2DDB-...: decoded once, by the server;
    # decoding it again would find the cached hub that the route (rightly) refuses to parse
    once = url.replace("-", "%2D", 1)
    app = client.app
    answer = drive(app, "GET", once, keys.auth("dcc"), total=0)  # type: ignore[arg-type]
    assert answer.status == 422, answer.body[:200]
