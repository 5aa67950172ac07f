"""Running ``workdiary --self-test`` as a user would, from source or from the frozen bundle, and
something on the session's screen for its screen grab to see."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tracker.settings import Settings, save_settings
from tracker.storage import Database

NAMES = ["Qt platform", "database", "session", "screen grab", "activity", "keyring", "contract service"]
# In a GNOME Wayland session, a line before the screen grab says what the portal will do.
GNOME_NAMES = [*NAMES[:3], "screenshot permission", *NAMES[3:]]

TWO_COLOURS = [(0, 0, 640, 720, (220, 30, 30)), (640, 0, 640, 720, (30, 200, 30))]  # a sway wallpaper


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


def run_self_test_in_sway(command: list[str], **env: str) -> Run:
    """``command`` (the app) with ``--self-test`` inside a headless sway without XWayland
    (tests/helpers/wayland.py) showing a two-colour desktop, as the session's user, with ``env``;
    checked to pass natively on Wayland: Qt's wayland platform, a real portal screenshot with no
    private app shown (sway lists its windows), the compositor's idle protocol."""
    from tests.helpers.wayland import sway_stack

    with sway_stack([TWO_COLOURS]) as stack:
        inside = stack.command(command, **env)
        run = run_self_test(inside, stack.folder("data"), dict(os.environ), cwd=stack.root)
    assert run.returncode == 0, run
    assert run.by_name["Qt platform"].startswith("ok    Qt platform: wayland ("), run
    assert run.by_name["session"] == (
        "ok    session: Wayland (sway); screenshots: the desktop portal (grim where it fails); "
        "activity: the compositor's idle protocol"
    ), run
    assert run.by_name["screen grab"].startswith("ok    screen grab: 1 monitor 1280×720 (WebP, "), run
    assert run.by_name["activity"] == (
        "ok    activity: the compositor's idle protocol (org_kde_kwin_idle) started and stopped"
    ), run
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
