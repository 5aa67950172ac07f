"""Opening the local database: one SQLite file per data directory, migrated at start-up."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, Executable, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker import migrations
from tracker.errors import StorageProblem
from tracker.models import Screenshot, Setting

log = logging.getLogger(__name__)

DATABASE_NAME = "workdiary.sqlite3"


def _configure_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process (only a power cut may lose the last commits).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """The local store of a data directory: the SQLite engine and the screenshot folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.screenshot_dir = self.data_dir / "screenshots"
        for folder in (self.data_dir, self.screenshot_dir):
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o700)  # screenshots and work logs are the user's alone
        self.path = self.data_dir / DATABASE_NAME
        self.engine: Engine = create_engine(f"sqlite:///{self.path}")
        event.listen(self.engine, "connect", _configure_connection)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.migrate()
        os.chmod(self.path, 0o600)

    def migrate(self) -> None:
        """Bring the schema to the newest revision; a no-op (without Alembic) when it is."""
        try:
            with self.engine.connect() as connection:
                if self._revision(connection) == migrations.HEAD:
                    return
                from alembic import command
                from alembic.config import Config

                config = Config()
                config.set_main_option("script_location", str(Path(migrations.__file__).parent))
                config.attributes["connection"] = connection
                log.info("migrating %s to revision %s", self.path, migrations.HEAD)
                command.upgrade(config, "head")
                connection.commit()
        except DatabaseError as error:
            raise StorageProblem(
                f"The database {self.path} cannot be opened ({error.orig}). It was left as it is: "
                "restore it from a backup, or move it aside to start a new one."
            ) from error

    @staticmethod
    def _revision(connection) -> str | None:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:
            connection.rollback()
            return None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error; a full disk or a locked
        file becomes a StorageProblem with nothing half-written."""
        with self._storage_errors(), self._sessions.begin() as session:
            yield session

    def write(self, statement: Executable, parameters: dict | None = None) -> None:
        """One statement in its own transaction, without the ORM (the engine's hot path)."""
        with self._storage_errors(), self.engine.begin() as connection:
            connection.execute(statement, parameters)

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as error:  # disk full, read-only, locked: not a bug of ours
            raise StorageProblem(f"Could not save to {self.path}: {error.orig}") from error

    def device_id(self) -> str:
        """This installation's id, made once and kept (blocks carry it to tell devices apart)."""
        with self.session() as session:
            setting = session.get(Setting, "device_id")
            if setting is None:
                setting = Setting(key="device_id", value=str(uuid.uuid4()))
                session.add(setting)
            return setting.value

    def remove_screenshot_files(self, shot: Screenshot) -> None:
        for image in shot.images:
            for relative in (image.path, image.thumbnail_path):
                (self.data_dir / relative).unlink(missing_ok=True)

    def close(self) -> None:
        self.engine.dispose()
