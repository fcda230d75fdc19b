"""Schemathesis against the served OpenAPI: no generated request gets a 5xx (kept short)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service_support import Keys, Server, served_demo


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Keys]]:
    with served_demo(tmp_path_factory.mktemp("fuzz")) as running:
        yield running


def test_no_generated_request_gets_a_server_error(served: tuple[Server, Keys]) -> None:
    server, keys = served
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 13  # every operation of the API is fuzzed
    failures: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: Any) -> None:
            # the DCC's key may call everything, so requests reach the handlers, not stop at 401/403
            response = case.call(base_url=server.url, headers=keys.auth("dcc"), timeout=30)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

        run()
    assert failures == []
