"""The Timesheet tab's Work Diary in a browser's requests (and, for its keyboard and a phone's
width, in Chromium): the calendar, the week and the day of blocks put through the API, a block's
page, its images by signed URLs, and the freelancer's changes of time through the service's rules."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import BrowserContext
from sqlalchemy import event

from tests.conftest import MONDAY
from tests.helpers.service import BLOB_STORES
from tests.service.conftest import ANN, BOB, CARA, World, block_body, uid
from tests.service.test_screenshots import sha, upload
from tests.service.web.conftest import PHONE, accessibility_findings, scrolls_sideways, sign_in
from tests.service.web.test_sessions import browser_signed_in, csrf_of
from tests.service.web.test_workroom import page, send
from tracker.demo.images import jpeg

# The world's clock says Monday 23 Nov 2026 09:00 UTC; Cara reads times in Tokyo (UTC+9) and Ann in UTC.
TOKYO = "Asia/Tokyo"
SEVEN = MONDAY - timedelta(hours=2)  # 07:00 UTC = 16:00 in Tokyo
PRIVATE_APP_NOTE = "No screenshot: KeePassXC was on screen (a private app)."  # as the app notes it


def set_zone(world: World, token: str, zone: str) -> None:
    assert world.call("PUT", "/me", token, json={"title": "", "time_zone": zone}).status_code == 200


def screenshot(
    world: World, block_id: str, seed: int, redacted: bool = False, monitors: int = 1
) -> list[str]:
    """A screenshot of ``monitors`` images on the block (Ann's, starting at its slot), uploaded first;
    the hashes of its images and thumbnails."""
    block = world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-23", world.ann).json()
    start = next(found["start"] for found in block if found["id"] == block_id)
    images = []
    hashes = []
    for monitor in range(monitors):
        image, thumbnail = jpeg(seed + monitor), jpeg(seed + monitor + 500)
        for data in (image, thumbnail):
            assert upload(world, data).status_code == 200
        hashes += [sha(image), sha(thumbnail)]
        images.append(
            {
                "monitor": monitor + 1,
                "sha256": sha(image),
                "thumbnail_sha256": sha(thumbnail),
                "width": 1600,
                "height": 900,
            }
        )
    body = {"id": uid(f"shot-{block_id}"), "taken_at": start, "redacted": redacted, "images": images}
    answer = world.call("PUT", f"/blocks/{block_id}/screenshot", world.ann, json=body)
    assert answer.status_code == 200, answer.text
    return hashes


def a_week(world: World) -> dict[str, str]:
    """Monday's blocks on the Website (a weekly limit of 30 minutes): tracked with a screenshot of two
    monitors, redacted, without a screenshot (a private app was on screen), over the limit (without a
    screenshot, nor the app's reason), and manual time; their ids by name."""
    world.service.update_contract(world.website, weekly_limit_minutes=30)
    ids = {name: uid(f"diary-{name}") for name in ("shot", "redacted", "bare", "over", "manual")}
    activity = {"shot": [[0, 9, 20, 50], [1, 0, 3, 10], [4, 2, 0, 5]], "redacted": [[0, 1, 1, 30]]}
    for minutes, name in enumerate(("shot", "redacted", "bare", "over")):
        body = block_body(
            world.website,
            SEVEN + timedelta(minutes=10 * minutes),
            activity=activity.get(name, []),
            capture_note=PRIVATE_APP_NOTE if name == "bare" else "",
        )
        assert world.put_block(world.ann, ids[name], {**body, "memo": f"{name} work"}).status_code == 200
    manual = block_body(world.website, SEVEN + timedelta(minutes=60), source="manual", activity=[])
    assert world.put_block(world.ann, ids["manual"], {**manual, "memo": "Call with Cara"}).status_code == 200
    return ids


def blocks_of(text: str) -> list[str]:
    """The time ranges of the day's blocks, in the page's order."""
    return re.findall(r'<span class="range">([^<]+)</span>', text)


def test_the_diary_shows_the_week_and_day_in_the_viewers_zone_with_each_blocks_marks(
    either_world: World,
) -> None:
    world = either_world
    ids = a_week(world)
    screenshot(world, ids["shot"], 1, monitors=2)
    screenshot(world, ids["redacted"], 10, redacted=True)
    set_zone(world, world.cara, TOKYO)
    cara = browser_signed_in(world, CARA)

    tab = page(world, cara, f"/contracts/{world.website}/timesheet?date=2026-11-23")

    assert tab.status_code == 200
    said = [
        f"{shown}{hidden}"
        for shown, hidden in re.findall(
            r'"range">([^<]+)</span><span class="visually-hidden">([^<]+)<', tab.text
        )
    ]
    assert blocks_of(tab.text) == ["16:00–16:10", "16:10–16:20", "16:20–16:30", "16:30–16:40", "17:00–17:10"]
    assert 'aria-current="page">Timesheet' in tab.text
    # The calendar: a dot under the 23rd only; the week: Monday 23 Nov UTC to Sunday 29 Nov UTC meets
    # eight dates in Tokyo, the first (from 09:00) and the last (until 09:00) in part.
    assert re.findall(r'aria-label="([^"]+), time logged"', tab.text) == [
        "Monday 23 November 2026"
    ]  # said as shown: "2", not "02"
    days = re.findall(r'<span class="day-name">([^<]+)(<span class="note"> \(part\))?', tab.text)
    assert [(name, bool(part)) for name, part in days] == [
        ("Mon 23 Nov", True),
        *(
            (f"{name} {d} Nov", False)
            for name, d in zip(("Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), range(24, 30), strict=True)
        ),
        ("Mon 30 Nov", True),
    ]
    assert re.findall(r'<span class="day-total">([^<]+)</span>', tab.text) == ["0:50", *["0:00"] * 7]
    assert "Week total: <strong>0:50</strong>" in tab.text
    # Each block's marks, its meter and what a screen reader hears.
    assert [html.unescape(line) for line in said] == [
        "16:00–16:10, 10 minutes; 3 of 10 minutes active; memo: shot work",
        "16:10–16:20, 10 minutes; 1 of 10 minutes active; memo: redacted work; redacted",
        "16:20–16:30, 10 minutes; 0 of 10 minutes active; memo: bare work; "
        "no screenshot: KeePassXC was on screen (a private app).",
        "16:30–16:40, 10 minutes; 0 of 10 minutes active; memo: over work; over limit; no screenshot",
        "17:00–17:10, 10 minutes; memo: Call with Cara; manual; over limit",
    ]
    # The marks shown, the app's reason in the no-screenshot one; the marks' kinds style the blocks.
    assert [html.unescape(mark) for mark in re.findall(r'<span class="mark">([^<]+)</span>', tab.text)] == [
        "Redacted",
        PRIVATE_APP_NOTE,
        "Over limit",
        "No screenshot",
        "Manual",
        "Over limit",
    ]
    assert re.findall(r'<div class="block([^"]*)">', tab.text) == [
        "",
        " mark-redacted",
        " mark-no-screenshot",
        " mark-over-limit mark-no-screenshot",
        " mark-manual mark-over-limit",
    ]
    assert tab.text.count('<span class="no-image" aria-hidden="true">No screenshot</span>') == 2
    assert re.findall(r'role="img" aria-label="(\d+ of 10 minutes active)"', tab.text) == [
        "3 of 10 minutes active",
        "1 of 10 minutes active",
        "0 of 10 minutes active",
        "0 of 10 minutes active",
    ]
    assert tab.text.count('class="meter-bar on"') == 3 + 1
    # Two hours with work, six slots each: the empty ones are empty cells.
    assert tab.text.count('class="slot empty"') == 12 - 5
    thumbnails = re.findall(r'<img src="([^"]+)" loading="lazy" width="160" height="90"', tab.text)
    assert len(thumbnails) == 2
    # Clients edit nothing.
    assert 'name="block"' not in tab.text and "Add time" not in tab.text


def test_the_hours_say_money_only_where_the_viewer_sees_it(world: World) -> None:
    a_week(world)
    world.service.update_contract(world.website, hourly_rate_cents=4000)
    cara = page(world, browser_signed_in(world, CARA), f"/contracts/{world.website}/timesheet").text
    assert "$20.00</data> so far" in cara  # 30 billable minutes; the rest is over the limit

    world.service.update_contract(world.website, agency_member=True)
    ann = page(world, browser_signed_in(world), f"/contracts/{world.website}/timesheet").text
    assert "This week</dt><dd>0:50 hrs</dd>" in ann and "so far" not in ann


def test_a_block_opens_to_every_monitor_and_its_minutes(world: World) -> None:
    ids = a_week(world)
    hashes = screenshot(world, ids["shot"], 1, monitors=2)
    set_zone(world, world.cara, TOKYO)
    cara = browser_signed_in(world, CARA)
    tab = page(world, cara, f"/contracts/{world.website}/timesheet?date=2026-11-23").text
    assert f'href="/contracts/{world.website}/blocks/{ids["shot"]}"' in tab

    block = page(world, cara, f"/contracts/{world.website}/blocks/{ids['shot']}")

    assert block.status_code == 200
    shown = re.findall(r'<img src="([^"]+)" width="1600" height="900"', block.text)
    assert [url.split("?")[0].rsplit("/", 1)[1] for url in shown] == [hashes[0], hashes[2]]
    minutes = re.findall(
        r'<tr><th scope="row">([^<]+)</th>((?:<td class="number">\d+</td>){3})</tr>', block.text
    )
    assert [(time, re.findall(r"\d+", counts)) for time, counts in minutes][:5] == [
        ("16:00", ["9", "20", "50"]),
        ("16:01", ["0", "3", "10"]),
        ("16:02", ["0", "0", "0"]),
        ("16:03", ["0", "0", "0"]),
        ("16:04", ["2", "0", "5"]),
    ]
    assert len(minutes) == 10
    assert "Memo: shot work" in block.text
    bare = page(world, cara, f"/contracts/{world.website}/blocks/{ids['bare']}").text
    assert f'<span class="mark">{html.escape(PRIVATE_APP_NOTE)}</span>' in bare
    assert f'href="/contracts/{world.website}/blocks/{ids["redacted"]}" rel="next"' in block.text
    assert 'rel="prev"' not in block.text
    bob = browser_signed_in(world, BOB)
    assert page(world, bob, f"/contracts/{world.website}/blocks/{ids['shot']}").status_code == 404


def a_block_from_idle_time(world: World) -> str:
    """Ann's block tracked in a Wayland session: active seconds in minutes 0, 1 and 3, no counts."""
    activity = [[0, None, None, 40], [1, None, None, 12], [2, None, None, 0], [3, None, None, 60]]
    body = block_body(
        world.website, SEVEN, activity=activity, activity_source="idle_time", memo="Wayland work"
    )
    assert world.put_block(world.ann, uid("wayland"), body).status_code == 200
    return uid("wayland")


def test_a_block_from_idle_time_says_so_where_its_counts_would_be(world: World) -> None:
    block_id = a_block_from_idle_time(world)
    set_zone(world, world.cara, TOKYO)
    cara = browser_signed_in(world, CARA)

    tab = page(world, cara, f"/contracts/{world.website}/timesheet?date=2026-11-23").text
    block = page(world, cara, f"/contracts/{world.website}/blocks/{block_id}").text

    assert re.findall(r'role="img" aria-label="([^"]+)"', tab) == [
        "3 of 10 minutes active (activity from idle time)"
    ]
    assert tab.count('class="meter-bar on"') == 3
    assert "<p>3 of 10 minutes active (activity from idle time)</p>" in block
    assert "<caption>Activity from idle time: the desktop told when there was input" in block
    assert "Keyboard</th>" not in block and "Mouse</th>" not in block
    minutes = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="number">(\d+)</td></tr>', block)
    assert minutes == [(f"16:0{m}", seconds) for m, seconds in enumerate(["40", "12", "0", "60", *["0"] * 6])]


def test_a_memo_edited_on_the_web_keeps_the_activity_from_idle_time(world: World) -> None:
    block_id = a_block_from_idle_time(world)
    ann = browser_signed_in(world)
    csrf = csrf_of(page(world, ann, f"/contracts/{world.website}/timesheet?date=2026-11-23"))
    form = {"day": "2026-11-23", "block": block_id, "memo": "Footer", "change": "memo"}

    assert send(world, ann, f"/contracts/{world.website}/blocks", form, csrf).status_code == 303

    (stored,) = world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-23", world.cara).json()
    assert (stored["memo"], stored["activity_source"]) == ("Footer", "idle_time")
    assert [minute[1:3] for minute in stored["activity"]] == [[None, None]] * 4


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_block_from_idle_time_is_accessible_and_fits(
    world: World, browser: BrowserContext, viewport: dict | None
) -> None:
    block_id = a_block_from_idle_time(world)
    tab = sign_in(browser, world, CARA)
    if viewport:
        tab.set_viewport_size(viewport)

    answer = tab.goto(f"{world.service.url}/contracts/{world.website}/blocks/{block_id}")

    assert answer is not None and answer.ok
    assert tab.get_by_role("table").locator("caption").inner_text().startswith("Activity from idle time")
    assert tab.locator("table.minutes thead th").all_text_contents() == ["Minute", "Active seconds"]
    assert accessibility_findings(tab) == []
    assert not scrolls_sideways(tab)


def image_urls(text: str) -> list[str]:
    return [html.unescape(url) for url in re.findall(r'<img src="(/contracts/[^"]+)"', text)]


@pytest.mark.parametrize("blob_settings", BLOB_STORES, indirect=True)  # served by the service from both
def test_images_go_to_the_viewers_browser_alone_and_are_cached_by_their_hash(world: World) -> None:
    ids = a_week(world)
    image, thumbnail = screenshot(world, ids["shot"], 1)
    cara = browser_signed_in(world, CARA)
    tab = page(world, cara, f"/contracts/{world.website}/timesheet?date=2026-11-23").text
    [thumbnail_url] = image_urls(tab)
    [image_url] = image_urls(page(world, cara, f"/contracts/{world.website}/blocks/{ids['shot']}").text)

    for url, shown in ((thumbnail_url, thumbnail), (image_url, image)):
        answer = page(world, cara, url)
        assert answer.status_code == 200
        assert sha(answer.content) == shown
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.headers["ETag"] == f'"{shown}"'
        assert answer.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        again = cara.get(f"{world.service.url}{url}", headers={"If-None-Match": f'"{shown}"'}, timeout=10)
        assert (again.status_code, again.content) == (304, b"")

    # The URL copied to Bob, to a browser signed out, or Ann's own session: nothing.
    for other in (browser_signed_in(world, BOB), requests.Session(), browser_signed_in(world)):
        assert page(world, other, thumbnail_url).status_code == 404
    # Nor another image, another contract or a later expiry under the same signature.
    until = int(re.search(r"until=(\d+)", thumbnail_url).group(1))
    for forged in (
        thumbnail_url.replace(thumbnail, image),
        thumbnail_url.replace(world.website, world.logo),
        thumbnail_url.replace(f"until={until}", f"until={until + 86400}"),
    ):
        assert page(world, cara, forged).status_code == 404
    # Signed out, the cookie is gone; and past its expiry, a URL is dead.
    world.service.clock.advance(until - int(world.service.clock.now().timestamp()))
    assert page(world, cara, thumbnail_url).status_code == 404


@contextmanager
def counted_queries(world: World) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = world.service.database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_days_thumbnails_cost_no_query_and_its_page_a_bounded_few(world: World) -> None:
    ids = a_week(world)
    screenshot(world, ids["shot"], 1)
    cara = browser_signed_in(world, CARA)
    path = f"/contracts/{world.website}/timesheet?date=2026-11-23"
    with counted_queries(world) as few_blocks:
        tab = page(world, cara, path).text
    for minutes in range(0, 60, 10):  # six more blocks, with screenshots
        block_id = uid(f"more-{minutes}")
        body = block_body(world.website, SEVEN - timedelta(hours=1, minutes=-minutes))
        assert world.put_block(world.ann, block_id, body).status_code == 200
        screenshot(world, block_id, 100 + minutes)

    with counted_queries(world) as more_blocks:
        tab = page(world, cara, path).text
    with counted_queries(world) as thumbnails:
        for url in image_urls(tab):
            assert page(world, cara, url).status_code == 200

    assert len(image_urls(tab)) == 7
    assert len(more_blocks) == len(few_blocks) <= 20
    assert thumbnails == []


def test_the_freelancer_edits_a_memo_removes_time_and_adds_manual_time_once(world: World) -> None:
    ids = a_week(world)
    image_hashes = screenshot(world, ids["shot"], 1)
    ann = browser_signed_in(world)
    path = f"/contracts/{world.website}/timesheet?date=2026-11-23"
    tab = page(world, ann, path)
    assert tab.text.count('name="block"') == 5 and "Add time" in tab.text
    csrf = csrf_of(tab)
    back = (303, f"/contracts/{world.website}/timesheet?date=2026-11-23#day")

    blocks = f"/contracts/{world.website}/blocks"
    selected = {"day": "2026-11-23", "block": [ids["bare"], ids["over"]], "memo": " Footer "}
    edited = send(world, ann, blocks, {**selected, "change": "memo"}, csrf)
    removed = send(world, ann, blocks, {"day": "2026-11-23", "change": "remove", "block": ids["shot"]}, csrf)
    form = {"time_id": uid("add"), "day": "2026-11-23", "start": "08:10", "end": "08:40", "memo": "Review"}
    added = [send(world, ann, f"/contracts/{world.website}/time", form, csrf) for _ in range(2)]

    assert [(a.status_code, a.headers["Location"]) for a in (edited, removed, *added)] == [back] * 4
    stored = world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-23", world.cara).json()
    assert [(b["start"][11:16], b["memo"], b["source"], b["capture_note"]) for b in stored] == [
        ("07:10", "redacted work", "tracked", ""),
        ("07:20", "Footer", "tracked", PRIVATE_APP_NOTE),  # a memo's edit keeps the app's note
        ("07:30", "Footer", "tracked", ""),
        ("08:00", "Call with Cara", "manual", ""),
        ("08:10", "Review", "manual", ""),
        ("08:20", "Review", "manual", ""),
        ("08:30", "Review", "manual", ""),
    ]
    assert world.call("GET", f"/blobs/{image_hashes[0]}", world.cara).status_code == 404  # went with its time
    assert blocks_of(page(world, ann, path).text)[-3:] == ["08:10–08:20", "08:20–08:30", "08:30–08:40"]


def test_time_is_added_in_the_viewers_zone(world: World) -> None:
    set_zone(world, world.ann, TOKYO)
    ann = browser_signed_in(world)
    tab = page(world, ann, f"/contracts/{world.website}/timesheet")
    form = {"time_id": uid("tokyo"), "day": "2026-11-23", "start": "17:50", "end": "18:00", "memo": ""}

    answer = send(world, ann, f"/contracts/{world.website}/time", form, csrf_of(tab))

    assert answer.status_code == 303
    stored = world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-23", world.ann).json()
    assert [(b["start"], b["end"]) for b in stored] == [("2026-11-23T08:50:00Z", "2026-11-23T09:00:00Z")]


def test_a_locked_week_is_view_only_and_refused_with_the_rules_words(world: World) -> None:
    last_week = MONDAY - timedelta(days=4)  # Thursday 19 Nov 09:00 UTC
    assert world.put_block(world.ann, uid("old"), block_body(world.website, last_week)).status_code == 200
    world.service.clock.advance(4 * 3600)  # Monday 13:00 UTC: last week locked at 12:00 UTC (the grace)
    set_zone(world, world.ann, "Europe/Berlin")
    ann = browser_signed_in(world)
    path = f"/contracts/{world.website}/timesheet?date=2026-11-19"

    tab = page(world, ann, path)

    assert "Week locked Mon 23 Nov 13:00 your time: past weeks are view-only." in tab.text
    assert 'name="block"' not in tab.text and "Add time" not in tab.text
    csrf = csrf_of(tab)
    form = {"time_id": uid("late"), "day": "2026-11-19", "start": "08:00", "end": "08:20", "memo": ""}
    refused = send(world, ann, f"/contracts/{world.website}/time", form, csrf)
    selected = {"day": "2026-11-19", "change": "memo", "block": uid("old"), "memo": "x"}
    memo = send(world, ann, f"/contracts/{world.website}/blocks", selected, csrf)

    for answer in (refused, memo):
        assert answer.status_code == 409
        assert "is locked since Mon 23 Nov 13:00 your time: past weeks are view-only." in html.unescape(
            answer.text
        )
    assert (
        world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-19", world.ann).json()[0]["memo"]
        == "Header layout"
    )


def test_the_client_cannot_post_the_freelancers_changes(world: World) -> None:
    ids = a_week(world)
    cara = browser_signed_in(world, CARA)
    csrf = csrf_of(page(world, cara, f"/contracts/{world.website}/timesheet"))
    bob = browser_signed_in(world, BOB)
    bob_csrf = csrf_of(page(world, bob, "/"))
    attempts = [
        ("blocks", {"day": "2026-11-23", "change": "memo", "block": ids["bare"], "memo": "mine"}),
        ("blocks", {"day": "2026-11-23", "change": "remove", "block": ids["bare"]}),
        ("time", {"time_id": uid("cara"), "day": "2026-11-23", "start": "06:00", "end": "06:10"}),
    ]

    for action, form in attempts:
        assert send(world, cara, f"/contracts/{world.website}/{action}", form, csrf).status_code == 403
        assert send(world, bob, f"/contracts/{world.website}/{action}", form, bob_csrf).status_code == 404
        assert send(world, cara, f"/contracts/{world.website}/{action}", form, None).status_code == 403

    stored = world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-23", world.ann).json()
    assert len(stored) == 5 and {b["memo"] for b in stored} >= {"bare work"}


def test_an_ended_contract_is_view_only(world: World) -> None:
    a_week(world)
    world.service.update_contract(world.website, status="ended")
    tab = page(world, browser_signed_in(world), f"/contracts/{world.website}/timesheet?date=2026-11-23").text
    assert "The contract has ended: its time is view-only." in tab
    assert 'name="block"' not in tab and "Add time" not in tab


def test_the_diary_is_used_with_arrows_and_enter_and_fits_a_phone(
    world: World, browser: BrowserContext
) -> None:
    ids = a_week(world)
    screenshot(world, ids["shot"], 1)
    extra = block_body(world.website, SEVEN + timedelta(minutes=70))  # 08:10 UTC, under the manual 08:00
    assert world.put_block(world.ann, uid("extra"), extra).status_code == 200
    # Signed in from Berlin (UTC+1 in November): the day is shown in its time.
    tab = sign_in(browser, world, CARA, f"/contracts/{world.website}/timesheet?date=2026-11-23")
    tab.get_by_role("link", name="Next week ›").focus()

    def focused() -> str:
        return tab.evaluate("document.activeElement.querySelector('.range').textContent")

    tab.keyboard.press("Tab")  # from the week's links to the day's first block
    assert focused() == "08:00–08:10"

    tab.keyboard.press("ArrowRight")
    assert focused() == "08:10–08:20"
    tab.keyboard.press("ArrowDown")  # the next hour: the nearest block to the :10 slot
    assert focused() == "09:10–09:20"
    tab.keyboard.press("ArrowLeft")
    assert focused() == "09:00–09:10"
    tab.keyboard.press("ArrowUp")
    assert focused() == "08:00–08:10"
    tab.keyboard.press("End")
    assert focused() == "09:10–09:20"
    assert tab.locator(".block-link[tabindex='0']").count() == 1  # one Tab stop for the day's blocks
    tab.keyboard.press("Shift+Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Next week ›"
    tab.keyboard.press("Tab")  # back to the block last focused
    assert focused() == "09:10–09:20"
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url.endswith(f"/blocks/{uid('extra')}")
    assert tab.locator("table.minutes tbody tr").count() == 10


@pytest.mark.parametrize("email", [ANN, CARA])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_diary_and_a_block_are_accessible_and_fit(
    world: World, browser: BrowserContext, email: str, viewport: dict | None
) -> None:
    ids = a_week(world)
    screenshot(world, ids["shot"], 1, monitors=2)
    tab = sign_in(browser, world, email)
    if viewport:
        tab.set_viewport_size(viewport)
    found = {}

    for path in ("/timesheet?date=2026-11-23", f"/blocks/{ids['shot']}", f"/blocks/{ids['manual']}"):
        answer = tab.goto(f"{world.service.url}/contracts/{world.website}{path}")
        assert answer is not None and answer.ok, path
        tab.locator("details.add-time").evaluate_all("all => all.forEach(d => d.open = true)")
        problems = accessibility_findings(tab)
        if scrolls_sideways(tab):
            problems.append(f"scrolls sideways at {tab.viewport_size}")
        if problems:
            found[path] = problems

    assert found == {}
