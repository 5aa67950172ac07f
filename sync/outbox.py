"""The outbox: the app's own blocks and screenshots rows, with their ``sync_state``.

Every local change sets ``sync_state = SyncState.PENDING``. A pass peeks at what is pending, sends it, and
acknowledges it only if the row still holds exactly what was sent: an edit made while the request
was in flight leaves the row pending, so it goes again. Only contracts from the service sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Integer, LargeBinary, exists, func, select, tuple_, type_coerce, update
from sqlalchemy.sql import Update

from common.states import ContractOrigin, SyncState
from common.timeutil import from_epoch, to_epoch
from common.wire import MAX_CAPTURE_NOTE_CHARS, field_of, parse_wire_time, wire_time
from tracker.storage import Database
from tracker.tables import blocks, contracts, screenshot_images, screenshots, unpack_activity, workroom_writes

CHANGED_ELSEWHERE = "It was changed or removed on another computer later: the service keeps that change."

# The columns a block is sent with that can change locally, read raw (epoch seconds, the packed
# activity) so that the acknowledgement compares exactly what was sent, not a second-rounded time.
_BLOCK_CHANGES: dict[str, ColumnElement[Any]] = {
    "start": type_coerce(blocks.c.start, Integer),
    "end": type_coerce(blocks.c.end, Integer),
    "activity": type_coerce(blocks.c.activity, LargeBinary),
    "memo": blocks.c.memo,
    "capture_note": blocks.c.capture_note,
    "over_limit": blocks.c.over_limit,
    "deleted": blocks.c.deleted,
    "updated_at": type_coerce(blocks.c.updated_at, Integer),
}

# What the service's answer says it stores of a block.
_HELD = {"start": str, "end": str, "activity": list, "memo": str, "deleted": bool, "updated_at": str}

_OF_SERVICE = contracts.c.origin == ContractOrigin.SERVICE


@dataclass(frozen=True)
class OutgoingBlock:
    id: str
    body: dict  # the block as PUT /blocks/{id} takes it
    sent: dict  # the raw values of _BLOCK_CHANGES it was made from

    @property
    def start(self) -> datetime:
        return from_epoch(self.sent["start"])


@dataclass(frozen=True)
class OutgoingImage:
    monitor: int
    path: Path
    thumbnail_path: Path
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class OutgoingScreenshot:
    id: str
    block_id: str
    taken_at: datetime
    redacted: bool
    images: list[OutgoingImage]


@dataclass(frozen=True)
class RejectedItem:
    kind: str  # block | screenshot
    item_id: str
    start: datetime  # of the block (the screenshot's block)
    contract_title: str
    reason: str  # the service's sentence


@dataclass(frozen=True)
class OutboxSummary:
    pending_blocks: int = 0
    pending_screenshots: int = 0  # past their hold period
    rejected: list[RejectedItem] = field(default_factory=list)
    pending_workroom: int = 0  # messages, to-dos and the like written in a workroom


# ----- blocks


def peek_blocks(database: Database, limit: int, after: OutgoingBlock | None = None) -> list[OutgoingBlock]:
    """Up to ``limit`` pending closed blocks of the service's contracts, in (start, id) order from
    just after ``after``: a pass pages through them once, whatever it leaves pending."""
    query = (
        select(
            blocks.c.id,
            blocks.c.contract_id,
            blocks.c.device_id,
            blocks.c.source,
            blocks.c.activity_source,
            *_BLOCK_CHANGES.values(),
        )
        .join(contracts)
        .where(blocks.c.sync_state == SyncState.PENDING, blocks.c.is_open.is_(False), _OF_SERVICE)
        .order_by(blocks.c.start, blocks.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(_BLOCK_CHANGES["start"], blocks.c.id) > (after.sent["start"], after.id))
    with database.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [_outgoing_block(*row) for row in rows]


def _outgoing_block(
    block_id: str, contract_id: str, device_id: str, source: str, activity_source: str, *changes
) -> OutgoingBlock:
    sent = dict(zip(_BLOCK_CHANGES, changes, strict=True))
    body = {
        "id": block_id,
        "contract_id": contract_id,
        "device_id": device_id,
        "start": wire_time(from_epoch(sent["start"])),
        "end": wire_time(from_epoch(sent["end"])),
        "activity": unpack_activity(sent["activity"]),
        "activity_source": activity_source,
        "memo": sent["memo"],
        "capture_note": _cut(sent["capture_note"], MAX_CAPTURE_NOTE_CHARS),
        "source": source,
        "over_limit": sent["over_limit"],
        "deleted": sent["deleted"],
        "updated_at": wire_time(from_epoch(sent["updated_at"])),
    }
    return OutgoingBlock(block_id, body, sent)


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis ending a text that was longer: a capture note may
    hold a long error message, and the service refuses a block whose note is over its limit."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def acknowledge_block(database: Database, block: OutgoingBlock, answer: dict) -> SyncState:
    """Settle a sent block by the service's answer (what it stores); returns the row's new state.

    Synced if the service holds what was sent and the row still does, taking the service's word on
    ``over_limit`` (it counts every device's time). The service keeps a write only if its
    ``updated_at`` is later, to the second, than the one it has: an edit made within the second of
    the last write it took is answered with the old state, so the row's ``updated_at`` moves a
    second on and it goes again. A later change made on another computer wins: this one is set
    aside, saying so.
    """
    held = {name: field_of(answer, name, kind) for name, kind in _HELD.items()}
    for name in ("start", "end", "updated_at"):
        held[name] = to_epoch(parse_wire_time(held[name]))
    if all(held[name] == block.body[name] for name in ("activity", "memo", "deleted")) and all(
        held[name] == block.sent[name] for name in ("start", "end")
    ):
        over_limit = field_of(answer, "over_limit", bool)
        synced = _unchanged_block(block).values(
            sync_state=SyncState.SYNCED, sync_error="", over_limit=over_limit
        )
        return SyncState.SYNCED if _apply(database, synced) else SyncState.PENDING
    if held["updated_at"] == block.sent["updated_at"] and not held["deleted"]:
        _apply(database, _unchanged_block(block).values(updated_at=from_epoch(held["updated_at"] + 1)))
        return SyncState.PENDING
    return SyncState.REJECTED if reject_block(database, block, CHANGED_ELSEWHERE) else SyncState.PENDING


def reject_block(database: Database, block: OutgoingBlock, reason: str) -> bool:
    return _apply(database, _unchanged_block(block).values(sync_state=SyncState.REJECTED, sync_error=reason))


def _unchanged_block(block: OutgoingBlock) -> Update:
    same = [column == block.sent[name] for name, column in _BLOCK_CHANGES.items()]
    return update(blocks).where(blocks.c.id == block.id, blocks.c.sync_state == SyncState.PENDING, *same)


# ----- screenshots


def settle_deleted_screenshots(database: Database) -> None:
    """Deleted screenshots never leave the machine: their block goes as a tombstone instead."""
    _apply(
        database,
        update(screenshots)
        .where(
            screenshots.c.sync_state.in_((SyncState.PENDING, SyncState.REJECTED)),
            screenshots.c.deleted.is_(True),
        )
        .values(sync_state=SyncState.SYNCED, sync_error=""),
    )


def peek_screenshots(
    database: Database, now: datetime, hold: timedelta, limit: int, after: OutgoingScreenshot | None = None
) -> list[OutgoingScreenshot]:
    """Up to ``limit`` pending screenshots past their hold period whose block the service already
    has, in (taken_at, id) order from just after ``after``."""
    query = (
        select(screenshots.c.id, screenshots.c.block_id, screenshots.c.taken_at, screenshots.c.redacted)
        .join(blocks, blocks.c.id == screenshots.c.block_id)
        .join(contracts)
        .where(*_screenshots_due(now, hold), blocks.c.sync_state == SyncState.SYNCED)
        .order_by(screenshots.c.taken_at, screenshots.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(screenshots.c.taken_at, screenshots.c.id) > (after.taken_at, after.id))
    with database.transaction() as connection:
        shots = connection.execute(query).all()
        images: dict[str, list[OutgoingImage]] = {shot.id: [] for shot in shots}
        rows = connection.execute(
            select(screenshot_images)
            .where(screenshot_images.c.screenshot_id.in_(list(images)))
            .order_by(screenshot_images.c.monitor)
        )
        for image in rows:
            images[image.screenshot_id].append(
                OutgoingImage(
                    image.monitor,
                    database.data_dir / image.path,
                    database.data_dir / image.thumbnail_path,
                    image.sha256,
                    image.width,
                    image.height,
                )
            )
    return [OutgoingScreenshot(*shot, images=images[shot.id]) for shot in shots]


def _screenshots_due(now: datetime, hold: timedelta) -> list[ColumnElement]:
    return [
        screenshots.c.sync_state == SyncState.PENDING,
        screenshots.c.deleted.is_(False),
        screenshots.c.taken_at <= now - hold,
        _OF_SERVICE,
    ]


def acknowledge_screenshot(database: Database, shot: OutgoingScreenshot) -> bool:
    return _apply(database, _unchanged_screenshot(shot).values(sync_state=SyncState.SYNCED, sync_error=""))


def reject_screenshot(database: Database, shot: OutgoingScreenshot, reason: str) -> bool:
    return _apply(
        database, _unchanged_screenshot(shot).values(sync_state=SyncState.REJECTED, sync_error=reason)
    )


def _unchanged_screenshot(shot: OutgoingScreenshot) -> Update:
    """Still pending, not deleted, redacted as sent, and no image changed (a redaction rewrites
    images, and a second one may keep ``redacted`` as it was)."""
    other_image = exists().where(
        screenshot_images.c.screenshot_id == shot.id,
        screenshot_images.c.sha256.not_in([image.sha256 for image in shot.images]),
    )
    return update(screenshots).where(
        screenshots.c.id == shot.id,
        screenshots.c.sync_state == SyncState.PENDING,
        screenshots.c.deleted.is_(False),
        screenshots.c.redacted == shot.redacted,
        ~other_image,
    )


def _apply(database: Database, statement: Update) -> bool:
    with database.transaction() as connection:
        return connection.execute(statement).rowcount > 0


# ----- what the main window shows


def summary(database: Database, now: datetime, hold: timedelta) -> OutboxSummary:
    """What waits to be sent (screenshots once their hold period is over), and what the service
    refused with its reasons, on the service's contracts."""
    pending_blocks = (
        select(func.count())
        .select_from(blocks)
        .join(contracts)
        .where(blocks.c.sync_state == SyncState.PENDING, blocks.c.is_open.is_(False), _OF_SERVICE)
    )
    pending_screenshots = (
        select(func.count())
        .select_from(screenshots)
        .join(blocks, blocks.c.id == screenshots.c.block_id)
        .join(contracts)
        .where(*_screenshots_due(now, hold), blocks.c.sync_state != SyncState.REJECTED)
    )
    rejected_blocks = (
        select(blocks.c.id, blocks.c.start, contracts.c.title, blocks.c.sync_error)
        .join(contracts)
        .where(blocks.c.sync_state == SyncState.REJECTED, _OF_SERVICE)
    )
    rejected_screenshots = (
        select(screenshots.c.id, blocks.c.start, contracts.c.title, screenshots.c.sync_error)
        .join(blocks, blocks.c.id == screenshots.c.block_id)
        .join(contracts)
        .where(screenshots.c.sync_state == SyncState.REJECTED, screenshots.c.deleted.is_(False), _OF_SERVICE)
    )
    with database.transaction() as connection:
        rejected = [RejectedItem("block", *row) for row in connection.execute(rejected_blocks)]
        rejected += [RejectedItem("screenshot", *row) for row in connection.execute(rejected_screenshots)]
        return OutboxSummary(
            connection.execute(pending_blocks).scalar_one(),
            connection.execute(pending_screenshots).scalar_one(),
            sorted(rejected, key=lambda item: item.start),
            connection.execute(
                select(func.count())
                .select_from(workroom_writes)
                .where(workroom_writes.c.sync_state == SyncState.PENDING)
            ).scalar_one(),
        )
