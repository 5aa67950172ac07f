"""Screenshots with mss, on X11, Windows and macOS (Wayland: portal.py): every monitor (or the
chosen ones), encoded with a thumbnail, owner-only; none while a private app is on screen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from common.errors import EnvironmentProblem
from tracker.capture import Capture, CapturedImage
from tracker.capture.imaging import (
    DEFAULT_FORMAT,
    EXTENSIONS,
    check_format,
    digest,
    encode_screenshot,
    from_bgra,
    is_uniform,
    thumbnail,
    thumbnail_path,
    write_private_files,
)
from tracker.capture.windows import WindowLister, private_app_shown

X11_FIX = "Run Workdiary inside your desktop session (an X11 session on Linux)."
BLANK_SCREEN = "the screen was black or blank (locked screen, screen saver or a display that is off)"
PRIVATE_APPS_UNRECOGNISED = "private apps are not recognised on this system"


def blank_screen_note(platform: str) -> str:
    """The likely cause of a grab where every monitor is a single colour."""
    if platform == "darwin":
        return (
            "macOS has not given Workdiary the Screen Recording permission "
            "(System Settings → Privacy & Security → Screen Recording)"
        )
    return BLANK_SCREEN


class MssCapturer:
    backend = "mss"

    def __init__(
        self,
        monitors: list[int] | None = None,
        fmt: str = DEFAULT_FORMAT,
        qualities: tuple[int, ...] = (),  # QUALITIES[fmt]
        private_apps: tuple[str, ...] = (),
    ) -> None:
        check_format(fmt)
        self.monitors = monitors  # 1-based mss numbers; None: all
        self.fmt = fmt
        self.qualities = qualities
        self.private_apps = private_apps  # no screenshot while one of these is on screen
        self.windows = WindowLister()

    def capture(self, directory: Path, stem: str) -> Capture:
        unrecognised = ""
        if self.private_apps:
            _check_display()
            app = private_app_shown(self.windows, self.private_apps, X11_FIX)
            if app:
                return Capture([], private_app=app)
            unrecognised = PRIVATE_APPS_UNRECOGNISED if app is None else ""
        files: dict[Path, bytes] = {}
        images: list[CapturedImage] = []
        all_uniform = True
        for number, shot in self._grab():
            all_uniform = all_uniform and is_uniform(shot.raw, shot.width, shot.height)
            image = from_bgra(shot.raw, shot.width, shot.height)
            images.append(encode_grab(files, directory, stem, number, image, self.fmt, self.qualities))
        if not images:
            return Capture([], note=no_monitor_note(self.monitors))
        write_private_files(files)
        note = blank_screen_note(sys.platform) if all_uniform else unrecognised
        return Capture(images, note)

    def _grab(self):
        """Yields (monitor number, mss ScreenShot) for each chosen monitor that is connected."""
        _check_display()
        try:
            import mss
        except ImportError as exc:
            raise EnvironmentProblem(f"Screenshots cannot be taken: {exc}.", "Reinstall Workdiary.") from exc
        try:
            with mss.MSS() as grabber:
                connected = grabber.monitors[1:]
                for number in self.monitors or range(1, len(connected) + 1):
                    if 1 <= number <= len(connected):
                        yield number, grabber.grab(connected[number - 1])
        except mss.ScreenShotError as exc:
            raise EnvironmentProblem(f"Screenshots cannot be taken: {exc}", X11_FIX) from exc


def no_monitor_note(monitors: list[int] | None) -> str:
    """Why there is no screenshot when none of the chosen monitors (None: all) is connected."""
    if not monitors:
        return "no monitor is connected"
    chosen = ", ".join(str(number) for number in monitors)
    return f"the chosen monitors ({chosen}) are not connected"


def encode_grab(
    files: dict[Path, bytes],
    directory: Path,
    stem: str,
    number: int,
    image: QImage,
    fmt: str,
    qualities: tuple[int, ...],
) -> CapturedImage:
    """Encodes the grab of monitor ``number`` and its thumbnail into ``files`` (to be written into
    ``directory`` under names starting with ``stem``)."""
    data = encode_screenshot(image, fmt, qualities)
    path = directory / f"{stem}-m{number}.{EXTENSIONS[fmt]}"
    files[path] = data
    files[thumbnail_path(path)] = thumbnail(image, fmt)
    sha256, size_bytes = digest(data)
    return CapturedImage(
        number, path, thumbnail_path(path), sha256, size_bytes, image.width(), image.height()
    )


def _check_display() -> None:
    if sys.platform in ("win32", "darwin") or os.environ.get("DISPLAY"):
        return
    raise EnvironmentProblem("Screenshots cannot be taken: no X display (DISPLAY is not set).", X11_FIX)
