"""A second start finds the first one and asks it to come to the front."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ui.single_instance import AlreadyRunning, CannotListen, SingleInstance


def test_the_first_instance_claims_and_a_second_asks_it_to_show(qtbot, tmp_path):
    first = SingleInstance(tmp_path)
    first.claim()
    second_start = (
        "from PySide6.QtCore import QCoreApplication\n"
        "from ui.single_instance import AlreadyRunning, SingleInstance\n"
        "app = QCoreApplication([])\n"
        "try:\n"
        f"    SingleInstance({str(tmp_path)!r}).claim()\n"
        "except AlreadyRunning:\n"
        "    print('already running')\n"
    )
    with qtbot.waitSignal(first.activated):
        second = subprocess.Popen([sys.executable, "-c", second_start], stdout=subprocess.PIPE, text=True)
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=10000)
    assert second.stdout.read().strip() == "already running"
    second.stdout.close()


def test_another_data_directory_is_another_instance(qtbot, tmp_path):
    SingleInstance(tmp_path / "a").claim()
    SingleInstance(tmp_path / "b").claim()  # raises nothing: both are the only one of their folder


def test_an_instance_that_cannot_listen_says_why(qtbot, tmp_path):
    instance = SingleInstance(tmp_path)
    instance.name = str(tmp_path / "no such folder" / "socket")  # a full path: Qt listens there
    with pytest.raises(CannotListen, match="no such folder"):
        instance.claim()


def test_a_second_instance_started_with_a_link_hands_it_to_the_first(qtbot, tmp_path):
    first = SingleInstance(tmp_path)
    first.claim()
    link = "workdiary://contract/4f1c7a52-9d0e-4b8e-8f7e-2d3c4b5a6e7f"

    with qtbot.waitSignal(first.link_opened) as handed, pytest.raises(AlreadyRunning):
        SingleInstance(tmp_path).claim(link)

    assert handed.args == [link]
