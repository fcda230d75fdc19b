"""The HTTP API: every endpoint answers as documented, and every error is problem+json."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import Settings, create_app
from api.store import Store
from tests.conftest import REAL_HISTORY, REAL_SHEET, REAL_WORKBOOK
from tests.service_support import AMBER, DEMO_CSV, GPF_OF_GREEN, GREEN, RED, Keys

Demo = tuple[Store, Keys]


def test_stored_hub_verdict(client: TestClient, demo: Demo) -> None:
    keys = demo[1]
    r = client.get(f"/v1/hubs/{AMBER}/eligibility?install_date=2026-11-28", headers=keys.auth("installer"))
    assert r.status_code == 200
    v = r.json()
    assert (v["device_id"], v["verdict"], v["install_date"]) == (
        AMBER,
        "ELIGIBLE_AFTER_UPGRADE",
        "2026-11-28",
    )
    assert [h["to"] for h in v["upgrade_plan"]][-1] == "03000000"
    assert v["window"]["n"] == "03000000"
    assert v["smi"]["removal_date"] == "2027-06-01"
    assert v["reference"] == {
        "cpl_version": "1.19",
        "cpl_issued_on": "2026-10-15",
        "catalogue": "sample catalogue 2026-11",
    }
    # the GPF's id finds its hub too; a policy changes the removal date
    r = client.get(
        f"/v1/hubs/{GPF_OF_GREEN}/eligibility?install_date=2026-11-28&policy=secmp0060",
        headers=keys.auth("dcc"),
    )
    assert r.json()["device_id"] == GREEN
    assert r.json()["smi"]["removal_date"] == "2029-09-01"
    red = client.get(
        f"/v1/hubs/{RED.lower()}/eligibility?install_date=2026-11-28", headers=keys.auth("dcc")
    ).json()
    assert "SMI_REMOVED" in [x["code"] for x in red["reasons"]]


def test_bad_query_values_name_their_field(client: TestClient, demo: Demo) -> None:
    keys = demo[1]
    cases = {
        f"/v1/hubs/{GREEN}/eligibility?install_date=28/11/2026": "install_date",
        f"/v1/hubs/{GREEN}/eligibility?policy=forever": "policy",
        "/v1/hubs/not-a-device/eligibility": "device_id",
        "/v1/cpl/models/XYZ/A1010100/versions": "manufacturer",
    }
    for url, field in cases.items():
        r = client.get(url, headers=keys.auth("dcc"))
        assert r.status_code == 422, url
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field, r.json()


def test_adhoc_check_and_its_validation(client: TestClient, demo: Demo) -> None:
    keys = demo[1]
    body = {
        "device_id": "00db1234567890ff",
        "manufacturer": "f0a1",
        "model": "A1010100",
        "firmware": "2000000",  # 7 digits: padded as DUIS allows
        "status_since": "2026-06-01",
        "gpf": {"status": "Decommissioned"},
        "install_date": "2026-11-28",
    }
    v = client.post("/v1/eligibility", json=body, headers=keys.auth("installer")).json()
    assert v["firmware"] == "02000000"
    assert v["verdict"] == "NOT_ELIGIBLE"  # the GPF cannot be installed
    assert "SMI_STATUS_NOT_INSTALLABLE" in [r["code"] for r in v["reasons"]]
    bad = client.post("/v1/eligibility", json={**body, "firmware": "XYZ"}, headers=keys.auth("installer"))
    assert (bad.status_code, bad.json()["field"]) == (422, "firmware")
    missing = client.post("/v1/eligibility", json={"model": "A1010100"}, headers=keys.auth("installer"))
    assert missing.status_code == 422
    assert {p["column"] for p in missing.json()["problems"]} >= {"manufacturer", "firmware"}


def test_batch_csv_and_ndjson_stream_back_ndjson(client: TestClient, demo: Demo) -> None:
    keys = demo[1]
    r = client.post(
        "/v1/eligibility/batch?install_date=2026-11-28",
        content=DEMO_CSV.encode(),
        headers={**keys.auth("supplier"), "content-type": "text/csv"},
    )
    assert r.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(x) for x in r.text.splitlines()]
    # the GPF row is judged with its CHF: four hubs
    assert [x["device_id"] for x in lines] == [GREEN, AMBER, RED, "00-DB-12-34-56-78-90-D0"]
    rows = [
        {"device_id": GREEN, "manufacturer": "F0A1", "model": "A1010100", "firmware": "03000000", "status": "Pending"},
        {"device_id": AMBER, "manufacturer": "F0A1", "model": "A1010100", "firmware": "02000000", "status": "Pending",
         "status_since": "2026-06-01"},
    ]  # fmt: skip
    nd = "\n".join(json.dumps(x) for x in rows).encode()
    r = client.post(
        "/v1/eligibility/batch?install_date=2026-11-28",
        content=nd,
        headers={**keys.auth("dcc"), "content-type": "application/x-ndjson"},
    )
    assert [json.loads(x)["verdict"] for x in r.text.splitlines()] == ["ELIGIBLE", "ELIGIBLE_AFTER_UPGRADE"]
    bad = client.post(
        "/v1/eligibility/batch",
        content=b'{"device_id": "x"}\n',
        headers={**keys.auth("dcc"), "content-type": "application/x-ndjson"},
    )
    assert bad.status_code == 422
    wrong_type = client.post(
        "/v1/eligibility/batch",
        content=b"\x89PNG\r\n\x1a\n not an inventory",
        headers={**keys.auth("dcc"), "content-type": "image/png"},
    )
    assert wrong_type.status_code == 415


def test_bodies_are_bounded(demo: Demo, db_url: str) -> None:
    keys = demo[1]
    csv = {**keys.auth("dcc"), "content-type": "text/csv"}
    bounds: dict[str, tuple[dict[str, int], str, str]] = {
        # (settings, endpoint, body) -> 413 and what the message says
        "bytes": ({"max_batch_bytes": 200}, "/v1/eligibility/batch", "the batch is larger than"),
        "rows": ({"max_batch_rows": 2}, "/v1/eligibility/batch", "the batch has 5 rows"),
        "import": ({"max_import_bytes": 100}, "/v1/inventory/imports", "the inventory is larger than"),
    }
    for name, (limits, url, says) in bounds.items():
        with TestClient(
            create_app(Settings.model_validate({"db": db_url, **limits})), raise_server_exceptions=False
        ) as c:
            r = c.post(url, content=DEMO_CSV.encode(), headers=csv)
            assert r.status_code == 413, name
            assert r.json()["detail"].startswith(says), r.json()
            if name == "import":  # a form's file is bounded the same way
                form = c.post(
                    url, files={"file": ("inv.csv", DEMO_CSV.encode(), "text/csv")}, headers=keys.auth("dcc")
                )
                assert form.status_code == 413


def test_cpl_imports_raw_and_multipart(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    r = client.post(
        "/v1/cpl/imports",
        content=REAL_WORKBOOK.read_bytes(),
        headers={
            **keys.auth("dcc"),
            "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    )
    assert r.status_code == 201, r.text
    s = r.json()
    assert (s["event"], s["counts"]["entries"], s["counts"]["cpl_version"]) == ("cpl_import", 729, "2.051")
    # the same version from the sheet CSV and its history, as a form: the same entries, so unchanged
    r = client.post(
        "/v1/cpl/imports",
        files={"file": (REAL_SHEET.name, REAL_SHEET.read_bytes(), "text/csv"),
               "history": (REAL_HISTORY.name, REAL_HISTORY.read_bytes(), "text/csv")},
        headers=keys.auth("dcc"),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unchanged"
    record = client.get(f"/v1/imports/{r.json()['id']}", headers=keys.auth("admin")).json()
    assert record["status"] == "unchanged"
    assert {v["version"] for v in store.cpl_versions()} == {"1.19", "2.051"}


def test_a_refused_import_changes_nothing_and_is_audited(client: TestClient, demo: Demo) -> None:
    store, keys = demo
    before = store.generation()
    r = client.post(
        "/v1/cpl/imports",
        content=b"Version,Entry.number\nx,1\n",
        headers={**keys.auth("dcc"), "content-type": "text/csv"},
    )
    assert r.status_code == 422
    assert store.generation() == before
    last = store.audit_events(1)[0]
    assert (last["event"], last["status"], last["actor"]) == (
        "cpl_import",
        "refused",
        f"key:{keys.dcc.split('_')[1]}",
    )


def test_health_and_readiness(client: TestClient, db_url: str, tmp_path: object) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert (ready["status"], ready["cpl_version"]) == ("ready", "1.19")


def test_not_ready_without_a_cpl(tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    with TestClient(create_app(Settings(db=url)), raise_server_exceptions=False) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503
        assert "hubcheck cpl import" in r.json()["detail"]


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert paths == {
        "/v1/hubs/{device_id}/eligibility",
        "/v1/eligibility",
        "/v1/eligibility/batch",
        "/v1/cpl/models/{manufacturer}/{model}/versions",
        "/v1/cpl/imports",
        "/v1/catalogue/imports",
        "/v1/inventory/imports",
        "/v1/imports/{import_id}",
        "/v1/charging/exclusions",
        "/v1/risk/queries",
        "/v1/quality/duplicate-devices",
        "/healthz",
        "/readyz",
    }
    assert client.get("/docs").status_code == 200


def test_issue_9_gates_timelines_and_version_names(client: TestClient, demo: Demo) -> None:
    keys = demo[1]
    base = {"status": "Pending", "status_since": "2026-06-01", "install_date": "2026-11-28"}

    def check(**kw: str) -> dict[str, object]:
        r = client.post("/v1/eligibility", json={**base, **kw}, headers=keys.auth("installer"))
        assert r.status_code == 200, r.text
        doc: dict[str, object] = r.json()
        return doc

    def codes(doc: dict[str, object]) -> list[str]:
        reasons = doc["reasons"]
        assert isinstance(reasons, list)
        return [r["code"] for r in reasons]

    # the sample's Adatum hub is a SMETS1 hub; a meter's model given for a CHF; Litware has no catalogue part
    s1 = check(manufacturer="F0A7", model="A7010100", firmware="00130000")
    assert codes(s1) == ["SMETS1_HUB"]
    assert codes(check(manufacturer="F0D4", model="D4100100", firmware="00010000")) == [
        "DEVICE_TYPE_MISMATCH"
    ]
    lw = check(manufacturer="F0F6", model="F6050100", firmware="01030001")
    assert codes(lw)[0] == "UPGRADE_PATH_ASSUMED"
    # Litware's notes name its versions: shown beside the hex
    assert (lw["firmware_display"], lw["version_names"]) == ("1.3", {"01030001": "1.3", "02000004": "2.0"})
    # a policy timeline: pending since 2025-01-10, removed under 12 months before 36 months began
    old = check(manufacturer="F0A1", model="A1010100", firmware="03000000", status_since="2025-01-10",
                policy="sec-ac-7.2,secmp0060@2026-06-01")  # fmt: skip
    smi = old["smi"]
    assert isinstance(smi, dict)
    assert (smi["removal_date"], smi["removed_under"], smi["policy"]) == (
        "2026-01-10", "sec-ac-7.2", "sec-ac-7.2,secmp0060@2026-06-01",
    )  # fmt: skip
    bad = client.post(
        "/v1/eligibility", json={**base, "manufacturer": "F0A1", "model": "A1010100", "firmware": "03000000",
                                 "policy": "secmp0060@2026-06-01"}, headers=keys.auth("installer"),
    )  # fmt: skip
    assert (bad.status_code, bad.json()["field"]) == (422, "policy")
