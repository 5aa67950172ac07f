"""The authorization matrix over the whole API, from its own OpenAPI schema (so that every route,
today's and tomorrow's, is in it): a user who is not a party to a contract learns nothing of it — the
same 404 as for a contract that does not exist, never a success, a "forbidden" or a "not now" — and
no request without a good token (none, expired, signed out, made up) gets past the sign-in."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from service.models import Token, User
from tests.helpers.service import API, bearer, running_service
from tests.service.conftest import CARA, World, make_world
from tracker.simulation import SimulatedClock

DAVE = "dave@example.test"  # a second client, of nobody's contract here
# Signing in needs no token; signing out an expired or signed-out token again answers 204 (a replay);
# a load balancer asks whether a worker answers and is ready.
OPEN_TO_ALL = {f"{API}/auth/sign-in", f"{API}/auth/sign-out", "/healthz", "/readyz"}


class Strangers:
    def __init__(self, world: World) -> None:
        world.service.add_user(DAVE, "client")
        self.world = world
        self.dave = world.service.sign_in(DAVE)
        self.expired = self._token(expires_in=timedelta(seconds=-1))
        self.signed_out = world.service.sign_in(CARA, device_name="signed out")
        world.call("POST", "/auth/sign-out", self.signed_out)

    def _token(self, expires_in: timedelta) -> str:
        token = secrets.token_urlsafe(32)
        now = self.world.service.clock.now()
        with self.world.service.database.writing() as session:
            user_id = session.scalars(select(User.id).where(User.email == CARA)).one()
            session.add(
                Token(
                    token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                    user_id=user_id,
                    device_name="expired",
                    created_at=now - timedelta(days=31),
                    expires_at=now + expires_in,
                    revoked_at=None,
                )
            )
        return token


@pytest.fixture
def strangers(tmp_path: Path, clock: SimulatedClock) -> Iterator[Strangers]:
    with running_service(tmp_path, clock) as handle:
        yield Strangers(make_world(handle))


@pytest.fixture
def api_schema(strangers: Strangers) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{strangers.world.service.url}{API}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")
SETTINGS = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


def as_documented(case: schemathesis.Case) -> bool:
    """A case with the operation's own method (the fuzzer also tries others)."""
    return case.method.upper() == case.operation.method.upper()


def call(case: schemathesis.Case, token: str | None) -> requests.Response:
    """The case sent with this token, or none (the fuzzer's own cases may drop or make up the
    Authorization header)."""
    request = case.as_transport_kwargs()
    headers = {
        name: value for name, value in request.pop("headers").items() if name.lower() != "authorization"
    }
    return requests.request(**request, headers={**headers, **(bearer(token) if token else {})}, timeout=10)


@schema.parametrize()
@SETTINGS
def test_a_stranger_to_a_contract_learns_nothing_of_it(case: schemathesis.Case, strangers: Strangers) -> None:
    if "contract_id" not in (case.path_parameters or {}) or not as_documented(case):
        return
    world = strangers.world
    case.path_parameters["contract_id"] = world.website  # Ann's contract with Cara
    for stranger in (world.bob, strangers.dave):  # another freelancer, another client
        response = call(case, stranger)

        # 404 as for a contract that does not exist; 422 when the request is malformed anyway.
        assert response.status_code in (404, 422), (
            case.method,
            case.path,
            response.status_code,
            response.text,
        )


@schema.parametrize()
@SETTINGS
def test_no_request_without_a_good_token_gets_past_the_sign_in(
    case: schemathesis.Case, strangers: Strangers
) -> None:
    if case.path in OPEN_TO_ALL or not as_documented(case):
        return
    for token in (None, strangers.expired, strangers.signed_out, secrets.token_urlsafe(32)):
        response = call(case, token)

        # 422: a malformed request is refused before its token is looked at, which tells nothing.
        assert response.status_code in (401, 422), (
            case.method,
            case.path,
            response.status_code,
            response.text,
        )
