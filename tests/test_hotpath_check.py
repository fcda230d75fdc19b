"""``POST /v1/eligibility`` answered before routing gives exactly what the route gives, and no less is checked.

Two services on one store, one with the fast paths (the default) and one without
(``HUBCHECK_FAST_PATHS=0``: every request takes the FastAPI route). Generated bodies, good and
bad in every way a client could get one wrong, must get the same status, type and document from
both; and the fast path must really answer the good ones (else this proves nothing). Then the
attacker's view: no key, a bad or revoked key, a body past the bound or without a declared
length, another content type, each answered as the route answers it, the body unread where the
limits say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import Settings, create_app, hotpath
from api.app.service import Service
from api.store import Store
from tests.service_support import CHECK_BODY, Keys, past_the_bound

Demo = tuple[Store, Keys]


@pytest.fixture
def pair(demo: Demo, db_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    """(fast, route-only) clients of two services on the demo store."""
    with (
        TestClient(create_app(Settings(db=db_url)), raise_server_exceptions=False) as fast,
        TestClient(create_app(Settings(db=db_url, fast_paths=False)), raise_server_exceptions=False) as slow,
    ):
        yield fast, slow


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each fast-path attempt: whether it answered (True) or left the request to the route."""
    seen: list[bool] = []
    real = hotpath.checked_verdict

    def spy(svc: Service, view: Any, body: bytes) -> bytes | None:
        got = real(svc, view, body)
        seen.append(got is not None)
        return got

    monkeypatch.setattr(hotpath, "checked_verdict", spy)
    return seen


def _post(client: TestClient, body: bytes, headers: dict[str, str]) -> Any:
    return client.post("/v1/eligibility", content=body, headers=headers)


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code, (a.text[:300], b.text[:300])
    assert a.headers["content-type"] == b.headers["content-type"]
    assert a.json() == b.json()


_TEXT = st.one_of(
    st.sampled_from(["01000000", "03000000", "F0A1", "A1010100", "Pending", "Withdrawn", "2026-03-01"]),
    st.sampled_from(["2026-02-30", "20261105", "1899-01-01", "2200-01-01", "ZZ", "", " ", "\x00", "é"]),
    st.text(max_size=12),
)
_VALUE = st.one_of(_TEXT, st.none(), st.integers(-5, 5), st.booleans(), st.just([1]), st.just({"a": 1}))
_FIELDS = [*CHECK_BODY, "device_type", "status_history", "tsat_install_end", "policy", "gpf", "unknown"]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A good body with a few fields changed, dropped or added; sometimes not an object, or not JSON."""
    shape = draw(st.sampled_from(["object"] * 8 + ["list", "number", "broken"]))
    if shape == "list":
        return b"[1, 2]"
    if shape == "number":
        return b"42"
    if shape == "broken":
        return json.dumps(CHECK_BODY).encode()[: draw(st.integers(1, 40))]
    body: dict[str, Any] = dict(CHECK_BODY)
    for name in draw(st.lists(st.sampled_from(_FIELDS), max_size=3)):
        action = draw(st.sampled_from(["set", "set", "drop"]))
        if action == "drop":
            body.pop(name, None)
        elif name == "gpf":
            body["gpf"] = draw(
                st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {}, optional={"status": _VALUE, "status_since": _VALUE, "device_id": _VALUE}
                    ),
                    _VALUE,
                )
            )
        elif name == "policy":
            body["policy"] = draw(
                st.sampled_from(["sec-ac-7.2", "secmp0060", "nope", "secmp0060@2023-04-01"])
            )
        else:
            body[name] = draw(_VALUE)
    return json.dumps(body).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies())
def test_the_fast_path_answers_as_the_route(
    pair: tuple[TestClient, TestClient], demo: Demo, body: bytes
) -> None:
    fast, slow = pair
    _, keys = demo
    headers = {**keys.auth("installer"), "content-type": "application/json"}
    _same(_post(fast, body, headers), _post(slow, body, headers))


def test_the_fast_path_answers_good_bodies_and_leaves_bad_ones(
    pair: tuple[TestClient, TestClient], demo: Demo, answered: list[bool]
) -> None:
    fast, slow = pair
    _, keys = demo
    headers = {**keys.auth("installer"), "content-type": "application/json"}
    good = json.dumps(CHECK_BODY).encode()
    r = _post(fast, good, headers)
    assert r.status_code == 200
    assert r.json()["verdict"] == "ELIGIBLE_AFTER_UPGRADE"
    assert answered == [True]
    bad = json.dumps({**CHECK_BODY, "firmware": "XYZ"}).encode()
    refused = _post(fast, bad, headers)
    assert answered == [True, False]  # tried, left to the route
    assert refused.status_code == 422
    assert refused.json()["field"] == "firmware"
    _same(refused, _post(slow, bad, headers))
    _post(slow, good, headers)
    assert answered == [True, False]  # the route-only service never takes the fast path


@pytest.mark.parametrize(
    "auth",
    [None, "Bearer", "Bearer nope", "Basic abc", "bearer {key}", "Bearer {key}x"],
)
def test_keys_are_checked_as_the_route_checks_them(
    pair: tuple[TestClient, TestClient], demo: Demo, answered: list[bool], auth: str | None
) -> None:
    fast, slow = pair
    _, keys = demo
    headers = {"content-type": "application/json"}
    if auth is not None:
        headers["authorization"] = auth.format(key=keys.installer)
    got, want = (
        _post(fast, json.dumps(CHECK_BODY).encode(), headers),
        _post(slow, json.dumps(CHECK_BODY).encode(), headers),
    )
    _same(got, want)
    if auth == "bearer {key}":  # the scheme is case-blind on the route: answered there, not refused
        assert got.status_code == 200
    else:
        assert got.status_code == 401
    assert answered == []  # no unknown key got as far as the body


def test_a_revoked_key_is_refused_within_the_bound(pair: tuple[TestClient, TestClient], demo: Demo) -> None:
    fast, _ = pair
    store, keys = demo
    headers = {**keys.auth("installer"), "content-type": "application/json"}
    assert _post(fast, json.dumps(CHECK_BODY).encode(), headers).status_code == 200  # the key is now cached
    store.revoke_key(keys.installer)
    past_the_bound()
    assert _post(fast, json.dumps(CHECK_BODY).encode(), headers).status_code == 401


def test_bodies_past_the_bound_or_of_another_kind_take_the_route(
    demo: Demo, db_url: str, answered: list[bool]
) -> None:
    _, keys = demo
    limit = 512
    with (
        TestClient(
            create_app(Settings(db=db_url, max_check_bytes=limit)), raise_server_exceptions=False
        ) as fast,
        TestClient(
            create_app(Settings(db=db_url, max_check_bytes=limit, fast_paths=False)),
            raise_server_exceptions=False,
        ) as slow,
    ):
        auth = keys.auth("installer")
        big = json.dumps({**CHECK_BODY, "status_history": "Pending:2026-01-01;" * 40}).encode()
        assert len(big) > limit
        for client in (fast, slow):
            r = _post(client, big, {**auth, "content-type": "application/json"})
            assert r.status_code == 413, r.text
        assert answered == []
        # another content type, and a body without a declared length (chunked): the route's answers
        for kind in ("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"):
            h = {**auth, "content-type": kind}
            _same(
                _post(fast, json.dumps(CHECK_BODY).encode(), h),
                _post(slow, json.dumps(CHECK_BODY).encode(), h),
            )

        def chunks() -> Iterator[bytes]:
            yield json.dumps(CHECK_BODY).encode()

        h = {**auth, "content-type": "application/json"}
        got = fast.post("/v1/eligibility", content=chunks(), headers=h)
        want = slow.post("/v1/eligibility", content=chunks(), headers=h)
        _same(got, want)
        assert got.status_code == 200
        assert answered == []


def test_a_second_content_type_is_read_as_the_route_reads_it(
    pair: tuple[TestClient, TestClient], demo: Demo
) -> None:
    # two Content-Type headers: the route reads the first; so must the fast path
    fast, slow = pair
    _, keys = demo
    body = json.dumps(CHECK_BODY).encode()
    for first, second in (("text/plain", "application/json"), ("application/json", "text/plain")):
        headers = [*keys.auth("installer").items(), ("content-type", first), ("content-type", second)]
        got = fast.post("/v1/eligibility", content=body, headers=headers)
        _same(got, slow.post("/v1/eligibility", content=body, headers=headers))
