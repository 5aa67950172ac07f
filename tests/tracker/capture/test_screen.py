"""Real mss grabs of known patterns drawn on a private Xvfb screen with two RandR monitors.

The screen is this module's own Xvfb rather than the session's: mss needs 24-bit colour (the
session's Xvfb is 16-bit by default) and the test needs to control the monitor layout. Patterns
are drawn straight onto the root window with python-xlib (pynput's X backend): with no window
manager and no windows, nothing covers them.
"""

from __future__ import annotations

import select
import stat
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tracker.capture import imaging
from tracker.capture.isolated import IsolatedCapturer
from tracker.capture.screen import MssCapturer, blank_screen_note
from tracker.errors import EnvironmentProblem, StorageProblem

WIDTH, HEIGHT = 640, 480
MONITORS = [(0, 400), (400, 240)]  # (left, width): a 400×480 monitor and a 240×480 one
RED, GREEN, BLUE, YELLOW, BLACK = (220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 230, 40), (0, 0, 0)
QUADRANTS = [
    (0, 0, 320, 240, RED),
    (320, 0, 320, 240, GREEN),
    (0, 240, 320, 240, BLUE),
    (320, 240, 320, 240, YELLOW),
]


class Screen:
    def __init__(self) -> None:
        from Xlib import display
        from Xlib.protocol import rq

        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-br", "-nolisten", "tcp"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        ready, _, _ = select.select([self.server.stdout], [], [], 20)
        number = self.server.stdout.readline().decode().strip() if ready else ""
        if not number:
            self.close()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"
        self.connection = display.Display(self.name)
        self.root = self.connection.screen().root

        class SetMonitor(rq.Request):  # RRSetMonitor; python-xlib's own cannot pack its list
            _request = rq.Struct(
                rq.Card8("opcode"),
                rq.Opcode(43),
                rq.RequestLength(),
                rq.Window("window"),
                rq.Card32("name"),
                rq.Bool("primary"),
                rq.Bool("automatic"),
                rq.LengthOf("outputs", 2),
                rq.Int16("x"),
                rq.Int16("y"),
                rq.Card16("width"),
                rq.Card16("height"),
                rq.Card32("width_mm"),
                rq.Card32("height_mm"),
                rq.List("outputs", rq.Card32Obj),
            )

        output = self.root.xrandr_get_screen_resources().outputs[0]
        for number, (left, width) in enumerate(MONITORS):
            SetMonitor(
                display=self.connection.display,
                opcode=self.connection.display.get_extension_major("RANDR"),
                window=self.root,
                name=self.connection.intern_atom(f"WORKDIARY-{number}"),
                primary=number == 0,
                automatic=False,
                outputs=[output] if number == 0 else [],  # replaces the output's own monitor
                x=left,
                y=0,
                width=width,
                height=HEIGHT,
                width_mm=width // 4,
                height_mm=HEIGHT // 4,
            )
        self.connection.sync()

    def paint(self, rectangles) -> None:
        for left, top, width, height, (red, green, blue) in rectangles:
            gc = self.root.create_gc(foreground=(red << 16) | (green << 8) | blue)
            self.root.fill_rectangle(gc, left, top, width, height)
            gc.free()
        self.connection.sync()

    def close(self) -> None:
        if getattr(self, "connection", None):
            self.connection.close()
        self.server.terminate()
        self.server.wait(10)
        self.server.stdout.close()


@pytest.fixture(params=[MssCapturer, IsolatedCapturer], ids=["in-process", "isolated"])
def capturer_class(request):
    """The capturer itself, and the same run in a child process as the headless tracker does."""
    return request.param


@pytest.fixture(scope="module")
def screen():
    screen = Screen()
    yield screen
    screen.close()


@pytest.fixture
def x11_session(screen, monkeypatch):
    monkeypatch.setenv("DISPLAY", screen.name)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    return screen


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    value = image.pixel(x, y)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def close(actual, expected, tolerance: int = 24) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


@pytest.mark.x11
def test_each_monitor_is_grabbed_and_decodes_to_what_was_on_screen(capturer_class, x11_session, tmp_path):
    x11_session.paint(QUADRANTS)

    capture = capturer_class().capture(tmp_path, "2026-11-23T0910")

    assert capture.note == ""
    assert [image.monitor for image in capture.images] == [1, 2]
    first, second = capture.images
    assert (first.width, first.height, second.width, second.height) == (400, 480, 240, 480)
    left, right = QImage(str(first.path)), QImage(str(second.path))
    assert (left.width(), left.height(), right.width(), right.height()) == (400, 480, 240, 480)
    assert close(rgb(left, 160, 120), RED)
    assert close(rgb(left, 160, 360), BLUE)
    assert close(rgb(left, 370, 120), GREEN)
    assert close(rgb(left, 370, 360), YELLOW)
    assert close(rgb(right, 120, 120), GREEN)
    assert close(rgb(right, 120, 360), YELLOW)


@pytest.mark.x11
def test_files_are_named_hashed_and_owner_only(x11_session, tmp_path):
    x11_session.paint(QUADRANTS)

    capture = MssCapturer().capture(tmp_path / "shots", "2026-11-23T0910")

    names = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert names == [
        "2026-11-23T0910-m1-thumb.jpg",
        "2026-11-23T0910-m1.jpg",
        "2026-11-23T0910-m2-thumb.jpg",
        "2026-11-23T0910-m2.jpg",
    ]
    for image in capture.images:
        assert (image.sha256, image.size_bytes) == imaging.digest(image.path.read_bytes())
        assert image.thumbnail_path == imaging.thumbnail_path(image.path)
        thumbnail = QImage(str(image.thumbnail_path))
        assert 0 < thumbnail.width() <= 320 and thumbnail.height() <= 240
        for path in (image.path, image.thumbnail_path):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.x11
def test_only_the_chosen_monitors_are_grabbed(x11_session, tmp_path):
    x11_session.paint(QUADRANTS)

    capture = MssCapturer(monitors=[2], fmt="webp", qualities=(50,)).capture(tmp_path, "s")

    assert [image.monitor for image in capture.images] == [2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s-m2-thumb.webp", "s-m2.webp"]
    assert close(rgb(QImage(str(capture.images[0].path)), 120, 120), GREEN)


@pytest.mark.x11
def test_a_chosen_monitor_that_is_not_connected_gives_no_image_and_says_why(
    capturer_class, x11_session, tmp_path
):
    capture = capturer_class(monitors=[3]).capture(tmp_path, "s")

    assert capture.images == []
    assert capture.note == "the chosen monitors (3) are not connected"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.x11
def test_a_black_screen_is_kept_and_explained(capturer_class, x11_session, tmp_path):
    x11_session.paint([(0, 0, WIDTH, HEIGHT, BLACK)])

    capture = capturer_class().capture(tmp_path, "s")

    assert len(capture.images) == 2
    assert capture.note == blank_screen_note("linux", "")
    assert capture.note.startswith("the screen was black or blank (locked screen")


@pytest.mark.x11
def test_a_black_screen_in_a_wayland_session_is_blamed_on_wayland(x11_session, tmp_path, monkeypatch):
    x11_session.paint([(0, 0, WIDTH, HEIGHT, BLACK)])
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")

    capture = MssCapturer().capture(tmp_path, "s")

    assert capture.note == "the Wayland session does not let applications capture the screen"


@pytest.mark.x11
def test_one_dark_monitor_next_to_a_lit_one_is_not_flagged(x11_session, tmp_path):
    x11_session.paint([(0, 0, 400, HEIGHT, BLACK), (400, 0, 240, 240, GREEN), (400, 240, 240, 240, YELLOW)])

    assert MssCapturer().capture(tmp_path, "s").note == ""


@pytest.mark.x11
def test_a_write_failure_is_a_storage_problem_and_leaves_no_file(capturer_class, x11_session, tmp_path):
    x11_session.paint(QUADRANTS)
    (tmp_path / "s-m2.jpg").mkdir()  # the second monitor's file cannot be put in place

    with pytest.raises(StorageProblem, match="cannot be saved"):
        capturer_class().capture(tmp_path, "s")
    assert [p.name for p in tmp_path.iterdir()] == ["s-m2.jpg"]


@pytest.mark.x11
def test_a_folder_that_is_a_file_is_a_storage_problem(x11_session, tmp_path):
    folder = tmp_path / "shots"
    folder.write_bytes(b"")

    with pytest.raises(StorageProblem):
        MssCapturer().capture(folder, "s")
    assert [p.name for p in tmp_path.iterdir()] == ["shots"]


def test_without_a_display_the_problem_says_what_to_do(capturer_class, monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)

    with pytest.raises(EnvironmentProblem) as problem:
        capturer_class().capture(tmp_path, "s")

    assert problem.value.args[0] == "Screenshots cannot be taken: no X display (DISPLAY is not set)."
    assert problem.value.fix.startswith("Run Workdiary inside your desktop session")
    assert list(tmp_path.iterdir()) == []


def test_a_display_that_cannot_be_reached_is_an_environment_problem(monkeypatch, tmp_path):
    monkeypatch.setenv("DISPLAY", ":4977")

    with pytest.raises(EnvironmentProblem, match="Screenshots cannot be taken"):
        MssCapturer().capture(tmp_path, "s")


def test_wayland_without_xwayland_says_to_use_an_x11_session(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")

    with pytest.raises(EnvironmentProblem, match="Wayland") as problem:
        MssCapturer().capture(tmp_path, "s")
    assert "X11" in problem.value.fix


def test_blank_screen_notes_name_the_likely_cause():
    assert "Wayland" in blank_screen_note("linux", "wayland")
    assert "Screen Recording permission" in blank_screen_note("darwin", "")
    assert "locked screen" in blank_screen_note("win32", "")
    assert "locked screen" in blank_screen_note(sys.platform, "x11")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="png"):
        MssCapturer(fmt="png")
