"""One supplier never sees, shadows or blocks another's hubs (issue 10, items 1-3 and 8), over HTTP.

| rule | test |
| --- | --- |
| a hub pairs only with its own supplier's GPF row | ``test_a_chf_row_never_pulls_in_another_suppliers_gpf`` |
| another supplier's rows neither change my verdicts nor lock me out | ``test_a_rivals_row_neither_changes_my_verdict_nor_blocks_my_import`` |
| the same Device ID under two suppliers is a finding for the dcc only | ``test_duplicate_devices_are_reported_to_the_dcc_only`` |
| "not yours" and "does not exist" do the same work, cached or not | ``test_not_yours_does_exactly_the_work_of_does_not_exist`` |
| supplier names match one way everywhere; an unknown one is 404 | ``test_supplier_names_match_one_way`` ... |
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from api.store import Store
from tests.service_support import GREEN, NORTH, SOUTH, SOUTH_HUB, Keys

Demo = tuple[Store, Keys]
CSV = {"content-type": "text/csv"}
HEAD = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,status_history\n"
D = "install_date=2026-11-28"

#: Southern Power's hub with its GPF row: the GPF was commissioned and returned once.
SOUTH_CHF = "10-F0-B2-00-00-00-00-01"
SOUTH_GPF = "10-F0-B2-00-00-00-00-02"
#: A Northwind hub whose CHF row names Southern Power's GPF (a typo, or a probe).
NORTH_CHF = "10-F0-A1-7E-00-00-00-01"
#: A Northwind hub whose CHF row names a GPF that nobody has.
NORTH_CHF_2 = "10-F0-A1-7E-00-00-00-02"
NOBODYS_GPF = "10-F0-FF-FF-FF-FF-FF-FF"


def _import(client: TestClient, key: str, rows: str) -> Any:
    return client.post("/v1/inventory/imports", content=(HEAD + rows).encode(), headers={**_auth(key), **CSV})


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _verdict(client: TestClient, key: str, device: str, policy: str = "history-aware") -> Any:
    return client.get(f"/v1/hubs/{device}/eligibility?{D}&policy={policy}", headers=_auth(key))


def _south_hub(client: TestClient, keys: Keys) -> None:
    rows = (
        f"{SOUTH_CHF},{SOUTH_GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
        f"{SOUTH_GPF},,GPF,F0A1,A1010100,03000000,Pending,2025-01-10,"
        "Commissioned:2019-03-01;Decommissioned:2024-12-01;Pending:2025-01-10\n"
    )
    assert _import(client, keys.south, rows).status_code == 201


def _without(doc: dict[str, Any], *ids: str) -> str:
    text = str(doc)
    for i, d in enumerate(ids):
        text = text.replace(d, f"<id{i}>")
    return text


def test_a_chf_row_never_pulls_in_another_suppliers_gpf(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    _south_hub(client, keys)
    rows = (
        f"{NORTH_CHF},{SOUTH_GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
        f"{NORTH_CHF_2},{NOBODYS_GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
    )
    assert _import(client, keys.supplier, rows).status_code == 201
    for key in (keys.supplier, keys.installer):
        naming_theirs = _verdict(client, key, NORTH_CHF)
        naming_nobody = _verdict(client, key, NORTH_CHF_2)
        assert naming_theirs.status_code == naming_nobody.status_code == 200
        doc = naming_theirs.json()
        # nothing of Southern Power's GPF: not its status, its date, its removal date, its history
        assert "2025-01-10" not in str(doc)
        assert "Decommissioned" not in str(doc)
        assert [d["status_since"] for d in doc["smi_devices"]] == ["2026-09-01"]
        # and the answer is the one for a GPF that does not exist: it tells nothing of which ids exist
        assert _without(doc, NORTH_CHF, SOUTH_GPF) == _without(naming_nobody.json(), NORTH_CHF_2, NOBODYS_GPF)
    # asked by the GPF's id, Northwind finds nothing: that GPF row is not Northwind's
    assert _verdict(client, keys.supplier, SOUTH_GPF).status_code == 404
    # the DCC sees Southern Power's hub whole, with its GPF
    south = _verdict(client, keys.dcc, SOUTH_CHF).json()
    assert sorted(d["status_since"] for d in south["smi_devices"]) == ["2025-01-10", "2026-09-01"]


def test_a_rivals_row_neither_changes_my_verdict_nor_blocks_my_import(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    # Southern Power's CHF names a GPF that has no row yet
    rows = f"{SOUTH_CHF},{SOUTH_GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
    assert _import(client, keys.south, rows).status_code == 201
    before = _verdict(client, keys.south, SOUTH_CHF, "sec-ac-7.2").json()
    assert before["verdict"] == "ELIGIBLE"
    # Northwind imports a row for that GPF id as Decommissioned: its own row, allowed
    rival = f"{SOUTH_GPF},,GPF,F0A1,A1010100,03000000,Decommissioned,2026-10-01,\n"
    assert _import(client, keys.supplier, rival).status_code == 201
    # Southern Power's verdict does not move, from the cache or from the store
    assert _verdict(client, keys.south, SOUTH_CHF, "sec-ac-7.2").json() == before
    # and Southern Power may still import its own GPF: no 403 caused by the rival's row
    own = f"{SOUTH_GPF},,GPF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
    r = _import(client, keys.south, own)
    assert r.status_code == 201, r.text
    assert r.json()["counts"]["inserted"] == 1
    # both rows coexist, each supplier's own; neither changed the other
    after = _verdict(client, keys.south, SOUTH_CHF, "sec-ac-7.2").json()
    assert after["verdict"] == "ELIGIBLE"
    assert [d["status"] for d in after["smi_devices"]] == ["Pending", "Pending"]
    north_gpf = _verdict(client, keys.supplier, SOUTH_GPF, "sec-ac-7.2").json()
    assert [d["status"] for d in north_gpf["smi_devices"]] == ["Decommissioned"]


def test_duplicate_devices_are_reported_to_the_dcc_only(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    row = f"{SOUTH_CHF},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,\n"
    assert _import(client, keys.south, row).status_code == 201
    assert _import(client, keys.supplier, row).status_code == 201
    for role in ("installer", "supplier", "south"):
        r = client.get("/v1/quality/duplicate-devices", headers=keys.auth(role))
        assert r.status_code == 403, role
        assert SOUTH_CHF not in r.text
        assert SOUTH not in r.text
    r = client.get("/v1/quality/duplicate-devices", headers=keys.auth("dcc"))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["count"] == 1
    [finding] = doc["devices"]
    assert finding["device_id"] == SOUTH_CHF
    assert sorted(finding["suppliers"]) == sorted([NORTH, SOUTH])
    # each supplier sees its own row only; the DCC must say whose it means
    assert _verdict(client, keys.south, SOUTH_CHF).status_code == 200
    assert _verdict(client, keys.supplier, SOUTH_CHF).status_code == 200
    ambiguous = _verdict(client, keys.dcc, SOUTH_CHF)
    assert ambiguous.status_code == 409
    assert "duplicate-devices" in ambiguous.json()["detail"]
    chosen = client.get(
        f"/v1/hubs/{SOUTH_CHF}/eligibility?{D}&supplier=southern%20power", headers=keys.auth("dcc")
    )
    assert chosen.status_code == 200


@pytest.fixture
def statements(client: TestClient) -> Iterator[list[str]]:
    """The SQL the service's store runs while the test watches."""
    seen: list[str] = []
    engine = client.app.state.service.store.engine  # type: ignore[attr-defined]

    def watch(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", watch)
    yield seen
    event.remove(engine, "before_cursor_execute", watch)


def test_not_yours_does_exactly_the_work_of_does_not_exist(
    client: TestClient, demo: Demo, statements: list[str]
) -> None:
    _, keys = demo
    _south_hub(client, keys)
    missing = "00-DB-99-99-99-99-99-99"

    def work(device: str) -> tuple[int, list[str]]:
        statements.clear()
        r = _verdict(client, keys.supplier, device)
        return r.status_code, list(statements)

    assert _verdict(client, keys.supplier, missing).status_code == 404  # the key is known from here on
    # uncached: asking for their hub loads nothing more than asking for no hub at all
    assert work(SOUTH_CHF) == work(missing)
    assert work(SOUTH_GPF) == work(missing)
    # after they read their hub, its verdict is cached for them, never answered to us from it
    assert _verdict(client, keys.south, SOUTH_CHF).status_code == 200
    assert _verdict(client, keys.dcc, SOUTH_CHF).status_code == 200
    theirs, nothing = work(SOUTH_CHF), work(missing)
    assert theirs == nothing
    assert theirs[0] == 404
    assert theirs[1], "a 404 must be decided by the store, as for a hub that does not exist"


def test_supplier_names_match_one_way(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    # the charging report and the risk query take the same spellings of a supplier
    for spelling in (NORTH, NORTH.upper(), f"  {NORTH.lower()} ", "northwind   energy"):
        charging = client.get(
            "/v1/charging/exclusions",
            params={"date": "2026-11-28", "supplier": spelling},
            headers=keys.auth("dcc"),
        )
        risk = client.post(
            "/v1/risk/queries", json={"from": "2026-11-28", "supplier": spelling}, headers=keys.auth("dcc")
        )
        assert charging.status_code == risk.status_code == 200, (spelling, charging.text, risk.text)
        assert charging.json()["stock"] == 2  # GREEN and AMBER; RED has left the SMI
        assert risk.json()["pending_hubs"] == 3
    # a supplier key may name its own fleet in any of those spellings, and import for it
    r = client.post(
        "/v1/risk/queries",
        json={"from": "2026-11-28", "supplier": "NORTHWIND ENERGY"},
        headers=keys.auth("supplier"),
    )
    assert r.status_code == 200
    row = "00-DB-12-34-56-78-90-E0,,CHF,F0A1,A1010100,03000000,Pending,2026-10-01,\n"
    r = client.post(
        "/v1/inventory/imports?supplier=northwind%20energy",
        content=(HEAD + row).encode(),
        headers={**keys.auth("supplier"), **CSV},
    )
    assert r.status_code == 201, r.text


def test_an_unknown_supplier_is_404_not_a_report_of_zeros(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    charging = client.get(
        "/v1/charging/exclusions",
        params={"date": "2026-11-28", "supplier": "Nobody Power"},
        headers=keys.auth("dcc"),
    )
    risk = client.post(
        "/v1/risk/queries", json={"from": "2026-11-28", "supplier": "Nobody Power"}, headers=keys.auth("dcc")
    )
    for r in (charging, risk):
        assert r.status_code == 404, r.text
        assert "Nobody Power" in r.json()["detail"]
    # a supplier's own fleet is known even when it holds no hub yet: its report is zeros
    empty = demo[0].create_key("supplier", "Empty Energy")[1]
    r = client.post("/v1/risk/queries", json={"from": "2026-11-28"}, headers=_auth(empty))
    assert r.status_code == 200
    assert r.json()["pending_hubs"] == 0


def test_a_supplier_asking_for_another_fleet_is_refused_in_good_grammar(
    client: TestClient, demo: Demo
) -> None:
    _, keys = demo
    r = client.post("/v1/risk/queries", json={"supplier": SOUTH}, headers=keys.auth("supplier"))
    assert r.status_code == 403
    r = client.post("/v1/cpl/imports", content=b"x", headers={**keys.auth("installer"), **CSV})
    assert r.status_code == 403
    assert r.json()["detail"].startswith("an installer key may not")
    assert SOUTH_HUB not in r.text
    assert GREEN not in r.text
