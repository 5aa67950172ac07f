"""The service's database on SQLite: its files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from service.database import Database
from service.models import User


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most accounts have (022), under which new files are readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_wal_and_its_folder_are_made_for_the_owner_alone(
    tmp_path: Path, usual_umask
) -> None:
    folder = tmp_path / "workdiary-service"
    database = Database(f"sqlite:///{folder / 'service.sqlite3'}")
    try:
        database.migrate()
        with database.reading() as session:  # a reader while the WAL and its index are there
            session.scalars(select(User)).all()
            files = {path.name: mode(path) for path in folder.iterdir()}
    finally:
        database.close()

    assert files == {"service.sqlite3": 0o600, "service.sqlite3-wal": 0o600, "service.sqlite3-shm": 0o600}
    assert mode(folder) == 0o700
