"""Render each window of the real app to PNG in docs/, on a demo week, under a private Xvfb.

    python scripts/render_docs.py

The app runs as users run it (xcb platform, a tray host, the real widgets and engine), on a demo
database that the tracking engine fills with a fake clock: tracked days with activity and
screenshots of a rendered desktop, manual time and a redacted screenshot.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.display import x_display  # noqa: E402
from tests.helpers.fakes import FakeClock, FakeInput  # noqa: E402

DOCS = REPO / "docs"
ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 14, 7, 30, tzinfo=UTC)  # a Thursday afternoon


class DemoCapturer:
    """Screenshots of rendered desktop contents (a code editor, a web page, a document)."""

    def __init__(self) -> None:
        from benchmarks.bench_screenshot import render_code_editor, render_text_document, render_web_page
        from tracker.capture import imaging

        self.imaging = imaging
        images = [render_code_editor(), render_web_page(), render_text_document()]
        self.encoded = [(imaging.encode_screenshot(image), imaging.thumbnail(image)) for image in images]
        self.count = 0

    def capture(self, directory: Path, stem: str):
        from tracker.capture import Capture, CapturedImage

        data, thumbnail = self.encoded[self.count % 3 if self.count % 5 else 0]
        self.count += 1
        path = directory / f"{stem}-m1.jpg"
        self.imaging.write_private_files({path: data, self.imaging.thumbnail_path(path): thumbnail})
        return Capture(
            [
                CapturedImage(
                    1, path, self.imaging.thumbnail_path(path), *self.imaging.digest(data), 1920, 1080
                )
            ]
        )


def fill_demo_week(database, capturer) -> tuple[str, str]:
    from decimal import Decimal

    from tracker.diary import Diary
    from tracker.engine import Tracker

    clock = FakeClock(NOW - timedelta(days=10))
    diary = Diary(database, ZONE)
    site = diary.add_contract(
        "Website rebuild",
        now=clock.now(),
        client_name="Acme GmbH",
        hourly_rate=Decimal(55),
        weekly_limit_hours=30,
    )
    app = diary.add_contract("Mobile app", now=clock.now(), client_name="Nordlicht", hourly_rate=Decimal(48))
    source = FakeInput()
    rng = random.Random(4)
    tracker = Tracker(database, clock, input_source=source, capturer=capturer, rng=rng)
    sessions = [(8, 0, 11, 20, site.id, "Checkout flow"), (12, 10, 15, 40, app.id, "Push notifications")]
    for day in range(11):
        date = (NOW - timedelta(days=10 - day)).date()
        if date.weekday() >= 5:
            continue
        for start_h, start_m, end_h, end_m, contract_id, memo in sessions:
            start = datetime(date.year, date.month, date.day, start_h, start_m, tzinfo=UTC)
            end = min(
                datetime(date.year, date.month, date.day, end_h, end_m, tzinfo=UTC),
                NOW - timedelta(minutes=20),
            )
            if start >= end:
                continue
            clock.advance((start - clock.now()).total_seconds())  # nothing tracked in between
            tracker.tick()
            tracker.start(contract_id, memo)
            busy = rng.uniform(0.3, 0.9)
            while clock.now() < end:
                clock.advance(1)
                if clock.now().second == 0:  # now and then a minute of reading, or away
                    busy = rng.choice([0.0, 0.0, 0.4, 0.7, 0.9, 0.9, 0.95])
                if rng.random() < busy:
                    source.add(keys=rng.randint(0, 4), mouse=rng.randint(1, 9))
                tracker.tick()
            tracker.stop()
    today = NOW.date()
    diary.add_manual_time(
        site.id,
        datetime(today.year, today.month, today.day, 7, 0, tzinfo=UTC),
        datetime(today.year, today.month, today.day, 7, 30, tzinfo=UTC),
        "Call with Acme about the launch",
        NOW,
        database.device_id(),
    )
    shots = [b for b in diary.day_blocks(today) if b.screenshot_id]
    diary.redact_screenshot(shots[3].screenshot_id, NOW)
    return site.id


def save(widget, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.grab().save(str(DOCS / name))
    print(f"docs/{name}")


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with x_display() as display, tempfile.TemporaryDirectory() as work:
        os.environ["DISPLAY"] = display
        os.environ["TZ"] = "Europe/Berlin"
        tray_host = (
            subprocess.Popen(
                ["trayer", "--SetDockType", "true", "--align", "right", "--edge", "top"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if shutil.which("trayer")
            else None
        )
        try:
            render(Path(work))
        finally:
            if tray_host:
                tray_host.terminate()
                tray_host.wait(10)


def render(data_dir: Path) -> None:
    """The windows, with the app signed in to a real contract service on a loopback port."""
    import keyring

    from tests.helpers.keyrings import MemoryKeyring
    from tests.helpers.service import PASSWORD, running_service

    keyring.set_keyring(MemoryKeyring())
    with running_service(data_dir / "service", FakeClock(NOW)) as contract_service:
        contract_service.add_user("ann@example.test", "freelancer")
        contract_service.add_user("bob@example.test", "client")
        contract_service.add_contract("Shop redesign", "ann@example.test", "bob@example.test")
        render_app(data_dir / "app", contract_service.url, "ann@example.test", PASSWORD)


def render_app(data_dir: Path, service_url: str, email: str, password: str) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from sync import credentials
    from tracker.engine import IdleQuestion
    from tracker.settings import Settings
    from tracker.storage import Database
    from ui.app import Workdiary
    from ui.service import TrackerService
    from ui.shots import latest_screenshot_id
    from ui.sync_service import SyncService

    app = QApplication(["workdiary"])
    database = Database(data_dir)
    capturer = DemoCapturer()
    site_id = fill_demo_week(database, capturer)
    clock = FakeClock(NOW - timedelta(minutes=16, seconds=12))
    typing = FakeInput()
    settings = Settings()
    service = TrackerService(
        database,
        clock,
        settings,
        ZONE,
        make_input=lambda: typing,
        make_capturer=lambda s: capturer,
        tick_ms=None,
    )
    sync = SyncService(database, clock, settings, tokens=credentials, automatic=False)
    workdiary = Workdiary(database, service, sync, clock, ZONE, settings, quit_app=app.quit)
    workdiary.start()
    sync.sign_in(service_url, email, password)
    while sync.current.last_synced_at is None:
        app.processEvents()
    workdiary.window.set_memo("Checkout flow: address form")
    statuses: list = []
    service.status.connect(statuses.append)
    service.start(site_id, "Checkout flow: address form")
    while not (statuses and statuses[-1].tracking):
        app.processEvents()
    for _ in range(16 * 60 + 12):  # each tick awaited: the worker reads the shared clock
        count = len(statuses)
        clock.advance(1)
        typing.add(keys=3, mouse=3)  # somebody typing and moving the mouse all along
        service.tick()
        while len(statuses) == count:
            app.processEvents()
    synced_before = sync.current.last_synced_at
    sync.sync_now()
    while sync.current.last_synced_at == synced_before:
        app.processEvents()
    app.processEvents()
    workdiary.window.resize(520, 640)
    save(workdiary.window, "main-window.png")

    workdiary.open_diary()
    diary_window = workdiary.diary_window
    diary_window.resize(1400, 900)
    save(diary_window, "work-diary-week.png")
    diary_window.show_day(NOW.astimezone(ZONE).date())
    QTest.qWait(1500)  # thumbnails load in slices after the grid is shown
    save(diary_window, "work-diary-day.png")

    workdiary.open_review(latest_screenshot_id(workdiary.diary, NOW - timedelta(hours=1)))
    save(workdiary.review_dialog, "screenshot-review.png")
    workdiary.review_dialog.close()
    workdiary._ask_idle(IdleQuestion(NOW - timedelta(minutes=42), NOW - timedelta(minutes=3)))
    save(workdiary.idle_dialog, "idle-question.png")
    workdiary.idle_dialog.close()
    workdiary.open_settings()
    save(workdiary.settings_dialog, "settings.png")
    workdiary.settings_dialog.close()
    menu = workdiary.tray.menu
    menu.popup(workdiary.window.geometry().center())
    save(menu, "tray-menu.png")
    menu.close()
    workdiary.shutdown()
    database.close()


if __name__ == "__main__":
    main()
