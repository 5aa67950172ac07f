"""Data folders whose database an older version of the app made (the migrations up to a revision)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, text

from tracker import migrations
from tracker.storage import DATABASE_NAME

# A contract as revision 0001 stored it (the app's first contracts table).
OLD_CONTRACT = (
    "INSERT INTO contracts VALUES ('c1', 'Old site', '', 'hourly', 'active', 5000, 'USD', NULL, 1, 1, 12, 0, "
    "'local', 1700000000)"
)


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", migrations.__path__[0])
    config.attributes["connection"] = connection
    return config


def made_at(revision: str, data_dir: Path, *statements: str) -> Path:
    """A data folder whose database the migrations made up to ``revision``, with rows added then."""
    data_dir.mkdir()
    engine = create_engine(f"sqlite:///{data_dir / DATABASE_NAME}")
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), revision)
        for statement in statements:
            connection.execute(text(statement))
        connection.commit()
    engine.dispose()
    return data_dir
