"""Screenshot pipeline benchmark: grab, encode, thumbnail and write at 1920×1080.

Four realistic desktop contents are rendered with QPainter (a text document, a code editor, a web
page, a photo) and put on the screen of a private Xvfb (1920×1080, 24-bit: mss needs 24 or 32 bits,
and the screen must show nothing else), straight onto the root window. Each is captured with
``tracker.capture.screen.MssCapturer`` end to end, and stage by stage with the same functions.
Every figure is the median over ``RUNS`` runs.

    python -m benchmarks.bench_screenshot

Without the Xvfb binary it uses the display in ``DISPLAY`` as it is.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import select
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

WIDTH, HEIGHT = 1920, 1080
RUNS = 12
PIPELINE_BAR_MS = 150.0
MEDIAN_SIZE_BAR_KB = 100.0
THUMBNAIL_BAR_KB = 10.0
STRIP_ROWS = 32  # rows per X PutImage request: the request length is 16-bit, in 4-byte units

LOREM_TEXT = (
    "Workdiary logs work on a contract into ten minute blocks with a screenshot and an activity "
    "level and keeps everything in a local database so that work is never lost offline while the "
    "client sees the blocks once they are synced to the contract service after the hold period "
    "during which the freelancer may redact or delete any screenshot that shows private things"
)
LOREM = LOREM_TEXT.split()

CODE = '''\
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)
SLOT = timedelta(minutes=10)


@dataclass
class Block:
    """The tracked part of one slot for one contract."""

    contract_id: int
    start: datetime
    end: datetime
    memo: str = ""
    minutes: list[tuple[int, int, int]] = field(default_factory=list)

    def duration(self) -> timedelta:
        return self.end - self.start

    def activity_level(self) -> int:
        active = sum(1 for keys, mouse, _ in self.minutes if keys or mouse)
        return round(10 * active / max(1, len(self.minutes)))


def slot_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 10, second=0, microsecond=0)


class Engine:
    def __init__(self, clock, storage, capturer) -> None:
        self._clock = clock
        self._storage = storage
        self._capturer = capturer
        self._block: Block | None = None

    def tick(self) -> None:
        now = self._clock.now()
        if self._block and now >= slot_start(self._block.start) + SLOT:
            log.info("closing block %s at %s", self._block, now)
            self._storage.save(self._block)
            self._block = None
'''


def _qt():
    from PySide6 import QtCore, QtGui

    return QtCore, QtGui


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(LOREM) for _ in range(words)).capitalize() + "."


def render_text_document():
    """A word processor page: toolbar, grey margins, a white page of justified paragraphs."""
    QtCore, QtGui = _qt()
    rng = random.Random(1)
    image = QtGui.QImage(WIDTH, HEIGHT, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#e8e8e8"))
    p = QtGui.QPainter(image)
    p.fillRect(0, 0, WIDTH, 96, QtGui.QColor("#f7f7f7"))
    p.setPen(QtGui.QColor("#444444"))
    p.setFont(QtGui.QFont("DejaVu Sans", 10))
    for i, label in enumerate(["File", "Edit", "View", "Insert", "Format", "Tools", "Help"]):
        p.drawText(16 + i * 70, 24, label)
    for i in range(24):
        p.fillRect(16 + i * 40, 44, 28, 28, QtGui.QColor("#d0d4da"))
    page = QtCore.QRect(420, 120, 1080, HEIGHT)
    p.fillRect(page, QtCore.Qt.GlobalColor.white)
    p.setPen(QtGui.QColor("#202020"))
    p.setFont(QtGui.QFont("DejaVu Serif", 18, QtGui.QFont.Weight.Bold))
    p.drawText(page.adjusted(90, 70, -90, 0), 0, "Quarterly report on tracked work")
    p.setFont(QtGui.QFont("DejaVu Serif", 12))
    y = 130
    while y < HEIGHT:
        text = _paragraph(rng, rng.randint(40, 90))
        rect = QtCore.QRect(page.left() + 90, page.top() + y, page.width() - 180, 400)
        flags = QtCore.Qt.TextFlag.TextWordWrap | QtCore.Qt.AlignmentFlag.AlignJustify
        bounds = p.boundingRect(rect, flags, text)
        p.drawText(rect, flags, text)
        y += bounds.height() + 18
    p.end()
    return image


def render_code_editor():
    """A dark-theme editor: file tree, tabs, syntax-coloured code with line numbers."""
    QtCore, QtGui = _qt()
    image = QtGui.QImage(WIDTH, HEIGHT, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#1e1e1e"))
    p = QtGui.QPainter(image)
    p.fillRect(0, 0, 300, HEIGHT, QtGui.QColor("#252526"))
    p.fillRect(300, 0, WIDTH - 300, 36, QtGui.QColor("#2d2d2d"))
    p.fillRect(0, HEIGHT - 24, WIDTH, 24, QtGui.QColor("#007acc"))
    p.setFont(QtGui.QFont("DejaVu Sans", 10))
    p.setPen(QtGui.QColor("#cccccc"))
    for i, name in enumerate(
        ["tracker", "  capture", "    __init__.py", "    input.py", "    screen.py", "  engine.py"]
        + ["  models.py", "  rules.py", "  storage.py", "tests", "  helpers", "pyproject.toml"] * 3
    ):
        p.drawText(12, 60 + i * 24, name)
    for i, tab in enumerate(["engine.py", "models.py", "screen.py"]):
        p.drawText(320 + i * 160, 24, tab)
    p.setFont(QtGui.QFont("DejaVu Sans Mono", 12))
    keywords = {"from", "import", "class", "def", "return", "if", "for", "in", "self", "None"}
    lines = (CODE.splitlines() * 2)[: (HEIGHT - 80) // 20]
    metrics = p.fontMetrics()
    by_colour: dict[str, list[tuple[int, int, str]]] = {"#858585": []}
    for number, line in enumerate(lines, 1):
        y = 60 + number * 20
        by_colour["#858585"].append((310, y, f"{number:4d}"))
        x = 370
        for token in re.split(r"(\W)", line):
            colour = "#d4d4d4"
            if token in keywords:
                colour = "#569cd6"
            elif token[:1].isupper():
                colour = "#4ec9b0"
            by_colour.setdefault(colour, []).append((x, y, token))
            x += metrics.horizontalAdvance(token)
    for colour, tokens in by_colour.items():  # one pen change per colour, not per token
        p.setPen(QtGui.QColor(colour))
        for x, y, token in tokens:
            p.drawText(x, y, token)
    p.setPen(QtCore.Qt.GlobalColor.white)
    p.setFont(QtGui.QFont("DejaVu Sans", 9))
    p.drawText(12, HEIGHT - 8, "main  Python 3.11  UTF-8  LF  Ln 42, Col 17")
    p.end()
    return image


def render_web_page():
    """A browser with a news-style page: header, hero picture, cards with thumbnails and text."""
    QtCore, QtGui = _qt()
    rng = random.Random(2)
    image = QtGui.QImage(WIDTH, HEIGHT, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtCore.Qt.GlobalColor.white)
    p = QtGui.QPainter(image)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.fillRect(0, 0, WIDTH, 80, QtGui.QColor("#dee1e6"))
    p.setBrush(QtCore.Qt.GlobalColor.white)
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.drawRoundedRect(QtCore.QRectF(160, 44, 1200, 30), 15, 15)
    p.fillRect(0, 80, WIDTH, 64, QtGui.QColor("#14a800"))
    p.setPen(QtCore.Qt.GlobalColor.white)
    p.setFont(QtGui.QFont("DejaVu Sans", 20, QtGui.QFont.Weight.Bold))
    p.drawText(60, 124, "freelance news")
    p.setFont(QtGui.QFont("DejaVu Sans", 12))
    for i, item in enumerate(["Jobs", "Talent", "Reports", "Messages", "Help"]):
        p.drawText(900 + i * 130, 120, item)
    hero = QtCore.QRect(60, 170, 1180, 400)
    p.drawImage(hero, _photo(1180, 400, seed=3))
    p.setPen(QtGui.QColor("#111111"))
    p.setFont(QtGui.QFont("DejaVu Serif", 26, QtGui.QFont.Weight.Bold))
    p.drawText(60, 630, "How freelancers track their hours without losing a minute")
    p.setFont(QtGui.QFont("DejaVu Sans", 12))
    flags = QtCore.Qt.TextFlag.TextWordWrap
    p.drawText(QtCore.QRect(60, 650, 1180, 400), flags, "\n\n".join(_paragraph(rng, 70) for _ in range(4)))
    for i in range(4):
        top = 170 + i * 225
        p.drawImage(QtCore.QRect(1290, top, 200, 140), _photo(200, 140, seed=10 + i))
        p.setFont(QtGui.QFont("DejaVu Sans", 13, QtGui.QFont.Weight.Bold))
        p.setPen(QtGui.QColor("#14a800"))
        p.drawText(QtCore.QRect(1510, top, 360, 60), flags, _paragraph(rng, 7))
        p.setFont(QtGui.QFont("DejaVu Sans", 10))
        p.setPen(QtGui.QColor("#555555"))
        p.drawText(QtCore.QRect(1510, top + 62, 360, 140), flags, _paragraph(rng, 25))
    p.end()
    return image


def render_photo():
    """A full-screen landscape photo (an image viewer or a wallpaper)."""
    return _photo(WIDTH, HEIGHT, seed=7)


def _photo(width: int, height: int, seed: int):
    """Photo-like: a smooth landscape (sky, hills) with texture at several scales and sensor grain.

    Built from a few large pixel operations rather than thousands of small QPainter calls.
    """
    QtCore, QtGui = _qt()
    rng = random.Random(seed)
    small_w, small_h = 160, 90
    scene = bytearray()
    ridges = [(0.5 + 0.12 * depth, rng.uniform(2, 9), rng.uniform(0, 6)) for depth in range(3)]
    for y in range(small_h):
        v = y / small_h
        for x in range(small_w):
            u = x / small_w
            red, green, blue = 70 + 130 * v, 120 + 95 * v, 190 + 40 * v  # sky, lighter at the horizon
            for depth, (level, frequency, phase) in enumerate(ridges):
                if v > level + 0.05 * math.sin(frequency * u + phase):
                    red, green, blue = 40 + 35 * depth, 90 + 30 * depth - 20 * v, 30 + 10 * depth
            scene += bytes((int(blue), int(green), int(red), 255))
    base = QtGui.QImage(bytes(scene), small_w, small_h, QtGui.QImage.Format.Format_RGB32)
    image = base.scaled(
        width,
        height,
        QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
        QtCore.Qt.TransformationMode.SmoothTransformation,
    )
    p = QtGui.QPainter(image)
    p.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
    p.setCompositionMode(QtGui.QPainter.CompositionMode.CompositionMode_SoftLight)
    # Texture (grass) on the near hills, fine grain everywhere: skies and far hills are smooth.
    for divisor, opacity, top in ((16, 0.9, 0.56), (4, 0.7, 0.56), (1, 0.25, 0.0)):
        area = QtCore.QRect(0, int(height * top), width, height - int(height * top))
        noise_w, noise_h = max(1, area.width() // divisor), max(1, area.height() // divisor)
        noise = QtGui.QImage(
            rng.randbytes(noise_w * noise_h),
            noise_w,
            noise_h,
            noise_w,
            QtGui.QImage.Format.Format_Grayscale8,
        )
        p.setOpacity(opacity)
        p.drawImage(area, noise)
    p.end()
    return image


CONTENTS: dict[str, Callable] = {
    "text": render_text_document,
    "code": render_code_editor,
    "web": render_web_page,
    "photo": render_photo,
}


def run() -> list[dict]:
    from tracker.capture import imaging
    from tracker.capture.screen import MssCapturer
    from tracker.settings import Settings

    app = _gui_application()  # fonts for rendering need one; kept alive until the end
    contents = {name: render() for name, render in CONTENTS.items()}
    results: list[dict] = []
    image_sizes: list[float] = []
    with _display() as display, tempfile.TemporaryDirectory() as folder:
        capturer = MssCapturer(private_apps=Settings().private_apps)  # as the app makes it
        for name, image in contents.items():
            _show_on_root(display, image)
            totals, listings, grabs, encodes, thumbnails, writes = [], [], [], [], [], []
            for run_number in range(RUNS):
                start = time.perf_counter()
                capturer.windows.shown()
                listings.append(time.perf_counter() - start)
                start = time.perf_counter()
                capture = capturer.capture(Path(folder), f"{name}-{run_number}")
                totals.append(time.perf_counter() - start)
                if capture.note:
                    raise RuntimeError(f"the {name} content did not reach the screen: {capture.note}")
                grabs_, encode, thumbnail, write = _stages(Path(folder), f"{name}-s{run_number}")
                grabs.append(grabs_)
                encodes.append(encode)
                thumbnails.append(thumbnail)
                writes.append(write)
            (shot,) = capture.images
            image_kb = shot.size_bytes / 1024
            thumbnail_kb = shot.thumbnail_path.stat().st_size / 1024
            image_sizes.append(image_kb)
            total_ms = _median_ms(totals)
            results += [
                _row(f"screenshot pipeline {name}", total_ms, "ms", PIPELINE_BAR_MS),
                _row(f"  list the windows (private apps) {name}", _median_ms(listings), "ms"),
                _row(f"  grab {name}", _median_ms(grabs), "ms"),
                _row(f"  encode {name}", _median_ms(encodes), "ms"),
                _row(f"  thumbnail {name}", _median_ms(thumbnails), "ms"),
                _row(f"  write {name}", _median_ms(writes), "ms"),
                _row(f"screenshot size {name}", image_kb, "KB"),
                _row(f"thumbnail size {name}", thumbnail_kb, "KB", THUMBNAIL_BAR_KB),
            ]
            for path in Path(folder).iterdir():
                path.unlink()
    median_kb = statistics.median(image_sizes)
    results.append(_row("screenshot size, median of the contents", median_kb, "KB", MEDIAN_SIZE_BAR_KB))
    results.append(
        _row(
            f"codec {imaging.DEFAULT_FORMAT} q{imaging.DEFAULT_QUALITIES}",
            imaging.SIZE_BUDGET / 1024,
            "KB budget",
        )
    )
    del app
    return results


def _stages(folder: Path, stem: str) -> tuple[float, float, float, float]:
    """The pipeline of ``MssCapturer.capture`` for one monitor, timed step by step (seconds)."""
    import mss

    from tracker.capture import imaging

    start = time.perf_counter()
    with mss.MSS() as grabber:
        shot = grabber.grab(grabber.monitors[1])
    grabbed = time.perf_counter()
    image = imaging.from_bgra(shot.raw, shot.width, shot.height)
    data = imaging.encode_screenshot(image)
    encoded = time.perf_counter()
    small = imaging.thumbnail(image)
    thumbnailed = time.perf_counter()
    path = folder / f"{stem}.jpg"
    imaging.write_private_files({path: data, imaging.thumbnail_path(path): small})
    written = time.perf_counter()
    return grabbed - start, encoded - grabbed, thumbnailed - encoded, written - thumbnailed


def _row(name: str, value: float, unit: str, bar: float | None = None) -> dict:
    return {
        "name": name,
        "value": round(value, 1),
        "unit": unit,
        "bar": bar,
        "ok": None if bar is None else value <= bar,
    }


def _median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _gui_application():
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication(["bench_screenshot", "-platform", "offscreen"])
    return app


@contextlib.contextmanager
def _display() -> Iterator[str]:
    """A private 1920×1080×24 Xvfb, set as DISPLAY while in use; else the current DISPLAY."""
    if not shutil.which("Xvfb"):
        if not os.environ.get("DISPLAY"):
            raise RuntimeError("needs Xvfb or an X display in DISPLAY")
        yield os.environ["DISPLAY"]
        return
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    previous = os.environ.get("DISPLAY")
    try:
        ready, _, _ = select.select([server.stdout], [], [], 20)
        number = server.stdout.readline().decode().strip() if ready else ""
        if not number:
            raise RuntimeError("Xvfb did not start")
        os.environ["DISPLAY"] = f":{number}"
        yield os.environ["DISPLAY"]
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous
        server.terminate()
        server.wait(10)
        server.stdout.close()


def _show_on_root(display_name: str, image) -> None:
    """Draws ``image`` (1920×1080 RGB32, BGRX in memory like a 24-bit X screen) on the root window."""
    from Xlib import X, display

    connection = display.Display(display_name)
    try:
        screen = connection.screen()
        gc = screen.root.create_gc()
        pixels = bytes(image.constBits())
        row_bytes = image.bytesPerLine()
        for top in range(0, HEIGHT, STRIP_ROWS):
            rows = min(STRIP_ROWS, HEIGHT - top)
            strip = pixels[top * row_bytes : (top + rows) * row_bytes]
            screen.root.put_image(gc, 0, top, WIDTH, rows, X.ZPixmap, screen.root_depth, 0, strip)
        gc.free()
        connection.sync()
    finally:
        connection.close()


def main() -> None:
    rows = run()
    width = max(len(row["name"]) for row in rows)
    print(f"{'measure':<{width}}  {'value':>8}  unit  {'bar':>6}  ok")
    for row in rows:
        bar = "" if row["bar"] is None else f"{row['bar']:g}"
        ok = {True: "yes", False: "NO", None: ""}[row["ok"]]
        print(f"{row['name']:<{width}}  {row['value']:>8}  {row['unit']:<4}  {bar:>6}  {ok}")


if __name__ == "__main__":
    main()
