"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from service import migrations
from service.admin import create_contract, create_user
from service.database import Database
from service.models import Base, Blob, Block, ImageUpload, Screenshot, ScreenshotImage
from service.postgres_cluster import PostgresCluster
from tests.conftest import MONDAY
from tests.service.conftest import uid


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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.sqlite3'}"
    return request.getfixturevalue("postgres").create_database()


def test_0002_gives_each_shown_image_to_its_freelancer_and_unfreezes_future_blocks(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            command.upgrade(migrations.alembic_config(connection), "0001")
            connection.commit()
        uploaded = MONDAY - timedelta(hours=2)
        with database.writing() as session:
            for email, role in (("ann@example.test", "freelancer"), ("cara@example.test", "client")):
                create_user(session, email, "", role, "long enough", MONDAY, password_cost=2**10)
            contract = create_contract(
                session, "ann@example.test", "cara@example.test", MONDAY, title="Website"
            )
            for sha256 in ("a" * 64, "b" * 64, "c" * 64):  # an image, its thumbnail, one never attached
                session.add(Blob(sha256=sha256, size=10, content_type="image/jpeg", created_at=uploaded))
            for block_id, updated_at in (
                (uid("shown"), MONDAY),
                (uid("frozen"), datetime(2999, 1, 1, tzinfo=UTC)),
            ):
                session.add(
                    Block(
                        id=block_id,
                        contract_id=contract.id,
                        freelancer_id=contract.freelancer_id,
                        device_id=uid("device"),
                        start=MONDAY - timedelta(minutes=10),
                        end=MONDAY,
                        activity=[],
                        memo="",
                        source="tracked",
                        over_limit=False,
                        deleted=False,
                        updated_at=updated_at,
                    )
                )
            session.flush()
            image = ScreenshotImage(monitor=1, sha256="a" * 64, thumbnail_sha256="b" * 64, width=8, height=8)
            session.add(
                Screenshot(
                    id=uid("shot"), block_id=uid("shown"), taken_at=MONDAY, redacted=False, images=[image]
                )
            )
            ann = contract.freelancer_id
        before_upgrade = datetime.now(UTC).replace(microsecond=0)

        database.migrate()

        with database.reading() as session:
            uploads = {
                (row.user_id, row.sha256, row.uploaded_at) for row in session.scalars(select(ImageUpload))
            }
            updated = {block.id: block.updated_at for block in session.scalars(select(Block))}
    finally:
        database.close()
    assert uploads == {(ann, "a" * 64, uploaded), (ann, "b" * 64, uploaded)}
    assert updated[uid("shown")] == MONDAY
    assert before_upgrade <= updated[uid("frozen")] <= datetime.now(UTC)
