"""A full disk. In this process: SQLite's ``PRAGMA max_page_count``, which makes SQLite answer
SQLITE_FULL ("database or disk is full") exactly as on a full disk, once the file would grow.

``python -m tests.helpers.full_disk ARGS…``: the headless tracker (``python -m tracker ARGS…``)
whose disk fills up when the file ``disk-full`` appears in its data folder.

From then on SQLite's own SQLITE_FULL error ("database or disk is full") answers every statement
that adds rows (inserts and upserts: what needs new room on a full disk), raised where the tracker
meets its storage; changes in place go through, as on a full disk. Deleting the file frees the space.
"""

from __future__ import annotations

import sqlite3
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, event, insert, text

from common.errors import StorageProblem
from tracker.cli import main
from tracker.storage import Database
from tracker.tables import blocks

TRIGGER = "disk-full"


def fill_the_disk(database: Database, pages: int):
    """Make SQLite answer SQLITE_FULL once the file would grow past ``pages``; returns the undo."""

    def listener(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(database.engine, "connect", listener)
    database.engine.dispose()

    def free_space():
        event.remove(database.engine, "connect", listener)
        database.engine.dispose()

    return free_space


def fill_up(database: Database, contract_id: str):
    """Fill the disk now: the file may not grow, and its pages are full of old tombstones (time
    removed in 2020), so the next time block has no room. Returns the undo."""
    with database.engine.connect() as connection:
        free_space = fill_the_disk(database, connection.execute(text("PRAGMA page_count")).scalar())
    old = datetime(2020, 1, 6, tzinfo=UTC)
    row = {"contract_id": contract_id, "device_id": "filler", "start": old, "end": old, "activity": []}
    try:
        while True:
            database.write(insert(blocks).values(id=str(uuid.uuid4()), deleted=True, updated_at=old, **row))
    except StorageProblem:
        return free_space


def fill_when_told(data_dir: Path) -> None:
    trigger = data_dir / TRIGGER

    @event.listens_for(Engine, "before_cursor_execute")
    def full(_connection, _cursor, statement, _parameters, _context, _many):
        if statement.lstrip().upper().startswith("INSERT") and trigger.exists():
            raise sqlite3.OperationalError("database or disk is full")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    fill_when_told(Path(arguments[arguments.index("--data-dir") + 1]))
    sys.exit(main(arguments))
