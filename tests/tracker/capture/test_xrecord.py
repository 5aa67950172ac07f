"""The X11 RECORD reader counting real X events sent with xdotool: on the session's Xvfb, beside
pynput's listeners for the same input, and on an X server of its own that has two screens, a second
keyboard and pointer, and goes away. Waits poll the counts until a deadline (no fixed sleeps)."""

from __future__ import annotations

import logging
import os
import select
import subprocess
import threading
from collections.abc import Iterator

import pytest

from tests.tracker.capture.test_input import (
    keys,
    mouse,
    settles_at,
    start_in_a_fresh_process,
    stop_and_see_the_listeners_end,
    wait_until,
    xdotool,
)
from tracker.capture.input import PynputInputSource
from tracker.capture.xrecord import X11RecordInput


@pytest.fixture
def record_source() -> Iterator[X11RecordInput]:
    source = X11RecordInput()
    source.start()
    yield source
    source.stop()


@pytest.mark.x11
def test_key_presses_are_counted_and_releases_are_not(record_source):
    xdotool("type", "--delay", "20", "abc")

    assert settles_at(record_source, (3, 0))


@pytest.mark.x11
def test_moves_clicks_and_scrolls_are_counted(record_source):
    xdotool("mousemove", "10", "10", "mousemove", "200", "150")
    xdotool("click", "1")  # a press (counted) and a release (not)
    xdotool("click", "4", "click", "5")  # scroll up, scroll down

    assert settles_at(record_source, (0, 5))


@pytest.mark.x11
def test_the_counts_are_pynputs_for_the_same_input_key_repeats_included(record_source):
    threads_before = set(threading.enumerate())
    listeners = PynputInputSource()
    listeners.start()
    try:
        xdotool("type", "--delay", "20", "abc")
        xdotool("keydown", "a")  # held: the server repeats it
        assert wait_until(lambda: keys(record_source) >= 3 + 5)
        xdotool("keyup", "a")
        xdotool("mousemove", "10", "10", "mousemove", "200", "150", "click", "1", "click", "4")

        assert wait_until(lambda: mouse(record_source) == mouse(listeners) == 4)
        assert settles_at(record_source, listeners.counts())
        assert keys(record_source) > 3 + 5
    finally:
        stop_and_see_the_listeners_end(listeners, threads_before)


@pytest.mark.x11
def test_nothing_is_counted_after_stop_and_a_restart_counts_from_zero():
    source = X11RecordInput()
    source.start()
    xdotool("key", "x")
    assert wait_until(lambda: keys(source) == 1)
    source.stop()

    xdotool("key", "y", "mousemove", "30", "40")
    assert settles_at(source, (1, 0))

    source.start()
    try:
        assert source.counts() == (0, 0)
        xdotool("key", "z")
        assert settles_at(source, (1, 0))
    finally:
        source.stop()


SCREENS = ["-screen", "0", "320x240x24", "-screen", "1", "320x240x24"]


class XServer:
    """An Xvfb of the test's own, with two screens (and its ``options``)."""

    def __init__(self, *options: str) -> None:
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-nolisten", "tcp", *SCREENS, *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 20)
        number = self.process.stdout.readline().decode().strip() if ready else ""
        assert number, "Xvfb did not start"
        self.name = f":{number}"

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], check=True, timeout=10, env={**os.environ, "DISPLAY": self.name})

    def xinput(self, *args: str) -> str:
        env = {**os.environ, "DISPLAY": self.name}
        return subprocess.run(
            ["xinput", *args], check=True, timeout=10, env=env, capture_output=True, text=True
        ).stdout

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def own_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[XServer]:
    server = XServer()
    monkeypatch.setenv("DISPLAY", server.name)
    yield server
    server.stop()


def test_moves_on_a_second_screen_are_counted(own_server: XServer):
    source = X11RecordInput()
    source.start()
    try:
        own_server.xdotool("mousemove", "--screen", "0", "10", "10")
        own_server.xdotool("mousemove", "--screen", "1", "20", "20", "mousemove", "--screen", "1", "30", "30")

        assert settles_at(source, (0, 3))
    finally:
        source.stop()


def test_two_keyboards_and_two_pointers_are_each_counted_once(own_server: XServer):
    """Input through a second master keyboard and pointer (XInput 2) counts beside the core pair's,
    every event once, as pynput's listeners count it."""
    from Xlib import XK, X, display
    from Xlib.ext import xtest

    second = display.Display()  # open first: the server resets, dropping new masters, once no client is left
    own_server.xinput("create-master", "Second")
    window = second.screen().root.create_window(0, 0, 1, 1, 0, 0)
    second.sync()
    # The server routes the XTEST input of a client through its client pointer's master pair.
    own_server.xinput("set-cp", str(window.id), "Second pointer")
    source = X11RecordInput()
    source.start()
    threads_before = set(threading.enumerate())
    listeners = PynputInputSource()
    listeners.start()
    try:
        own_server.xdotool(
            "key", "a", "b", "c", "mousemove", "10", "10", "mousemove", "20", "20", "click", "1"
        )
        for x in (30, 40, 50, 60):
            xtest.fake_input(second, X.MotionNotify, x=x, y=70)
        q, shift = (second.keysym_to_keycode(XK.string_to_keysym(name)) for name in ("q", "Shift_L"))
        xtest.fake_input(second, X.KeyPress, q)
        xtest.fake_input(second, X.KeyRelease, q)
        xtest.fake_input(second, X.KeyPress, shift)  # held, and Shift does not repeat
        xtest.fake_input(second, X.ButtonPress, 3)  # held
        second.sync()
        pointer = own_server.xinput("query-state", "Second XTEST pointer")
        assert "button[3]=down" in pointer and "valuator[0]=60" in pointer and "valuator[1]=70" in pointer
        assert f"key[{shift}]=down" in own_server.xinput("query-state", "Second XTEST keyboard")
        xtest.fake_input(second, X.KeyRelease, shift)
        xtest.fake_input(second, X.ButtonRelease, 3)
        second.sync()

        assert settles_at(source, (3 + 2, 3 + 5))
        assert listeners.counts() == (3 + 2, 3 + 5)
    finally:
        stop_and_see_the_listeners_end(listeners, threads_before)
        source.stop()
        second.close()


def test_the_x_server_going_away_stops_the_counts_and_says_so(
    own_server: XServer, caplog: pytest.LogCaptureFixture
):
    source = X11RecordInput()
    source.start()
    own_server.xdotool("key", "x")
    assert wait_until(lambda: source.counts() == (1, 0))

    with caplog.at_level(logging.WARNING):
        own_server.stop()
        assert wait_until(lambda: source.counts() == (1, 0) and "The X server went away" in caplog.text)
    assert source.counts() == (1, 0)
    source.stop()  # harmless once it stopped itself


def test_without_a_display_the_problem_says_what_to_do():
    assert start_in_a_fresh_process("X11RecordInput", "tracker.capture.xrecord") == [
        "Input activity cannot be counted: no X display (DISPLAY is not set).",
        "Run Workdiary inside your desktop session, not from a console or over SSH.",
    ]
