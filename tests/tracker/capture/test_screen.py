"""Real mss grabs of known patterns drawn on a private Xvfb screen with two RandR monitors (see
conftest.py), and no grab at all while a private app's window is shown."""

from __future__ import annotations

import stat
import sys

import pytest
from PySide6.QtGui import QImage

from common.errors import EnvironmentProblem, StorageProblem
from tests.tracker.capture.conftest import HEIGHT, WIDTH
from tracker.capture import imaging
from tracker.capture.isolated import IsolatedCapturer
from tracker.capture.screen import MssCapturer, blank_screen_note

RED, GREEN, BLUE, YELLOW, BLACK = (220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 230, 40), (0, 0, 0)
QUADRANTS = [
    (0, 0, 320, 240, RED),
    (320, 0, 320, 240, GREEN),
    (0, 240, 320, 240, BLUE),
    (320, 240, 320, 240, YELLOW),
]


@pytest.fixture(params=[MssCapturer, IsolatedCapturer], ids=["in-process", "isolated"])
def capturer_class(request):
    """The capturer itself, and the same run in a child process as the headless tracker does."""
    return request.param


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
        "2026-11-23T0910-m1-thumb.webp",
        "2026-11-23T0910-m1.webp",
        "2026-11-23T0910-m2-thumb.webp",
        "2026-11-23T0910-m2.webp",
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

    capture = MssCapturer(monitors=[2], fmt="jpeg", qualities=(50,)).capture(tmp_path, "s")

    assert [image.monitor for image in capture.images] == [2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s-m2-thumb.jpg", "s-m2.jpg"]
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
    assert capture.note == blank_screen_note("linux")
    assert capture.note.startswith("the screen was black or blank (locked screen")


@pytest.mark.x11
def test_one_dark_monitor_next_to_a_lit_one_is_not_flagged(x11_session, tmp_path):
    x11_session.paint([(0, 0, 400, HEIGHT, BLACK), (400, 0, 240, 240, GREEN), (400, 240, 240, 240, YELLOW)])

    assert MssCapturer().capture(tmp_path, "s").note == ""


@pytest.mark.x11
def test_a_write_failure_is_a_storage_problem_and_leaves_no_file(capturer_class, x11_session, tmp_path):
    x11_session.paint(QUADRANTS)
    (tmp_path / "s-m2.webp").mkdir()  # the second monitor's file cannot be put in place

    with pytest.raises(StorageProblem, match="cannot be saved"):
        capturer_class().capture(tmp_path, "s")
    assert [p.name for p in tmp_path.iterdir()] == ["s-m2.webp"]


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


def test_blank_screen_notes_name_the_likely_cause():
    assert "Screen Recording permission" in blank_screen_note("darwin")
    assert "locked screen" in blank_screen_note("win32")
    assert "locked screen" in blank_screen_note(sys.platform)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="png"):
        MssCapturer(fmt="png")


@pytest.mark.x11
def test_nothing_is_grabbed_while_a_private_app_is_shown(capturer_class, x11_session, tmp_path):
    x11_session.paint(QUADRANTS)
    private = ("KeePassXC", "secretkeeper")
    with x11_session.window(("secretkeeper", "SecretKeeper"), "Vault"):
        capture = capturer_class(private_apps=private).capture(tmp_path / "shots", "s")

    assert (capture.images, capture.note, capture.private_app) == ([], "", "secretkeeper")
    assert not (tmp_path / "shots").exists() or list((tmp_path / "shots").iterdir()) == []
    assert len(capturer_class(private_apps=private).capture(tmp_path, "s").images) == 2  # now gone


@pytest.mark.x11
def test_windows_that_cannot_be_listed_mean_no_screenshot(x11_session, monkeypatch, tmp_path):
    from Xlib.error import DisplayConnectionError

    def lost() -> None:  # as python-xlib fails when the X server went away (its socket leaks)
        raise DisplayConnectionError(x11_session.name, "the server went away")

    capturer = MssCapturer(private_apps=("KeePassXC",))
    monkeypatch.setattr(capturer.windows, "shown", lost)
    with pytest.raises(EnvironmentProblem, match="could not be listed to leave out private apps"):
        capturer.capture(tmp_path, "s")
    assert list(tmp_path.iterdir()) == []
