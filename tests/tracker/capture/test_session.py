"""Which session the tracker is in, and the screen capturer and activity source each one gets."""

from __future__ import annotations

import pytest

from tracker.capture import make_input, session, session_capturer
from tracker.capture.idle import MutterIdleTime, WaylandIdleTime
from tracker.capture.input import PynputInputSource
from tracker.capture.portal import PortalCapturer
from tracker.capture.screen import MssCapturer
from tracker.capture.session import MACOS, NONE, WAYLAND, WINDOWS, X11, Session, detect_session
from tracker.capture.xrecord import X11RecordInput


def test_an_x_display_alone_is_x11():
    assert detect_session({"DISPLAY": ":0"}, "linux") == Session(X11)
    assert detect_session({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":1"}, "linux").kind == X11


def test_xwayland_display_in_a_wayland_session_is_wayland():
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}

    session = detect_session(environ, "linux")

    assert session == Session(WAYLAND, ("ubuntu", "gnome"))
    assert session.is_gnome and not session.is_wlroots


def test_the_session_type_alone_says_wayland_without_a_display_name():
    assert detect_session({"XDG_SESSION_TYPE": "Wayland", "DISPLAY": ":0"}, "linux").kind == WAYLAND


def test_the_desktop_says_whether_grim_can_work():
    assert detect_session({"WAYLAND_DISPLAY": "wayland-1", "XDG_CURRENT_DESKTOP": "sway"}, "linux").is_wlroots
    kde = detect_session({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE"}, "linux")
    assert not kde.is_wlroots and not kde.is_gnome


def test_no_display_at_all_is_no_session():
    assert detect_session({"XDG_CURRENT_DESKTOP": "GNOME"}, "linux") == Session(NONE, ("gnome",))


def test_windows_and_macos_are_their_own_whatever_the_environment():
    assert detect_session({"WAYLAND_DISPLAY": "wayland-0"}, "win32") == Session(WINDOWS)
    assert detect_session({"DISPLAY": ":0"}, "darwin") == Session(MACOS)


@pytest.mark.parametrize(
    ("environ", "capturer_class"),
    [
        ({"DISPLAY": ":0"}, MssCapturer),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"}, PortalCapturer),
    ],
)
def test_the_session_picks_the_capturer(environ, capturer_class, monkeypatch):
    session_environment(monkeypatch, environ)

    capturer = session_capturer(None, "jpeg", ("KeePassXC",))

    assert type(capturer) is capturer_class
    assert (capturer.fmt, capturer.private_apps) == ("jpeg", ("KeePassXC",))


@pytest.mark.parametrize(
    ("environ", "source_class"),
    [
        ({"DISPLAY": ":0"}, X11RecordInput),
        (
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"},
            MutterIdleTime,
        ),
        ({"WAYLAND_DISPLAY": "wayland-1", "XDG_CURRENT_DESKTOP": "sway"}, WaylandIdleTime),
        ({"XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "KDE"}, WaylandIdleTime),
        ({}, X11RecordInput),  # outside any session: its start says a desktop session is needed
    ],
)
def test_the_session_picks_the_activity_source(environ, source_class, monkeypatch):
    session_environment(monkeypatch, environ)

    assert type(make_input()) is source_class


@pytest.mark.parametrize("kind", [WINDOWS, MACOS])
def test_windows_and_macos_count_with_pynputs_listeners(kind, monkeypatch):
    monkeypatch.setattr(session, "detect_session", lambda: Session(kind))

    assert type(make_input()) is PynputInputSource


def session_environment(monkeypatch, environ: dict[str, str]) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
