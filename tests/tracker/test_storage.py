"""The local database: created owner-only, migrated, and never losing data to a bad file or a
full disk."""

from __future__ import annotations

import json
import stat
from datetime import UTC

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from common.errors import StorageProblem
from common.states import ActivitySource
from tests.helpers.full_disk import fill_the_disk
from tests.helpers.old_database import OLD_CONTRACT, alembic_config, made_at
from tracker import migrations, tables
from tracker.engine import StorageFailed, StorageRecovered, TimeLost
from tracker.simulation import simulate
from tracker.storage import DATABASE_NAME, Database


def test_head_constant_names_the_newest_migration(database):
    with database.engine.connect() as connection:
        assert ScriptDirectory.from_config(alembic_config(connection)).get_current_head() == migrations.HEAD


def test_files_are_the_users_alone(database):
    assert stat.S_IMODE(database.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.screenshot_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.path.stat().st_mode) == 0o600


def test_day_folders_of_screenshots_are_the_users_alone(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    folders = [p for p in database.screenshot_dir.rglob("*") if p.is_dir()]
    assert [p.relative_to(database.screenshot_dir).as_posix() for p in folders] == [
        "2026",
        "2026/11",
        "2026/11/23",
    ]
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o700}


def test_the_device_id_is_made_once_and_kept_by_every_process_on_the_folder(tmp_path):
    first, second = Database(tmp_path), Database(tmp_path)  # the app and a headless tracker
    assert first.setting("device_id") is None
    made = first.device_id()
    assert second.device_id() == made == first.device_id()
    second.close()
    assert Database(tmp_path).device_id() == made
    first.close()


def test_a_setting_is_saved_over_the_one_before(database):
    database.save_setting("settings", "{}")
    database.save_setting("settings", '{"idle_minutes": 5}')
    assert database.setting("settings") == '{"idle_minutes": 5}'


def test_a_database_made_by_the_first_migration_upgrades_to_the_latest(tmp_path):
    block = (
        "INSERT INTO blocks VALUES ('b1', 'c1', 'd1', 1700000400, 1700001000, '[[0, 3, 4, 12]]', "
        "'memo', 'tracked', 0, 0, 0, '', 'pending', 1700001000)"
    )
    database = Database(made_at("0001", tmp_path / "old", OLD_CONTRACT, block))
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrations.HEAD
        read = connection.execute(select(tables.blocks.c.id, tables.blocks.c.activity)).all()
        assert read == [("b1", [[0, 3, 4, 12]])]
    assert database.device_id()  # the settings table of 0002 works
    database.close()


def test_0009_reads_the_blocks_before_it_as_activity_from_input_counts(tmp_path):
    block = (
        'INSERT INTO blocks (id, contract_id, device_id, start, "end", activity, active_minutes, '
        "active_seconds, memo, source, is_open, over_limit, deleted, capture_note, sync_state, sync_error, "
        "updated_at) VALUES ('b1', 'c1', 'd1', 1700000400, 1700001000, X'0003000000040000000c', 1, 12, '', "
        "'tracked', 0, 0, 0, '', 'synced', '', 1700001000)"
    )
    database = Database(made_at("0008", tmp_path / "old", OLD_CONTRACT, block))
    with database.engine.connect() as connection:
        read = connection.execute(select(tables.blocks.c.activity, tables.blocks.c.activity_source)).one()
    database.close()
    assert tuple(read) == ([[0, 3, 4, 12]], ActivitySource.INPUT_COUNTS)


def test_a_migrated_database_matches_the_tables(database):
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), tables.metadata) == []


ACTIVITY_AT_0005 = {
    "empty": [],
    "ten minutes": [[m, m % 2 * 7, m % 2 * 11 + m // 5, 60 - m] for m in range(10)],
    "most events": [[9, 2**32 - 1, 2**32 - 1, 60]],
}


def test_0006_packs_every_blocks_activity_exactly_and_sums_it_up(tmp_path):
    blocks = [
        f"INSERT INTO blocks VALUES ('{block_id}', 'c1', 'd1', 1700000400, 1700001000, "
        f"'{json.dumps(minutes)}', '', 'tracked', 0, 0, 0, '', 'synced', 1700001000, '')"
        for block_id, minutes in ACTIVITY_AT_0005.items()
    ]
    shot = "INSERT INTO screenshots VALUES ('s1', 'ten minutes', 1700000500, 0, 0, 'synced', '')"
    data_dir = made_at("0005", tmp_path / "old", OLD_CONTRACT, *blocks, shot)

    database = Database(data_dir)
    with database.engine.connect() as connection:
        block = tables.blocks.c
        columns = select(block.id, block.activity, block.active_minutes, block.active_seconds)
        converted = {block_id: tuple(values) for block_id, *values in connection.execute(columns)}
        shots = connection.execute(select(tables.screenshots.c.id, tables.screenshots.c.block_id)).all()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        free_pages = connection.exec_driver_sql("PRAGMA freelist_count").scalar()
    database.close()
    assert converted == {
        "empty": ([], 0, 0),
        "ten minutes": (ACTIVITY_AT_0005["ten minutes"], 7, 555),
        "most events": (ACTIVITY_AT_0005["most events"], 1, 60),
    }
    assert shots == [("s1", "ten minutes")]  # the rebuilt table kept what refers to it
    assert (foreign_keys, free_pages) == (1, 0)  # checked again, and the old table's pages given back

    engine = create_engine(f"sqlite:///{data_dir / DATABASE_NAME}")
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0005")
        restored = dict(connection.exec_driver_sql("SELECT id, activity FROM blocks").all())
    engine.dispose()
    assert {block_id: json.loads(text) for block_id, text in restored.items()} == ACTIVITY_AT_0005


def test_a_corrupt_database_is_reported_and_left_alone(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    garbage = b"this is not a database\n" * 400
    (data_dir / "workdiary.sqlite3").write_bytes(garbage)
    with pytest.raises(StorageProblem, match=r"cannot be opened.*left as it is"):
        Database(data_dir)
    assert (data_dir / "workdiary.sqlite3").read_bytes() == garbage


def test_an_error_on_the_drivers_cursor_is_sqlalchemys(database):
    """As on every other read: callers catch SQLAlchemy's errors (a damaged file: test_cli)."""
    with pytest.raises(OperationalError, match="no such table"), database.driver_cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")


def track_into_a_full_disk(make_tracker, clock, contract, database, events: list):
    """A minute tracked, then three hours on a disk that fills up meanwhile; returns the tracker
    and the undo of the full disk."""
    tracker = make_tracker(events)
    tracker.start(contract.id)
    simulate(tracker, clock, 60)
    with database.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar()
    free_space = fill_the_disk(database, pages)
    simulate(tracker, clock, 3 * 3600)
    return tracker, free_space


def test_a_full_disk_loses_no_tracked_time(make_tracker, clock, contract, database, diary):
    events = []
    tracker, free_space = track_into_a_full_disk(make_tracker, clock, contract, database, events)
    failures = [e for e in events if isinstance(e, StorageFailed)]
    assert len(failures) == 1 and "full" in failures[0].message
    assert tracker.tracking

    free_space()
    simulate(tracker, clock, 60)
    assert isinstance(events[-1], StorageRecovered)
    tracker.stop()
    assert diary.totals(contract.id, clock.now()).this_week == 60 + 3 * 3600 + 60


def test_time_that_cannot_be_saved_is_said_exactly_and_no_block_is_left_open(
    make_tracker, clock, contract, database, diary
):
    events = []
    tracker, _ = track_into_a_full_disk(make_tracker, clock, contract, database, events)
    tracker.stop()
    tracker.close()
    (lost,) = [e for e in events if isinstance(e, TimeLost)]
    saved = diary.totals(contract.id, clock.now()).this_week
    assert saved > 0 and lost.spans
    assert saved + sum((s.end - s.start).total_seconds() for s in lost.spans) == 60 + 3 * 3600
    assert diary.contracts_being_tracked() == set()  # closed where they were last saved
    blocks = diary.day_blocks(clock.now().date())
    for span in lost.spans:  # what is lost is exactly what the database does not have
        assert not [b for b in blocks if b.start < span.end and span.start < b.end]
    assert lost.text(UTC).endswith("database or disk is full. The time saved before is kept.")
