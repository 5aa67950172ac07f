"""Sign-in, tokens (hashed, expiring, revocable) and the sign-in rate limit."""

from __future__ import annotations

import hashlib

import requests
from sqlalchemy import select

from service.auth import hash_password, verify_password
from service.models import Token
from tests.helpers.service import PASSWORD, ServiceHandle, bearer
from tests.service.conftest import ANN

DAY = 24 * 3600


def sign_in(service: ServiceHandle, email: str = ANN, password: str = PASSWORD) -> requests.Response:
    return requests.post(
        f"{service.api}/auth/sign-in",
        json={"email": email, "password": password, "device_name": "Desk"},
        timeout=10,
    )


def me(service: ServiceHandle, token: str) -> requests.Response:
    return requests.get(f"{service.api}/me", headers=bearer(token), timeout=10)


def test_signing_in_answers_a_token_that_expires_in_30_days(service: ServiceHandle) -> None:
    user_id = service.add_user(ANN.upper(), "freelancer", name="Ann Lee")

    answer = sign_in(service)

    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_at"] == "2026-12-23T09:00:00Z"
    assert body["user"] == {"id": user_id, "email": ANN, "name": "Ann Lee", "role": "freelancer"}
    assert me(service, body["token"]).json() == body["user"]


def test_only_the_tokens_hash_is_stored(service: ServiceHandle) -> None:
    service.add_user(ANN)
    token = service.sign_in(ANN)

    with service.app.state.service.database.reading() as session:
        stored = session.scalars(select(Token)).one()

    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert stored.device_name == "test"


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("s3cret-words"), hash_password("s3cret-words")

    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert verify_password("s3cret-words", first) and not verify_password("s3cret-word", first)


def test_a_wrong_password_or_an_unknown_email_is_refused_alike(service: ServiceHandle) -> None:
    service.add_user(ANN)

    for answer in (
        sign_in(service, password="wrong password"),
        sign_in(service, email="nobody@example.test"),
    ):
        assert answer.status_code == 401
        assert answer.json() == {"detail": "The email or the password is wrong."}


def test_a_token_expires_after_30_days(service: ServiceHandle) -> None:
    service.add_user(ANN)
    token = service.sign_in(ANN)

    service.clock.advance(30 * DAY - 1)
    assert me(service, token).status_code == 200
    service.clock.advance(1)
    answer = me(service, token)

    assert answer.status_code == 401
    assert answer.json() == {"detail": "This sign-in has expired: sign in again."}
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_signing_out_revokes_the_token_and_a_replay_answers_204(service: ServiceHandle) -> None:
    service.add_user(ANN)
    token, other_device = service.sign_in(ANN), service.sign_in(ANN)

    answers = [
        requests.post(f"{service.api}/auth/sign-out", headers=bearer(token), timeout=10) for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [204, 204, 204]
    assert me(service, token).json() == {"detail": "This token was signed out: sign in again."}
    assert me(service, other_device).status_code == 200


def test_requests_without_a_valid_token_are_refused(service: ServiceHandle) -> None:
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


def test_failed_sign_ins_are_limited_per_account(service: ServiceHandle) -> None:
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


def test_a_successful_sign_in_clears_the_accounts_failures(service: ServiceHandle) -> None:
    service.add_user(ANN)
    for attempt in range(4):
        sign_in(service, password=f"guess {attempt}")
    sign_in(service)

    assert [sign_in(service, password="again").status_code for _ in range(5)] == [401] * 5


def test_failed_sign_ins_are_limited_per_address(service: ServiceHandle) -> None:
    service.add_user(ANN)
    for attempt in range(20):
        assert sign_in(service, email=f"guess{attempt}@example.test").status_code == 401

    limited = sign_in(service)

    assert limited.status_code == 429
    service.clock.advance(15 * 60)
    assert sign_in(service).status_code == 200
