"""A real browser for the web workroom's tests: Debian's chromium driven by Playwright (its own
browser download is not needed), one browser per test session and a fresh profile per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.helpers.service import PASSWORD
from tests.service.conftest import ANN, World

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/install-system-deps installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@contextmanager
def browser_profile(
    chromium: Browser, locale: str = "en-US", timezone_id: str = "Europe/Berlin"
) -> Iterator[BrowserContext]:
    """A fresh browser profile (cookies, storage) in this locale and time zone."""
    context = chromium.new_context(locale=locale, timezone_id=timezone_id)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[BrowserContext]:
    with browser_profile(chromium) as context:
        yield context


def sign_in(browser: BrowserContext, world: World, email: str = ANN, path: str = "/") -> Page:
    """A page of ``browser`` signed in as ``email``, at ``path``, through the sign-in form."""
    page = browser.new_page()
    page.goto(f"{world.service.url}{path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return page
