"""The app bundle (build_installer.spec): its size on disk, what takes the room, and the frozen
app's start-up to a visible window.

    python -m benchmarks --only bundle

The bundle is built afresh into a temporary folder (about a minute).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import report
from benchmarks.bench_app import median_start_up
from installer import bundle

SIZE_BAR_MB = 120.0
MB = 1e6
PARTS = {  # what takes the room, by where it lies in the bundle
    "Qt libraries (ICU trimmed)": "_internal/PySide6/Qt",
    "PySide6 bindings": "_internal/PySide6/*.so*",
    "cryptography (Secret Service keyring)": "_internal/cryptography",
    "Python modules (archive)": "workdiary",
}


def row(name: str, value: float, unit: str, bar: float | None = None) -> dict:
    return report.row("bundle", name, value, unit, bar)


def part_size(built: Path, pattern: str) -> int:
    paths = [built / pattern] if "*" not in pattern else list(built.glob(pattern))
    return sum(bundle.size(path) if path.is_dir() else path.lstat().st_size for path in paths)


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as work:
        built = bundle.build(Path(work, "dist"), Path(work, "build"))
        rows = [row("size on disk", bundle.size(built) / MB, "MB", SIZE_BAR_MB)]
        for name, pattern in PARTS.items():
            rows.append(row(f"of which {name}", part_size(built, pattern) / MB, "MB"))
        started = median_start_up([str(bundle.executable(built))])
        rows.append(row("frozen start-up to window shown (warm, median)", started * 1000, "ms"))
    return rows
