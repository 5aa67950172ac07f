"""Signing in through a browser: a session cookie of its own kind, CSRF tokens on every form, no
open redirect, sign-out that ends the session on the service, and the headers of every answer."""

from __future__ import annotations

import re

import pytest
import requests
from starlette.requests import Request
from starlette.responses import Response

from service.web.sessions import SESSION_COOKIE, SIGN_IN_COOKIE, safe_next, set_cookie
from tests.helpers.service import PASSWORD, bearer
from tests.service.conftest import ANN, World


def csrf_of(page: requests.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def browser_signed_in(world: World, email: str = ANN, back_to: str = "/") -> requests.Session:
    return browser_signed_in_at(world.service.url, email, back_to)


def browser_signed_in_at(url: str, email: str = ANN, back_to: str = "/") -> requests.Session:
    """A browser signed in through the sign-in form of the service at ``url``."""
    browser = requests.Session()
    page = browser.get(f"{url}/sign-in", timeout=10)
    answer = browser.post(
        f"{url}/sign-in",
        data={"email": email, "password": PASSWORD, "csrf": csrf_of(page), "next": back_to},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    return browser


def test_a_page_sends_a_stranger_to_the_sign_in_and_back(world: World) -> None:
    browser = requests.Session()

    answer = browser.get(f"{world.service.url}/?status=active", allow_redirects=False, timeout=10)

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/sign-in?next=/%3Fstatus%3Dactive"


def test_signing_in_sets_an_httponly_lax_session_cookie_and_goes_back(world: World) -> None:
    browser = requests.Session()
    page = browser.get(f"{world.service.url}/sign-in?next=/%3Fq%3Dlogo", timeout=10)

    answer = browser.post(
        f"{world.service.url}/sign-in",
        data={"email": ANN, "password": PASSWORD, "csrf": csrf_of(page), "next": "/?q=logo"},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/?q=logo"
    cookie = next(c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    contracts = browser.get(f"{world.service.url}/?q=logo", timeout=10)
    assert "Logo" in contracts.text and "Website" not in contracts.text


def test_the_session_cookie_is_secure_on_https() -> None:
    request = Request(
        {"type": "http", "scheme": "https", "server": ("example.test", 443), "path": "/", "headers": []}
    )
    response = Response()

    set_cookie(request, response, SESSION_COOKIE, "secret", 60)

    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("back_to", "lands_on"),
    [
        ("/contracts", "/contracts"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_no_open_redirect_after_signing_in(back_to: str, lands_on: str) -> None:
    assert safe_next(back_to) == lands_on


def test_a_sign_in_without_its_forms_token_is_refused(world: World) -> None:
    browser = requests.Session()
    browser.get(f"{world.service.url}/sign-in", timeout=10)

    answer = browser.post(
        f"{world.service.url}/sign-in",
        data={"email": ANN, "password": PASSWORD, "csrf": "forged"},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 403
    assert "reload the page" in answer.text
    assert SESSION_COOKIE not in answer.cookies


def test_a_wrong_password_is_told_on_the_page(world: World) -> None:
    browser = requests.Session()
    page = browser.get(f"{world.service.url}/sign-in", timeout=10)

    answer = browser.post(
        f"{world.service.url}/sign-in",
        data={"email": ANN, "password": "wrong", "csrf": csrf_of(page)},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 401
    assert "The email or the password is wrong." in answer.text
    assert 'value="ann@example.test"' in answer.text


def test_the_sign_in_page_and_the_api_share_one_limit_on_failures(world: World) -> None:
    browser = requests.Session()
    form = browser.get(f"{world.service.url}/sign-in", timeout=10)

    def through_the_page(password: str) -> requests.Response:
        data = {"email": ANN, "password": password, "csrf": csrf_of(form)}
        return browser.post(f"{world.service.url}/sign-in", data=data, allow_redirects=False, timeout=10)

    failures = [through_the_page(f"guess {attempt}").status_code for attempt in range(3)]
    failures += [
        requests.post(
            f"{world.service.api}/auth/sign-in",
            json={"email": ANN, "password": f"api guess {attempt}", "device_name": "x"},
            timeout=10,
        ).status_code
        for attempt in range(2)
    ]
    limited = through_the_page(PASSWORD)  # even the right password waits

    assert failures == [401] * 5
    assert limited.status_code == 429
    assert "Too many failed sign-ins: try again in 15 minutes." in limited.text
    assert SESSION_COOKIE not in limited.cookies


def test_a_session_is_no_api_token_and_an_api_token_no_session(world: World) -> None:
    browser = browser_signed_in(world)
    session_token = browser.cookies[SESSION_COOKIE]

    assert world.call("GET", "/me", session_token).status_code == 401
    assert world.call("GET", "/me", world.ann).status_code == 200
    stranger = requests.Session()
    stranger.cookies.set(SESSION_COOKIE, world.ann)
    assert stranger.get(f"{world.service.url}/", allow_redirects=False, timeout=10).status_code == 303


def test_signing_out_ends_the_session_on_the_service(world: World) -> None:
    browser = browser_signed_in(world)
    contracts = browser.get(f"{world.service.url}/", timeout=10)
    session_token = browser.cookies[SESSION_COOKIE]

    forged = browser.post(
        f"{world.service.url}/sign-out", data={"csrf": "forged"}, allow_redirects=False, timeout=10
    )
    assert forged.status_code == 403
    assert browser.get(f"{world.service.url}/", allow_redirects=False, timeout=10).status_code == 200

    answer = browser.post(
        f"{world.service.url}/sign-out", data={"csrf": csrf_of(contracts)}, allow_redirects=False, timeout=10
    )

    assert (answer.status_code, answer.headers["Location"]) == (303, "/sign-in")
    replayed = requests.Session()
    replayed.cookies.set(SESSION_COOKIE, session_token)
    assert replayed.get(f"{world.service.url}/", allow_redirects=False, timeout=10).status_code == 303


def test_every_answer_carries_the_security_headers(world: World) -> None:
    for answer in (
        requests.get(f"{world.service.url}/sign-in", timeout=10),
        requests.get(f"{world.service.url}/static/workroom.css", timeout=10),
        requests.get(f"{world.service.url}/api/v1/me", headers=bearer(world.ann), timeout=10),
    ):
        policy = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert SIGN_IN_COOKIE in requests.get(f"{world.service.url}/sign-in", timeout=10).cookies


def test_the_apis_browsable_docs_still_run_their_script(world: World) -> None:
    """FastAPI's Swagger UI is an inline script with a CDN's files: the one page without the CSP."""
    docs = requests.get(f"{world.service.url}/api/v1/docs", timeout=10)

    assert docs.status_code == 200 and "<script>" in docs.text
    assert "Content-Security-Policy" not in docs.headers
    assert docs.headers["X-Content-Type-Options"] == "nosniff" and docs.headers["X-Frame-Options"] == "DENY"
