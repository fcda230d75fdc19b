"""DUIS XML bodies over HTTP: an SR 8.2 response imported and batched; hostile XML refused."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.store import Store
from tests.conftest import DUIS_DIR
from tests.service_support import Keys

Demo = tuple[Store, Keys]
XML = {"content-type": "application/xml"}
RESPONSE = DUIS_DIR / "responses" / "signing-tool__read-inventory-response-5.4.xml"
CHF = "88-73-84-90-6A-10-02-DB"
GPF = "88-73-84-CC-6A-10-02-DB"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">&lol3;</sr:Response>"""


def test_read_inventory_response_imports_its_hub(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    r = client.post(
        "/v1/inventory/imports?supplier=Northwind%20Energy",
        content=RESPONSE.read_bytes(),
        headers={**XML, **keys.auth("dcc")},
    )
    assert r.status_code == 201, r.text
    # the response lists a CHF, its GPF and a CAD: the CAD is not a hub device
    frame = store.inventory_frame().filter(store.inventory_frame()["device_id"].is_in([CHF, GPF]))
    rows = {row["device_id"]: row for row in frame.iter_rows(named=True)}
    assert set(rows) == {CHF, GPF}
    assert (rows[CHF]["manufacturer"], rows[CHF]["model"], rows[CHF]["firmware"]) == (
        "106C",
        "433100AC",
        "00009001",
    )
    assert (rows[CHF]["status"], rows[GPF]["status"]) == ("Commissioned", "InstalledNotCommissioned")
    assert rows[CHF]["gpf_device_id"] == GPF  # paired: the only CHF and GPF of their model in the response
    v = client.get(f"/v1/hubs/{CHF}/eligibility?install_date=2026-11-28", headers=keys.auth("dcc"))
    assert v.status_code == 200
    assert "SMI_STATUS_NOT_INSTALLABLE" in [x["code"] for x in v.json()["reasons"]]


def test_read_inventory_response_as_a_batch(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    r = client.post(
        "/v1/eligibility/batch?install_date=2026-11-28",
        content=RESPONSE.read_bytes(),
        headers={**XML, **keys.auth("supplier")},
    )
    assert r.status_code == 200, r.text
    verdicts = [json.loads(line) for line in r.text.splitlines()]
    assert [v["device_id"] for v in verdicts] == [CHF]  # one hub: its GPF is judged with it
    assert [s["device_type"] for s in verdicts[0]["smi_devices"]] == ["CHF", "GPF"]


def test_hostile_xml_is_refused_clearly(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    before = store.inventory_count()
    r = client.post("/v1/inventory/imports", content=BILLION_LAUGHS, headers={**XML, **keys.auth("dcc")})
    assert r.status_code == 422
    assert "DTD" in r.json()["detail"] or "DTD" in json.dumps(r.json().get("problems", []))
    assert store.inventory_count() == before


def test_a_response_without_hub_devices_is_refused(client: TestClient, demo: Demo) -> None:
    _, keys = demo
    readfw = DUIS_DIR / "responses" / "signing-tool__readfw-response.xml"
    r = client.post("/v1/inventory/imports", content=readfw.read_bytes(), headers={**XML, **keys.auth("dcc")})
    assert r.status_code == 422
    assert "SR 8.2" in r.json()["detail"]
