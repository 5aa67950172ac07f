"""Render each window of the real app to PNG in docs/, on a demo week, under a private Xvfb.

    python scripts/render_docs.py

The app runs as users run it (xcb platform, a tray host, the real widgets and engine), on a demo
database that the tracking engine fills with a fake clock (tracker/demo/week.py): tracked days
with activity and screenshots of a rendered desktop, a slot skipped for a private app, manual time
and a redacted screenshot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.display import x_display  # noqa: E402
from tracker.demo.week import DemoCapturer, track_mornings  # noqa: E402
from tracker.simulation import SimulatedClock, SimulatedInput  # noqa: E402

DOCS = REPO / "docs"
ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 14, 7, 30, tzinfo=UTC)  # a Thursday afternoon


def fill_demo_week(database, capturer) -> str:
    """Eleven days of weekday mornings on one contract and afternoons on another, manual time
    and a redacted screenshot today; the website contract's id."""
    from decimal import Decimal

    from tracker.diary import Diary

    diary = Diary(database, ZONE)
    first = NOW - timedelta(days=10)
    site = diary.add_contract(
        "Website rebuild", now=first, client_name="Acme GmbH", hourly_rate=Decimal(55), weekly_limit_hours=30
    )
    app = diary.add_contract("Mobile app", now=first, client_name="Nordlicht", hourly_rate=Decimal(48))
    days = [
        datetime.combine((first + timedelta(days=n)).date(), datetime.min.time(), UTC)
        for n in range(11)
        if (first + timedelta(days=n)).weekday() < 5
    ]
    until = NOW - timedelta(minutes=20)
    track_mornings(database, site.id, days, ((8, 0), (11, 20)), until, capturer)
    track_mornings(database, app.id, days, ((12, 10), (15, 40)), until, capturer)
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
    from service.demo import PASSWORD
    from service.local import running_service

    with running_service(data_dir / "service", SimulatedClock(NOW)) as contract_service:
        contract_service.add_user("ann@example.test", "freelancer")
        contract_service.add_user("bob@example.test", "client")
        contract_service.add_contract("Shop redesign", "ann@example.test", "bob@example.test")
        render_app(data_dir / "app", contract_service.url, "ann@example.test", PASSWORD)


def render_app(data_dir: Path, service_url: str, email: str, password: str) -> None:
    from PySide6.QtWidgets import QApplication

    from tracker.engine import IdleQuestion
    from tracker.settings import Settings
    from tracker.storage import Database
    from ui.app import Workdiary
    from ui.shots import latest_screenshot_id
    from ui.sync_thread import SyncService
    from ui.tracking_thread import TrackerService

    app = QApplication(["workdiary"])
    database = Database(data_dir)
    capturer = DemoCapturer(private_every=7)
    site_id = fill_demo_week(database, capturer)
    clock = SimulatedClock(NOW - timedelta(minutes=16, seconds=12))
    typing = SimulatedInput()
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
    kept: dict[str, str] = {}  # the token, for this render only: no keyring is needed
    tokens = SimpleNamespace(load_token=kept.get, save_token=kept.__setitem__, delete_token=kept.pop)
    sync = SyncService(database, clock, settings, tokens=tokens, automatic=False)
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
    diary_window = workdiary.dialogs.diary_window
    diary_window.resize(1400, 900)

    def read(window) -> None:
        """Wait for what the window asked to read off the GUI thread (the week, the day, the
        totals, the calendar's dots) to be shown, then for the thumbnails its cells ask for."""
        shown: list[bool] = []
        window.operations.after_those_asked(window, lambda: shown.append(True))
        while not shown:
            app.processEvents()
        window.repaint()
        while window.thumbnails.pending():
            app.processEvents()

    read(diary_window)
    save(diary_window, "work-diary-week.png")
    diary_window.show_day(NOW.astimezone(ZONE).date())
    read(diary_window)
    save(diary_window, "work-diary-day.png")

    workdiary.open_review(latest_screenshot_id(workdiary.diary, NOW - timedelta(hours=1)))
    save(workdiary.dialogs.review_dialog, "screenshot-review.png")
    workdiary.dialogs.review_dialog.close()
    workdiary.dialogs.ask_idle(IdleQuestion(NOW - timedelta(minutes=42), NOW - timedelta(minutes=3)))
    save(workdiary.dialogs.idle_dialog, "idle-question.png")
    workdiary.dialogs.idle_dialog.close()
    workdiary.open_settings()
    save(workdiary.dialogs.settings_dialog, "settings.png")
    workdiary.dialogs.settings_dialog.close()
    menu = workdiary.tray.menu
    menu.popup(workdiary.window.geometry().center())
    save(menu, "tray-menu.png")
    menu.close()
    workdiary.shutdown()
    database.close()


if __name__ == "__main__":
    main()
