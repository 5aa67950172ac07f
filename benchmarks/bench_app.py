"""The desktop app: start-up to a visible window; started minimized to its tray (a tray host runs, as
in a desktop session) and tracking with its window never shown, its resident memory (signed out;
signed in; signed in with a workroom open) and its CPU with no input (``app_process``); the Work
Diary opening and switching weeks on a 5-year database, and a workroom window opening on a
10,000-message copy.

    python -m benchmarks --only app

Each measurement runs in a process of its own on the benchmark's X display (xcb, as a user runs it).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import report
from benchmarks.app_process import DEMO_CONTRACT, DEMO_EMAIL, DEMO_PASSWORD, QUIET_SECONDS
from benchmarks.display import tray_host, wait_for_window

REPO = Path(__file__).resolve().parent.parent
START_UP_RUNS = 5
START_UP_BAR_MS = 1500.0
HIDDEN_RSS_BAR_MB = 120.0
OPEN_WEEK_BAR_MS = 150.0
OPEN_WORKROOM_BAR_MS = 300.0
DIARY_RUNS = 10
QUIET_CPU_BAR_PERCENT = 0.05  # PRODUCT.md: CPU while tracking with no input at all
MB = 1024 * 1024


def row(name: str, value, unit: str, bar: float | None = None) -> dict:
    return report.row("app", name, value, unit, bar)


def in_fresh_process(module: str, *arguments: str) -> dict:
    """What ``python -m benchmarks.<module> arguments…`` prints last, as JSON."""
    child = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *arguments], cwd=REPO, capture_output=True, text=True
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


def measure_hidden_while_tracking() -> list[dict]:
    """Signed out, and signed in to a demo service on a loopback port (each in a process of its own)."""
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
                result = in_tray_app(*arguments)
                if arguments[0] == "--screenshot" and not result["screenshots"]:
                    raise RuntimeError("the app took no screenshot")
                rows.append(row(name, result["rss"] / MB, "MB", HIDDEN_RSS_BAR_MB))
        finally:
            demo_service.terminate()
            demo_service.wait()
    return rows


def in_tray_app(*arguments: str) -> dict:
    """``app_process``'s measurement of the app started minimized to its tray, as at login."""
    with tray_host():
        result = in_fresh_process("app_process", *arguments)
    if not result["in_tray"]:
        raise RuntimeError("the app did not start in its tray")
    if not result["tracking"]:
        raise RuntimeError("the app was not tracking")
    return result


def measure_quiet_cpu() -> list[dict]:
    """The app's CPU while it tracks with no input, window hidden and signed out, after the slot's
    screenshot (taken in a child process a second after the start; the next slot's may fall in)."""
    result = in_tray_app("--quiet")
    if not result["screenshots"]:
        raise RuntimeError("the app took no screenshot")
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
    result = in_fresh_process("bench_app", "--diary-window")
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
            result = in_fresh_process("bench_app", "--workroom-window", f"http://127.0.0.1:{port}")
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
if __name__ == "__main__" and sys.argv[1:2] == ["--workroom-window"]:
    print(json.dumps(workroom_window(sys.argv[2])))
