"""Sign-in, tokens (hashed, expiring, revocable) and the sign-in rate limit."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from service.admin import create_user
from service.auth import HASHES_AT_ONCE, SCRYPT_N, hash_password, verify_password
from service.config import ServiceConfig
from service.models import Token, User
from tests.helpers.service import PASSWORD, LocalService, bearer, running_service
from tests.service.conftest import ANN

DAY = 24 * 3600


def sign_in(service: LocalService, email: str = ANN, password: str = PASSWORD) -> requests.Response:
    return requests.post(
        f"{service.api}/auth/sign-in",
        json={"email": email, "password": password, "device_name": "Desk"},
        timeout=10,
    )


def me(service: LocalService, token: str) -> requests.Response:
    return requests.get(f"{service.api}/me", headers=bearer(token), timeout=10)


def test_signing_in_answers_a_token_that_expires_in_30_days(service: LocalService) -> None:
    user_id = service.add_user(ANN.upper(), "freelancer", name="Ann Lee")

    answer = sign_in(service)

    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_at"] == "2026-12-23T09:00:00Z"
    assert body["user"] == {
        "id": user_id,
        "email": ANN,
        "name": "Ann Lee",
        "role": "freelancer",
        "title": "",
        "time_zone": "UTC",
    }
    assert me(service, body["token"]).json() == body["user"]


def test_only_the_tokens_hash_is_stored(service: LocalService) -> None:
    service.add_user(ANN)
    token = service.sign_in(ANN, device_name="test")

    with service.app.state.service.database.reading() as session:
        stored = session.scalars(select(Token)).one()

    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert stored.device_name == "test"


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("s3cret-words", 2**10), hash_password("s3cret-words", 2**10)

    assert first.startswith("scrypt$1024$8$1$") and first != second
    assert verify_password("s3cret-words", first) and not verify_password("s3cret-word", first)


def test_the_cost_of_a_hash_is_owasps_minimum_unless_a_test_says_otherwise() -> None:
    assert hash_password("s3cret-words").startswith("scrypt$131072$8$1$")  # n = 2**17
    assert ServiceConfig(database_url="sqlite://", storage_dir=Path("blobs")).password_cost == 2**17


def test_a_weaker_hash_still_signs_in_and_is_replaced_by_a_full_cost_one(tmp_path: Path, clock) -> None:
    with running_service(tmp_path, clock, password_cost=SCRYPT_N) as service:
        with service.app.state.service.database.writing() as session:
            create_user(session, ANN, "Ann", "freelancer", PASSWORD, clock.now(), password_cost=2**14)

        first = sign_in(service)
        stored = stored_hash(service)
        second = sign_in(service)

    assert (first.status_code, second.status_code) == (200, 200)  # the second one with the new hash
    assert stored.startswith("scrypt$131072$8$1$")


def stored_hash(service: LocalService, email: str = ANN) -> str:
    with service.app.state.service.database.reading() as session:
        return session.scalars(select(User.password_hash).where(User.email == email)).one()


def test_no_more_passwords_are_hashed_at_once_than_there_are_cores(monkeypatch) -> None:
    """A hash at full cost holds 128 MiB: parallel sign-ins must not hold that many times over."""
    real_scrypt, lock = hashlib.scrypt, threading.Lock()
    hashing, most = 0, 0

    def counting_scrypt(*args, **kwargs) -> bytes:
        nonlocal hashing, most
        with lock:
            hashing += 1
            most = max(most, hashing)
        try:
            return real_scrypt(*args, **kwargs)
        finally:
            with lock:
                hashing -= 1

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    cores = HASHES_AT_ONCE  # this process's cores
    start = threading.Barrier(4 * cores)
    stored = hash_password(PASSWORD, 2**14)

    def verify() -> bool:
        start.wait()
        return verify_password(PASSWORD, stored)

    with ThreadPoolExecutor(4 * cores) as pool:
        results = list(pool.map(lambda _: verify(), range(4 * cores)))

    assert results == [True] * 4 * cores
    assert most == cores


def test_a_wrong_password_or_an_unknown_email_is_refused_alike(service: LocalService) -> None:
    service.add_user(ANN)

    for answer in (
        sign_in(service, password="wrong password"),
        sign_in(service, email="nobody@example.test"),
    ):
        assert answer.status_code == 401
        assert answer.json() == {"detail": "The email or the password is wrong."}


def test_a_token_expires_after_30_days(service: LocalService) -> None:
    service.add_user(ANN)
    token = service.sign_in(ANN)

    service.clock.advance(30 * DAY - 1)
    assert me(service, token).status_code == 200
    service.clock.advance(1)
    answer = me(service, token)

    assert answer.status_code == 401
    assert answer.json() == {"detail": "This sign-in has expired: sign in again."}
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_signing_out_revokes_the_token_and_a_replay_answers_204(service: LocalService) -> None:
    service.add_user(ANN)
    token, other_device = service.sign_in(ANN), service.sign_in(ANN)

    answers = [
        requests.post(f"{service.api}/auth/sign-out", headers=bearer(token), timeout=10) for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [204, 204, 204]
    assert me(service, token).json() == {"detail": "This token was signed out: sign in again."}
    assert me(service, other_device).status_code == 200


def test_requests_without_a_valid_token_are_refused(service: LocalService) -> None:
    no_token = requests.get(f"{service.api}/me", timeout=10)
    unknown = me(service, "made-up")
    basic = requests.get(f"{service.api}/me", headers={"Authorization": "Basic YTpi"}, timeout=10)
    sign_out = requests.post(f"{service.api}/auth/sign-out", timeout=10)

    for answer in (no_token, basic, sign_out):
        assert answer.status_code == 401
        assert answer.json() == {"detail": "Sign in first: this needs a token (Authorization: Bearer …)."}
    assert (unknown.status_code, unknown.json()) == (
        401,
        {"detail": "The token is not known here: sign in again."},
    )


def test_failed_sign_ins_are_limited_per_account_from_one_address(service: LocalService) -> None:
    service.add_user(ANN)
    failures = [sign_in(service, password=f"guess {attempt}").status_code for attempt in range(5)]
    service.clock.advance(60)

    limited = sign_in(service)  # even the right password waits

    assert failures == [401] * 5
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == str(14 * 60)
    assert limited.json() == {"detail": "Too many failed sign-ins: try again in 14 minutes."}
    service.clock.advance(14 * 60)
    assert sign_in(service).status_code == 200


def test_a_successful_sign_in_clears_the_accounts_failures_from_its_address(service: LocalService) -> None:
    service.add_user(ANN)
    for attempt in range(4):
        sign_in(service, password=f"guess {attempt}")
    sign_in(service)

    assert [sign_in(service, password="again").status_code for _ in range(5)] == [401] * 5


def test_failed_sign_ins_are_limited_per_address(service: LocalService) -> None:
    service.add_user(ANN)
    for attempt in range(20):
        assert sign_in(service, email=f"guess{attempt}@example.test").status_code == 401

    limited = sign_in(service)

    assert limited.status_code == 429
    service.clock.advance(15 * 60)
    assert sign_in(service).status_code == 200


def sign_in_from(
    service: LocalService, address: str, email: str = ANN, password: str = PASSWORD
) -> requests.Response:
    """A sign-in through a proxy that forwards the client's ``address``."""
    return requests.post(
        f"{service.api}/auth/sign-in",
        json={"email": email, "password": password, "device_name": "Desk"},
        headers={"X-Forwarded-For": address},
        timeout=10,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str | None:
    """None, for SQLite in the test's folder; then a new PostgreSQL database."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres").create_database()


def test_parallel_wrong_passwords_for_one_account_are_counted_one_by_one(
    tmp_path: Path, clock, database_url: str | None
) -> None:
    with running_service(tmp_path, clock, database_url) as service:
        service.add_user(ANN)
        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(lambda attempt: sign_in(service, password=f"guess {attempt}"), range(30)))

        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [401] * 5 + [429] * 25
        assert {answer.headers["Retry-After"] for answer in answers if answer.status_code == 429} == {
            str(15 * 60)
        }
        assert sign_in(service).status_code == 429  # the right password too, from the same address


def test_the_owner_signs_in_from_their_address_while_an_attackers_is_locked_out(
    tmp_path: Path, clock, database_url: str | None
) -> None:
    attacker, owner = "203.0.113.9", "198.51.100.20"
    with running_service(tmp_path, clock, database_url, forwarded_allow_ips=("127.0.0.1",)) as service:
        service.add_user(ANN)
        guesses = [sign_in_from(service, attacker, password=f"guess {n}").status_code for n in range(6)]

        owners = sign_in_from(service, owner)
        attackers = sign_in_from(service, attacker)

    assert guesses == [401] * 5 + [429]
    assert owners.status_code == 200
    assert attackers.status_code == 429  # the right password from there waits too


def test_an_address_sent_by_a_client_that_is_no_trusted_proxy_is_ignored(service: LocalService) -> None:
    service.add_user(ANN)

    answers = [sign_in_from(service, f"203.0.113.{n}", password="guess").status_code for n in range(6)]

    assert answers == [401] * 5 + [429]


def test_the_schema_tells_the_refusals_of_a_sign_in(service: LocalService) -> None:
    schema = requests.get(f"{service.api}/openapi.json", timeout=10).json()
    responses = schema["paths"]["/api/v1/auth/sign-in"]["post"]["responses"]

    assert {"200", "401", "429"} <= responses.keys()
    assert responses["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
