"""Fakes for the core's collaborators: a clock that moves only when told, input counts that grow
only when told, and a screen capturer that writes small real files."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from common.errors import EnvironmentProblem
from tracker.capture import Capture, CapturedImage


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.wall = start
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: the wall clock moves, the monotonic clock does not."""
        self.wall += timedelta(seconds=seconds)

    def set_wall(self, moment: datetime) -> None:
        """Somebody changes the system clock."""
        self.wall = moment


class FakeInput:
    def __init__(self) -> None:
        self.keys = 0
        self.mouse = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def counts(self) -> tuple[int, int]:
        return self.keys, self.mouse

    def add(self, keys: int = 0, mouse: int = 0) -> None:
        self.keys += keys
        self.mouse += mouse


class FakeCapturer:
    """Writes a small real image per monitor (white, with a 6 px black square at 28–34, 16–22), in
    JPEG unless told: the format of the screenshots of earlier versions, which the app still reads."""

    def __init__(
        self,
        monitors: int = 1,
        note: str = "",
        problem: EnvironmentProblem | None = None,
        private_app: str = "",
        fmt: str = "jpeg",
    ) -> None:
        self.monitors = monitors
        self.fmt = fmt
        self.note = note
        self.problem = problem
        self.private_app = private_app  # as if it were on screen: nothing is grabbed
        self.calls = 0

    def capture(self, directory: Path, stem: str) -> Capture:
        from PySide6.QtGui import QColor, QImage

        from tracker.capture import imaging

        self.calls += 1
        if self.problem:
            raise self.problem
        if self.private_app:
            return Capture([], private_app=self.private_app)
        image = QImage(192, 108, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        for x in range(28, 34):
            for y in range(16, 22):
                image.setPixelColor(x, y, QColor("black"))
        data = imaging.encode_screenshot(image, self.fmt)
        images, files = [], {}
        for monitor in range(1, self.monitors + 1):
            path = directory / f"{stem}-m{monitor}.{imaging.EXTENSIONS[self.fmt]}"
            files[path] = data
            files[imaging.thumbnail_path(path)] = imaging.thumbnail(image, self.fmt)
            images.append(
                CapturedImage(monitor, path, imaging.thumbnail_path(path), *imaging.digest(data), 64, 36)
            )
        imaging.write_private_files(files)
        return Capture(images, self.note)


def run(tracker, clock: FakeClock, seconds: int, keys: int = 1, mouse: int = 2, every: int = 1) -> None:
    """Drive the tracker for ``seconds`` one-second ticks, with input on every ``every``-th second
    (``every=0``: no input at all)."""
    source = tracker.input
    for second in range(seconds):
        clock.advance(1)
        if every and second % every == 0:
            source.add(keys, mouse)
        tracker.tick()
