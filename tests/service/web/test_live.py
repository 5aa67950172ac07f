"""Live updates in a real browser: what the other party does appears on an open page without a
reload (a message with its file on Messages, a submitted milestone on Overview), through the
web's own feed on the session cookie."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.service.conftest import ANN, BOB, CARA, World, uid
from tests.service.web.conftest import browser_profile, sign_in
from tests.service.web.test_sessions import browser_signed_in
from tests.service.web.test_workroom import page


@pytest.fixture
def other_browser(chromium: Browser) -> Iterator[BrowserContext]:
    """A second person's browser beside ``browser``."""
    with browser_profile(chromium, timezone_id="America/New_York") as context:
        yield context


def is_live(world: World, page: Page, path: str) -> None:
    """Open ``path`` and wait for the page's feed to answer its first poll (its cursor from then)."""
    with page.expect_response(lambda answer: answer.url.endswith("/live")):
        page.goto(f"{world.service.url}{path}")
    page.evaluate("window.sameDocument = true")


def test_a_message_with_a_file_appears_on_the_other_partys_open_thread(
    world: World, browser: BrowserContext, other_browser: BrowserContext
) -> None:
    cara = sign_in(other_browser, world, CARA)
    is_live(world, cara, f"/contracts/{world.website}/messages")
    ann = sign_in(browser, world, ANN, f"/contracts/{world.website}/messages")

    ann.get_by_label("Message", exact=True).fill("The brief, <i>signed</i>.")
    ann.locator("#files").set_input_files(
        [{"name": "brief.pdf", "mimeType": "application/pdf", "buffer": b"%PDF"}]
    )
    with ann.expect_navigation():
        ann.get_by_role("button", name="Send").click()

    newest = cara.locator("ol.thread > li").last
    expect(newest).to_contain_text("The brief, <i>signed</i>.")  # as text, never as markup
    expect(newest.get_by_role("link", name="brief.pdf")).to_be_visible()
    expect(cara.get_by_role("status")).to_have_text("1 new message.")
    assert cara.evaluate("window.sameDocument") is True  # no reload
    assert cara.locator("ol.thread i").count() == 0
    with cara.expect_download() as download:
        newest.get_by_role("link", name="brief.pdf").click()
    assert download.value.suggested_filename == "brief.pdf"


def test_a_submitted_milestone_shows_on_the_clients_open_overview(
    world: World, browser: BrowserContext
) -> None:
    shop = world.service.add_contract("Shop", ANN, CARA, kind="fixed", hourly_rate_cents=0)
    design = f"/contracts/{shop}/milestones/{uid('design')}"
    world.call("PUT", design, world.cara, json={"title": "Design", "amount_cents": 30000})
    world.call("POST", f"{design}/fund", world.cara)
    cara = sign_in(browser, world, CARA)
    is_live(world, cara, f"/contracts/{shop}")

    submitted = world.call(
        "POST", f"{design}/submit", world.ann, json={"message_id": uid("work"), "text": "Done.", "files": []}
    )

    assert submitted.status_code == 200, submitted.text
    notice = cara.get_by_role("status")
    expect(notice).to_contain_text("Ann submitted work for “Design”.")
    assert cara.evaluate("window.sameDocument") is True
    with cara.expect_navigation():
        notice.get_by_role("button", name="Show").click()
    assert cara.evaluate("window.sameDocument") is None  # shown by loading the page again


def test_the_live_thread_adds_what_came_after_in_the_viewers_zone(world: World) -> None:
    world.call("PUT", "/me", world.cara, json={"time_zone": "America/New_York"})
    world.call("PUT", f"/contracts/{world.website}/messages/{uid('one')}", world.ann, json={"body": "One"})
    meeting = {"title": "Call", "start": "2026-12-08T14:00:00Z", "duration_minutes": 30}
    world.call("PUT", f"/contracts/{world.website}/meetings/{uid('call')}", world.ann, json=meeting)
    cara = browser_signed_in(world, CARA)

    added = page(world, cara, f"/contracts/{world.website}/messages/after/1").text

    assert added.lstrip().startswith('<li class="message message-meeting')  # no page around it
    assert "One" not in added and 'Tue 08 Dec 09:00 <span class="note">(America/New_York)</span>' in added
    assert (
        page(world, browser_signed_in(world, BOB), f"/contracts/{world.website}/messages/after/0").status_code
        == 404
    )


def test_the_feed_is_the_viewers_own_on_the_session_cookie(world: World) -> None:
    cara = browser_signed_in(world, CARA)
    start = page(world, cara, "/live").json()["cursor"]
    world.call("PUT", f"/contracts/{world.bobs}/messages/{uid('b')}", world.bob, json={"body": "Hi"})
    world.call("PUT", f"/contracts/{world.website}/messages/{uid('a')}", world.ann, json={"body": "Hi"})

    feed = page(world, cara, f"/live?after={start}").json()
    ann = page(world, browser_signed_in(world), f"/live?after={start}").json()

    assert [event["contract_id"] for event in feed["events"]] == [world.bobs, world.website]
    assert [event["contract_id"] for event in ann["events"]] == [world.website]  # not Bob's
    assert requests.get(f"{world.service.url}/live", allow_redirects=False, timeout=10).status_code == 303


def set_hidden(page: Page, hidden: bool) -> None:
    """The page hidden (another tab in front) or shown again, as the browser tells a page."""
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_polling_backs_off_after_errors_and_stops_while_the_page_is_hidden(
    world: World, browser: BrowserContext
) -> None:
    ann = sign_in(browser, world, ANN)
    polls: list[int] = []  # the page's clock (ms) at each poll
    now = 0

    def unavailable(route: Route) -> None:
        polls.append(now)
        route.fulfill(status=503, body="")

    def run_for(milliseconds: int, step: int = 100) -> None:
        nonlocal now
        for _ in range(milliseconds // step):
            ann.clock.run_for(step)
            now += step
            ann.evaluate("0")  # the routed answer handled before the clock moves on

    ann.route(lambda url: urlparse(url).path == "/live", unavailable)
    ann.clock.install()
    ann.clock.pause_at("2030-01-01T00:00:00")
    ann.goto(f"{world.service.url}/contracts/{world.website}")

    while not polls:
        run_for(100)
    run_for(7_800)  # polls due 1, 3 and 7 s after the first; the next only 15 s after it

    intervals = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert len(intervals) == 3
    for interval, expected in zip(intervals, (1_000, 2_000, 4_000), strict=True):
        assert expected - 200 <= interval <= expected + 200, intervals
    set_hidden(ann, True)
    run_for(120_000, step=10_000)
    assert len(polls) == 4  # none while hidden (the next was due 8 s after the last)
    set_hidden(ann, False)
    run_for(1_000)
    assert len(polls) == 5  # at once when shown again (the next after it is due 16 s later)
