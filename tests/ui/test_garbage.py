"""The app collects garbage on the GUI thread, never automatically on another thread."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject

from ui.garbage import GarbageCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_timer_collects_what_is_over_the_threshold(qtbot):
    gc.enable()
    owner = QObject()
    collector = GarbageCollector(owner)
    assert not gc.isenabled()
    gc.collect()
    cycles = [Cycle() for _ in range(gc.get_threshold()[0] + 1)]
    del cycles
    assert gc.get_count()[0] > gc.get_threshold()[0]
    qtbot.waitUntil(lambda: gc.get_count()[0] <= gc.get_threshold()[0])
    assert collector.parent() is owner
