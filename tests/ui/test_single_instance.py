"""A second start finds the first one and asks it to come to the front."""

from __future__ import annotations

import subprocess
import sys

from ui.single_instance import SingleInstance


def test_the_first_instance_claims_and_a_second_asks_it_to_show(qtbot, tmp_path):
    first = SingleInstance(tmp_path)
    assert first.claim()
    second_start = (
        "from PySide6.QtCore import QCoreApplication\n"
        "from ui.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        f"print(SingleInstance({str(tmp_path)!r}).claim())\n"
    )
    with qtbot.waitSignal(first.activated):
        second = subprocess.Popen([sys.executable, "-c", second_start], stdout=subprocess.PIPE, text=True)
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=10000)
    assert second.stdout.read().strip() == "False"
    second.stdout.close()


def test_another_data_directory_is_another_instance(qtbot, tmp_path):
    assert SingleInstance(tmp_path / "a").claim()
    assert SingleInstance(tmp_path / "b").claim()
