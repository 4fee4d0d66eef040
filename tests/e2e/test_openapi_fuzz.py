"""Schemathesis generates requests for every operation of the OpenAPI document and sends
them to the real server: whatever arrives, the answer is never a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.e2e.server import ServerProcess


def test_no_generated_request_makes_the_api_fail(server: ServerProcess) -> None:
    schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    token = server.token("admin")
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(base_url=server.base, headers=headers, timeout=10)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )

        fuzz()
