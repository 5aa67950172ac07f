"""Opening the local database: one SQLite file per data directory, migrated at start-up."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, ExceptionContext, Executable, create_engine, event, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from common.errors import DamagedDatabase, StorageProblem
from tracker import migrations
from tracker.tables import settings

log = logging.getLogger(__name__)

DATABASE_NAME = "workdiary.sqlite3"
# SQLite's answers for a file that is not a database, or one with a damaged page
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


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
        event.listen(self.engine, "handle_error", self._report_damage)
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
                # A migration that rebuilds a table drops the old one, which the foreign keys
                # referring to it forbid: SQLite's way is to turn them off meanwhile (outside the
                # transaction) and check them before the commit.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                try:
                    command.upgrade(config, "head")
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise self._damaged(f"the migration left rows without their parent: {broken}")
                    connection.commit()
                finally:
                    connection.rollback()
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                if connection.exec_driver_sql("PRAGMA freelist_count").scalar():
                    self._vacuum(connection)  # a rebuilt table left the old one's pages free
        except DatabaseError as error:
            raise self._damaged(error.orig) from error

    def _vacuum(self, connection: Connection) -> None:
        """Give the file's free pages back to the disk."""
        try:
            connection.exec_driver_sql("VACUUM")
        except OperationalError as error:  # no room for the copy it writes: the pages are reused
            log.warning("could not compact %s: %s", self.path, error.orig)

    def _damaged(self, problem: object) -> DamagedDatabase:
        return DamagedDatabase(
            f"The database {self.path} cannot be opened ({problem}). It was left as it is: "
            "restore it from a backup, or move it aside to start a new one."
        )

    def _report_damage(self, context: ExceptionContext) -> None:
        """Any read or write that meets a damaged file says so in the user's words (a damaged page
        is found only when a query reaches it, long after the file was opened)."""
        error = context.original_exception
        if getattr(error, "sqlite_errorname", "").startswith(_DAMAGED):
            raise self._damaged(error) from error

    @contextmanager
    def driver_cursor(self) -> Iterator[DBAPICursor]:
        """The driver's own cursor, for a hot read whose rows would cost as much again as
        SQLAlchemy's objects (the Work Diary's week). No SQLAlchemy event sees its statements:
        its errors become SQLAlchemy's here, and a damaged file is reported as on any read."""
        with self.engine.connect() as connection, closing(connection.connection.cursor()) as cursor:
            try:
                yield cursor
            except sqlite3.Error as error:
                if getattr(error, "sqlite_errorname", "").startswith(_DAMAGED):
                    raise self._damaged(error) from error
                raise DBAPIError.instance(None, None, error, sqlite3.Error) from error

    def check(self) -> None:
        """Read every page (SQLite's quick check): DamagedDatabase if one is damaged."""
        with self.engine.connect() as connection:
            problems = connection.exec_driver_sql("PRAGMA quick_check(3)").scalars().all()
        if problems != ["ok"]:
            raise self._damaged("; ".join(problems))

    @staticmethod
    def _revision(connection) -> str | None:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:
            connection.rollback()
            return None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A unit of work: committed on success, rolled back on error; a full disk or a locked
        file becomes a StorageProblem with nothing half-written. Reads too, for the same errors."""
        with self._storage_errors(), self.engine.begin() as connection:
            yield connection

    def write(self, statement: Executable, parameters: dict | None = None) -> None:
        """One statement in its own transaction (the engine's hot path)."""
        with self.transaction() as connection:
            connection.execute(statement, parameters)

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as error:  # disk full, read-only, locked: not a bug of ours
            raise StorageProblem(f"Could not save to {self.path}: {error.orig}.") from error

    def screenshot_folder(self, taken_at: datetime) -> Path:
        """The day's folder of screenshots (year/month/day), made owner-only like its parent."""
        folder = self.screenshot_dir
        for part in f"{taken_at:%Y/%m/%d}".split("/"):
            folder /= part
            folder.mkdir(exist_ok=True, mode=0o700)
        return folder

    def setting(self, key: str) -> str | None:
        with self.transaction() as connection:
            return connection.execute(select(settings.c.value).where(settings.c.key == key)).scalar()

    def save_setting(self, key: str, value: str) -> None:
        upsert = sqlite_insert(settings).values(key=key, value=value)
        self.write(upsert.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

    def device_id(self) -> str:
        """This installation's id, made once and kept (blocks carry it to tell devices apart)."""
        while (device_id := self.setting("device_id")) is None:
            # The first process to write it wins: another one starting at the same time reads it.
            made = sqlite_insert(settings).values(key="device_id", value=str(uuid.uuid4()))
            self.write(made.on_conflict_do_nothing())
        return device_id

    def remove_screenshot_files(self, images: Iterable[Sequence[str]]) -> None:
        """Remove each image's (path, thumbnail path), relative to the data directory."""
        for paths in images:
            for relative in paths:
                (self.data_dir / relative).unlink(missing_ok=True)

    def close(self) -> None:
        self.engine.dispose()


def set_aside(data_dir: Path, now: datetime) -> Path:
    """Rename a damaged database (and its -wal and -shm, which belong to it) beside it, kept as it
    is, for a new one to be made; returns where it went."""
    path = Path(data_dir) / DATABASE_NAME
    kept = path.with_name(f"workdiary-damaged-{now:%Y%m%d-%H%M%S}.sqlite3")
    for suffix in ("-wal", "-shm", ""):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(kept.with_name(kept.name + suffix))
    return kept
