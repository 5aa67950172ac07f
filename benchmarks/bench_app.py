"""The desktop app: start-up to a visible window, resident memory with the window hidden while
tracking (signed out; signed in; signed in with a workroom open), its CPU while tracking with no
input, the Work Diary opening and
switching weeks on a 5-year database, and a workroom window opening on a 10,000-message copy.

    python -m benchmarks --only app

Each measurement runs in a process of its own on the benchmark's X display (xcb, as a user runs it).
"""

from __future__ import annotations

import functools
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

from benchmarks import report
from benchmarks.bench_tracking import scheduled_seconds
from benchmarks.display import wait_for_window

REPO = Path(__file__).resolve().parent.parent
START_UP_RUNS = 5
START_UP_BAR_MS = 1500.0
HIDDEN_RSS_BAR_MB = 120.0
OPEN_WEEK_BAR_MS = 150.0
OPEN_WORKROOM_BAR_MS = 300.0
DIARY_RUNS = 10
TRACKING_SECONDS = 20
QUIET_SECONDS = 60
QUIET_CPU_BAR_PERCENT = 0.05  # PRODUCT.md: CPU while tracking with no input at all
MB = 1024 * 1024
DEMO_EMAIL, DEMO_PASSWORD, DEMO_CONTRACT = "demo@workdiary.test", "demo-password", "Website rebuild"


def row(name: str, value, unit: str, bar: float | None = None) -> dict:
    return report.row("app", name, value, unit, bar)


def in_fresh_process(*arguments: str) -> dict:
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_app", *arguments], cwd=REPO, capture_output=True, text=True
    )
    if child.returncode:
        raise RuntimeError(f"{arguments[0]} failed: {child.stderr.strip().splitlines()[-1:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


FROM_SOURCE = (sys.executable, "-m", "ui.app")


def start_up_once(data_dir: Path, command: Sequence[str] = FROM_SOURCE) -> float:
    """Seconds from starting ``workdiary`` (`command`) to its main window being mapped on the screen."""
    started = time.perf_counter()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    app = subprocess.Popen([*command, "--data-dir", str(data_dir)], cwd=REPO, **quiet)
    try:
        wait_for_window(app.pid, "Workdiary")
        return time.perf_counter() - started
    finally:
        app.terminate()
        app.wait(30)


def median_start_up(command: Sequence[str] = FROM_SOURCE) -> float:
    """Seconds to the window shown, warm: the median of START_UP_RUNS starts after a first one."""
    with tempfile.TemporaryDirectory() as work:
        start_up_once(Path(work), command)  # the first start makes the database and warms the disk cache
        return statistics.median(start_up_once(Path(work), command) for _ in range(START_UP_RUNS))


def measure_start_up() -> list[dict]:
    return [row("start-up to window shown (warm, median)", median_start_up() * 1000, "ms", START_UP_BAR_MS)]


class ScreenshotSoon(random.Random):
    """The slot's screenshot a second after tracking starts (the app takes one every ten minutes,
    so its resident memory after one is what it keeps); the later slots' at their very end, out of
    the measurements' way."""

    def __init__(self) -> None:
        super().__init__()
        self.first = True

    def uniform(self, a: float, b: float) -> float:
        first, self.first = self.first, False
        return a + 1 if first else b


def hidden_while_tracking(
    service_url: str | None, workroom: bool = False, screenshot: bool = False, quiet_seconds: int = 0
) -> dict:
    """In this process: the app as ``workdiary`` builds it (real X input and mss), tracking with
    its window hidden for TRACKING_SECONDS, then its resident memory. With ``service_url``, signed
    in to that (demo) contract service first, tracking on one of its contracts and syncing; with
    ``workroom``, that contract's workroom window open meanwhile; with ``screenshot``, the slot's
    screenshot taken in that time (else it is, only when its random moment falls in it). With
    ``quiet_seconds``, the CPU the app then uses in that many seconds more without input."""
    from ui.app import Workdiary  # first, as `workdiary` does (see ui/__init__)
    from tracker.capture import make_input  # isort: skip
    from tracker.capture.isolated import isolated_capturer  # isort: skip
    from ui.sync_thread import SyncService
    from ui.tracking_thread import TrackerService

    from PySide6.QtCore import QEventLoop, QTimer  # isort: skip
    from PySide6.QtWidgets import QApplication  # isort: skip

    from sqlalchemy import func, select

    from common.timeutil import SystemClock, local_zone
    from tracker.models import Screenshot
    from tracker.settings import Settings
    from tracker.storage import Database

    app = QApplication([])
    with tempfile.TemporaryDirectory() as work:
        # made by another process, as on any start but the first: no migration runs in this one
        subprocess.run(
            [sys.executable, "-m", "tracker", "--data-dir", work, "contract", "add", "--title", "Memory"],
            check=True,
            capture_output=True,
        )
        database = Database(Path(work))
        settings = Settings()
        service = TrackerService(
            database,
            SystemClock(),
            settings,
            local_zone(),
            make_input=make_input,
            make_capturer=isolated_capturer,
            rng=ScreenshotSoon() if screenshot else None,
        )
        sync = SyncService(database, SystemClock(), settings)
        workdiary = Workdiary(
            database, service, sync, SystemClock(), local_zone(), settings, quit_app=app.quit
        )
        workdiary.start(minimized=True)
        workdiary.window.hide()
        contract_id = workdiary.window.selected_contract_id()
        if service_url:
            synced = QEventLoop()
            sync.state.connect(lambda state: state.last_synced_at and synced.quit())
            sync.sign_in(service_url, DEMO_EMAIL, DEMO_PASSWORD)
            synced.exec()
            contract_id = next(c.id for c in workdiary.diary.contracts() if c.title == DEMO_CONTRACT)
            if workroom:
                workdiary.dialogs.open_workroom(contract_id)
        statuses: list = []
        service.status.connect(statuses.append)
        service.start(contract_id, "Memory")
        loop = QEventLoop()
        QTimer.singleShot(TRACKING_SECONDS * 1000, loop.quit)
        loop.exec()
        cpu_before, quiet_started = scheduled_seconds(), time.perf_counter()
        QTimer.singleShot(quiet_seconds * 1000, loop.quit)
        loop.exec()
        cpu_percent = 100 * (scheduled_seconds() - cpu_before) / (time.perf_counter() - quiet_started)
        gc.collect()
        rss = psutil.Process().memory_info().rss
        tracking = bool(statuses and statuses[-1].tracking)
        workdiary.shutdown()
        with database.session() as session:
            screenshots = session.scalar(select(func.count()).select_from(Screenshot))
        database.close()
    return {"rss": rss, "tracking": tracking, "screenshots": screenshots, "cpu_percent": cpu_percent}


def measure_hidden_while_tracking() -> list[dict]:
    """Signed out, and signed in to a demo service on a loopback port (in a process of its own)."""
    from service import local

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        port = local.free_port()
        demo_service = local.serve_in_background("127.0.0.1", port, demo=True, folder=Path(folder))
        try:
            url = f"http://127.0.0.1:{port}"
            for name, arguments in (
                ("RSS, window hidden, tracking, signed out", ["--hidden"]),
                ("RSS, window hidden, tracking, signed in and syncing", ["--hidden", url]),
                ("RSS, window hidden, tracking, signed in, after a screenshot", ["--screenshot", url]),
                ("RSS, tracking, signed in and syncing, a workroom open", ["--workroom", url]),
            ):
                result = in_fresh_process(*arguments)
                if not result["tracking"]:
                    raise RuntimeError("the app was not tracking")
                if arguments[0] == "--screenshot" and not result["screenshots"]:
                    raise RuntimeError("the app took no screenshot")
                rows.append(row(name, result["rss"] / MB, "MB", HIDDEN_RSS_BAR_MB))
        finally:
            demo_service.terminate()
            demo_service.wait()
    return rows


def measure_quiet_cpu() -> list[dict]:
    """The app's CPU while it tracks with no input, window hidden and signed out, after the slot's
    screenshot (taken in a child process a second after the start; the next slot's may fall in)."""
    result = in_fresh_process("--quiet")
    if not (result["tracking"] and result["screenshots"]):
        raise RuntimeError("the app was not tracking or took no screenshot")
    name = f"CPU, window hidden, tracking, no input ({QUIET_SECONDS} s)"
    return [row(name, result["cpu_percent"], "% of a core", QUIET_CPU_BAR_PERCENT)]


def painted_with_its_reads(app, operations, window) -> None:
    """Wait until the window shows what it asked to read off the GUI thread, then paint it."""
    read: list[bool] = []
    operations.after_those_asked(window, lambda: read.append(True))
    while not read:
        app.processEvents()
    window.repaint()
    app.processEvents()


def diary_window() -> dict:
    """In this process: the Work Diary window on the 5-year database, opened and switched."""
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_diary import cached_database
    from common.timeutil import week_start
    from tracker.diary import Diary
    from tracker.storage import Database
    from ui.diary import WorkDiaryWindow
    from ui.operations import Operations

    app = QApplication([])
    now = datetime.now(UTC)
    source, _ = cached_database(week_start(now))
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(source, Path(work) / source.name)
        database = Database(Path(work))
        diary = Diary(database)
        operations = Operations(diary, lambda: now)

        painted = functools.partial(painted_with_its_reads, app, operations)

        opening = []
        for _ in range(DIARY_RUNS):
            started = time.perf_counter()
            window = WorkDiaryWindow(diary, lambda: now, operations)
            window.resize(1280, 900)
            window.show()
            painted(window)
            opening.append(time.perf_counter() - started)
            window.close()
            window.deleteLater()
            app.processEvents()
        window = WorkDiaryWindow(diary, lambda: now, operations)
        window.show()
        painted(window)
        switching = []
        for step in range(DIARY_RUNS):
            started = time.perf_counter()
            (window.show_previous_week if step % 2 == 0 else window.show_next_week)()
            painted(window)
            switching.append(time.perf_counter() - started)
        blocks = len(diary.week_blocks(now.date()))
        operations.shutdown()
        database.close()
    return {"open": statistics.median(opening), "switch": statistics.median(switching), "blocks": blocks}


def measure_diary_window() -> list[dict]:
    result = in_fresh_process("--diary-window")
    return [
        row("Work Diary: open a full week (median)", result["open"] * 1000, "ms", OPEN_WEEK_BAR_MS),
        row("Work Diary: switch weeks (median)", result["switch"] * 1000, "ms"),
        row("Work Diary: blocks in the opened week", result["blocks"], "blocks"),
    ]


def workroom_window(service_url: str) -> dict:
    """In this process: the demo contract's workroom copied by the real sync from the demo service,
    with a 2-year thread of 10,000 messages put before its own; its window opened to usable (the
    copy read off the GUI thread and shown, painted), and the thread scrolled up a page at a time."""
    import random

    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_workroom_copy import MESSAGES, add_thread
    from common.timeutil import SystemClock
    from sync.client import ServiceClient
    from sync.worker import Syncer
    from tracker.diary import Diary
    from tracker.storage import Database
    from ui.operations import Operations
    from ui.workroom import WorkroomWindow

    app = QApplication([])
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as work:
        database = Database(Path(work))
        diary = Diary(database)
        token = ServiceClient(service_url).sign_in(DEMO_EMAIL, DEMO_PASSWORD, "benchmark").token
        Syncer(database, ServiceClient(service_url, token), clock, timedelta(0)).run_once()
        contract_id = next(c.id for c in diary.contracts() if c.title == DEMO_CONTRACT)
        add_thread(database, contract_id, random.Random(13), MESSAGES)
        operations = Operations(diary, clock.now)

        usable = functools.partial(painted_with_its_reads, app, operations)

        opening, scrolling = [], []
        for _ in range(DIARY_RUNS):
            started = time.perf_counter()
            window = WorkroomWindow(contract_id, operations, clock.now)
            window.show()
            usable(window)
            opening.append(time.perf_counter() - started)
            window.close()
            window.deleteLater()
            app.processEvents()
        window = WorkroomWindow(contract_id, operations, clock.now)
        window.show()
        window.tabs.setCurrentWidget(window.messages)
        usable(window)
        for _ in range(DIARY_RUNS):
            started = time.perf_counter()
            window.messages.show_older()
            usable(window)
            scrolling.append(time.perf_counter() - started)
        shown = window.messages.thread_list.count()
        operations.shutdown()
        database.close()
    return {
        "first": opening[0],
        "open": statistics.median(opening),
        "older": statistics.median(scrolling),
        "shown": shown,
    }


def measure_workroom_window() -> list[dict]:
    from service import local

    with tempfile.TemporaryDirectory() as folder:
        port = local.free_port()
        demo_service = local.serve_in_background("127.0.0.1", port, demo=True, folder=Path(folder))
        try:
            result = in_fresh_process("--workroom-window", f"http://127.0.0.1:{port}")
        finally:
            demo_service.terminate()
            demo_service.wait()
    return [
        row(
            "workroom: first open on a 10,000-message copy",
            result["first"] * 1000,
            "ms",
            OPEN_WORKROOM_BAR_MS,
        ),
        row(
            "workroom: open again on that copy (median)",
            result["open"] * 1000,
            "ms",
            OPEN_WORKROOM_BAR_MS,
        ),
        row("workroom: a page of older messages shown (median)", result["older"] * 1000, "ms"),
        row("workroom: messages shown after scrolling up", result["shown"], "messages"),
    ]


def run() -> list[dict]:
    if not os.environ.get("DISPLAY"):
        raise RuntimeError("needs an X display: run it through `python -m benchmarks`")
    return (
        measure_start_up()
        + measure_hidden_while_tracking()
        + measure_quiet_cpu()
        + measure_diary_window()
        + measure_workroom_window()
    )


if __name__ == "__main__" and sys.argv[1:] == ["--diary-window"]:
    print(json.dumps(diary_window()))
if __name__ == "__main__" and sys.argv[1:2] == ["--hidden"]:
    print(json.dumps(hidden_while_tracking(*sys.argv[2:3] or [None])))
if __name__ == "__main__" and sys.argv[1:] == ["--quiet"]:
    print(json.dumps(hidden_while_tracking(None, screenshot=True, quiet_seconds=QUIET_SECONDS)))
if __name__ == "__main__" and sys.argv[1:2] == ["--screenshot"]:
    print(json.dumps(hidden_while_tracking(sys.argv[2], screenshot=True)))
if __name__ == "__main__" and sys.argv[1:2] == ["--workroom"]:
    print(json.dumps(hidden_while_tracking(sys.argv[2], workroom=True)))
if __name__ == "__main__" and sys.argv[1:2] == ["--workroom-window"]:
    print(json.dumps(workroom_window(sys.argv[2])))
