"""The service's database engine, its migrations and its units of work."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from service import migrations

log = logging.getLogger(__name__)


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # The driver's own transaction handling is off: _begin_sqlite starts every transaction, so that
    # reads see one snapshot and writers take the write lock before they read (BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    writer = connection.get_execution_options().get("writer", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def writes(session: Session) -> bool:
    """Whether the session is a unit of work that writes (``Database.writing``)."""
    return bool(session.get_bind().get_execution_options().get("writer", False))


def _create_owner_only(path: Path) -> None:
    """The database file, made readable by the service's user alone (SQLite gives its -wal and -shm
    files the database's mode), in a folder made likewise; existing ones are left as they are."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@contextmanager
def _foreign_keys_unchecked(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys unchecked while migrations copy tables (SQLite alters a table by making
    a new one and dropping the old, which its references forbid), and checked once at the end.
    SQLite switches them only outside a transaction, hence on the driver's connection."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows whose references are broken: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def advisory_lock_key(name: str) -> int:
    """PostgreSQL's advisory lock key (a signed 64-bit number) named ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


POOL_SIZE = 10  # PostgreSQL connections a Database keeps (ServiceConfig.database_pool_size)


class Database:
    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.url = make_url(url)
        if self.url.get_backend_name() == "postgresql":
            self.engine: Engine = create_engine(self.url, pool_size=pool_size, max_overflow=0)
        else:
            self.engine = create_engine(self.url)
        if self.url.get_backend_name() == "sqlite":
            if self.url.database and self.url.database != ":memory:":
                _create_owner_only(Path(self.url.database))
            event.listen(self.engine, "connect", _configure_sqlite)
            event.listen(self.engine, "begin", _begin_sqlite)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(self.engine.execution_options(writer=True), expire_on_commit=False)

    def migrate(self, revision: str = migrations.HEAD) -> None:
        """Bring the schema to ``revision``, the newest by default; a no-op (without Alembic) when it
        is there."""
        with self.engine.connect() as connection:
            if self._revision(connection) == revision:
                return
            from alembic import command

            log.info("migrating %s to revision %s", self.url.render_as_string(), revision)
            connection.commit()
            with _foreign_keys_unchecked(connection):
                command.upgrade(migrations.alembic_config(connection), revision)
                connection.commit()

    def revision(self) -> str | None:
        """The schema's revision (None: not migrated); DBAPIError when the database does not answer."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # raises where _revision would answer None
            return self._revision(connection)

    @staticmethod
    def _revision(connection: Connection) -> str | None:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            connection.rollback()
            return None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._readers.begin() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A unit of work that writes: committed on success, rolled back on error."""
        with self._writers.begin() as session:
            yield session

    @contextmanager
    def one_at_a_time(self, name: str) -> Iterator[bool]:
        """Whether this process may do the work named ``name`` now: on PostgreSQL, whether it holds
        the advisory lock of that name (held until the block ends; other processes asking meanwhile
        are told no, and skip it); on SQLite, always (every writer waits for the database's lock)."""
        if self.url.get_backend_name() != "postgresql":
            yield True
            return
        with self.engine.connect() as connection:
            yield bool(connection.scalar(select(func.pg_try_advisory_xact_lock(advisory_lock_key(name)))))
            connection.rollback()

    def close(self) -> None:
        self.engine.dispose()
