"""Render the web workroom's main pages to PNG in docs/, at desktop and phone width, in Chromium.

    python scripts/render_web_docs.py

The contract service runs on a loopback port with its demo data set, and this computer's demo
week (tracker/demo/week.py: tracked mornings with screenshots of a rendered desktop, manual time, a
redacted screenshot) reaches it through the real sync, as with ``make run``. The client signs in
through the sign-in page, as a browser does.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the demo's screenshots are drawn with Qt

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from scripts.docs_demo import CONTRACT, ZONE, demo_service, sync_this_computers_week  # noqa: E402
from service import demo  # noqa: E402
from service.local import LocalService  # noqa: E402

DOCS = REPO / "docs"
SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


def shoot(page: Page, name: str, size: str) -> None:
    path = DOCS / f"web-{name}-{size}.png"
    page.screenshot(path=str(path), full_page=size == "phone")
    print(path.relative_to(REPO))


def shoot_screen(page: Page, name: str, size: str) -> None:
    """What the screen shows now (the page scrolled where it is), with its lazy images in."""
    page.wait_for_function(
        """() => [...document.images].every(image => {
            const box = image.getBoundingClientRect();
            return box.bottom <= 0 || box.top >= innerHeight || (image.complete && image.naturalWidth > 0);
        })"""
    )
    path = DOCS / f"web-{name}-{size}.png"
    page.screenshot(path=str(path))
    print(path.relative_to(REPO))


def render(service: LocalService) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale="en-US", timezone_id=ZONE)
            page = context.new_page()
            page.goto(f"{service.url}/sign-in")
            page.get_by_label("Email").fill(demo.CLIENT)
            page.get_by_label("Password").fill(demo.PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            shoot(page, "contracts", size)
            page.get_by_role("link", name=CONTRACT).first.click()
            shoot(page, "overview", size)
            for tab in ("Messages", "Timesheet", "Details"):
                page.get_by_role("navigation", name="Workroom").get_by_role("link", name=tab).click()
                shoot(page, tab.lower(), size)
            page.get_by_role("navigation", name="Workroom").get_by_role("link", name="Timesheet").click()
            page.locator(".day").scroll_into_view_if_needed()
            shoot_screen(page, "work-diary-day", size)
            page.locator(".day .block-link").nth(4).click()
            shoot(page, "block", size)
            page.go_back()
            page.locator("details.actions-menu summary").click()
            shoot_screen(page, "actions-menu", size)
            context.close()
        browser.close()


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work, demo_service(Path(work) / "service") as service:
        sync_this_computers_week(service, Path(work) / "app")
        render(service)


if __name__ == "__main__":
    main()
