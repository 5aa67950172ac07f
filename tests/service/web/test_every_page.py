"""Every page of the web workroom, for each kind of viewer, in Chromium: axe-core finds nothing
serious or critical, and neither a 390 × 844 phone nor a window zoomed to 200 % scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.service.conftest import ANN, CARA, World, uid
from tests.service.web.conftest import PHONE, accessibility_findings, scrolls_sideways, sign_in


def workroom_pages(world: World) -> list[str]:
    contract = f"/contracts/{world.website}"
    return [
        "/",
        "/?status=active&q=web",
        "/profile",
        "/report",
        contract,
        f"{contract}/messages",
        f"{contract}/messages/search?q=header",
        f"{contract}/timesheet",
        f"{contract}/transactions",
        f"{contract}/details",
    ]


def menu_pages(page: Page, world: World) -> list[str]:
    """The confirmation page of every action on the viewer's "…" menu of the contract."""
    page.goto(f"{world.service.url}/contracts/{world.website}")
    return page.locator("details.actions-menu a").evaluate_all("all => all.map(a => a.getAttribute('href'))")


def check_every_page(page: Page, world: World) -> dict[str, list[str]]:
    found, actions = {}, menu_pages(page, world)
    assert len(actions) >= 2, actions  # both parties may at least end the contract and one more
    for path in workroom_pages(world) + actions:
        answer = page.goto(f"{world.service.url}{path}")
        assert answer is not None and answer.ok, path
        problems = accessibility_findings(page)
        if scrolls_sideways(page):
            problems.append(f"scrolls sideways at {page.viewport_size}")
        if problems:
            found[path] = problems
    return found


@pytest.mark.parametrize("email", [ANN, CARA])
# A 1280 × 844 window zoomed to 200 % lays pages out in 640 × 422 CSS pixels.
@pytest.mark.parametrize(
    "viewport", [None, PHONE, {"width": 640, "height": 422}], ids=["desktop", "phone", "zoom-200"]
)
def test_every_page_is_accessible_and_fits(
    world: World, browser: BrowserContext, email: str, viewport: dict | None
) -> None:
    for name in ("Logo", "Header"):  # to-dos, with their buttons
        world.call("PUT", f"/contracts/{world.website}/todos/{uid(name)}", world.ann, json={"text": name})
    page = sign_in(browser, world, email)
    if viewport:
        page.set_viewport_size(viewport)

    assert check_every_page(page, world) == {}


def test_the_sign_in_page_is_accessible_and_fits_a_phone(world: World, browser: BrowserContext) -> None:
    page = browser.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{world.service.url}/sign-in")

    assert accessibility_findings(page) == []
    assert not scrolls_sideways(page)


def test_the_checks_see_what_they_look_for(world: World, browser: BrowserContext) -> None:
    page = browser.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{world.service.url}/sign-in")
    page.evaluate(
        """document.querySelector('main').insertAdjacentHTML(
               'beforeend', '<input id="unlabelled"><svg width="800" height="1" aria-hidden="true"></svg>')"""
    )

    assert [line.split(" (")[0] for line in accessibility_findings(page)] == ["critical: label"]
    assert scrolls_sideways(page)
