"""Real screenshots in headless Wayland sessions (tests/helpers/wayland.py): through the desktop
portal on sway and on GNOME, with grim where the portal fails on sway, the desktop's refusal, the
chosen monitors among sway's outputs, and private apps in the windows sway shows (Wayland and
XWayland Qt windows).

The capture runs as the headless tracker runs it, in a child process (``IsolatedCapturer``), and
that child runs inside the stack as the session's user: see the helper's docstring for why.
"""

from __future__ import annotations

import functools
import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from common.errors import EnvironmentProblem
from tests.helpers.wayland import gnome_stack, qt_window, require, sway_stack
from tests.tracker.capture.test_screen import BLUE, GREEN, RED, YELLOW, close, rgb
from tracker import children
from tracker.capture import imaging, portal
from tracker.capture.isolated import IsolatedCapturer
from tracker.capture.portal import (
    GIVEN,
    GNOME_WILL_ASK,
    REFUSED,
    UNKNOWN,
    WILL_ASK,
    PortalCapturer,
    before_the_first_screenshot,
    not_allowed_note,
    screenshot_permission,
)
from tracker.capture.session import WAYLAND, X11, Session

WHITE = (250, 250, 250)
# Two outputs side by side: 400×300 in quadrants, then 240×300 in two halves.
LEFT_OUTPUT = [
    (0, 0, 200, 150, RED),
    (200, 0, 200, 150, GREEN),
    (0, 150, 200, 150, BLUE),
    (200, 150, 200, 150, YELLOW),
]
RIGHT_OUTPUT = [(0, 0, 240, 150, WHITE), (0, 150, 240, 150, RED)]
NO_BUS = "unix:path=/nonexistent/bus"
ROOT = Path(__file__).resolve().parents[3]
GNOME = Session(WAYLAND, ("gnome",))


@pytest.fixture(scope="module")
def sway():
    with sway_stack([LEFT_OUTPUT, RIGHT_OUTPUT]) as stack:
        yield stack


def run_children_in(stack, monkeypatch, **env: str) -> None:
    """The tracker's child processes run inside ``stack``, as its user, with ``env`` changed."""

    def command(module: str, *arguments: str) -> list[str]:
        return stack.command([sys.executable, "-m", module, *arguments], **env)

    monkeypatch.setattr(children, "command", command)


def test_the_portal_screenshot_on_sway_is_cut_into_the_chosen_outputs(sway, monkeypatch):
    run_children_in(sway, monkeypatch)
    folder = sway.folder("portal")

    capture = IsolatedCapturer(monitors=[2]).capture(folder, "s")

    assert capture.note == ""
    [image] = capture.images
    assert (image.monitor, image.width, image.height) == (2, 240, 300)
    assert sorted(path.name for path in folder.iterdir()) == ["s-m2-thumb.webp", "s-m2.webp"]
    assert (image.sha256, image.size_bytes) == imaging.digest(image.path.read_bytes())
    assert stat.S_IMODE(image.path.stat().st_mode) == 0o600
    shot = QImage(str(image.path))
    assert close(rgb(shot, 120, 75), WHITE) and close(rgb(shot, 120, 225), RED)

    left, right = IsolatedCapturer().capture(sway.folder("portal-all"), "s").images
    assert [(left.monitor, left.width, left.height), (right.monitor, right.width)] == [
        (1, 400, 300),
        (2, 240),
    ]
    shot = QImage(str(left.path))
    for x, y, colour in [(100, 75, RED), (300, 75, GREEN), (100, 225, BLUE), (300, 225, YELLOW)]:
        assert close(rgb(shot, x, y), colour)


def test_chosen_monitors_sway_does_not_have_mean_no_screenshot(sway, monkeypatch):
    run_children_in(sway, monkeypatch)
    folder = sway.folder("unconnected")

    capture = IsolatedCapturer(monitors=[3, 4]).capture(folder, "s")

    assert (capture.images, capture.note) == ([], "the chosen monitors (3, 4) are not connected")
    assert list(folder.iterdir()) == []


def test_no_screenshot_while_sway_shows_a_private_app(sway, monkeypatch):
    run_children_in(sway, monkeypatch)
    private = ("Bitwarden", "keepassxc")
    folder = sway.folder("private")

    with qt_window(sway, "org.keepassxc.KeePassXC", "Passwords.kdbx"):
        capture = IsolatedCapturer(private_apps=private).capture(folder, "s")
        assert (capture.images, capture.note, capture.private_app) == ([], "", "keepassxc")
        assert list(folder.iterdir()) == []

        sway.run(["swaymsg", "move scratchpad"])  # hidden, as minimized elsewhere
        capture = IsolatedCapturer(private_apps=private).capture(folder, "s")
        assert (len(capture.images), capture.note, capture.private_app) == (2, "", "")

    with qt_window(sway, "org.example.Editor", "notes – Bitwarden export"):  # found by its title too
        capture = IsolatedCapturer(private_apps=private).capture(folder, "t")
        assert (capture.images, capture.private_app) == ([], "Bitwarden")


def test_the_portal_file_is_deleted_once_read(sway, monkeypatch):
    """xdg-desktop-portal-wlr writes each screenshot to one fixed file in the temporary folder."""
    run_children_in(sway, monkeypatch)
    IsolatedCapturer().capture(sway.folder("deleted"), "s")

    leftovers = sway.run(["sh", "-c", "find /tmp -maxdepth 1 -user 65534 -name '*.png'"]).stdout
    assert leftovers == b""


def test_no_screenshot_while_sway_shows_a_private_x11_app_by_its_class(monkeypatch):
    with sway_stack(xwayland=True) as stack:
        run_children_in(stack, monkeypatch)
        with qt_window(stack, "KeePassXC", "Passwords.kdbx", platform="xcb"):  # WM_CLASS "-c", "KeePassXC"
            capture = IsolatedCapturer(private_apps=("keepassxc",)).capture(stack.folder("shots"), "s")

    assert (capture.images, capture.private_app) == ([], "keepassxc")


def test_without_a_portal_grim_grabs_each_chosen_sway_output(sway, monkeypatch):
    run_children_in(sway, monkeypatch, DBUS_SESSION_BUS_ADDRESS=NO_BUS)
    folder = sway.folder("grim")

    capture = IsolatedCapturer().capture(folder, "s")

    assert capture.note == ""
    assert [(image.monitor, image.width, image.height) for image in capture.images] == [
        (1, 400, 300),
        (2, 240, 300),
    ]
    left, right = (QImage(str(image.path)) for image in capture.images)
    for x, y, colour in [(100, 75, RED), (300, 75, GREEN), (100, 225, BLUE), (300, 225, YELLOW)]:
        assert close(rgb(left, x, y), colour)
    assert close(rgb(right, 120, 75), WHITE) and close(rgb(right, 120, 225), RED)
    [chosen] = IsolatedCapturer(monitors=[2]).capture(sway.folder("grim-2"), "s").images
    assert (chosen.monitor, chosen.width, chosen.height) == (2, 240, 300)


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        # Without PipeWire, xdg-desktop-portal-wlr exits at its start: the portal answers "other".
        ("kill $(pidof pipewire xdg-desktop-portal-wlr)", "the desktop portal answered response code 2"),
        ("kill -STOP $(pidof xdg-desktop-portal-wlr)", "the desktop portal did not answer within 5 s"),
    ],
    ids=["error", "hung"],
)
def test_a_portal_that_fails_on_sway_gives_way_to_grim_and_the_log_says_why(
    failure, reason, monkeypatch, caplog
):
    with sway_stack([[(0, 0, 320, 240, RED)]]) as stack:
        run_children_in(stack, monkeypatch)
        stack.run(["sh", "-c", failure])

        [image] = IsolatedCapturer().capture(stack.folder("shots"), "s").images

        assert close(rgb(QImage(str(image.path)), 160, 120), RED)
    assert (
        f"the capture process: WARNING tracker.capture.portal: The desktop portal gave no screenshot "
        f"({reason}): grim takes it instead"
    ) in caplog.messages


def test_each_uniform_output_is_kept_and_explained(monkeypatch):
    with sway_stack([[(0, 0, 320, 240, (0, 0, 0))]]) as stack:
        run_children_in(stack, monkeypatch)
        capture = IsolatedCapturer().capture(stack.folder("black"), "s")

    assert len(capture.images) == 1
    assert capture.note.startswith("the screen was black or blank (locked screen")


def test_without_a_portal_outside_wlroots_the_problem_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)

    with pytest.raises(EnvironmentProblem, match="no desktop portal answers") as problem:
        PortalCapturer(Session(WAYLAND, ("gnome",))).capture(tmp_path, "s")

    assert "xdg-desktop-portal" in problem.value.fix
    assert list(tmp_path.iterdir()) == []


def test_the_portal_screenshot_on_gnome_with_the_permission_given(monkeypatch):
    with gnome_stack(screenshot_permission="yes", background=RED) as stack:
        run_children_in(stack, monkeypatch)
        folder = stack.folder("shots")

        capture = IsolatedCapturer().capture(folder, "s")

        assert capture.note == ""
        [image] = capture.images
        assert (image.monitor, image.width, image.height) == (1, 1280, 720)
        shot = QImage(str(image.path))
        assert (shot.width(), shot.height()) == (1280, 720)
        assert close(rgb(shot, 640, 360), RED)  # the overview's workspace shows the background
        assert close(rgb(shot, 60, 360), (36, 36, 36))  # the overview's grey around it
        assert list((stack.root / "home").rglob("Screenshot*.png")) == []  # GNOME's numbered files, deleted


def test_a_screenshot_gnome_refused_says_so_and_how_to_allow_it(monkeypatch):
    with gnome_stack(screenshot_permission="no") as stack:
        run_children_in(stack, monkeypatch)
        folder = stack.folder("shots")

        capture = IsolatedCapturer().capture(folder, "s")

        assert list(folder.iterdir()) == []
    assert capture.images == []
    assert capture.note == not_allowed_note(GNOME)
    assert capture.note.startswith("not allowed by the desktop. GNOME asked “Allow Applications")
    assert "SetPermission screenshot true screenshot ''" in capture.note


ASK_THE_STORE = """import json
from tracker.capture.portal import before_the_first_screenshot, screenshot_permission
from tracker.capture.session import detect_session
print(json.dumps([screenshot_permission(), before_the_first_screenshot(detect_session())]))
"""


@pytest.mark.parametrize(
    ("preset", "permission", "told"),
    [
        ("yes", GIVEN, ""),
        ("", WILL_ASK, GNOME_WILL_ASK),
        ("ask", WILL_ASK, GNOME_WILL_ASK),
        ("no", REFUSED, f"No screenshots: {not_allowed_note(GNOME)}"),
    ],
    ids=["given", "never asked", "asked every time", "refused"],
)
def test_gnomes_permission_store_says_beforehand_whether_the_first_screenshot_asks(preset, permission, told):
    """Asked inside a GNOME session (mutter's: the store is the session bus's, whatever the shell)."""
    with gnome_stack(screenshot_permission=preset, shell=False) as stack:
        command = stack.command([sys.executable, "-c", ASK_THE_STORE], PYTHONPATH=str(ROOT))
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(done.stdout) == [permission, told]


def test_without_a_permission_store_nothing_is_told_beforehand(monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
    assert screenshot_permission() == UNKNOWN
    assert before_the_first_screenshot(GNOME) == ""


def test_outside_a_gnome_wayland_session_the_store_is_not_asked(monkeypatch):
    asked = []
    monkeypatch.setattr(portal, "screenshot_permission", lambda: asked.append(True) or WILL_ASK)
    assert before_the_first_screenshot(Session(WAYLAND, ("sway",))) == ""
    assert before_the_first_screenshot(Session(X11, ("gnome",))) == ""
    assert asked == []
    assert before_the_first_screenshot(GNOME) == GNOME_WILL_ASK


@pytest.mark.parametrize(
    "stack",
    [sway_stack, gnome_stack, functools.partial(gnome_stack, shell=False)],
    ids=["sway", "gnome-shell", "mutter"],
)
def test_a_stack_starts_within_seconds_and_leaves_nothing_running(stack):
    started = time.monotonic()
    with stack() as running:
        seconds = time.monotonic() - started
        processes = running.processes()
    assert len(processes) >= 4  # the script, the bus, the compositor, the portal…
    assert seconds < 15
    assert running.processes() == []
    assert not running.root.exists()


def test_a_missing_package_fails_the_wayland_tests_and_names_it():
    with pytest.raises(
        pytest.fail.Exception, match=r"need the Debian packages libnothing, xdg-desktop-portal-kde: run"
    ):
        require(
            {
                "/usr/libexec/no-such-portal": "xdg-desktop-portal-kde",
                "sh": "dash",
                "/usr/lib/no-such/libnothing.so.1": "libnothing",
                "/lib/x86_64-linux-gnu/libc.so.6": "libc6",
            }
        )
