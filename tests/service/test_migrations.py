"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from service import migrations
from service.database import Database
from service.models import Base
from tests.helpers.postgres import PostgresCluster


def schema_differences(url: str) -> list:
    database = Database(url)
    try:
        database.migrate()
        with database.engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.close()


def test_a_migrated_sqlite_database_matches_the_models(tmp_path: Path) -> None:
    assert schema_differences(f"sqlite:///{tmp_path / 'service.sqlite3'}") == []


def test_a_migrated_postgresql_database_matches_the_models(postgres: PostgresCluster) -> None:
    assert schema_differences(postgres.create_database()) == []


def test_head_names_the_newest_revision(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    try:
        with database.engine.connect() as connection:
            head = ScriptDirectory.from_config(migrations.alembic_config(connection)).get_current_head()
        database.migrate()
        database.migrate()  # a second start-up finds nothing to do
        with database.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        database.close()

    assert head == migrations.HEAD == revision
