"""Property-based run of Schemathesis over the whole OpenAPI document, in-process (WSGI).

Every operation is called as an anonymous client, an organisation member and a platform admin, with a fixed
number of examples, derandomised (a fixed seed), and checked for "not a server error" and "the response matches
its documented schema". Writes go to the test's rolled-back database session.

The operations are driven from one test per actor (rather than Schemathesis' pytest plugin, whose lazy subtests
do not run on our pytest) and every operation's first failure is collected, so one run reports them all.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import API, build_world

# Examples per operation and actor: 3 actors × every operation stay within CI's minutes on 2 cores.
# SCHEMATHESIS_EXAMPLES raises it for a deeper local run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance]


def run_all_operations(app, headers: dict) -> tuple[list[str], int]:
    """Call every operation with generated cases; returns one line per operation that failed a check, and the
    number of requests made."""
    api_schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    failures = []
    requests = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def call(case):
            nonlocal requests
            requests += 1
            case.validate_response(case.call(headers=headers), checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as error:  # every check failure is collected, not raised
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return failures, requests


@pytest.mark.parametrize("actor", ["anonymous", "member", "admin"])
def test_every_operation_answers_without_5xx_and_as_documented(app, client, actor):
    headers = build_world("patents").headers[actor] or {}
    failures, requests = run_all_operations(app, headers)
    print(f"schemathesis {actor}: {requests} requests, {len(failures)} failing operations")  # shown with -s
    assert not failures, "\n\n".join(failures)
