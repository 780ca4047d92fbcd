"""Schemathesis over the whole OpenAPI of a live server: no input may cause a server error.

Driven from a plain test (one Hypothesis run per operation) rather than schemathesis's pytest
plugin, which does not support pytest 9 yet."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.live import LiveServer
from yima.platform.permissions import all_permissions


@pytest.fixture(scope="session")
def bearer_token(live: LiveServer) -> str:
    # The sister brand: random writes with every permission (voiding batches, blocking codes…)
    # must not wreck the demo brand the other live-server tests read.
    creds = live.client_credentials("demo-beer", [p.name for p in all_permissions()])
    response = httpx.post(f"{live.url}/oauth/token", data={"grant_type": "client_credentials", **creds})
    return str(response.json()["access_token"])


def test_no_input_makes_a_server_error(live: LiveServer, bearer_token: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    headers = {"Authorization": f"Bearer {bearer_token}"}
    for operation in operations:

        @given(case=operation.as_strategy(), _=st.just(operation.label))
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case, _: str) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
