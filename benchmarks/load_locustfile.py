"""Locust's users for benchmarks/bench_load.py (run by it, as ``locust -f`` in a process of its own).

Devices sync heavy past weeks as the app's sync worker sends them (sync/worker.py), a page at a
time: the page's blocks in one PUT /blocks, then screenshots of some of them (their images in one
PUT /blobs, the screenshots in one PUT /screenshots). Each device starts a page every
``pacing_s`` of the plan, so that together they offer the rate the benchmark measures latency at
(an open load: devices that each waited for the last answer would measure only their own queue).
Browsers, signed in to the web workroom, open a day of a contract's Work Diary (the Timesheet tab)
every few seconds, as a client reading it does. Who they are comes from the plan that bench_load
writes (LOAD_PLAN_VARIABLE). Imported by Locust alone (it patches ssl, which must not be imported
before it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import time
import uuid
from datetime import datetime, timedelta

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser

from benchmarks.bench_load import LOAD_PLAN_VARIABLE
from common.timeutil import SLOT
from common.wire import API_PREFIX, wire_time
from sync.worker import PAGE
from tracker.demo.images import jpeg

IMAGE_BYTES, THUMBNAIL_BYTES = 90_000, 6_000  # a screenshot's, as benchmarks/bench_sync.py's
DAYS, BLOCKS_A_DAY = 6, 70  # a heavy week: 420 blocks
MARK_BYTES = 16
MARK = b"\xff\xfe" + (MARK_BYTES + 2).to_bytes(2, "big")  # a JPEG comment segment's start
# Made once: encoding an image per screenshot would stall the users sharing this process's loop.
IMAGE, THUMBNAIL = (
    jpeg(seed, size - len(MARK) - MARK_BYTES) for seed, size in ((1, IMAGE_BYTES), (2, THUMBNAIL_BYTES))
)

ACTIVITIES = [  # a block's minutes; drawn from a few made once, as drawing each count costs Locust's CPU
    [[minute, random.randrange(200), random.randrange(400), 55] for minute in range(10)] for _ in range(64)
]
STORED = '"status":200'  # an item stored, in a batch's answer

with open(os.environ[LOAD_PLAN_VARIABLE]) as plan_file:
    PLAN = json.load(plan_file)


class Device(HttpUser):
    """A freelancer's app coming online with weeks of tracked time to send, the newest week first."""

    fixed_count = PLAN["devices_count"]
    numbers = itertools.count()

    def on_start(self) -> None:
        plan = PLAN["devices"][next(Device.numbers)]
        self.client.verify = PLAN["certificate"]
        self.client.headers["Authorization"] = f"Bearer {plan['token']}"
        self.contract_id, self.device_id = plan["contract_id"], str(uuid.uuid4())
        weeks = [datetime.fromisoformat(week) for week in PLAN["weeks"]]
        self.pages = iter(_batches([start for monday in weeks for start in _week_starts(monday)], PAGE))
        self.marks = itertools.count(plan["first_mark"])
        self.sending_screenshots = gevent.spawn(lambda: None)
        # The devices' pages spread over the pacing, each device keeping its own schedule after (Locust's
        # constant_pacing counts from the user's start, which brought them all back in step).
        gevent.sleep(random.uniform(0, PLAN["pacing_s"]))
        self.next_page_at = time.monotonic()

    def wait_time(self) -> float:
        return max(0.0, self.next_page_at - time.monotonic())

    @task
    def sync_a_page(self) -> None:
        self.next_page_at += PLAN["pacing_s"]
        starts = next(self.pages, None)
        if starts is None:
            raise StopUser()
        blocks = [self._block(start) for start in starts]
        self._put("/blocks", "a page", len(blocks), json={"blocks": blocks})
        shown = PLAN["screenshots_per_page"]
        screenshots = [
            self._screenshot(block["id"], start)
            for block, start in zip(blocks[:shown], starts[:shown], strict=True)
        ]
        # Beside the next page of blocks, as the app's uploads go on while it sends blocks; one page's
        # at a time, so that a device whose screenshots lag behind sends its blocks late too.
        self.sending_screenshots.join()
        if screenshots:
            self.sending_screenshots = gevent.spawn(self._send_screenshots, screenshots)

    def _send_screenshots(self, screenshots: list[tuple[dict, dict[str, bytes]]]) -> None:
        images = [image for _, images in screenshots for image in images.items()]
        self._put(
            "/blobs", "images", len(images), files=[(sha, (sha, data, "image/jpeg")) for sha, data in images]
        )
        self._put(
            "/screenshots",
            "a page",
            len(screenshots),
            json={"screenshots": [item for item, _ in screenshots]},
        )

    def _put(self, path: str, what: str, items: int, **body: object) -> None:
        """A batch of ``items``; failed unless the service stored every one. Its answer is searched
        rather than parsed: parsing a page of answered blocks was a quarter of Locust's CPU."""
        with self.client.put(
            f"{API_PREFIX}{path}", name=f"PUT {path} ({what})", catch_response=True, **body
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")
            elif (stored := response.text.count(STORED)) != items:
                response.failure(f"{items - stored} of {items} refused: {response.text[:300]}")

    def _block(self, start: datetime) -> dict:
        end = start + SLOT
        return {
            "id": str(uuid.uuid4()),
            "contract_id": self.contract_id,
            "device_id": self.device_id,
            "start": wire_time(start),
            "end": wire_time(end),
            "activity": random.choice(ACTIVITIES),
            "memo": "Checkout flow",
            "source": "tracked",
            "deleted": False,
            "updated_at": wire_time(end),
        }

    def _screenshot(self, block_id: str, start: datetime) -> tuple[dict, dict[str, bytes]]:
        """The screenshot's item for PUT /screenshots and its images by SHA-256."""
        image, thumbnail = (_marked(data, next(self.marks)) for data in (IMAGE, THUMBNAIL))
        shas = [hashlib.sha256(data).hexdigest() for data in (image, thumbnail)]
        item = {
            "block_id": block_id,
            "id": str(uuid.uuid4()),
            "taken_at": wire_time(start + timedelta(minutes=4)),
            "redacted": False,
            "images": [
                {"monitor": 1, "sha256": shas[0], "thumbnail_sha256": shas[1], "width": 1920, "height": 1080}
            ],
        }
        return item, dict(zip(shas, (image, thumbnail), strict=True))


class Browser(HttpUser):
    """A client reading a contract's Work Diary in the web workroom, a day at a time."""

    fixed_count = PLAN["browsers_count"]
    READING_S = (1, 3)  # a person reading a page
    wait_time = between(*READING_S)
    numbers = itertools.count()

    def on_start(self) -> None:
        plan = PLAN["browsers"][next(Browser.numbers)]
        self.client.verify = PLAN["certificate"]
        self.client.cookies.update(plan["cookies"])
        self.contract_ids = plan["contract_ids"]
        self.days = [datetime.fromisoformat(PLAN["weeks"][0]) + n * timedelta(days=1) for n in range(DAYS)]
        # Not all at the same instant: clients open their workrooms at their own moments.
        gevent.sleep(random.uniform(0, Browser.READING_S[1]))

    @task
    def open_a_day(self) -> None:
        contract_id, day = random.choice(self.contract_ids), random.choice(self.days)
        with self.client.get(
            f"/contracts/{contract_id}/timesheet",
            params={"date": day.date().isoformat()},
            name="GET timesheet (a day)",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                response.failure(f"timesheet: {response.status_code}")


def _week_starts(monday: datetime) -> list[datetime]:
    """The starts of a heavy week's blocks."""
    return [
        monday + timedelta(days=day, hours=8) + n * SLOT for day in range(DAYS) for n in range(BLOCKS_A_DAY)
    ]


def _marked(data: bytes, mark: int) -> bytes:
    """The JPEG made another (to the service) by a comment holding ``mark``."""
    return data[:2] + MARK + mark.to_bytes(MARK_BYTES, "big") + data[2:]


def _batches(items: list, size: int) -> list[list]:
    return [items[index : index + size] for index in range(0, len(items), size)]
