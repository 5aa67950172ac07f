"""The bare X connection the RECORD reader makes, against an Xvfb of the test's own that asks for
an authorization cookie, as a desktop's X server does."""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path

import pytest

from common.errors import EnvironmentProblem
from tests.tracker.capture.test_input import settles_at
from tests.tracker.capture.test_xrecord import XServer
from tracker.capture.xrecord import X11RecordInput

LOCAL = 256  # Xauthority's family of an entry for this host's local connections


def write_authority(path: Path, cookie: bytes) -> Path:
    """An Xauthority file with one cookie for this host, any display (as ``xauth`` writes it)."""
    fields = (socket.gethostname().encode(), b"", b"MIT-MAGIC-COOKIE-1", cookie)
    path.write_bytes(struct.pack(">H", LOCAL) + b"".join(struct.pack(">H", len(f)) + f for f in fields))
    return path


def test_the_sessions_cookie_is_given_and_a_wrong_one_is_refused_clearly(tmp_path, monkeypatch):
    authority = write_authority(tmp_path / "Xauthority", os.urandom(16))
    server = XServer("-auth", str(authority))
    monkeypatch.setenv("DISPLAY", server.name)
    monkeypatch.setenv("XAUTHORITY", str(authority))
    try:
        source = X11RecordInput()
        source.start()
        try:
            server.xdotool("key", "a", "mousemove", "5", "5")
            assert settles_at(source, (1, 1))
        finally:
            source.stop()

        monkeypatch.setenv("XAUTHORITY", str(write_authority(tmp_path / "other", os.urandom(16))))
        with pytest.raises(EnvironmentProblem) as refused:
            X11RecordInput().start()
        assert str(refused.value).startswith(
            f"Input activity cannot be counted: cannot connect to the X display '{server.name}' "
            "(Invalid MIT-MAGIC-COOKIE-1 key)."
        )
    finally:
        server.stop()
