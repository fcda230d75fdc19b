"""Limits before work (issue 10, items 4-5): the key and the length are checked before any body is read.

The app is driven at the ASGI level with a ``receive`` that counts what the app pulls, so each
test can say exactly how much of a body was read: none for a missing key or a declared length
over the bound, at most the bound (and one chunk) for a chunked upload with no Content-Length.

| rule | test |
| --- | --- |
| no key or a bad key: 401 before reading | ``test_no_key_is_refused_before_any_body_is_read`` |
| a declared length over the bound: 413 before reading, on every endpoint | ``test_a_declared_length_over_the_bound_is_refused_unread`` |
| a chunked body is counted as it arrives and stopped at the bound | ``test_a_chunked_body_is_stopped_at_the_bound`` |
| a problem never echoes more than an excerpt | ``test_a_problem_echoes_only_an_excerpt`` |
| served: a 300 MiB declaration with no key is answered at once | ``test_served_no_key_answers_before_the_body`` |
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import Settings, create_app
from api.store import Store
from tests.asgi_driver import CHUNK, drive
from tests.service_support import GREEN, Keys, served_demo

Demo = tuple[Store, Keys]
KIB = 1024
LIMITS = {"max_check_bytes": 4 * KIB, "max_batch_bytes": 64 * KIB, "max_import_bytes": 128 * KIB}


@pytest.fixture
def app(demo: Demo, db_url: str) -> Iterator[FastAPI]:
    """The app with small bounds, started (its lifespan ran), to be driven at the ASGI level."""
    application = create_app(Settings.model_validate({"db": db_url, **LIMITS}))
    with TestClient(application):
        yield application


#: Every endpoint that takes a body, with its bound in LIMITS.
BODIES = [
    ("POST", "/v1/eligibility", "application/json", "max_check_bytes"),
    ("POST", "/v1/risk/queries", "application/json", "max_check_bytes"),
    ("POST", "/v1/eligibility/batch", "text/csv", "max_batch_bytes"),
    ("POST", "/v1/inventory/imports", "text/csv", "max_import_bytes"),
    ("POST", "/v1/cpl/imports", "text/csv", "max_import_bytes"),
    ("POST", "/v1/catalogue/imports", "application/toml", "max_import_bytes"),
]


@pytest.mark.parametrize(("method", "path", "ctype", "bound"), BODIES)
@pytest.mark.parametrize("key", [None, "Bearer nope", "Basic abc"])
def test_no_key_is_refused_before_any_body_is_read(
    app: FastAPI, method: str, path: str, ctype: str, bound: str, key: str | None
) -> None:
    headers = {"content-type": ctype, "content-length": str(300 * 1024 * KIB)}
    if key is not None:
        headers["authorization"] = key
    out = drive(app, method, path, headers)
    assert out.status == 401
    assert out.receives == 0
    assert out.headers["content-type"] == "application/problem+json"
    assert out.headers["www-authenticate"] == "Bearer"


GETS = [
    "/v1/hubs/00-DB-12-34-56-78-90-A0/eligibility",
    "/v1/cpl/models/F0A1/A1010100/versions",
    "/v1/charging/exclusions",
    "/v1/imports/1",
    "/v1/quality/duplicate-devices",
    "/healthz",
    "/readyz",
]


@pytest.mark.parametrize(
    ("method", "path", "ctype", "bound"),
    [*BODIES, *(("GET", p, "text/plain", "max_check_bytes") for p in GETS)],
)
def test_a_declared_length_over_the_bound_is_refused_unread(
    app: FastAPI, demo: Demo, method: str, path: str, ctype: str, bound: str
) -> None:
    headers = {"content-type": ctype, "content-length": str(LIMITS[bound] + 1), **demo[1].auth("dcc")}
    out = drive(app, method, path, headers)
    assert out.status == 413, out.body[:300]
    assert out.receives == 0
    doc = json.loads(out.body)
    assert f"{LIMITS[bound]:,}" in doc["detail"]


@pytest.mark.parametrize(("method", "path", "ctype", "bound"), BODIES)
def test_a_chunked_body_is_stopped_at_the_bound(
    app: FastAPI, demo: Demo, method: str, path: str, ctype: str, bound: str
) -> None:
    out = drive(app, method, path, {"content-type": ctype, **demo[1].auth("dcc")})  # no end, no length
    assert out.status == 413, out.body[:300]
    assert out.pulled <= LIMITS[bound] + CHUNK


@pytest.mark.parametrize("path", ["/v1/eligibility/batch", "/v1/inventory/imports", "/v1/cpl/imports"])
def test_a_chunked_multipart_upload_is_stopped_at_the_bound(
    app: FastAPI, demo: Demo, tmp_path: Path, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    head = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="hubs.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    ctype = "multipart/form-data; boundary=b0undary"
    out = drive(app, "POST", path, {"content-type": ctype, **demo[1].auth("dcc")}, prefix=head)
    assert out.status == 413, out.body[:300]
    bound = LIMITS["max_batch_bytes" if "batch" in path else "max_import_bytes"]
    assert out.pulled <= bound + CHUNK
    assert sum(f.stat().st_size for f in spool.rglob("*") if f.is_file()) <= bound + CHUNK


def test_a_body_within_the_bound_still_works(app: FastAPI, demo: Demo) -> None:
    body = json.dumps({"manufacturer": "F0A1", "model": "A1010100", "firmware": "03000000"}).encode()
    # chunked (no length), in pieces of 7 bytes
    out = drive(
        app,
        "POST",
        "/v1/eligibility",
        {"content-type": "application/json", **demo[1].auth("installer")},
        total=len(body),
        chunk=body[:7],
        prefix=body[:7],
    )
    assert out.status in (200, 422)  # the pieces repeat the first 7 bytes: it only has to be read whole


def test_a_problem_echoes_only_an_excerpt(app: FastAPI, demo: Demo) -> None:
    with TestClient(app) as client:
        auth = demo[1].auth("dcc")
        long_id = "0" * 3_000
        for r in (
            client.post(
                "/v1/eligibility",
                json={
                    "device_id": long_id,
                    "manufacturer": "F0A1",
                    "model": "A1010100",
                    "firmware": "03000000",
                },
                headers=auth,
            ),
            client.get(f"/v1/hubs/{long_id}/eligibility", headers=auth),
            client.get(f"/v1/charging/exclusions?date={long_id}", headers=auth),
            client.post(
                "/v1/eligibility/batch",
                content=f"device_id,manufacturer,model,firmware\n{long_id[:3000]},F0A1,A1010100,3\n".encode(),
                headers={**auth, "content-type": "text/csv"},
            ),
        ):
            assert r.status_code == 422, r.text[:200]
            assert long_id[:200] not in r.text
            assert len(r.content) < 2_000


def test_served_no_key_answers_before_the_body(tmp_path: Path) -> None:
    with served_demo(tmp_path) as (server, keys):
        for path, auth in (
            ("/v1/eligibility", ""),
            ("/v1/inventory/imports", "Authorization: Bearer nope\r\n"),
        ):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                s.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{auth}"
                    f"Content-Length: {300 * 1024 * KIB}\r\n\r\n".encode()
                )
                s.sendall(b"{" * 16)  # a start of the body: the server must not wait for the rest
                answer = s.recv(4096)
            assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        # a declared length over the bound with a good key: 413 at once
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(
                f"POST /v1/eligibility/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                f"Authorization: Bearer {keys.dcc}\r\nContent-Length: {300 * 1024 * KIB}\r\n\r\n".encode()
            )
            answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        import httpx

        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
        r = httpx.get(f"{server.url}/v1/hubs/{GREEN}/eligibility", headers=keys.auth("installer"), timeout=5)
        assert r.status_code == 200
