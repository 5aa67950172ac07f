"""The time logged on a contract, counted in SQL over the blocks table, and the block being
tracked: shared by the tracking engine and the Work Diary."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import Integer, func, select, type_coerce

from common.timeutil import to_epoch
from tracker.tables import blocks

if TYPE_CHECKING:
    from tracker.diary import BlockView
    from tracker.storage import Database

LIVE = blocks.c.deleted.is_(False)  # not removed time (a tombstone kept for sync)


class Running(NamedTuple):
    """The block being tracked and how far it has got, to the second (ahead of its last save)."""

    id: str
    contract_id: str
    start: datetime
    end: datetime
    over_limit: bool = False

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def applied_to(self, block: BlockView) -> BlockView:
        """``block`` as far as it has got, when it is this one."""
        return block._replace(end_epoch=to_epoch(self.end)) if block.id == self.id else block


def logged_seconds(
    database: Database,
    contract_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
    billable_only: bool = False,
) -> int:
    """The time logged on a contract in blocks starting in [start, end); ``billable_only`` leaves
    out time over the weekly limit."""
    seconds = type_coerce(blocks.c.end, Integer) - type_coerce(blocks.c.start, Integer)
    query = select(func.coalesce(func.sum(seconds), 0)).where(blocks.c.contract_id == contract_id, LIVE)
    if start is not None:
        query = query.where(blocks.c.start >= start)
    if end is not None:
        query = query.where(blocks.c.start < end)
    if billable_only:
        query = query.where(blocks.c.over_limit.is_(False))
    with database.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())
