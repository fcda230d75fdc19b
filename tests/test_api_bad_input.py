"""Bad input over every HTTP endpoint, hypothesis-generated: a 4xx that says what is wrong, nothing else.

Each endpoint gets requests that are wrong by construction: wrong types, huge values, far and
malformed dates, binary and truncated files, formula cells, unicode tricks (direction
overrides, zero-width and full-width characters, NUL, lone surrogates). For every one:

- the answer is 4xx ``application/problem+json`` with a ``detail`` (never a 5xx, never a
  traceback, never more than an excerpt of the input echoed back);
- the store is unchanged (its change counter, its inventory, its reference data and keys;
  the audit trail records refused imports, as it should).

The number of inputs tried is printed at the end of the module. The examples are the same on
every run; ``HUBCHECK_BAD_INPUT_EXAMPLES=300`` draws that many random ones per endpoint instead.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import Settings, create_app
from api.store import Store
from eligibility.errors import InputError
from eligibility.identifiers import parse_device_id
from eligibility.smi import parse_policy
from tests.service_support import GREEN, SAMPLE_DIR, Keys, demo_store

TRIED: Counter[str] = Counter()
#: Examples per endpoint; HUBCHECK_BAD_INPUT_EXAMPLES=300 for a longer, randomised hunt.
EXAMPLES = int(os.environ.get("HUBCHECK_BAD_INPUT_EXAMPLES", "60"))

# -- what bad looks like ------------------------------------------------------------------------

#: Text no field of hubcheck takes (each holds a character no identifier, date, status or
#: policy may contain).
TRICKS = [
    "\u202e00-DB-12-34-56-78-90-A0",  # right-to-left override
    "00-DB-12-34-56-78-90-A0\u200b",  # zero-width space
    "００-ＤＢ-12-34-56-78-90-A0",  # full-width
    "00-DB-12-34-\x00-78-90-A0",  # NUL
    "Pending\u0301",  # combining accent
    "\ufeffF0A1",  # byte order mark
    "2026-11-28\u200b",  # zero-width space (a line separator would be a blank, as Python and polars agree)
    "Ｐｅｎｄｉｎｇ",
    "𝟐𝟎𝟐𝟔-𝟏𝟏-𝟐𝟖",  # mathematical digits
]
FORMULAS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    '=HYPERLINK("http://x","y")',
    "+10000-12-31",
    "-2+3",
    "\t=1",
    "\r=1",
]
FAR_DATES = [
    "9999-12-31",
    "0001-01-01",
    "1989-12-31",
    "2101-01-01",
    "20261105",
    "20261128xx",
    "2026-W48-1",
    "+10000-12-31",
    "2026-02-30",
    "2026-11-28T00:00",
    "２０２６-１１-２８",
]
HUGE_NUMBERS = [1e308, -1e308, 2**64, -(2**63) - 1, 10**40]
#: Values of a JSON field of the wrong type.
WRONG_TYPES = st.one_of(
    st.integers(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
BAD_TEXT = st.one_of(
    st.sampled_from(TRICKS + FORMULAS + FAR_DATES),
    st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "").map(lambda s: s + "\u202e"),
    st.integers(100, 6000).map(lambda n: "Z" * n),  # long: bounded echo
    st.binary(min_size=1, max_size=30).map(lambda b: b.decode("latin-1") + "\x01"),
)


def _not_an_id(text: str) -> bool:
    for t in (text, unquote(text)):  # the test client decodes paths a second time
        try:
            parse_device_id(t)
            return False
        except InputError:
            pass
    return True


def _not_a_policy(text: str) -> bool:
    try:
        parse_policy(text)
        return False
    except InputError:
        return True


# -- requests, per endpoint -----------------------------------------------------------------------

Request = tuple[str, str, dict[str, Any]]


@st.composite
def hub_reads(draw: st.DrawFn) -> Request:
    params: dict[str, Any] = {"install_date": "2026-11-28"}
    device = GREEN
    match draw(st.sampled_from(["id", "date", "policy", "supplier"])):
        case "id":
            device = draw(BAD_TEXT.filter(lambda s: "/" not in s and _not_an_id(s)))
        case "date":
            params["install_date"] = draw(st.sampled_from(FAR_DATES) | BAD_TEXT)
        case "policy":
            params["policy"] = draw(BAD_TEXT.filter(_not_a_policy))
        case _:
            params["supplier"] = draw(st.sampled_from(["Z" * 65, *FORMULAS, *TRICKS]))  # no such supplier
    return "GET", f"/v1/hubs/{quote(device, safe='')}/eligibility", {"params": params}


CHECK = {"manufacturer": "F0A1", "model": "A1010100", "firmware": "03000000", "status_since": "2026-06-01"}
CHECK_FIELDS = [
    "device_id", "manufacturer", "model", "firmware", "device_type", "status", "status_since",
    "status_history", "tsat_install_end", "install_date", "policy",
]  # fmt: skip
RAW_JSON = [
    b"\x00\x01\xff",  # binary
    b'{"manufacturer": "F0A1", "model": "A10',  # truncated
    b'{"manufacturer": "\\ud800", "model": "A1010100", "firmware": "3"}',  # a lone surrogate
    b'{"manufacturer": "F0A1", "model": "A1010100", "firmware": Infinity}',
    b"[" * 20_000 + b"]" * 20_000,  # nested deep (within the bound)
    b"[]",
    b'"F0A1"',
    b"1e999",
    b"null",
]


@st.composite
def checks(draw: st.DrawFn) -> Request:
    headers = {"content-type": "application/json"}
    match draw(st.sampled_from(["field", "type", "extra", "gpf", "raw"])):
        case "field":
            field = draw(st.sampled_from(CHECK_FIELDS))
            value = draw(
                st.sampled_from(FAR_DATES)
                if "date" in field or "since" in field or "tsat" in field
                else BAD_TEXT
            )
            if field == "policy":
                value = draw(BAD_TEXT.filter(_not_a_policy))
            return "POST", "/v1/eligibility", {"json": {**CHECK, field: value}}
        case "type":
            field = draw(st.sampled_from(CHECK_FIELDS))
            return "POST", "/v1/eligibility", {"json": {**CHECK, field: draw(WRONG_TYPES)}}
        case "extra":
            return "POST", "/v1/eligibility", {"json": {**CHECK, draw(BAD_TEXT): draw(BAD_TEXT)}}
        case "gpf":
            gpf = {
                draw(st.sampled_from(["status", "status_since", "status_history", "device_id"])): draw(
                    st.sampled_from(FAR_DATES + FORMULAS)
                )
            }
            return "POST", "/v1/eligibility", {"json": {**CHECK, "gpf": gpf}}
        case _:
            return "POST", "/v1/eligibility", {"content": draw(st.sampled_from(RAW_JSON)), "headers": headers}


INVENTORY_HEAD = ["device_id", "gpf_device_id", "device_type", "manufacturer", "model", "firmware",
                  "status", "status_since", "status_history", "tsat_install_end", "csp_region"]  # fmt: skip
GOOD_ROW = [
    "00-DB-12-34-56-78-90-F0",
    "",
    "CHF",
    "F0A1",
    "A1010100",
    "03000000",
    "Pending",
    "2026-06-01",
    "",
    "",
    "",
]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([INVENTORY_HEAD, *rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def inventory_bodies(draw: st.DrawFn, *, form: bool = False) -> tuple[bytes, str]:
    """An inventory body that must be refused, and its content type (a form's file is also
    recognised by its name: no wrong media type there)."""
    kinds = ["cell", "binary", "truncated", "ndjson", "xml"] + ([] if form else ["media"])
    match draw(st.sampled_from(kinds)):
        case "cell":
            col = draw(st.integers(0, len(INVENTORY_HEAD) - 1))
            row = list(GOOD_ROW)
            name = INVENTORY_HEAD[col]
            row[col] = (
                draw(st.sampled_from(FAR_DATES))
                if name in ("status_since", "tsat_install_end")
                else draw(BAD_TEXT)
            )
            if name == "status_history":
                row[col] = "Commissioned:" + draw(st.sampled_from(FAR_DATES))
            return _csv([list(GOOD_ROW), row] if draw(st.booleans()) else [row]), "text/csv"
        case "binary":
            return b"\x89PNG\r\n\x1a\n" + draw(st.binary(max_size=200)), "application/octet-stream"
        case "truncated":  # in the header, or in a field that must be whole (Device ID to model)
            body = _csv([GOOD_ROW])
            start = body.index(b"\r\n") + 2
            cut = draw(st.integers(1, start - 3) | st.integers(start + 1, start + 40))
            return body[:cut], "text/csv"
        case "ndjson":
            bad = {
                **dict(zip(INVENTORY_HEAD, GOOD_ROW, strict=True)),
                draw(st.sampled_from(INVENTORY_HEAD[:8])): draw(WRONG_TYPES),
            }
            return (
                json.dumps(bad) + "\n" + draw(st.sampled_from(["{", "[1,", "\x00"]))
            ).encode(), "application/x-ndjson"
        case "xml":
            return draw(
                st.sampled_from(
                    [
                        b"<?xml version='1.0'?><sr:Response",
                        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><x>&b;</x>",
                        b"<?xml version='1.0'?><x/>",
                    ]
                )
            ), "application/xml"
        case _:
            return _csv([GOOD_ROW]), draw(st.sampled_from(["image/png", "application/pdf", "text/html"]))


@st.composite
def batches(draw: st.DrawFn) -> Request:
    if draw(st.booleans()):
        body, ctype = draw(inventory_bodies())
        return "POST", "/v1/eligibility/batch", {"content": body, "headers": {"content-type": ctype}}
    params = draw(
        st.sampled_from([{"install_date": d} for d in FAR_DATES] + [{"policy": f} for f in FORMULAS + TRICKS])
    )
    return (
        "POST",
        "/v1/eligibility/batch",
        {"content": _csv([GOOD_ROW]), "headers": {"content-type": "text/csv"}, "params": params},
    )


@st.composite
def inventory_imports(draw: st.DrawFn) -> Request:
    form = draw(st.booleans())
    body, ctype = draw(inventory_bodies(form=form))
    params = {"supplier": "Northwind Energy"} if draw(st.booleans()) else {}
    if form:
        return (
            "POST",
            "/v1/inventory/imports",
            {"files": {"file": (draw(BAD_TEXT) + ".csv", body, ctype)}, "params": params},
        )
    return (
        "POST",
        "/v1/inventory/imports",
        {"content": body, "headers": {"content-type": ctype}, "params": params},
    )


def _sample_cpl() -> bytes:
    return (SAMPLE_DIR / "sample-cpl.csv").read_bytes()


@st.composite
def cpl_imports(draw: st.DrawFn) -> Request:
    cpl = _sample_cpl()
    match draw(st.sampled_from(["truncated", "binary", "zip", "cell", "form", "replace"])):
        case "truncated":  # the sample CPL is imported already: any other content of its version is refused
            body = cpl[: draw(st.integers(10, len(cpl) - 40))]
        case "binary":
            body = draw(st.binary(min_size=1, max_size=300))
        case "zip":
            body = b"PK\x03\x04" + draw(st.binary(max_size=300))
        case "cell":
            lines = cpl.decode().splitlines()
            i = draw(st.integers(1, len(lines) - 1))
            cells = lines[i].split(",")
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(st.sampled_from(FORMULAS + TRICKS + FAR_DATES)).replace(",", ";")
            lines[i] = ",".join(cells)
            body = "\n".join(lines).encode()
        case "form":
            return "POST", "/v1/cpl/imports", {"files": {"other": ("cpl.csv", cpl, "text/csv")}}
        case _:
            return (
                "POST",
                "/v1/cpl/imports",
                {
                    "content": cpl,
                    "params": {"replace": draw(BAD_TEXT)},
                    "headers": {"content-type": "text/csv"},
                },
            )
    return "POST", "/v1/cpl/imports", {"content": body, "headers": {"content-type": "text/csv"}}


CATALOGUE_BAD = [
    "x = " + "[" * 5_000 + "]" * 5_000,
    '[[model]]\nmanufacturer = "F0A1"\nmodel = "A1010100"\n[[model.release]]\nfirmware = "03000000"\nproduction_from = 9999-12-31\n',
    '[[model]]\nmanufacturer = "F0A1"\nmodel = "A1010100"\n[[model.release]]\nfirmware = "03000000"\nimage_size = 9223372036854775807\n',
    '[[model]]\nmanufacturer = "F0A1"\nmodel = "A1010100"\n[[model.release]]\nfirmware = "03000000"\nimage_size = inf\n',
    '[[model]]\nmanufacturer = "F0A1"\nmodel = "A1010100"\n[[model.release]]\nfirmware = "03000000"\npilot_from = 1900-01-01\n',
    '[[model]]\nmanufacturer = "=cmd"\nmodel = "A1010100"\n',
    '[[model]]\nmanufacturer = 1086\nmodel = "A1010100"\n',
    '[[model]]\nmanufacturer = "F0A1"\nmodel = "A1010100"\n[[model.release]]\nfirmware = "03000000\u202e"\n',
    '[[model]]\nmanufacturer = "F0A1"\nmodel = "A10',
]


@st.composite
def catalogue_imports(draw: st.DrawFn) -> Request:
    if draw(st.booleans()):
        body = draw(st.sampled_from(CATALOGUE_BAD)).encode()
    else:
        body = b"\xff\xfe" + draw(st.binary(max_size=100))
    return "POST", "/v1/catalogue/imports", {"content": body, "headers": {"content-type": "application/toml"}}


@st.composite
def versions(draw: st.DrawFn) -> Request:
    man, model, params = "F0A1", "A1010100", {}
    match draw(st.sampled_from(["man", "model", "date", "back"])):
        case "man":
            man = draw(BAD_TEXT.filter(lambda s: "/" not in unquote(s) and "/" not in s))
        case "model":
            model = draw(BAD_TEXT.filter(lambda s: "/" not in unquote(s) and "/" not in s))
        case "date":
            params = {"date": draw(st.sampled_from(FAR_DATES) | BAD_TEXT)}
        case _:
            params = {"window_back": draw(st.sampled_from(["-1", "21", "1e308", "x", str(10**30), "NaN"]))}
    return "GET", f"/v1/cpl/models/{quote(man, safe='')}/{quote(model, safe='')}/versions", {"params": params}


@st.composite
def imports_read(draw: st.DrawFn) -> Request:
    which = draw(st.sampled_from(["0", "-1", str(2**31), str(10**40), "1e3", "x", "\u0661", "999999"]))
    return "GET", f"/v1/imports/{quote(which)}", {}


@st.composite
def charging(draw: st.DrawFn) -> Request:
    params: dict[str, str] = {"date": "2026-11-28"}
    match draw(st.sampled_from(["date", "tariff", "policy", "supplier"])):
        case "date":
            params["date"] = draw(st.sampled_from(FAR_DATES) | BAD_TEXT)
        case "tariff":
            params["tariff"] = draw(st.sampled_from(["Infinity", "NaN", "-1", "1e308", "10001", "x", "１"]))
        case "policy":
            params["policy"] = draw(BAD_TEXT.filter(_not_a_policy))
        case _:
            params["supplier"] = draw(st.sampled_from(["Z" * 65, "Nobody Power", *FORMULAS, *TRICKS]))
    return "GET", "/v1/charging/exclusions", {"params": params}


@st.composite
def risks(draw: st.DrawFn) -> Request:
    body: dict[str, Any] = {"from": "2026-11-28"}
    match draw(st.sampled_from(["from", "months", "policies", "tariff", "supplier", "type", "raw"])):
        case "from":
            body["from"] = draw(st.sampled_from(FAR_DATES) | BAD_TEXT)
        case "months":
            body["months"] = draw(st.sampled_from([0, -1, 121, 10**40, 1.5, "x", None]))
        case "policies":
            body["policies"] = draw(st.sampled_from([[], ["nope"] * 9, [FORMULAS[0]], "sec-ac-7.2", [1]]))
        case "tariff":
            body["tariff"] = draw(st.sampled_from([*HUGE_NUMBERS, -1, "x", 10_001]))
        case "supplier":
            body["supplier"] = draw(st.sampled_from(["Z" * 65, "Nobody Power", *FORMULAS, *TRICKS]))
        case "type":
            body[draw(st.sampled_from(["from", "supplier", "policies"]))] = draw(WRONG_TYPES)
        case _:
            return (
                "POST",
                "/v1/risk/queries",
                {"content": draw(st.sampled_from(RAW_JSON)), "headers": {"content-type": "application/json"}},
            )
    return "POST", "/v1/risk/queries", {"json": body}


@st.composite
def duplicates(draw: st.DrawFn) -> Request:
    return (
        "GET",
        "/v1/quality/duplicate-devices",
        {"params": {"limit": draw(st.sampled_from(["0", "-5", "10001", "x", "1e308", str(2**70)]))}},
    )


ENDPOINTS = {
    "GET /v1/hubs/{device_id}/eligibility": hub_reads(),
    "POST /v1/eligibility": checks(),
    "POST /v1/eligibility/batch": batches(),
    "GET /v1/cpl/models/{manufacturer}/{model}/versions": versions(),
    "POST /v1/cpl/imports": cpl_imports(),
    "POST /v1/catalogue/imports": catalogue_imports(),
    "POST /v1/inventory/imports": inventory_imports(),
    "GET /v1/imports/{import_id}": imports_read(),
    "GET /v1/charging/exclusions": charging(),
    "POST /v1/risk/queries": risks(),
    "GET /v1/quality/duplicate-devices": duplicates(),
}

# -- the suite ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[TestClient, Store, Keys]]:
    tmp = tmp_path_factory.mktemp("bad-input")
    url = f"sqlite:///{tmp / 'hubcheck.sqlite'}"
    store, keys = demo_store(url, tmp)
    with TestClient(create_app(Settings(db=url)), raise_server_exceptions=False) as client:
        yield client, store, keys
    total = sum(TRIED.values())
    per = ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items()))
    # past the capture: what a fixture's teardown prints is never shown otherwise
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print(f"\nbad-input suite: {total} inputs tried over {len(TRIED)} endpoints ({per})")


def _state(store: Store) -> tuple[Any, ...]:
    return (
        store.generation(),
        store.inventory_frame().hash_rows().sum(),
        [v["id"] for v in store.cpl_versions()],
        store.active_catalogue(),
        [(k["id"], k["revoked_at"]) for k in store.list_keys()],
    )


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_bad_input_gets_a_clear_4xx_and_changes_nothing(
    served: tuple[TestClient, Store, Keys], endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    client, store, keys = served
    before = _state(store)

    @given(request=ENDPOINTS[endpoint], role=st.sampled_from(["dcc", "supplier"]))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize="HUBCHECK_BAD_INPUT_EXAMPLES" not in os.environ,
        suppress_health_check=list(HealthCheck),
    )
    def run(request: Request, role: str) -> None:
        method, url, kw = request
        if endpoint in (
            "POST /v1/cpl/imports",
            "POST /v1/catalogue/imports",
            "GET /v1/charging/exclusions",
            "GET /v1/quality/duplicate-devices",
        ):
            role = "dcc"  # reach the handler, not a 403
        headers = {**kw.pop("headers", {}), **keys.auth(role)}
        r = client.request(method, url, headers=headers, **kw)
        TRIED[endpoint] += 1
        shown = f"{method} {url} {str(kw)[:200]} -> {r.status_code} {r.text[:300]}"
        assert 400 <= r.status_code < 500, shown
        assert r.headers["content-type"] == "application/problem+json", shown
        doc = r.json()
        assert doc["detail"].strip(), shown
        assert "Traceback" not in r.text
        assert len(r.content) < 32_000, shown  # an excerpt, never the input echoed back
        assert _state(store) == before, shown

    run()


def test_endpoints_without_input_ignore_junk(served: tuple[TestClient, Store, Keys]) -> None:
    client, _, _ = served
    for path in ("/healthz", "/readyz", "/"):
        for junk in ("?x=" + quote("\u202e=cmd|"), "?" + "a=1&" * 500):
            r = client.get(path + junk)
            TRIED[f"GET {path}"] += 1
            assert r.status_code == 200
