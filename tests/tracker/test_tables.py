"""A block's per-minute activity as stored: packed integers, with the summary the Work Diary reads
kept beside them by every write."""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from tracker.tables import ActivitySummary, activity_columns, blocks, pack_activity, unpack_activity

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MOST = 2**32 - 1  # the most keyboard or mouse events a minute can hold

TEN_MINUTES = [[m, m % 2 * 7, m % 2 * 11 + m // 5, 60 - m] for m in range(10)]  # even minutes 0–4 idle
# Activity from the compositor's idle time: seconds with input, no counts; minutes 1 and 2 quiet.
FROM_IDLE_TIME = [[0, None, None, 12], [1, None, None, 0], [2, None, None, 0], [9, None, None, 60]]


@pytest.mark.parametrize(
    ("minutes", "size"),
    [
        ([], 0),
        (TEN_MINUTES, 100),
        ([[0, 1, 0, 1]], 10),
        ([[9, MOST, MOST, 60]], 10),
        (FROM_IDLE_TIME, 40),
        ([[9, 0, 0, 60], [9, None, None, 60]], 20),
    ],
    ids=["empty", "ten minutes", "one minute", "most events", "from idle time", "zero is not absent"],
)
def test_activity_packs_into_ten_bytes_a_minute_and_back(minutes, size):
    packed = pack_activity(minutes)
    assert len(packed) == size
    assert unpack_activity(packed) == minutes


@pytest.mark.parametrize(
    "minute",
    [
        [0, MOST + 1, 0, 1],
        [0, 0, -1, 1],
        [256, 0, 0, 0],
        [0, 0, 0, 256],
        [0, 1, 2],
        [128, 1, 1, 1],  # would read back as minute 0 without counts
        [128, None, None, 1],
        [0, None, None, 256],
    ],
)
def test_a_minute_that_does_not_fit_is_refused(minute):
    with pytest.raises(struct.error):
        pack_activity([minute])


def test_the_summary_counts_minutes_with_input_and_active_seconds():
    assert ActivitySummary.of([]) == (0, 0)
    assert ActivitySummary.of(TEN_MINUTES) == (7, 555)  # the even minutes from 5 on saw mouse events
    assert ActivitySummary.of([[9, MOST, 0, 60]]) == (1, 60)
    # without counts a minute had input if it had active seconds
    assert ActivitySummary.of(FROM_IDLE_TIME) == (2, 72)


def stored(database, block_id: str) -> tuple:
    summary = select(blocks.c.activity, blocks.c.active_minutes, blocks.c.active_seconds)
    with database.engine.connect() as connection:
        return connection.execute(summary.where(blocks.c.id == block_id)).one()


def test_a_row_takes_its_summary_from_activity_columns(database, contract):
    block_id = str(uuid.uuid4())
    row = {"id": block_id, "contract_id": contract.id, "device_id": "d1", "start": MONDAY_9, "end": MONDAY_9}
    database.write(insert(blocks).values(**row, updated_at=MONDAY_9, **activity_columns(TEN_MINUTES)))
    assert stored(database, block_id) == (TEN_MINUTES, 7, 555)
