"""FastAPI's OpenTelemetry instrumentation is off unless ``HUBCHECK_TELEMETRY`` asks for it.

Left on, FastAPI asks OpenTelemetry for its configured providers on every request (a fifth of a
cached check's CPU), though nothing is sent unless an SDK in the process configured one.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace

from api.app import Settings, create_app
from tests.service_support import CHECK_BODY, Keys


@pytest.mark.parametrize("on", [False, True], ids=["default-off", "asked-for"])
def test_requests_look_for_telemetry_providers_only_when_asked(
    demo: tuple[object, Keys], db_url: str, monkeypatch: pytest.MonkeyPatch, on: bool
) -> None:
    looked: list[str] = []
    real = trace.get_tracer_provider

    def spy() -> trace.TracerProvider:
        looked.append("tracer provider")
        return real()

    monkeypatch.setattr(trace, "get_tracer_provider", spy)
    _, keys = demo
    with TestClient(create_app(Settings(db=db_url, telemetry=on))) as client:
        health = client.get("/healthz")
        check = client.post("/v1/eligibility", json=CHECK_BODY, headers=keys.auth("installer"))
    assert (health.status_code, check.status_code) == (200, 200), check.text
    assert check.json()["verdict"] == "ELIGIBLE_AFTER_UPGRADE"
    assert bool(looked) is on, looked


def test_the_setting_reads_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().telemetry is False
    monkeypatch.setenv("HUBCHECK_TELEMETRY", "1")
    assert Settings().telemetry is True
