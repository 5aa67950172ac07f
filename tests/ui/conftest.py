"""Widget tests run on Qt's xcb platform under the virtual X server that pytest-xvfb starts for
the session: the tray needs a real X display and a tray host, and one QApplication serves the
whole session, so every widget test uses the same real platform (do not set offscreen here)."""

# ----- the app's widgets on a real database and a tracker service driven by a fake clock

import gc
import os
import random
import shutil
import subprocess
import threading
from datetime import UTC

import pytest

from tests.helpers.fakes import FakeCapturer
from tracker.settings import Settings
from tracker.simulation import SimulatedInput


class Driver:
    """Moves the fake clock and ticks the service as its timer would, awaiting each status."""

    def __init__(self, qtbot, service, clock, inputs: SimulatedInput) -> None:
        self.qtbot, self.service, self.clock, self.inputs = qtbot, service, clock, inputs
        self.status = None

    def settle(self) -> None:
        """Wait until the worker has run every command queued so far, and deliver what it sent:
        a status left over from a command is then never taken for a tick's."""
        from PySide6.QtCore import QCoreApplication, QTimer

        done = threading.Event()
        QTimer.singleShot(0, self.service._worker, done.set)  # runs on the worker thread, in order
        # The worker needs nothing from the GUI thread to get there, so a bounded wait is safe.
        assert done.wait(10), "the tracker's worker thread did not answer within 10 s"
        QCoreApplication.processEvents()

    def tick(self, seconds: int = 1, keys: int = 1):
        for _ in range(seconds):
            self.settle()  # a refresh queued by the app's reaction to the last tick runs first
            self.clock.advance(1)
            self.inputs.add(keys=keys)
            now = self.clock.now()
            # other statuses (after a command, a refresh) may come too: wait for this tick's
            with self.qtbot.waitSignal(
                self.service.status, check_params_cb=lambda s, now=now: s.at >= now
            ) as blocker:
                self.service.tick()
        self.status = blocker.args[0]
        return self.status

    def tick_until(self, kind, max_seconds: int = 3600, keys: int = 1):
        """Tick until the engine reports an event of a kind; returns the event."""
        seen = []
        collect = lambda event: seen.append(event) if isinstance(event, kind) else None  # noqa: E731
        self.service.event.connect(collect)
        try:
            for _ in range(max_seconds):
                self.tick(1, keys)
                if seen:
                    return seen[0]
        finally:
            self.service.event.disconnect(collect)
        raise AssertionError(f"no {kind.__name__} in {max_seconds} s")

    def tick_to_next_slot(self, keys: int = 1):
        """Tick to one second past the next slot boundary: the block with the screenshot closes."""
        now = self.clock.now()
        past = (now.minute % 10) * 60 + now.second
        return self.tick(600 - past + 1, keys)

    def event(self, kind, check=lambda event: True, timeout: int = 5000):
        """A context manager awaiting an engine event of a kind."""
        return self.qtbot.waitSignal(
            self.service.event, timeout=timeout, check_params_cb=lambda e: isinstance(e, kind) and check(e)
        )

    def status_where(self, check, timeout: int = 5000):
        return self.qtbot.waitSignal(self.service.status, timeout=timeout, check_params_cb=check)


@pytest.fixture(autouse=True)
def garbage_collected_on_the_main_thread():
    """As in the app (ui/garbage.py): a collection on the tracking or sync thread may destroy this
    thread's PySide objects and deadlock with it, so garbage is collected here after each test."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture
def app_settings():
    return Settings(idle_minutes=5, idle_answer_minutes=5, hold_minutes=10)


@pytest.fixture
def fake_input():
    return SimulatedInput()


@pytest.fixture
def make_tracker_service(qtbot, database, clock, app_settings, fake_input):
    """Tracker services on the test's database (an app started again makes another), each shut
    down at the end."""
    from ui.tracking_thread import TrackerService

    made = []

    def make(settings=app_settings):
        service = TrackerService(
            database,
            clock,
            settings,
            UTC,
            make_input=lambda: fake_input,
            make_capturer=lambda settings: FakeCapturer(fmt=settings.screenshot_format),
            tick_ms=None,
            rng=random.Random(3),  # the first slot's screenshot at 09:02:23, the same in every run
        )
        made.append(service)
        return service

    yield make
    for service in made:
        service.shutdown()


@pytest.fixture
def tracker_service(make_tracker_service):
    return make_tracker_service()


@pytest.fixture
def sync_service(database, clock, app_settings):
    """The app's sync, signed out: passes run only when a test asks (``sync_now``). The token goes
    to the keyring in this process (the tests' in-memory one), not through a child process."""
    from sync import credentials
    from ui.sync_thread import SyncService

    sync = SyncService(database, clock, app_settings, tokens=credentials, automatic=False)
    yield sync
    sync.shutdown()


@pytest.fixture
def drive(qtbot, tracker_service, clock, fake_input):
    return Driver(qtbot, tracker_service, clock, fake_input)


@pytest.fixture
def xdg_config(tmp_path, monkeypatch):
    """Autostart entries go to a temporary XDG_CONFIG_HOME, never the user's."""
    path = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(path))
    return path


@pytest.fixture
def workdiary(qtbot, database, tracker_service, sync_service, clock, contract, app_settings, xdg_config):
    """The whole app (window, tray, dialogs) on the fake clock; Quit is recorded, not performed.
    The window is shown; the tray too when a tray host runs (see ``tray_host``)."""
    from ui.app import Workdiary

    quits = []
    app = Workdiary(
        database, tracker_service, sync_service, clock, UTC, app_settings, quit_app=lambda: quits.append(True)
    )
    app.quits = quits
    with qtbot.waitSignal(tracker_service.status):
        app.start()
    qtbot.addWidget(app.window)
    qtbot.waitExposed(app.window)
    yield app
    app.shutdown()


@pytest.fixture
def tray_host(qtbot):
    """A real tray host (Debian's trayer) on the session's X display, for as long as the test."""
    from PySide6.QtWidgets import QSystemTrayIcon

    if shutil.which("trayer") is None:
        pytest.fail("trayer is not installed (scripts/install-system-deps installs it)")
    host = subprocess.Popen(
        ["trayer", "--SetDockType", "true", "--align", "right", "--edge", "top"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=10000)
        yield host
    finally:
        host.terminate()
        host.wait(10)
        qtbot.waitUntil(lambda: not QSystemTrayIcon.isSystemTrayAvailable(), timeout=10000)
