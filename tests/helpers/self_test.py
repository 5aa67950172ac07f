"""Running ``workdiary --self-test`` as a user would, from source or from the frozen bundle, and
something on the session's screen for its screen grab to see."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tracker.settings import Settings, save_settings
from tracker.storage import Database

NAMES = ["Qt platform", "database", "session", "screen grab", "activity", "keyring", "contract service"]
# In a GNOME Wayland session, a line before the screen grab says what the portal will do.
GNOME_NAMES = [*NAMES[:3], "screenshot permission", *NAMES[3:]]


class Run:
    def __init__(self, done: subprocess.CompletedProcess) -> None:
        self.returncode = done.returncode
        self.stdout, self.stderr = done.stdout, done.stderr
        self.lines = done.stdout.splitlines()
        self.by_name = {text[6:].split(":", 1)[0]: text for text in self.lines}

    def status(self) -> dict[str, str]:
        return {name: text.split()[0] for name, text in self.by_name.items()}

    def __repr__(self) -> str:
        return f"exit {self.returncode}\n{self.stdout}\n{self.stderr}"


def run_self_test(command: list[str], data_dir: Path, env: dict, cwd: Path, names: list[str] = NAMES) -> Run:
    """`command` (the app) with ``--self-test`` on the data folder `data_dir`; its checks are ``names``."""
    done = subprocess.run(
        [*command, "--self-test", "--data-dir", str(data_dir)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    run = Run(done)
    assert list(run.by_name) == names, run  # one line per check, in order, whatever failed
    assert "Traceback" not in run.stderr, run
    return run


def configure(data_dir: Path, url: str, email: str = "") -> None:
    """The app's settings in `data_dir`: signed in to the service at `url` as `email`."""
    database = Database(data_dir)
    try:
        save_settings(database, Settings(service_url=url, account_email=email))
    finally:
        database.close()


def grab_is_uniform() -> bool:
    import mss

    from tracker.capture.imaging import is_uniform

    with mss.MSS() as grabber:
        shot = grabber.grab(grabber.monitors[1])
        return is_uniform(shot.raw, shot.width, shot.height)


@pytest.fixture
def something_on_screen(qtbot):
    """A red window with a green one inside it, at the top left of the session's (black) screen."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    window.setGeometry(0, 0, 400, 300)
    inner = QWidget(window)
    inner.setGeometry(100, 100, 200, 100)
    for widget, colour in ((window, "#dc1e1e"), (inner, "#1ec81e")):
        widget.setAutoFillBackground(True)
        palette = widget.palette()
        palette.setColor(widget.backgroundRole(), QColor(colour))
        widget.setPalette(palette)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not grab_is_uniform(), timeout=10000)
    return window
