"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, insert, select, text

from common.states import ActivitySource
from common.timeutil import week_start
from service import migrations
from service.database import Database
from service.models import Base, BlobCheck, BlobUpload, Block, Contract, TermChange, User
from service.postgres_cluster import PostgresCluster
from tests.conftest import MONDAY
from tests.service.conftest import uid


def schema_differences(url: str) -> list:
    database = Database(url)
    try:
        database.migrate()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": migrations.include_name})
            return compare_metadata(context, Base.metadata)
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


def _at_revision(url: str, revision: str) -> Database:
    database = Database(url)
    database.migrate(revision)
    return database


def _insert(database: Database, rows: dict[str, list[dict]]) -> None:
    """Rows written into the tables as an older revision made them (today's models would not fit)."""
    with database.engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection)
        for name, table_rows in rows.items():
            connection.execute(insert(tables.tables[name]), table_rows)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


USERS_0001 = [
    {
        "id": uid("ann"),
        "email": "ann@example.test",
        "name": "Ann",
        "role": "freelancer",
        "password_hash": "-",
        "created_at": 0,
    },
    {
        "id": uid("cara"),
        "email": "cara@example.test",
        "name": "Cara",
        "role": "client",
        "password_hash": "-",
        "created_at": 0,
    },
]


def _contract_0001(started: datetime) -> dict:
    return {
        "id": uid("website"),
        "freelancer_id": uid("ann"),
        "client_id": uid("cara"),
        "title": "Website",
        "kind": "hourly",
        "status": "active",
        "hourly_rate_cents": 4500,
        "currency": "USD",
        "weekly_limit_minutes": 600,
        "manual_time_allowed": False,
        "screenshots_enabled": True,
        "grace_hours": 12,
        "agency_member": False,
        "started_at": _epoch(started),
    }


def _block_0001(block_id: str, updated_at: datetime) -> dict:
    return {
        "id": block_id,
        "contract_id": uid("website"),
        "freelancer_id": uid("ann"),
        "device_id": uid("device"),
        "start": _epoch(MONDAY - timedelta(minutes=10)),
        "end": _epoch(MONDAY),
        "activity": "[]",
        "memo": "",
        "source": "tracked",
        "over_limit": False,
        "deleted": False,
        "updated_at": _epoch(updated_at),
    }


def _shown_image_0001(created: datetime, blobs: tuple[str, ...]) -> dict[str, list[dict]]:
    """``blobs`` made at ``created`` as 0001 made them, and a block whose screenshot shows the
    first two (an image and its thumbnail)."""
    return {
        "blobs": [
            {"sha256": sha256, "size": 10, "content_type": "image/jpeg", "created_at": _epoch(created)}
            for sha256 in blobs
        ],
        "blocks": [_block_0001(uid("shown"), MONDAY)],
        "screenshots": [
            {"id": uid("shot"), "block_id": uid("shown"), "taken_at": _epoch(MONDAY), "redacted": False}
        ],
        "screenshot_images": [
            {
                "screenshot_id": uid("shot"),
                "monitor": 1,
                "sha256": blobs[0],
                "thumbnail_sha256": blobs[1],
                "width": 8,
                "height": 8,
            }
        ],
    }


def test_0002_gives_each_shown_image_to_its_freelancer_and_unfreezes_future_blocks(database_url: str) -> None:
    database = _at_revision(database_url, "0001")
    try:
        uploaded = MONDAY - timedelta(hours=2)

        rows = _shown_image_0001(uploaded, ("a" * 64, "b" * 64, "c" * 64))  # and one never attached
        rows["blocks"].append(_block_0001(uid("frozen"), datetime(2999, 1, 1, tzinfo=UTC)))
        _insert(database, {"users": USERS_0001, "contracts": [_contract_0001(MONDAY)], **rows})
        before_upgrade = datetime.now(UTC).replace(microsecond=0)

        database.migrate()

        with database.reading() as session:
            uploads = {
                (row.user_id, row.sha256, row.uploaded_at) for row in session.scalars(select(BlobUpload))
            }
            updated = {block.id: block.updated_at for block in session.scalars(select(Block))}
    finally:
        database.close()
    assert uploads == {(uid("ann"), "a" * 64, uploaded), (uid("ann"), "b" * 64, uploaded)}
    assert updated[uid("shown")] == MONDAY
    assert before_upgrade <= updated[uid("frozen")] <= datetime.now(UTC)


def test_0003_makes_each_contract_an_accepted_offer_with_its_first_terms(database_url: str) -> None:
    started = MONDAY - timedelta(days=60)
    sunday_night = week_start(MONDAY) - timedelta(minutes=1)
    database = _at_revision(database_url, "0002")
    try:
        _insert(database, {"users": USERS_0001})
        _insert(
            database,
            {"contracts": [_contract_0001(started), {**_contract_0001(sunday_night), "id": uid("logo")}]},
        )

        database.migrate()

        with database.reading() as session:
            contract = session.get(Contract, uid("website"))
            assert contract is not None
            offered = (contract.offered_by_id, contract.offered_at, contract.answered_at, contract.ended_at)
            users = [(user.title, user.time_zone) for user in session.scalars(select(User))]
            terms = {
                change.contract_id: (
                    change.effective_from,
                    change.hourly_rate_cents,
                    change.weekly_limit_minutes,
                    change.manual_time_allowed,
                    change.made_by_id,
                )
                for change in session.scalars(select(TermChange))
            }
    finally:
        database.close()
    assert offered == (uid("cara"), started, started, None)
    assert users == [("", "UTC"), ("", "UTC")]
    assert terms == {
        uid("website"): (week_start(started), 4500, 600, False, uid("cara")),
        uid("logo"): (week_start(MONDAY) - timedelta(days=7), 4500, 600, False, uid("cara")),
    }


@pytest.mark.parametrize(
    ("column", "before", "value"),
    [("capture_note", "0005", ""), ("activity_source", "0006", ActivitySource.INPUT_COUNTS)],
    ids=["0006", "0007"],
)
def test_a_blocks_new_column_gives_the_blocks_before_it_their_value_and_goes_back(
    database_url: str, column: str, before: str, value: str
) -> None:
    """0006: no capture note; 0007: activity from counted input, as every app sent it then."""
    database = _at_revision(database_url, "0001")
    try:
        _insert(database, {"users": USERS_0001, "contracts": [_contract_0001(MONDAY)]})
        _insert(database, {"blocks": [_block_0001(uid("old"), MONDAY)]})

        database.migrate()

        with database.reading() as session:
            values = [getattr(block, column) for block in session.scalars(select(Block))]
        with database.engine.connect() as connection:
            command.downgrade(migrations.alembic_config(connection), before)
            connection.commit()
            columns = MetaData()
            columns.reflect(connection, only=["blocks"])
    finally:
        database.close()
    assert values == [value]
    assert column not in columns.tables["blocks"].columns


def test_0008_gives_each_unused_blob_a_check_at_its_latest_upload_and_goes_back(database_url: str) -> None:
    database = _at_revision(database_url, "0001")
    created, uploaded = MONDAY - timedelta(hours=2), MONDAY - timedelta(hours=1)
    try:
        _insert(
            database,
            {
                "users": USERS_0001,
                "contracts": [_contract_0001(MONDAY)],
                # a screenshot's image and thumbnail; one uploaded again since, and one never attached
                **_shown_image_0001(created, ("a" * 64, "b" * 64, "c" * 64, "d" * 64)),
            },
        )
        database.migrate("0007")
        _insert(
            database,
            {
                "blob_uploads": [
                    {"user_id": uid("ann"), "sha256": "c" * 64, "uploaded_at": _epoch(uploaded)},
                    {"user_id": uid("cara"), "sha256": "c" * 64, "uploaded_at": _epoch(created)},
                ]
            },
        )

        database.migrate()

        with database.reading() as session:
            checks = {(check.sha256, check.uploaded_at) for check in session.scalars(select(BlobCheck))}
        with database.engine.connect() as connection:
            command.downgrade(migrations.alembic_config(connection), "0007")
            connection.commit()
            tables = MetaData()
            tables.reflect(connection)
    finally:
        database.close()
    assert checks == {("c" * 64, uploaded), ("d" * 64, created)}
    assert "blob_checks" not in tables.tables
