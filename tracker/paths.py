"""Where a user's data lives."""

from __future__ import annotations

from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("Workdiary", appauthor=False))
