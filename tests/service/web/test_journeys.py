"""What a client and a freelancer do in the web workroom, in Chromium, on a week that the real
tracking engine recorded (simulated input, screenshots of its capturer) and the real sync sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from service.scheduled import run_due_work
from sync.client import ServiceClient
from sync.worker import Syncer
from tests.service.conftest import ANN, CARA, World, uid
from tests.service.web.conftest import sign_in
from tests.service.web.test_actions import fixed_contract
from tests.sync.conftest import HOLD, DistinctCapturer, sync_until_done
from tracker.diary import Diary
from tracker.simulation import SimulatedClock, simulate
from tracker.storage import Database

# The browser's zone (tests/service/web/conftest.py): UTC+1 in November.
MONDAY_LOCAL, TUESDAY_LOCAL, WEDNESDAY_LOCAL = "2026-11-23", "2026-11-24", "2026-11-25"


@pytest.fixture
def tracked_week(world: World, database: Database, diary: Diary, make_tracker, clock: SimulatedClock) -> None:
    """Ann's Monday to Wednesday on the Website contract from 09:00 UTC, an hour a day (Tuesday with
    input every third second), Monday's first screenshot redacted and half an hour of manual time
    on Wednesday afternoon, all synced; the clock ends on Thursday morning."""
    syncer = Syncer(database, ServiceClient(world.service.url, world.ann), clock, HOLD)
    assert syncer.run_once().error is None  # brings the contracts in
    tracker = make_tracker(capturer=DistinctCapturer())
    for day in range(3):
        tracker.start(world.website, f"Day {day + 1}: header layout")
        simulate(tracker, clock, 3600, every=3 if day == 1 else 1)
        tracker.stop()
        clock.advance(24 * 3600 - 3600)
    monday = diary.day_blocks(clock.now().date() - timedelta(days=3), world.website)
    diary.redact_screenshot(monday[0].screenshot_id, clock.now())
    wednesday_two = clock.now() - timedelta(hours=19)
    diary.add_manual_time(
        world.website,
        wednesday_two,
        wednesday_two + timedelta(minutes=30),
        "Call with Cara",
        clock.now(),
        database.device_id(),
    )
    clock.advance(HOLD.total_seconds())
    sync_until_done(syncer)


def shows_every_image(page: Page, where: str) -> int:
    """How many images ``where`` holds, once each is scrolled to (they load lazily) and shown."""
    images = page.locator(f"{where} img")
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
        )
    return images.count()


def run_action(page: Page, label: str, fill: dict[str, str] | None = None) -> None:
    """The action from the "…" menu: its confirmation page, filled, confirmed."""
    menu = page.locator("details.actions-menu")
    menu.locator("summary").click()
    menu.get_by_role("link", name=label).click()
    for field, value in (fill or {}).items():
        page.get_by_label(field, exact=True).fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


@pytest.mark.usefixtures("tracked_week")
def test_a_client_reviews_the_synced_week_and_runs_the_contract(
    world: World, clock: SimulatedClock, browser: BrowserContext
) -> None:
    clock.advance((datetime(2026, 11, 30, 13, tzinfo=UTC) - clock.now()).total_seconds())
    [invoice] = run_due_work(world.service.database, clock.now()).issued
    shop, [design] = fixed_contract(world, ("Design", 50_000))
    assert world.call("POST", f"/contracts/{shop}/milestones/{design}/fund", world.cara).status_code == 200
    submitted = {"message_id": uid("mockups"), "text": "Mockups."}
    submit = world.call("POST", f"/contracts/{shop}/milestones/{design}/submit", world.ann, json=submitted)
    assert submit.status_code == 200
    timesheet = f"/contracts/{world.website}/timesheet"

    cara = sign_in(browser, world, CARA, f"{timesheet}?date={TUESDAY_LOCAL}")

    logged = cara.locator(".calendar-month a[aria-label$='time logged']")
    expect(logged).to_have_count(3)
    assert logged.first.get_attribute("aria-label") == "Monday 23 November 2026, time logged"
    totals = cara.locator(".week-days .day-total").all_inner_texts()
    assert totals[:3] == ["1:00", "1:00", "1:30"] and set(totals[3:]) == {"0:00"}
    expect(cara.locator(".lock")).to_contain_text("Week locked Mon 30 Nov 13:00 your time")
    assert shows_every_image(cara, ".day") == 6  # Tuesday 10:00–11:00 in Berlin
    meters = cara.locator(".day .meter").evaluate_all("all => all.map(m => m.getAttribute('aria-label'))")
    assert len(meters) == 6 and all(re.match(r"10 of 10 minutes active", label) for label in meters)

    cara.get_by_role("link", name=re.compile("^Mon 23 Nov")).click()
    assert cara.locator(".day .mark").all_inner_texts() == ["Redacted"]
    cara.get_by_role("link", name=re.compile("^Wed 25 Nov")).click()
    assert cara.locator(".day .mark").all_inner_texts() == ["Manual"] * 3
    cara.locator(".day .block-link").first.focus()
    with cara.expect_navigation():
        cara.keyboard.press("Enter")  # the block's page: its full screenshot and its minutes
    assert shows_every_image(cara, "main") == 1
    assert cara.locator("table.minutes tbody tr").count() == 10

    cara.goto(f"{world.service.url}{timesheet}?date={TUESDAY_LOCAL}")
    cara.get_by_role("link", name=f"Dispute invoice #{invoice.number}").click()
    cara.get_by_label("Reason", exact=False).fill("Tuesday was a holiday.")
    with cara.expect_navigation():
        cara.get_by_role("button", name="Dispute an invoice").click()
    run_action(cara, "Give a bonus", {"Amount (USD)": "25.00"})
    run_action(cara, "End the contract")
    cara.locator("a.button.primary", has_text="Leave feedback").click()  # the next step, after the end
    cara.get_by_label("5 of 5").check()
    cara.get_by_label("Comment (optional)").fill("Clear work, on time.")
    with cara.expect_navigation():
        cara.get_by_role("button", name="Leave feedback").click()
    cara.goto(f"{world.service.url}/contracts/{shop}")
    run_action(cara, "Approve work and release payment")

    money = world.call("GET", f"/contracts/{world.website}/transactions", world.ann).json()
    assert sorted((entry["type"], entry["status"], entry["amount_cents"]) for entry in money) == [
        ("bonus", "paid", 2500),
        ("hourly", "disputed", invoice.amount_cents),
    ]
    contract = world.call("GET", f"/contracts/{world.website}", world.ann).json()
    assert contract["status"] == "ended"
    details = world.call("GET", f"/contracts/{world.website}/details", world.cara).json()
    assert "Cara left feedback." in [event["line"] for event in details["recent_activity"]]
    milestones = world.call("GET", f"/contracts/{shop}/milestones", world.ann).json()
    assert [m["status"] for m in milestones] == ["paid"]


@pytest.mark.usefixtures("tracked_week")
def test_a_freelancer_edits_the_open_week_and_is_refused_in_a_locked_one(
    world: World, clock: SimulatedClock, browser: BrowserContext
) -> None:
    ann = sign_in(browser, world, ANN, f"/contracts/{world.website}/timesheet?date={MONDAY_LOCAL}")

    ann.get_by_label("Select 10:00–10:10").check()
    ann.get_by_label("Select 10:10–10:20").check()
    ann.get_by_label("New memo").fill("Header layout, reviewed")
    with ann.expect_navigation():
        ann.get_by_role("button", name="Edit memo").click()
    ann.locator("details.add-time summary").click()
    ann.get_by_label("Date", exact=True).fill("2026-11-26")
    ann.get_by_label("From", exact=True).fill("08:00")  # Berlin: 07:00 UTC on Thursday
    ann.get_by_label("To", exact=True).fill("08:30")
    ann.get_by_label("Memo", exact=True).fill("Planning")
    with ann.expect_navigation():
        ann.get_by_role("button", name="Add time").click()

    stored = world.service.stored_blocks(world.website)
    memos = sorted(block.memo for block in stored if block.start.date().isoformat() == MONDAY_LOCAL)
    assert memos[:2] == ["Day 1: header layout"] * 2 and memos[-2:] == ["Header layout, reviewed"] * 2
    planned = sorted(block.start for block in stored if block.memo == "Planning")
    assert planned == [datetime(2026, 11, 26, 7, minute, tzinfo=UTC) for minute in (0, 10, 20)]

    ann.goto(f"{world.service.url}/contracts/{world.website}/timesheet?date=2026-11-26")
    ann.locator("details.add-time summary").click()
    ann.get_by_label("Date", exact=True).fill("2026-11-17")  # last week: locked since Monday 12:00 UTC
    ann.get_by_label("From", exact=True).fill("10:00")
    ann.get_by_label("To", exact=True).fill("10:30")
    with ann.expect_navigation():
        ann.get_by_role("button", name="Add time").click()

    expect(ann.locator("main")).to_contain_text("The work week Mon 16 Nov–Sun 22 Nov (UTC) is locked")
    assert not [block for block in world.service.stored_blocks(world.website) if block.start.day == 17]


def test_no_token_reaches_a_page_a_url_or_the_browsers_storage(world: World, browser: BrowserContext) -> None:
    ann = sign_in(browser, world, ANN, f"/contracts/{world.website}/messages")
    [session] = [cookie for cookie in browser.cookies() if cookie["name"] == "workdiary_session"]
    seen = []
    ann.on("request", lambda request: seen.append(request.url))

    for path in ("/", f"/contracts/{world.website}", f"/contracts/{world.website}/timesheet", "/profile"):
        ann.goto(f"{world.service.url}{path}")
        assert session["value"] not in ann.content() and world.ann not in ann.content()

    assert session["httpOnly"] and ann.evaluate("document.cookie") == ""
    assert ann.evaluate("localStorage.length + sessionStorage.length") == 0
    assert seen and not [url for url in seen if session["value"] in url]
