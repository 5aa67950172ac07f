"""Fakes for the core's collaborators: a screen capturer that writes small real files (the clock
and the input are ``tracker.simulation``'s)."""

from __future__ import annotations

from pathlib import Path

from common.errors import EnvironmentProblem
from tracker.capture import Capture, CapturedImage


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
