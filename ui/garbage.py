"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, it runs in whichever thread happens to allocate, and there it may destroy the GUI
thread's PySide objects. PySide6 then disconnects their signals holding Qt's connection lock while
it waits for the GIL, which the GUI thread holds while it waits for that lock to connect a signal:
both wait for good (a frozen app, seen in a test run: the tracking thread collecting while the
main window was being built). So automatic collection is off and a timer collects on the GUI
thread, generation by generation as the automatic collector would (pyqtgraph and calibre do the
same).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GarbageCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(INTERVAL_MS)

    def collect(self) -> None:
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= self._thresholds[generation]:
                break
            gc.collect(generation)
