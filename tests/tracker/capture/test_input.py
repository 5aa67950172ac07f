"""Real pynput listeners counting real X events sent with xdotool on the session's Xvfb.

Waits poll the counters until a deadline (no fixed sleeps). The poll does not go through Qt:
these tests need no QApplication.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tracker.capture.input import PynputInputSource

ROOT = Path(__file__).resolve().parents[3]


def wait_until(condition, timeout: float = 5.0) -> bool:
    """Polls ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() >= deadline:
            return False
        pause.wait(0.01)
    return True


def settles_at(source, counts: tuple[int, int], timeout: float = 0.5) -> bool:
    """The source reaches ``counts`` and does not go past them within ``timeout`` seconds more."""
    return wait_until(lambda: source.counts() == counts) and not wait_until(
        lambda: source.counts() != counts, timeout=timeout
    )


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def stop_and_see_the_listeners_end(source, threads_before) -> None:
    source.stop()
    # pynput's X listeners end at the next input event.
    xdotool("key", "shift", "mousemove", "1", "1", "mousemove", "2", "2")
    assert wait_until(lambda: set(threading.enumerate()) <= threads_before)


@pytest.fixture
def input_source():
    threads_before = set(threading.enumerate())
    source = PynputInputSource()
    source.start()
    yield source
    stop_and_see_the_listeners_end(source, threads_before)


def keys(source) -> int:
    return source.counts()[0]


def mouse(source) -> int:
    return source.counts()[1]


@pytest.mark.x11
def test_key_presses_are_counted_and_releases_are_not(input_source):
    xdotool("type", "--delay", "20", "abc")

    assert wait_until(lambda: keys(input_source) >= 3)
    assert not wait_until(lambda: keys(input_source) > 3, timeout=0.5)  # the 3 releases
    assert input_source.counts() == (3, 0)


@pytest.mark.x11
def test_moves_clicks_and_scrolls_are_counted(input_source):
    xdotool("mousemove", "10", "10")
    assert wait_until(lambda: mouse(input_source) >= 1)
    xdotool("mousemove", "200", "150")
    assert wait_until(lambda: mouse(input_source) >= 2)
    moved = mouse(input_source)

    xdotool("click", "1")  # a press (counted) and a release (not)
    assert wait_until(lambda: mouse(input_source) >= moved + 1)
    xdotool("click", "4", "click", "5")  # scroll up, scroll down
    assert wait_until(lambda: mouse(input_source) >= moved + 3)
    assert not wait_until(lambda: mouse(input_source) > moved + 3, timeout=0.5)
    assert keys(input_source) == 0


@pytest.mark.x11
def test_nothing_is_counted_after_stop_and_a_restart_counts_from_zero():
    threads_before = set(threading.enumerate())
    source = PynputInputSource()
    source.start()
    xdotool("key", "x")
    assert wait_until(lambda: keys(source) >= 1)
    source.stop()

    xdotool("key", "y", "mousemove", "30", "40")
    assert not wait_until(lambda: source.counts() != (1, 0), timeout=0.5)

    source.start()
    try:
        assert source.counts() == (0, 0)
        xdotool("key", "z")
        assert wait_until(lambda: keys(source) >= 1)
        assert not wait_until(lambda: keys(source) > 1, timeout=0.5)
    finally:
        stop_and_see_the_listeners_end(source, threads_before)


def start_in_a_fresh_process(
    source: str = "PynputInputSource", module: str = "tracker.capture.input", **environment: str
) -> list[str]:
    """Start a source in a new Python (no pynput imported yet); its problem's message and fix."""
    script = (
        f"from {module} import {source}\n"
        "from common.errors import EnvironmentProblem\n"
        "try:\n"
        f"    {source}().start()\n"
        "except EnvironmentProblem as problem:\n"
        "    print(problem.args[0]); print(problem.fix)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "XDG_SESSION_TYPE")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


def test_without_a_display_the_problem_says_what_to_do():
    assert start_in_a_fresh_process() == [
        "Input activity cannot be counted: no X display (DISPLAY is not set).",
        "Run Workdiary inside your desktop session, not from a console or over SSH.",
    ]


def test_a_wayland_session_is_named_as_the_cause():
    message, fix = start_in_a_fresh_process(DISPLAY=":0", XDG_SESSION_TYPE="wayland")

    assert message == (
        "Input activity cannot be counted: the Wayland session does not let applications see "
        "keyboard and mouse activity."
    )
    assert "X11 session" in fix


def test_a_display_that_cannot_be_reached_is_an_environment_problem():
    # In a fresh process too: python-xlib leaks the socket of a failed connection (a ResourceWarning).
    message, fix = start_in_a_fresh_process(DISPLAY=":4977")

    assert message.startswith("Input activity cannot be counted: cannot connect to the X display ':4977'")
    assert fix.startswith("Run Workdiary inside your desktop session")
