"""Where the app's icons and its launcher entry are found, without importing Qt."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """Where the icons and the launcher entry are: beside the frozen app (PyInstaller's ``datas``
    → ``resources``), in the source tree (a checkout, ``pip install -e .``), or under
    ``share/workdiary`` of the installation prefix (a wheel's data-files)."""
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    candidates.append(Path(sys.prefix) / "share" / "workdiary" / "resources")
    for candidate in candidates:
        if (candidate / "workdiary.svg").is_file():
            return candidate
    return candidates[0]
