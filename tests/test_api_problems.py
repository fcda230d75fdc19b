"""One place maps errors to answers: every hubcheck error has its status, nothing else leaks out."""

from __future__ import annotations

import polars as pl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError

import api.errors
from api.app import problems
from eligibility import errors
from eligibility.errors import DataError, HubcheckError, Problem


def _subclasses(cls: type[HubcheckError]) -> list[type[HubcheckError]]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_hubcheck_error_has_a_status() -> None:
    assert api.errors.Forbidden in _subclasses(HubcheckError)  # the service's errors are in the tree
    for cls in _subclasses(HubcheckError):
        exc = cls("x") if cls is not DataError else DataError("x")
        assert problems.status_of(exc) in (401, 403, 404, 409, 413, 415, 422, 503), cls
    assert problems.status_of(errors.InvalidFirmwareVersion("x")) == 422
    assert problems.status_of(errors.NotFound("x")) == 404


class _Model(BaseModel):
    n: int


def _raise(exc: BaseException) -> None:
    raise exc


THIRD_PARTY: dict[str, tuple[BaseException, int]] = {
    # a store that is locked or gone is a 503 the caller may retry
    "operational": (OperationalError("SELECT 1", {}, Exception("database is locked")), 503),
    # anything else is a fault of ours: 500, without its text
    "integrity": (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: secret_table.x")), 500),
    "polars": (pl.exceptions.ComputeError("secret polars detail"), 500),
    "key": (KeyError("secret_key"), 500),
    "value": (ValueError("secret value"), 500),
}


@pytest.fixture
def app() -> TestClient:
    a = FastAPI()
    problems.install(a)

    @a.get("/third/{name}")
    async def third(name: str) -> None:
        if name == "pydantic":
            _Model.model_validate({"n": "secret not a number"})
        _raise(THIRD_PARTY[name][0])

    @a.get("/data")
    async def data() -> None:
        raise DataError(
            "f.csv: bad", [Problem("not hex", source="f.csv", row=3, column="firmware", value="zz")]
        )

    return TestClient(a, raise_server_exceptions=False)


@pytest.mark.parametrize("name", [*THIRD_PARTY, "pydantic"])
def test_no_third_party_error_escapes_unmapped(app: TestClient, name: str) -> None:
    r = app.get(f"/third/{name}")
    expected = THIRD_PARTY[name][1] if name in THIRD_PARTY else 500
    assert r.status_code == expected
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == expected
    assert set(body) <= {"type", "title", "status", "detail", "instance", "field", "problems"}
    assert "secret" not in r.text
    assert "Traceback" not in r.text


def test_data_errors_list_every_problem(app: TestClient) -> None:
    body = app.get("/data").json()
    assert body["status"] == 422
    assert body["detail"] == "f.csv: bad"
    assert body["problems"] == [
        {"message": "not hex", "source": "f.csv", "row": 3, "column": "firmware", "value": "zz"}
    ]
    assert body["type"] == "/problems/data-error"
