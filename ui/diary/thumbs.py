"""Screenshot thumbnails for the Work Diary's day grid: loaded when a cell is first painted, a few
at a time between events, and kept in a bounded cache.

Decoding a thumbnail costs a fraction of a millisecond, finding its file with
``Diary.screenshot_images`` a millisecond on a small database and ~8 ms on a 5-year one (the
screenshot_images table has no index on screenshot_id: a full scan per call). A full day of 144
would hold the window up far too long if done at once. So a cell without its pixmap yet paints a
placeholder and queues the screenshot; the queued files are found in one query
(``Diary.thumbnail_paths``, an operation off the GUI thread) and a zero-interval timer decodes them
in slices of a few milliseconds, saying which arrived: the grid is shown at once and fills in.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImageReader, QPixmap
from sqlalchemy.exc import SQLAlchemyError

from ui.operations import Context, Operations

log = logging.getLogger(__name__)

BATCH = 200  # screenshots whose files are looked up in one query


class ThumbnailCache(QObject):
    """Pixmaps of screenshot thumbnails, scaled to ``size``, by screenshot id."""

    loaded = Signal(list)  # the screenshot ids whose pixmaps (or a null pixmap) just arrived

    def __init__(
        self,
        operations: Operations,
        size: QSize,
        capacity: int = 3 * 144,
        slice_ms: float = 6.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._operations = operations
        self._size = size
        self._ratio = 1.0
        self._capacity = capacity
        self._slice = slice_ms / 1000
        # by screenshot id: (whether it was redacted when loaded, the pixmap)
        self._pixmaps: OrderedDict[str, tuple[bool, QPixmap]] = OrderedDict()
        self._wanted: dict[str, bool] = {}  # the queue, in order: screenshot id -> redacted
        self._paths: dict[str, Path | None] = {}  # of the queued screenshots, looked up in batches
        self._looking_up = False
        self._queue_number = 0  # counts cancels: a lookup for a cancelled queue is not kept
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load_some)

    def set_device_pixel_ratio(self, ratio: float) -> None:
        if ratio != self._ratio:
            self._ratio = ratio
            self._pixmaps.clear()

    def pixmap(self, screenshot_id: str, redacted: bool = False) -> QPixmap | None:
        """The thumbnail (a null pixmap if it cannot be read), or None when it is still loading.

        ``redacted`` is the screenshot's state as the caller knows it: a thumbnail loaded before a
        redaction (made here or elsewhere, e.g. from the main window) is loaded again."""
        entry = self._pixmaps.get(screenshot_id)
        if entry is not None and entry[0] == redacted:
            self._pixmaps.move_to_end(screenshot_id)
            return entry[1]
        if screenshot_id not in self._wanted:
            self._wanted[screenshot_id] = redacted
            if not self._timer.isActive():
                self._timer.start()
        return None

    def cached(self, screenshot_id: str, redacted: bool | None = None) -> bool:
        entry = self._pixmaps.get(screenshot_id)
        return entry is not None and redacted in (None, entry[0])

    def pending(self) -> int:
        return len(self._wanted)

    def forget(self, screenshot_id: str) -> None:
        """Drop a thumbnail that changed on disk (redacted) or went away (deleted)."""
        self._pixmaps.pop(screenshot_id, None)

    def cancel(self) -> None:
        """Forget the queue (another day is shown; its cells ask again when painted)."""
        self._wanted.clear()
        self._paths.clear()
        self._queue_number += 1
        self._timer.stop()

    def _load_some(self) -> None:
        deadline = time.perf_counter() + self._slice
        done = []
        while self._wanted and (not done or time.perf_counter() < deadline):
            screenshot_id = next(iter(self._wanted))
            if screenshot_id not in self._paths:
                self._look_up_paths()  # the timer starts again when they are found
                break
            redacted = self._wanted.pop(screenshot_id)
            self._pixmaps[screenshot_id] = (redacted, self._load(self._paths.pop(screenshot_id, None)))
            self._pixmaps.move_to_end(screenshot_id)
            done.append(screenshot_id)
        while len(self._pixmaps) > self._capacity:
            self._pixmaps.popitem(last=False)
        if self._wanted and not self._looking_up:
            self._timer.start()
        if done:
            self.loaded.emit(done)

    def _look_up_paths(self) -> None:
        if self._looking_up:
            return
        self._looking_up = True
        batch = [sid for sid in self._wanted if sid not in self._paths][:BATCH]
        queue_number = self._queue_number

        def look_up(context: Context) -> dict[str, Path]:
            try:
                return context.diary.thumbnail_paths(batch)
            except SQLAlchemyError:  # a locked or broken database: placeholders; the next paint asks again
                log.exception("could not look up thumbnails")
                return {}

        def found(paths: dict[str, Path]) -> None:
            self._looking_up = False
            if queue_number == self._queue_number:
                for screenshot_id in batch:
                    self._paths[screenshot_id] = paths.get(screenshot_id)
            if self._wanted:
                self._timer.start()

        self._operations.read(self, look_up, found)

    def _load(self, path: Path | None) -> QPixmap:
        if path is None or not path.is_file():
            return QPixmap()  # null: the file is gone or unreadable
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            # JPEG decodes straight to a smaller size (DCT scaling): cheaper than decode + scale.
            target = size.scaled(self._size * self._ratio, Qt.AspectRatioMode.KeepAspectRatio)
            reader.setScaledSize(target)
        image = reader.read()
        if image.isNull():
            log.debug("unreadable thumbnail %s: %s", path, reader.errorString())
            return QPixmap()  # null: the file is gone or unreadable
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self._ratio)
        return pixmap
