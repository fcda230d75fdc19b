"""``GET /v1/charging/exclusions`` and ``POST /v1/risk/queries``: roles, scoping, and the core's figures."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.store import Store
from eligibility.charging import charging_exclusions
from eligibility.reference import Reference
from eligibility.risk import fleet_risk
from eligibility.smi import POLICIES
from tests.service_support import NORTH, SOUTH, D, Keys

Demo = tuple[Store, Keys]
ON = D.isoformat()


@pytest.mark.parametrize(
    ("role", "status"), [("installer", 403), ("supplier", 403), ("dcc", 200), ("admin", 200)]
)
def test_charging_is_for_the_dcc(client: TestClient, demo: Demo, role: str, status: int) -> None:
    _, keys = demo
    r = client.get(f"/v1/charging/exclusions?date={ON}", headers=keys.auth(role))
    assert r.status_code == status
    if status == 403:
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "charging" in r.json()["detail"]


def test_charging_figures_are_the_cores(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    doc = client.get(f"/v1/charging/exclusions?date={ON}", headers=keys.auth("dcc")).json()
    # by hand: the demo's Pending CHFs are GREEN, AMBER and RED of NORTH and one hub of SOUTH;
    # RED went Pending on 2025-01-10 and left the SMI on 2026-01-10; nothing is stranded
    assert (doc["stock"], doc["chargeable"], doc["excluded"], doc["dropped_from_smi"]) == (3, 3, 0, 1)
    assert doc["reconciles"] is True
    assert {s["supplier"]: s["stock"] for s in doc["suppliers"]} == {NORTH: 2, SOUTH: 1}
    ref = Reference(store.load_cpl(), store.active_catalogue())
    assert doc == charging_exclusions(store.inventory_frame(), D, ref).to_json()
    # a policy keeps RED in stock
    doc = client.get(f"/v1/charging/exclusions?date={ON}&policy=secmp0060", headers=keys.auth("dcc")).json()
    assert (doc["stock"], doc["dropped_from_smi"]) == (4, 0)
    only = client.get(f"/v1/charging/exclusions?date={ON}&supplier={SOUTH}", headers=keys.auth("dcc")).json()
    assert (only["stock"], only["supplier"]) == (1, SOUTH)


def test_charging_bad_input_is_422(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    r = client.get("/v1/charging/exclusions?date=28/11/2026", headers=keys.auth("dcc"))
    assert r.status_code == 422
    assert "YYYY-MM-DD" in r.json()["detail"]
    r = client.get(f"/v1/charging/exclusions?date={ON}&policy=36-months", headers=keys.auth("dcc"))
    assert r.status_code == 422


def _risk(client: TestClient, keys: Keys, role: str, **body: object) -> tuple[int, dict[str, Any]]:
    r = client.post("/v1/risk/queries", json={"from": ON, "months": 12, **body}, headers=keys.auth(role))
    return r.status_code, r.json()


def test_a_supplier_queries_its_own_fleet(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    status, doc = _risk(client, keys, "supplier")
    assert status == 200
    assert (doc["supplier"], doc["pending_hubs"]) == (NORTH, 3)
    ref = Reference(store.load_cpl(), store.active_catalogue())
    expected = fleet_risk(store.inventory_frame(NORTH), D, 12, list(POLICIES.values()), ref, supplier=NORTH)
    assert doc == expected.to_json()
    # naming another supplier is refused, not silently narrowed
    status, doc = _risk(client, keys, "supplier", supplier=SOUTH)
    assert status == 403
    status, doc = _risk(client, keys, "south")
    assert (status, doc["supplier"], doc["pending_hubs"]) == (200, SOUTH, 1)


def test_the_dcc_queries_any_fleet_and_installers_none(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    status, doc = _risk(client, keys, "dcc")
    assert (status, doc["supplier"], doc["pending_hubs"]) == (200, None, 4)
    status, doc = _risk(client, keys, "dcc", supplier=SOUTH, policies=["secmp0060"])
    assert (status, doc["pending_hubs"]) == (200, 1)
    assert [p["policy"] for p in doc["policies"]] == ["secmp0060"]
    assert _risk(client, keys, "installer")[0] == 403
    # a policy timeline compares as a policy does; "removed" is the same figure as in the months, with its legend
    timeline = "sec-ac-7.2,secmp0060@2026-06-01"
    status, doc = _risk(client, keys, "dcc", policies=["sec-ac-7.2", timeline])
    assert [p["policy"] for p in doc["policies"]] == ["sec-ac-7.2", timeline]
    last = [m for m in doc["monthly"] if m["policy"] == timeline][-1]
    assert doc["policies"][1]["removed"] == last["removed"] <= doc["policies"][0]["removed"]
    assert "removed before the start included" in doc["legend"]["removed"]


def test_risk_as_html(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    r = client.post(
        "/v1/risk/queries",
        json={"from": ON, "months": 12},
        headers={**keys.auth("supplier"), "accept": "text/html"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<svg" in r.text
    assert NORTH in r.text


def test_risk_bad_bodies(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    assert _risk(client, keys, "dcc", months=0)[0] == 422
    assert _risk(client, keys, "dcc", policies=[])[0] == 422
    status, doc = _risk(client, keys, "dcc", policies=["sec-ac-7.3"])
    assert status == 422
    assert "sec-ac-7.2" in str(doc["detail"])
