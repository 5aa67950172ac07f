"""The web workroom's Work Diary on a heavy week: 7 days of 60 ten-minute blocks (420), each with a
screenshot and its thumbnail, opened by the client in the Timesheet tab (the week's days and one
day's 60 blocks with their signed thumbnail URLs), on SQLite and, where installed, PostgreSQL.

The time is the request's, seen by its client on the same machine (the server's and a loopback
round trip), the median of REPEATS; also the page's bytes, and a thumbnail's request (answered
without the database).

    python -m benchmarks --only web_diary
"""

from __future__ import annotations

import hashlib
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert

from benchmarks.report import row
from common.states import BlockSource
from common.timeutil import SLOT, WEEK
from service.admin import create_contract, create_user
from service.local import LocalService, running_service
from service.models import Blob, Block, Screenshot, ScreenshotImage
from service.postgres_cluster import postgres_cluster, server_binaries
from tracker.demo.images import jpeg
from tracker.simulation import SimulatedClock

NAME = "web_diary"
WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)
NOW = WEEK_START + WEEK + timedelta(hours=9)  # the Monday after: the week is whole
BLOCKS_A_DAY = 60  # 10 hours
REPEATS = 15
PAGE_BAR_MS = 100.0
PASSWORD_COST = 2**10  # no sign-in is timed
FREELANCER, CLIENT = "bench@example.test", "client@example.test"
PASSWORD = "bench-password"


def _heavy_week(service: LocalService) -> str:
    """The contract, with its 420 blocks and screenshots written as rows (the service's checks are
    not what is measured): each screenshot's image a row of its own, all showing one thumbnail
    whose bytes are in the blob store (the page's time does not depend on the files)."""
    thumbnail = jpeg(1)
    thumbnail_sha = hashlib.sha256(thumbnail).hexdigest()
    service.app.state.service.blobs.put(thumbnail_sha, thumbnail)
    with service.database.writing() as session:
        create_user(session, FREELANCER, "Bench", "freelancer", PASSWORD, NOW, PASSWORD_COST)
        create_user(session, CLIENT, "Client", "client", PASSWORD, NOW, PASSWORD_COST)
        contract = create_contract(session, FREELANCER, CLIENT, WEEK_START - 4 * WEEK, title="Heavy week")
        starts = [
            WEEK_START + timedelta(days=day, hours=8) + SLOT * index
            for day in range(7)
            for index in range(BLOCKS_A_DAY)
        ]
        blocks = [
            {
                "id": str(uuid.uuid4()),
                "contract_id": contract.id,
                "freelancer_id": contract.freelancer_id,
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
        session.execute(
            insert(Blob),
            [
                {"sha256": sha, "size": len(thumbnail), "content_type": "image/jpeg", "created_at": NOW}
                for sha in [thumbnail_sha, *images]
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
                    "thumbnail_sha256": thumbnail_sha,
                    "width": 1920,
                    "height": 1080,
                }
                for shot, sha in zip(shots, images, strict=True)
            ],
        )
        return contract.id


def _signed_in(service: LocalService) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{service.url}/sign-in", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    answer = browser.post(
        f"{service.url}/sign-in",
        data={"email": CLIENT, "password": PASSWORD, "csrf": csrf.group(1), "next": "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    return browser


def _median_ms(get: Callable[[], requests.Response]) -> float:
    get()  # warm
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        answer = get()
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return statistics.median(times)


def measure(folder: Path, url: str, database_name: str) -> list[dict]:
    with running_service(
        folder, SimulatedClock(NOW), url, password_cost=PASSWORD_COST, due_work_every=None
    ) as service:
        contract_id = _heavy_week(service)
        browser = _signed_in(service)
        address = f"{service.url}/contracts/{contract_id}/timesheet?date=2026-11-18"
        page = browser.get(address, timeout=10)
        thumbnails = re.findall(r'<img src="([^"]+)" loading="lazy"', page.text)
        assert len(thumbnails) == BLOCKS_A_DAY, len(thumbnails)
        page_ms = _median_ms(lambda: browser.get(address, timeout=10))
        thumbnail = f"{service.url}{thumbnails[0].replace('&amp;', '&')}"
        thumbnail_ms = _median_ms(lambda: browser.get(thumbnail, timeout=10))
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
    ]


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
