"""The child-process capturer's own failures and the settings it passes on: the rest is tested
beside MssCapturer in test_screen."""

from __future__ import annotations

import sys

import pytest

from common.errors import EnvironmentProblem
from tracker.capture import isolated
from tracker.capture.isolated import IsolatedCapturer, isolated_capturer
from tracker.settings import Settings


def test_a_capture_process_that_dies_is_an_environment_problem(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(EnvironmentProblem, match=r"the capture process failed \(no output\)"):
        IsolatedCapturer().capture(tmp_path, "s")


def test_a_capture_process_that_hangs_is_stopped(monkeypatch, tmp_path):
    hanging = tmp_path / "hanging-python"
    hanging.write_text("#!/bin/sh\nexec sleep 60\n")
    hanging.chmod(0o700)
    monkeypatch.setattr(sys, "executable", str(hanging))
    monkeypatch.setattr(isolated, "TIMEOUT_S", 0.5)
    with pytest.raises(EnvironmentProblem, match=r"the capture took over 0\.5 s"):
        IsolatedCapturer().capture(tmp_path, "s")


@pytest.mark.x11
def test_the_chosen_monitors_and_format_are_the_childs(x11_session, tmp_path):
    settings = Settings(screenshot_monitors=(2,), screenshot_format="jpeg")
    [image] = isolated_capturer(settings).capture(tmp_path, "s").images
    assert (image.monitor, image.path.suffix, image.thumbnail_path.suffix) == (2, ".jpg", ".jpg")
