"""The web workroom's Work Diary on a heavy week: 7 days of 60 ten-minute blocks (420), each with a
screenshot and its thumbnail, opened by the client in the Timesheet tab (the week's days and one
day's 60 blocks with their signed thumbnail URLs), on SQLite and, where installed, PostgreSQL.

The time is the request's, seen by its client on the same machine (the server's and a loopback
round trip), the median of bench_workroom's REPEATS; also the page's bytes, and a thumbnail's
request (answered without the database). On SQLite, the page opened in headless Chromium by the
signed-in client: from asking to usable (its DOM ready and every thumbnail of the first screen
shown), and the bytes transferred until then, in a fresh profile and again from its cache.

    python -m benchmarks --only web_diary
"""

from __future__ import annotations

import hashlib
import html
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.bench_workroom import CLIENT, FREELANCER, median_ms, signed_in_browser
from benchmarks.report import row
from common.states import BlockSource
from common.timeutil import SLOT, WEEK
from service.demo import PASSWORD
from service.local import LocalService, running_service
from service.models import Blob, Block, Screenshot, ScreenshotImage, User
from service.postgres_cluster import postgres_cluster, server_binaries
from tracker.demo.images import jpeg
from tracker.simulation import SimulatedClock

NAME = "web_diary"
WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)
NOW = WEEK_START + WEEK + timedelta(hours=9)  # the Monday after: the week is whole
BLOCKS_A_DAY = 60  # 10 hours
PAGE_BAR_MS = 100.0
USABLE_BAR_MS = 1000.0
THUMBNAIL_BYTES = 6_000  # as the app's thumbnails (≤ 10 KB)
CHROMIUM = "/usr/bin/chromium"
USABLE = """() => document.readyState !== "loading" && [...document.images].every(image => {
    const box = image.getBoundingClientRect();
    const offScreen = box.top >= window.innerHeight || box.bottom <= 0;
    return offScreen || (image.complete && image.naturalWidth > 0);
})"""
BYTES_UNTIL = """usable => performance.getEntriesByType("navigation")
    .concat(performance.getEntriesByType("resource"))
    .filter(entry => entry.responseEnd <= usable)
    .reduce((sum, entry) => sum + entry.transferSize, 0)"""


def _heavy_week(service: LocalService) -> str:
    """The contract, with its 420 blocks and screenshots written as rows (the service's checks are
    not what is measured): each screenshot's image a row of its own, each with a thumbnail of its
    own in the blob store (the full images' files are not read by the page)."""
    service.add_user(FREELANCER, "freelancer")
    service.add_user(CLIENT, "client")
    contract_id = service.add_contract("Heavy week", FREELANCER, CLIENT, started_at=WEEK_START - 4 * WEEK)
    with service.database.writing() as session:
        freelancer_id = session.scalars(select(User.id).where(User.email == FREELANCER)).one()
        starts = [
            WEEK_START + timedelta(days=day, hours=8) + SLOT * index
            for day in range(7)
            for index in range(BLOCKS_A_DAY)
        ]
        blocks = [
            {
                "id": str(uuid.uuid4()),
                "contract_id": contract_id,
                "freelancer_id": freelancer_id,
                "device_id": "bench",
                "start": start,
                "end": start + SLOT,
                "activity": [[minute, 30, 40, 50] for minute in range(10)],
                "memo": "Header layout",
                "source": BlockSource.TRACKED,
                "over_limit": False,
                "deleted": False,
                "updated_at": start + SLOT,
            }
            for start in starts
        ]
        images = [hashlib.sha256(block["id"].encode()).hexdigest() for block in blocks]
        thumbnails = []
        for number in range(len(blocks)):
            thumbnail = jpeg(number, THUMBNAIL_BYTES)
            thumbnails.append(hashlib.sha256(thumbnail).hexdigest())
            service.app.state.service.blobs.put(thumbnails[-1], thumbnail)
        session.execute(
            insert(Blob),
            [
                {"sha256": sha, "size": THUMBNAIL_BYTES, "content_type": "image/jpeg", "created_at": NOW}
                for sha in [*thumbnails, *images]
            ],
        )
        session.execute(insert(Block), blocks)
        shots = [
            {"id": str(uuid.uuid4()), "block_id": block["id"], "taken_at": block["start"], "redacted": False}
            for block in blocks
        ]
        session.execute(insert(Screenshot), shots)
        session.execute(
            insert(ScreenshotImage),
            [
                {
                    "screenshot_id": shot["id"],
                    "monitor": 1,
                    "sha256": sha,
                    "thumbnail_sha256": thumbnail,
                    "width": 1920,
                    "height": 1080,
                }
                for shot, sha, thumbnail in zip(shots, images, thumbnails, strict=True)
            ],
        )
    return contract_id


def measure(folder: Path, url: str, database_name: str) -> list[dict]:
    with running_service(folder, SimulatedClock(NOW), url) as service:
        contract_id = _heavy_week(service)
        browser = signed_in_browser(service, CLIENT)
        address = f"{service.url}/contracts/{contract_id}/timesheet?date=2026-11-18"
        page = browser.get(address, timeout=10)
        thumbnails = re.findall(r'<img src="([^"]+)" loading="lazy"', page.text)
        assert len(thumbnails) == BLOCKS_A_DAY, len(thumbnails)
        page_ms = median_ms(browser, address)
        thumbnail_ms = median_ms(browser, f"{service.url}{html.unescape(thumbnails[0])}")
        opened = open_in_chromium(service, address) if database_name == "SQLite" else []
    return [
        row(
            NAME,
            f"Timesheet of a 420-block week (a day of 60 shown), {database_name}",
            page_ms,
            "ms",
            PAGE_BAR_MS,
        ),
        row(NAME, f"its HTML, {database_name}", len(page.content) // 1024, "KiB"),
        row(NAME, f"a thumbnail by its signed URL, {database_name}", thumbnail_ms, "ms"),
        *opened,
    ]


def open_in_chromium(service: LocalService, address: str) -> list[dict]:
    """The heavy week's Timesheet opened by the signed-in client in headless Chromium, in a fresh
    profile, then again (thumbnails from the browser's cache)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{service.url}/sign-in")
        page.get_by_label("Email").fill(CLIENT)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        for visit in ("in a fresh profile", "again, from the browser's cache"):
            started = time.perf_counter()
            page.goto(address, wait_until="commit")
            page.wait_for_function(USABLE, polling="raf")
            usable_ms = (time.perf_counter() - started) * 1000
            transferred = page.evaluate(BYTES_UNTIL, page.evaluate("performance.now()"))
            shown = page.evaluate("[...document.images].filter(image => image.naturalWidth > 0).length")
            rows += [
                row(NAME, f"Chromium: the heavy week usable, {visit}", usable_ms, "ms", USABLE_BAR_MS),
                row(NAME, f"Chromium: bytes transferred until usable, {visit}", transferred // 1024, "KiB"),
                row(NAME, f"Chromium: thumbnails shown when usable, {visit}", shown, ""),
            ]
        chromium.close()
    return rows


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as folder_name, ExitStack() as stack:
        folder = Path(folder_name)
        databases: list[tuple[str, Callable[[], str]]] = [
            ("SQLite", lambda: f"sqlite:///{folder}/diary.sqlite3")
        ]
        if server_binaries() is not None:
            cluster = stack.enter_context(postgres_cluster())
            databases.append(("PostgreSQL", cluster.create_database))
        for name, new_database in databases:
            rows += measure(folder / name, new_database(), name)
    return rows
