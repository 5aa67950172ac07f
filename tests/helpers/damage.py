"""A real database with a damaged page: its header is valid (it opens), but the pages of its
contracts and blocks tables are overwritten, as a failing disk or a torn copy leaves them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from tracker.diary import Diary
from tracker.storage import DATABASE_NAME, Database


def make_damaged_database(data_dir: Path, day: datetime) -> Path:
    """Contracts and a day of manual time on ``day`` (09:00-12:00), then their tables' root pages
    overwritten; returns the database file."""
    database = Database(data_dir)
    diary = Diary(database)
    contract = diary.add_contract("Website", now=day)
    start = day.replace(hour=9, minute=0, second=0, microsecond=0)
    diary.add_manual_time(
        contract.id, start, start + timedelta(hours=3), "Checkout", day + timedelta(days=1), "d"
    )
    database.close()  # the last connection folds the WAL into the file
    path = data_dir / DATABASE_NAME
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = [
            root
            for (root,) in connection.execute(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name IN ('contracts', 'blocks')"
            )
        ]
    connection.close()
    with path.open("r+b") as file:
        for root in roots:
            assert root > 1  # the header page stays whole
            file.seek((root - 1) * page_size)
            file.write(b"\x5a" * page_size)
    return path
