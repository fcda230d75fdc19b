"""Who may see what: every rule of the role table, proven over HTTP.

| role | hub verdicts | ad-hoc & CPL | batch | inventory import | CPL & catalogue import | imports |
| --- | --- | --- | --- | --- | --- | --- |
| installer | its supplier's | yes | no | no | no | no |
| supplier | its own | yes | yes | its own hubs | no | its own |
| dcc, admin | every hub | yes | yes | anyone's | yes | every |
"""

from __future__ import annotations

import polars as pl
import pytest
from fastapi.testclient import TestClient

from api.store import Store
from tests.service_support import AMBER, GREEN, NORTH, SOUTH, SOUTH_HUB, Keys, past_the_bound

Demo = tuple[Store, Keys]
CSV = {"content-type": "text/csv"}


def _verdict(client: TestClient, keys: Keys, role: str, device: str) -> int:
    return client.get(
        f"/v1/hubs/{device}/eligibility?install_date=2026-11-28", headers=keys.auth(role)
    ).status_code


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        # installers and suppliers see their supplier's hubs only
        ("installer", 200, 404),
        ("supplier", 200, 404),
        # the DCC and admins see every hub
        ("dcc", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_hub_visibility_by_role(client: TestClient, demo: Demo, role: str, own: int, other: int) -> None:
    _, keys = demo
    assert _verdict(client, keys, role, GREEN) == own
    assert _verdict(client, keys, role, SOUTH_HUB) == other


def test_another_suppliers_hub_is_exactly_a_missing_hub(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    missing = "00-DB-99-99-99-99-99-99"
    for _ in range(2):  # the second time from the verdict cache (the DCC's request filled it)
        theirs = client.get(f"/v1/hubs/{SOUTH_HUB}/eligibility", headers=keys.auth("installer"))
        nothing = client.get(f"/v1/hubs/{missing}/eligibility", headers=keys.auth("installer"))
        assert theirs.status_code == nothing.status_code == 404
        body_theirs, body_nothing = theirs.json(), nothing.json()
        assert body_theirs["detail"].replace(SOUTH_HUB, "X") == body_nothing["detail"].replace(missing, "X")
        assert {k: v for k, v in body_theirs.items() if k not in ("detail", "instance")} == {
            k: v for k, v in body_nothing.items() if k not in ("detail", "instance")
        }
        assert client.get(f"/v1/hubs/{SOUTH_HUB}/eligibility", headers=keys.auth("dcc")).status_code == 200
    # the other supplier sees its own and not ours
    assert _verdict(client, keys, "south", SOUTH_HUB) == 200
    assert _verdict(client, keys, "south", GREEN) == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("installer", 403), ("supplier", 200), ("dcc", 200), ("admin", 200)],  # batch: not for installers
)
def test_batch_by_role(client: TestClient, demo: Demo, role: str, status: int) -> None:
    body = (
        b"device_id,manufacturer,model,firmware,status\n"
        + GREEN.encode()
        + b",F0A1,A1010100,03000000,Pending\n"
    )
    r = client.post("/v1/eligibility/batch", content=body, headers={**demo[1].auth(role), **CSV})
    assert r.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("installer", 403), ("supplier", 403), ("dcc", 201), ("admin", 201)],  # reference data: the DCC's
)
def test_catalogue_import_by_role(client: TestClient, demo: Demo, role: str, status: int) -> None:
    from tests.service_support import SAMPLE_DIR

    # a catalogue differing by its name only, so that each import creates a new one
    text = (SAMPLE_DIR / "sample-catalogue.toml").read_text().replace("2026-11", f"2026-11 {role}")
    r = client.post(
        "/v1/catalogue/imports",
        content=text.encode(),
        headers={**demo[1].auth(role), "content-type": "application/toml"},
    )
    assert r.status_code == status, r.text


def test_installer_may_check_but_not_import(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    check = {"manufacturer": "F0A1", "model": "A1010100", "firmware": "03000000"}
    assert client.post("/v1/eligibility", json=check, headers=keys.auth("installer")).status_code == 200
    r = client.post("/v1/inventory/imports", content=b"x", headers={**keys.auth("installer"), **CSV})
    assert r.status_code == 403
    assert "needs a key of role supplier, dcc, admin" in r.json()["detail"]
    assert client.get("/v1/imports/1", headers=keys.auth("installer")).status_code == 403
    versions = client.get("/v1/cpl/models/F0A1/A1010100/versions", headers=keys.auth("installer"))
    assert versions.status_code == 200


def test_supplier_import_writes_only_its_own_rows(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    south_before = store.inventory_frame(SOUTH)
    # SOUTH_HUB's Device ID is Southern Power's too: Northwind's row of it is Northwind's own
    body = (
        "device_id,manufacturer,model,firmware,status,status_since\n"
        f"00-DB-12-34-56-78-90-E0,F0A1,A1010100,03000000,Pending,2026-10-01\n"
        f"{SOUTH_HUB},F0A1,A1010100,01000000,Pending,2020-01-01\n"
    )
    r = client.post("/v1/inventory/imports", content=body.encode(), headers={**keys.auth("supplier"), **CSV})
    assert r.status_code == 201, r.text
    assert r.json()["counts"]["inserted"] == 2
    assert store.inventory_frame(SOUTH).equals(south_before)  # neither read, changed nor blocked
    ours = store.inventory_frame(NORTH).filter(pl.col("device_id") == SOUTH_HUB)
    assert ours["firmware"].to_list() == ["01000000"]
    before = store.inventory_frame()
    # naming the other supplier in the file is refused
    named = f"device_id,manufacturer,model,firmware,status,supplier\n00-DB-12-34-56-78-90-E1,F0A1,A1010100,03000000,Pending,{SOUTH}\n"
    r = client.post("/v1/inventory/imports", content=named.encode(), headers={**keys.auth("supplier"), **CSV})
    assert r.status_code == 422
    assert r.json()["problems"][0]["column"] == "supplier"
    # and so is asking for it in the query
    r = client.post(
        f"/v1/inventory/imports?supplier={SOUTH}",
        content=body.encode(),
        headers={**keys.auth("supplier"), **CSV},
    )
    assert r.status_code == 403
    assert store.inventory_frame().equals(before)


def test_supplier_import_writes_its_own_and_new_hubs(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    body = (
        "device_id,manufacturer,model,firmware,status,status_since\n"
        f"00-DB-12-34-56-78-90-E0,F0A1,A1010100,03000000,Pending,2026-10-01\n"
        f"{AMBER},F0A1,A1010100,03000000,Pending,2026-06-01\n"
    )
    r = client.post("/v1/inventory/imports", content=body.encode(), headers={**keys.auth("supplier"), **CSV})
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["counts"] == {"rows": 2, "inserted": 1, "updated": 1, "rows_read": 2}
    assert r.headers["location"] == f"/v1/imports/{summary['id']}"
    frame = store.inventory_frame(NORTH)
    assert frame.filter(frame["device_id"] == AMBER)["firmware"].to_list() == ["03000000"]
    assert "00-DB-12-34-56-78-90-E0" in frame["device_id"].to_list()  # the new hub is the supplier's
    # the amber hub is in the window now: the cached verdict was dropped with the import
    v = client.get(f"/v1/hubs/{AMBER}/eligibility?install_date=2026-11-28", headers=keys.auth("installer"))
    assert v.json()["verdict"] == "ELIGIBLE"
    # its own import is visible to it, not to the other supplier; the DCC sees all
    assert client.get(f"/v1/imports/{summary['id']}", headers=keys.auth("supplier")).status_code == 200
    assert client.get(f"/v1/imports/{summary['id']}", headers=keys.auth("south")).status_code == 404
    record = client.get(f"/v1/imports/{summary['id']}", headers=keys.auth("dcc")).json()
    assert (record["party"], record["role"], record["status"]) == (NORTH, "supplier", "committed")


def test_no_key_bad_key_and_revoked_key(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    r = client.get(f"/v1/hubs/{GREEN}/eligibility")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"] == "application/problem+json"
    assert (
        client.get(f"/v1/hubs/{GREEN}/eligibility", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    assert _verdict(client, keys, "installer", GREEN) == 200
    key_id = keys.installer.split("_")[1]
    assert store.revoke_key(key_id)
    past_the_bound()  # the revocation moved the counter: the next read of it drops the cached key
    assert _verdict(client, keys, "installer", GREEN) == 401
