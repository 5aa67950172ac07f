"""A demo week of this computer's own work, tracked by the real engine on a fake clock: what
``make run`` shows on a fresh data folder and what ``make docs`` pictures.

Weekday mornings on one contract with activity and screenshots of rendered desktop contents (a
code editor, a web page, a document); one slot with a password manager on screen (no screenshot,
and the block says why), one redacted screenshot and half an hour of manual time. The app does
not download other computers' screenshots, so the demo's screenshots are made here, as the app
makes its own.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from common.timeutil import week_start
from tracker.capture import Capture, CapturedImage
from tracker.diary import Diary
from tracker.engine import Tracker
from tracker.simulation import SimulatedClock, SimulatedInput
from tracker.storage import Database

PRIVATE_APP = "KeePassXC"
MEMOS = ("Checkout flow", "Checkout flow: address form", "Payment page")


class DemoCapturer:
    """Screenshots of rendered desktop contents; the ``private_every``-th capture finds a
    password manager on screen instead (0: never)."""

    def __init__(self, private_every: int = 0) -> None:
        from tracker.capture import imaging
        from tracker.demo import screens

        self.imaging = imaging
        images = [screens.code(), screens.web_page(), screens.documentation()]
        self.encoded = [(imaging.encode_screenshot(image), imaging.thumbnail(image)) for image in images]
        self.private_every = private_every
        self.count = 0

    def capture(self, directory: Path, stem: str) -> Capture:
        self.count += 1
        if self.private_every and self.count % self.private_every == 0:
            return Capture([], private_app=PRIVATE_APP)
        data, thumbnail = self.encoded[self.count % 3 if self.count % 5 else 0]
        path = directory / f"{stem}-m1.{self.imaging.EXTENSIONS[self.imaging.DEFAULT_FORMAT]}"
        thumbnail_path = self.imaging.thumbnail_path(path)
        self.imaging.write_private_files({path: data, thumbnail_path: thumbnail})
        return Capture([CapturedImage(1, path, thumbnail_path, *self.imaging.digest(data), 1920, 1080)])


def track_mornings(
    database: Database,
    contract_id: str,
    days: list[datetime],
    hours: tuple[tuple[int, int], tuple[int, int]],
    until: datetime,
    capturer,
    step: int = 1,
) -> None:
    """Track ``contract_id`` from ``hours[0]`` to ``hours[1]`` (UTC) on each of ``days`` before
    ``until``, ticking every ``step`` seconds with someone typing and reading."""
    (start_h, start_m), (end_h, end_m) = hours
    clock = SimulatedClock(days[0] - timedelta(hours=1))
    source = SimulatedInput()
    rng = random.Random(4)
    tracker = Tracker(database, clock, input_source=source, capturer=capturer, rng=rng)
    for number, day in enumerate(days):
        start = day.replace(hour=start_h, minute=start_m)
        end = min(day.replace(hour=end_h, minute=end_m), until)
        if start >= end:
            continue
        clock.advance((start - clock.now()).total_seconds())  # nothing tracked in between
        tracker.tick()
        tracker.start(contract_id, MEMOS[number % len(MEMOS)])
        busy = rng.uniform(0.3, 0.9)
        while clock.now() < end:
            clock.advance(step)
            if clock.now().second < step:  # now and then a minute of reading, or away
                busy = rng.choice([0.0, 0.0, 0.4, 0.7, 0.9, 0.9, 0.95])
            if rng.random() < busy:
                source.add(keys=rng.randint(0, 4 * step), mouse=rng.randint(1, 9 * step))
            tracker.tick()
        tracker.stop()


def seed_this_computer(database: Database, contract_id: str, now: datetime, zone: tzinfo) -> None:
    """This work week's weekday mornings until an hour ago (08:00–11:20 UTC), half an hour of
    manual time before them on the latest, and one screenshot redacted."""
    monday = week_start(now)
    days = [monday + timedelta(days=n) for n in range(5) if monday + timedelta(days=n, hours=8) < now]
    if not days:  # Monday before the first morning: last week's
        days = [monday - timedelta(days=7 - n) for n in range(5)]
    until = now - timedelta(hours=1)
    track_mornings(database, contract_id, days, ((8, 0), (11, 20)), until, DemoCapturer(7), step=5)
    diary = Diary(database, zone)
    latest = days[-1]
    diary.add_manual_time(
        contract_id,
        latest.replace(hour=7),
        latest.replace(hour=7, minute=30),
        "Call with the client about the launch",
        now,
        database.device_id(),
    )
    shots = [b.screenshot_id for b in diary.week_blocks(latest.date(), contract_id) if b.screenshot_id]
    diary.redact_screenshot(shots[len(shots) // 2], now)
