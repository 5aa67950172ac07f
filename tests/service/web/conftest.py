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


AXE = Path(__file__).parent / "axe" / "axe.min.js"


def accessibility_findings(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each. axe is
    evaluated through the browser's devtools protocol, which the page's CSP does not apply to."""
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{found['impact']}: {found['id']} ({found['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in found["nodes"][:3])
        for found in violations
        if found["impact"] in ("serious", "critical")
    ]


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
