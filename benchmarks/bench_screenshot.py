"""Screenshot pipeline benchmark: grab, encode, thumbnail and write at 1920×1080, and what comes
out: bytes, legibility (luma PSNR against the grab) and time per image.

The five desktop contents of ``tracker.demo.screens`` (a documentation page of dense text, a code
editor, a web page, a photo, a whole desktop with a spreadsheet, a terminal and a chat), drawn with
QPainter at real font sizes, are put on the screen of a private Xvfb (1920×1080, 24-bit: mss needs
24 or 32 bits, and the screen must show nothing else), straight onto the root window. Each is
captured with ``tracker.capture.screen.MssCapturer`` end to end, and stage by stage with the same
functions. Every time is the median over ``RUNS`` runs; "CPU" is the encoding's CPU time in this
process (its threads included: the highest quality is encoded alongside), which other processes on
the machine do not inflate.

    python -m benchmarks.bench_screenshot           # the suite's rows
    python -m benchmarks.bench_screenshot --codecs  # each content in candidate codecs (the table
                                                    # in tracker/capture/imaging.py)

Without the Xvfb binary it uses the display in ``DISPLAY`` as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from PySide6.QtGui import QImage

WIDTH, HEIGHT = 1920, 1080
RUNS = 8
PIPELINE_BAR_MS = 400.0
MEDIAN_SIZE_BAR_KB = 100.0
MIN_PSNR_BAR_DB = 38.0
THUMBNAIL_BAR_KB = 10.0
STRIP_ROWS = 32  # rows per X PutImage request: the request length is 16-bit, in 4-byte units
CANDIDATES = [("jpeg", 20), ("jpeg", 60), ("jpeg", 85), ("webp", 40), ("webp", 50), ("webp", 70)]


def run() -> list[dict]:
    from tracker.capture import imaging
    from tracker.capture.screen import MssCapturer
    from tracker.demo.screens import CONTENTS
    from tracker.settings import Settings

    app = _gui_application()  # fonts for rendering need one; kept alive until the end
    contents = {name: render() for name, render in CONTENTS.items()}
    settings = Settings()
    results: list[dict] = []
    image_sizes: list[float] = []
    with _display() as display, tempfile.TemporaryDirectory() as folder:
        capturer = MssCapturer(fmt=settings.screenshot_format, private_apps=settings.private_apps)
        for name, image in contents.items():
            _show_on_root(display, image)
            totals, listings, stages = [], [], []
            for run_number in range(RUNS):
                start = time.perf_counter()
                capturer.windows.shown()
                listings.append(time.perf_counter() - start)
                start = time.perf_counter()
                capture = capturer.capture(Path(folder), f"{name}-{run_number}")
                totals.append(time.perf_counter() - start)
                if capture.note:
                    raise RuntimeError(f"the {name} content did not reach the screen: {capture.note}")
                stages.append(_stages(Path(folder), f"{name}-s{run_number}", capturer.fmt))
            (shot,) = capture.images
            grab, data = stages[-1].grab, shot.path.read_bytes()
            image_kb = len(data) / 1024
            thumbnail_kb = shot.thumbnail_path.stat().st_size / 1024
            image_sizes.append(image_kb)
            psnr = imaging.luma_psnr(grab, QImage.fromData(data))
            format_name = imaging.FORMAT_NAMES[capturer.fmt]
            qualities = imaging.QUALITIES[capturer.fmt]
            quality = next(q for q in qualities if imaging.encode(grab, capturer.fmt, q) == data)
            results += [
                _row(f"screenshot pipeline {name}", _median_ms(totals), "ms", PIPELINE_BAR_MS),
                _row(f"  list the windows (private apps) {name}", _median_ms(listings), "ms"),
                _row(f"  grab {name}", _median_ms([s.grab_seconds for s in stages]), "ms"),
                _row(f"  encode {name}", _median_ms([s.encode_seconds for s in stages]), "ms"),
                _row(f"  encode {name}, CPU", _median_ms([s.encode_cpu_seconds for s in stages]), "ms"),
                _row(f"  thumbnail {name}", _median_ms([s.thumbnail_seconds for s in stages]), "ms"),
                _row(f"  write {name}", _median_ms([s.write_seconds for s in stages]), "ms"),
                _row(f"screenshot size {name} ({format_name} q{quality})", image_kb, "KB"),
                _row(f"screenshot luma PSNR {name}", psnr, "dB", MIN_PSNR_BAR_DB, at_least=True),
                _row(f"thumbnail size {name}", thumbnail_kb, "KB", THUMBNAIL_BAR_KB),
            ]
            for path in Path(folder).iterdir():
                path.unlink()
    median_kb = statistics.median(image_sizes)
    results.append(_row("screenshot size, median of the contents", median_kb, "KB", MEDIAN_SIZE_BAR_KB))
    del app
    return results


class Stages(NamedTuple):
    grab: QImage
    grab_seconds: float
    encode_seconds: float
    encode_cpu_seconds: float
    thumbnail_seconds: float
    write_seconds: float


def _stages(folder: Path, stem: str, fmt: str) -> Stages:
    """The pipeline of ``MssCapturer.capture`` for one monitor, timed step by step (seconds)."""
    import mss

    from tracker.capture import imaging

    start = time.perf_counter()
    with mss.MSS() as grabber:
        shot = grabber.grab(grabber.monitors[1])
    grabbed = time.perf_counter()
    image = imaging.from_bgra(shot.raw, shot.width, shot.height)
    cpu = time.process_time()
    data = imaging.encode_screenshot(image, fmt)
    cpu = time.process_time() - cpu
    encoded = time.perf_counter()
    small = imaging.thumbnail(image, fmt)
    thumbnailed = time.perf_counter()
    path = folder / f"{stem}.{imaging.EXTENSIONS[fmt]}"
    imaging.write_private_files({path: data, imaging.thumbnail_path(path): small})
    written = time.perf_counter()
    return Stages(
        image, grabbed - start, encoded - grabbed, cpu, thumbnailed - encoded, written - thumbnailed
    )


def compare_codecs() -> list[tuple[str, str, float, float, float]]:
    """(content, codec, KB, luma PSNR dB, encode ms of CPU) for every content and candidate codec,
    and for the default rule (``encode_screenshot``)."""
    from tracker.capture import imaging
    from tracker.demo.screens import CONTENTS

    app = _gui_application()
    table = []
    for name, render in CONTENTS.items():
        image = render()
        encoders = [
            (f"{fmt} q{q}", lambda image=image, fmt=fmt, q=q: imaging.encode(image, fmt, q))
            for fmt, q in CANDIDATES
        ]
        encoders.append(
            (f"{imaging.DEFAULT_FORMAT} rule", lambda image=image: imaging.encode_screenshot(image))
        )
        for codec, encoder in encoders:
            times = []
            for _ in range(3):
                cpu = time.thread_time()
                data = encoder()
                times.append(time.thread_time() - cpu)
            psnr = imaging.luma_psnr(image, QImage.fromData(data))
            table.append((name, codec, len(data) / 1024, psnr, min(times) * 1000))
    del app
    return table


def _row(name: str, value: float, unit: str, bar: float | None = None, at_least: bool = False) -> dict:
    """A measurement, checked against its bar: at most ``bar``, or at least it with ``at_least``."""
    return {
        "name": name,
        "value": round(value, 1),
        "unit": unit,
        "bar": None if bar is None else f"{'≥' if at_least else '≤'} {bar:g}",
        "ok": None if bar is None else (value >= bar if at_least else value <= bar),
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codecs", action="store_true", help="compare candidate codecs on each content")
    if parser.parse_args().codecs:
        print(f"{'content':<8}  {'codec':<10}  {'KB':>6}  {'dB':>5}  {'CPU ms':>6}")
        for name, codec, kb, psnr, ms in compare_codecs():
            print(f"{name:<8}  {codec:<10}  {kb:6.1f}  {psnr:5.2f}  {ms:6.0f}")
        return
    rows = run()
    width = max(len(row["name"]) for row in rows)
    print(f"{'measure':<{width}}  {'value':>8}  unit  {'bar':>6}  ok")
    for row in rows:
        bar = row["bar"] or ""
        ok = {True: "yes", False: "NO", None: ""}[row["ok"]]
        print(f"{row['name']:<{width}}  {row['value']:>8}  {row['unit']:<4}  {bar:>6}  {ok}")


if __name__ == "__main__":
    main()
