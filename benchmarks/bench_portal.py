"""Screenshots through the desktop portal on Wayland: time, bytes and legibility, as
``bench_screenshot`` measures mss on X11.

Each of the five demo desktops of ``tracker.demo.screens`` (1920×1080) is the wallpaper of a
headless sway session's only output (``tests/helpers/wayland.py``: sway, PipeWire,
xdg-desktop-portal with its wlr backend, as an unprivileged user in a PID namespace of its own; so
this needs root and the packages of scripts/install-system-deps). Inside that session, as its user,
``PortalCapturer`` captures it ``RUNS`` times; the portal's answer alone (the request, its Response
signal, reading and deleting the PNG it wrote) is timed apart. Every time is the median. PSNR is
the luma PSNR of the stored image against the content that was on screen.

    python -m benchmarks.bench_portal
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks.bench_screenshot import MIN_PSNR_BAR_DB, PIPELINE_BAR_MS, RUNS, _gui_application, _row

REPOSITORY = Path(__file__).resolve().parents[1]  # where the session's python finds benchmarks/


def run() -> list[dict]:
    from PySide6.QtGui import QImage

    from tests.helpers.wayland import sway_stack
    from tracker.capture import imaging
    from tracker.demo.screens import CONTENTS

    app = _gui_application()  # fonts for rendering the contents
    rows: list[dict] = []
    for name, render in CONTENTS.items():
        content = render()
        with sway_stack([content]) as stack:
            folder = stack.folder("shots")
            measured = json.loads(
                stack.run(
                    ["env", "-C", str(REPOSITORY), sys.executable, "-m", __spec__.name, str(folder)]
                ).stdout
            )
            data = Path(measured["path"]).read_bytes()
        psnr = imaging.luma_psnr(content, QImage.fromData(data))
        rows += [
            _row(
                f"portal screenshot pipeline {name}",
                statistics.median(measured["pipeline_ms"]),
                "ms",
                PIPELINE_BAR_MS,
            ),
            _row(f"  the portal's answer {name}", statistics.median(measured["portal_ms"]), "ms"),
            _row(f"portal screenshot size {name}", len(data) / 1024, "KB"),
            _row(f"portal screenshot luma PSNR {name}", psnr, "dB", MIN_PSNR_BAR_DB, at_least=True),
        ]
    del app
    return rows


def _measure_inside(folder: Path) -> dict:
    """In the session: the portal's answers and whole captures, timed (milliseconds)."""
    from tracker.capture.portal import PortalCapturer, portal_screenshot
    from tracker.capture.session import detect_session

    portal_ms, pipeline_ms = [], []
    capturer = PortalCapturer(detect_session())
    for run_number in range(RUNS):
        start = time.perf_counter()
        portal_screenshot()
        portal_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        capture = capturer.capture(folder, f"s{run_number}")
        pipeline_ms.append((time.perf_counter() - start) * 1000)
        if capture.note:
            raise RuntimeError(f"the content did not reach the screen: {capture.note}")
    return {"portal_ms": portal_ms, "pipeline_ms": pipeline_ms, "path": str(capture.images[0].path)}


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(_measure_inside(Path(sys.argv[1]))))
    else:
        for row in run():
            print(f"{row['name']:<48} {row['value']:>8} {row['unit']}")
