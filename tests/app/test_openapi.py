"""The API against its own OpenAPI description: explicit checks, then schemathesis fuzzing.

Schemathesis generates requests from ``/openapi.json`` and checks that none gets a 5xx and that
every answer matches the documented schema, status codes and content type.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode


def test_openapi_describes_the_api_routes(client) -> None:
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    routes = {r.rule for r in client.application.url_map.iter_rules()}
    assert {"/predict", "/explain", "/guess", "/health", "/version"} == set(spec["paths"])
    assert set(spec["paths"]) <= routes


CASES = [(path, GenerationMode.POSITIVE) for path in ("/health", "/version")] + [
    (path, mode) for path in ("/predict", "/explain", "/guess") for mode in GenerationMode
]


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"{p}-{m.value}" for p, m in CASES])
def test_api_never_fails_and_matches_its_schema(app: Flask, path: str, mode) -> None:
    """Valid requests must get documented 2xx answers; invalid ones documented 4xx answers,
    never a 5xx. Built at run time because the app needs the trained-model fixtures.
    """
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [op.ok() for op in schema.get_all_operations()]
    (operation,) = [op for op in operations if op.path == path]

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case) -> None:
        case.call_and_validate()

    check()
