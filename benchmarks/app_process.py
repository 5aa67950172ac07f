"""The app as ``workdiary`` builds it, tracking with its window hidden, measured from inside its own
process: its resident memory and CPU. Run by ``bench_app`` in a process of its own:

    python -m benchmarks.app_process --hidden [SERVICE_URL] | --screenshot URL | --workroom URL | --quiet

It imports nothing the app does not (no psutil, no benchmark harness), so the memory it reports is
the app's own.
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.proc import resident_bytes, scheduled_seconds

TRACKING_SECONDS = 20
QUIET_SECONDS = 60
DEMO_EMAIL, DEMO_PASSWORD, DEMO_CONTRACT = "demo@workdiary.test", "demo-password", "Website rebuild"


class ScreenshotSoon(random.Random):
    """The first screenshot a second after tracking starts (the app takes one every ten minutes,
    so its resident memory after one is what it keeps), in the next slot when tracking starts in
    the last seconds of one; the later ones at their slot's very end, out of the measurements' way."""

    def __init__(self) -> None:
        super().__init__()
        self.taken_soon = False

    def uniform(self, a: float, b: float) -> float:
        if self.taken_soon or b - a < 2:
            return b
        self.taken_soon = True
        return a + 1


def hidden_while_tracking(
    service_url: str | None, workroom: bool = False, screenshot: bool = False, quiet_seconds: int = 0
) -> dict:
    """In this process: the app as ``workdiary --minimized`` builds it (real X input and mss), in
    its tray icon (the display must have a tray host), tracking with its window never shown for
    TRACKING_SECONDS, then its resident memory. With ``service_url``, signed
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
    from tracker.settings import Settings
    from tracker.storage import Database
    from tracker.tables import screenshots

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
        in_tray = workdiary.tray.icon.isVisible() and not workdiary.window.isVisible()
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
        rss = resident_bytes()
        tracking = bool(statuses and statuses[-1].tracking)
        workdiary.shutdown()
        with database.engine.connect() as connection:
            taken = connection.scalar(select(func.count()).select_from(screenshots))
        database.close()
    return {
        "rss": rss,
        "in_tray": in_tray,
        "tracking": tracking,
        "screenshots": taken,
        "cpu_percent": cpu_percent,
    }


if __name__ == "__main__":
    mode, service_url = sys.argv[1], (sys.argv[2:3] or [None])[0]
    measured = {
        "--hidden": lambda: hidden_while_tracking(service_url),
        "--screenshot": lambda: hidden_while_tracking(service_url, screenshot=True),
        "--workroom": lambda: hidden_while_tracking(service_url, workroom=True),
        "--quiet": lambda: hidden_while_tracking(None, screenshot=True, quiet_seconds=QUIET_SECONDS),
    }[mode]()
    print(json.dumps(measured))
