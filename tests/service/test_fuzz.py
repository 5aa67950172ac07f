"""The API fuzzed from its own OpenAPI schema with a signed-in freelancer: no input makes it fail (5xx),
and every answer is one the schema documents (its status, its content type, its body's shape)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers.service import API, bearer, running_service
from tests.service.conftest import ANN, World, make_world
from tracker.simulation import SimulatedClock

UNLIMITED = 10**9


@pytest.fixture
def fuzzed_world(tmp_path: Path, clock: SimulatedClock) -> Iterator[World]:
    # The fuzzer's failed sign-ins must not lock everybody out of the sign-ins this test makes.
    limits = {
        "sign_in_failures_per_account_and_address": UNLIMITED,
        "sign_in_failures_per_address": UNLIMITED,
    }
    with running_service(tmp_path, clock, **limits) as handle:
        yield make_world(handle)


@pytest.fixture
def api_schema(fuzzed_world: World) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_world.service.url}{API}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_request_makes_the_service_fail(case: schemathesis.Case, fuzzed_world: World) -> None:
    world = fuzzed_world
    aim_at_a_real_contract(case, world)
    if case.query and "wait" in case.query:
        case.query["wait"] = 0  # the feed's long poll would outlast the call's timeout (test_events waits)
    # Signing out revokes the token: it gets one of its own, so the other requests stay signed in.
    token = world.service.sign_in(ANN) if case.path.endswith("/sign-out") else world.ann

    response = case.call(headers=bearer(token), timeout=10)

    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def aim_at_a_real_contract(case: schemathesis.Case, world: World) -> None:
    """Swap about half the generated contract ids for Ann's, so that requests get past the 404 into
    the rules (chosen by the generated id, which keeps the run deterministic)."""
    if "contract_id" in (case.path_parameters or {}) and _chosen(case.path_parameters["contract_id"]):
        case.path_parameters["contract_id"] = world.website
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("contract_id"), str) and _chosen(body["contract_id"]):
        body["contract_id"] = world.website


def _chosen(generated_id: object) -> bool:
    return sum(str(generated_id).encode()) % 2 == 0
