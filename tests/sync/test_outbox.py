"""The outbox over the app's database: what a pass peeks at, and when it may call a row synced."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, insert, select, text, update

from common.states import SyncState
from sync import outbox
from tests.helpers.rows import read_rows, row_by_id
from tests.sync.conftest import HOLD, track_days
from tracker.tables import blocks, contracts, screenshots

ANSWER = {"over_limit": False}


def service_contract(database, clock, contract_id="c-1") -> str:
    database.write(
        insert(contracts).values(
            id=contract_id, title="Website rebuild", origin="service", started_at=clock.now()
        )
    )
    return contract_id


def manual_blocks(diary, database, clock, contract_id, slots=3, hours_ago=0) -> list[str]:
    now = clock.now()
    end = now - timedelta(hours=hours_ago)
    return diary.add_manual_time(
        contract_id, end - timedelta(minutes=10 * slots), end, "Planning", now, database.device_id()
    )


def answer_for(block: outbox.OutgoingBlock) -> dict:
    """The service's answer when it stored the block as sent."""
    return block.body | ANSWER


def test_only_closed_blocks_of_the_services_contracts_are_peeked(database, diary, clock, contract, tracker):
    remote = service_contract(database, clock)
    sent = manual_blocks(diary, database, clock, remote)
    manual_blocks(diary, database, clock, contract.id, hours_ago=1)  # a local contract's
    tracker.start(remote)
    clock.advance(30)
    tracker.tick()  # an open block: not sent while it is tracked

    peeked = outbox.peek_blocks(database, limit=100)

    assert [block.id for block in peeked] == sent
    assert peeked[0].body["start"] == "2026-11-23T08:30:00Z"
    assert peeked[0].body["source"] == "manual" and peeked[0].body["device_id"] == database.device_id()


def test_peeking_pages_through_the_pending_blocks_once(database, diary, clock):
    remote = service_contract(database, clock)
    ids = manual_blocks(diary, database, clock, remote, slots=5)

    first = outbox.peek_blocks(database, limit=2)
    second = outbox.peek_blocks(database, limit=2, after=first[-1])
    third = outbox.peek_blocks(database, limit=2, after=second[-1])

    assert [block.id for block in first + second + third] == ids


def test_a_block_is_acknowledged_only_if_it_still_holds_what_was_sent(database, diary, clock):
    remote = service_contract(database, clock)
    manual_blocks(diary, database, clock, remote, slots=2)
    first, second = outbox.peek_blocks(database, limit=100)
    # within the same second: updated_at cannot tell
    database.write(update(blocks).where(blocks.c.id == first.id).values(memo="Planning, and the review"))

    assert outbox.acknowledge_block(database, first, answer_for(first)) == SyncState.PENDING
    assert (
        outbox.acknowledge_block(database, second, answer_for(second) | {"over_limit": True})
        == SyncState.SYNCED
    )

    (again,) = outbox.peek_blocks(database, limit=100)
    assert again.id == first.id and again.body["memo"] == "Planning, and the review"
    assert row_by_id(database, blocks, second.id).over_limit  # the service counts every device's time


def test_an_edit_the_service_did_not_take_within_the_same_second_goes_again_a_second_later(
    database, diary, clock
):
    remote = service_contract(database, clock)
    manual_blocks(diary, database, clock, remote, slots=1)
    (block,) = outbox.peek_blocks(database, limit=100)
    stale = answer_for(block) | {"memo": "what the service took earlier in that second"}

    assert outbox.acknowledge_block(database, block, stale) == SyncState.PENDING

    (again,) = outbox.peek_blocks(database, limit=100)
    assert again.sent["updated_at"] == block.sent["updated_at"] + 1


def test_a_rejected_block_is_set_aside_until_it_is_edited(database, diary, clock):
    remote = service_contract(database, clock)
    manual_blocks(diary, database, clock, remote, slots=1)
    (block,) = outbox.peek_blocks(database, limit=100)

    assert outbox.reject_block(database, block, "This overlaps time already logged on “Logo”.")

    assert outbox.peek_blocks(database, limit=100) == []
    (rejected,) = outbox.summary(database, clock.now(), HOLD).rejected
    assert (rejected.kind, rejected.item_id, rejected.contract_title) == (
        "block",
        block.id,
        "Website rebuild",
    )
    assert rejected.reason == "This overlaps time already logged on “Logo”."
    clock.advance(60)
    diary.edit_memo([block.id], "Planning (moved)", clock.now())
    (edited,) = outbox.peek_blocks(database, limit=100)
    assert outbox.acknowledge_block(database, edited, answer_for(edited)) == SyncState.SYNCED
    assert row_by_id(database, blocks, block.id).sync_error == ""
    assert outbox.summary(database, clock.now(), HOLD) == outbox.OutboxSummary(0, 0, [])


def test_screenshots_wait_for_their_hold_period_and_their_block(database, clock, tracker):
    remote = service_contract(database, clock)
    track_days(tracker, clock, remote, days=1, minutes=20)
    clock.advance(-24 * 3600 + 20 * 60)
    first_shot, *_ = read_rows(database, select(screenshots).order_by(screenshots.c.taken_at))
    first_taken = first_shot.taken_at

    assert outbox.peek_screenshots(database, clock.now(), HOLD, limit=100) == []  # blocks not synced yet
    for block in outbox.peek_blocks(database, limit=100):
        outbox.acknowledge_block(database, block, answer_for(block))
    due = outbox.peek_screenshots(database, first_taken + HOLD, HOLD, limit=100)
    assert [shot.id for shot in due] == [first_shot.id]
    assert outbox.summary(database, first_taken + HOLD, HOLD).pending_screenshots == 1
    assert due[0].images[0].path.exists() and due[0].images[0].thumbnail_path.exists()
    later = clock.now() + HOLD
    first_page = outbox.peek_screenshots(database, later, HOLD, limit=1)
    second_page = outbox.peek_screenshots(database, later, HOLD, limit=1, after=first_page[0])
    assert len({shot.id for shot in first_page + second_page}) == 2
    assert outbox.peek_screenshots(database, later, HOLD, limit=1, after=second_page[0]) == []


def test_deleted_screenshots_are_settled_without_being_sent(database, diary, clock, tracker):
    remote = service_contract(database, clock)
    track_days(tracker, clock, remote, days=1, minutes=10)
    clock.advance(-24 * 3600 + 10 * 60 + 60)
    (shot_id,) = [shot.id for shot in read_rows(database, select(screenshots.c.id))]
    diary.delete_screenshot(shot_id, clock.now())

    outbox.settle_deleted_screenshots(database)

    assert row_by_id(database, screenshots, shot_id).sync_state == "synced"
    assert outbox.summary(database, clock.now() + HOLD, HOLD).pending_blocks == 1  # the tombstone


def test_the_peeks_use_the_sync_state_indexes(database, clock):
    """A 5-year database holds some 57,000 blocks: the peeks must not scan them."""
    peeks = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT") and "sync_state" in statement:
            peeks.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    outbox.peek_blocks(database, limit=100)
    outbox.peek_screenshots(database, clock.now(), HOLD, limit=100)
    event.remove(database.engine, "before_cursor_execute", record)

    with database.engine.connect() as connection:
        plans = [
            " ".join(
                row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            for statement, parameters in peeks
        ]
    assert len(plans) == 2
    assert "USING INDEX ix_blocks_sync_state" in plans[0]
    assert "USING INDEX ix_screenshots_sync_state" in plans[1]


def test_a_database_of_the_previous_revision_gains_the_outbox_columns(database):
    with database.engine.connect() as connection:
        columns = {row[1]: row[4] for row in connection.execute(text("PRAGMA table_info(blocks)"))}
    assert columns["sync_error"] == "''"
    database.write(update(blocks).values(sync_state="rejected"))  # fits the column
