"""The local database: contracts, time blocks and screenshots (SQLAlchemy 2 typed models).

Instants are stored as integer UTC epoch seconds (``common.dbtypes.UTCTimestamp``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, NamedTuple

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, MetaData, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from common.contract import ContractColumns
from common.dbtypes import NAMING_CONVENTION, StateString, UTCTimestamp
from common.rules import minutes_with_input
from common.states import (
    ActivitySource,
    BlockSource,
    ContractOrigin,
    EventKind,
    MessageKind,
    SyncState,
    WorkroomWriteKind,
)

# A minute of activity as stored: minute of the slot, keyboard events, mouse events, active seconds.
_MINUTE = struct.Struct("<BIIB")
# Set in the stored minute of the slot (0–9) when the minute has no keyboard and mouse counts
# (activity from idle time): they are stored as 0 and read back as None.
_NOT_COUNTED = 0x80

# A minute of activity: [minute of the slot, keyboard events, mouse events, active seconds], the
# counts None when the block's activity came from the compositor's idle time.
Minute = list[int | None]


def pack_activity(minutes: Sequence[Sequence[int | None]]) -> bytes:
    return b"".join(_MINUTE.pack(*_storable(minute)) for minute in minutes)


def _storable(minute: Sequence[int | None]) -> Sequence[int | None]:
    """The minute as packed; a minute of the slot that would read back as another (or as not
    counted) is refused like any value that does not fit."""
    index = minute[0]
    if index is None or index >= _NOT_COUNTED:
        raise struct.error(f"minute {index} of a slot does not fit")
    if minute[1] is None:
        return [index | _NOT_COUNTED, 0, 0, *minute[3:]]
    return minute


def unpack_activity(packed: bytes) -> list[Minute]:
    return [
        [index & ~_NOT_COUNTED, None, None, seconds]
        if index & _NOT_COUNTED
        else [index, keyboard, mouse, seconds]
        for index, keyboard, mouse, seconds in _MINUTE.iter_unpack(packed)
    ]


class PackedActivity(TypeDecorator[list[Minute]]):
    """Per-minute activity as packed integers (10 bytes a minute): read back without a parse."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(
        self, value: Sequence[Sequence[int | None]] | None, dialect: object
    ) -> bytes | None:
        return None if value is None else pack_activity(value)

    def process_result_value(self, value: bytes | None, dialect: object) -> list[Minute] | None:
        return None if value is None else unpack_activity(value)


class ActivitySummary(NamedTuple):
    """What the Work Diary shows of a block's activity, stored beside it to be read without it."""

    active_minutes: int  # minutes with keyboard or mouse input
    active_seconds: int

    @classmethod
    def of(cls, minutes: Sequence[Sequence[int | None]]) -> ActivitySummary:
        return cls(minutes_with_input(minutes), sum(seconds for *_, seconds in minutes if seconds))


def activity_columns(minutes: Sequence[Sequence[int | None]]) -> dict[str, object]:
    """A block's activity and its summary, as the columns of a row written without the ORM."""
    return {"activity": minutes, **ActivitySummary.of(minutes)._asdict()}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCTimestamp}


class Contract(ContractColumns, Base):
    __tablename__ = "contracts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_name: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[ContractOrigin] = mapped_column(
        StateString(ContractOrigin, 16), default=ContractOrigin.LOCAL
    )


class Block(Base):
    """The tracked part of one slot for one contract (a segment: contiguous, inside its slot)."""

    __tablename__ = "blocks"
    __table_args__ = (
        Index("ix_blocks_start", "start"),
        # Also covers the all-time totals (they read no row of the table).
        Index("ix_blocks_contract_start", "contract_id", "start", "end", "deleted"),
        Index("ix_blocks_sync_state", "sync_state", "start"),  # the outbox's peek
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-made UUID
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    device_id: Mapped[str] = mapped_column(String(36))
    start: Mapped[datetime] = mapped_column(UTCTimestamp)
    end: Mapped[datetime] = mapped_column(UTCTimestamp)
    # One entry per minute of the slot that saw tracking: [minute index, keyboard events,
    # mouse events, active seconds]. Counts only, never what was typed; None with activity_source
    # IDLE_TIME, whose source tells when there was input but not how much.
    activity: Mapped[list[Minute]] = mapped_column(PackedActivity, default=list)
    activity_source: Mapped[ActivitySource] = mapped_column(
        StateString(ActivitySource, 16),
        default=ActivitySource.INPUT_COUNTS,
        server_default=ActivitySource.INPUT_COUNTS.value,
    )
    # ActivitySummary.of(activity), kept with it on every write
    active_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    active_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    memo: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[BlockSource] = mapped_column(StateString(BlockSource, 8), default=BlockSource.TRACKED)
    is_open: Mapped[bool] = mapped_column(default=False)  # being tracked right now
    over_limit: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)  # removed time: a tombstone for sync
    capture_note: Mapped[str] = mapped_column(Text, default="")  # why there is no usable screenshot
    sync_state: Mapped[SyncState] = mapped_column(StateString(SyncState, 8), default=SyncState.PENDING)
    sync_error: Mapped[str] = mapped_column(Text, default="", server_default="")  # why it was rejected
    updated_at: Mapped[datetime] = mapped_column(UTCTimestamp)

    contract: Mapped[Contract] = relationship()
    screenshot: Mapped[Screenshot | None] = relationship(back_populates="block", uselist=False)

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @validates("activity")
    def _summarize(self, _key: str, minutes: list[Minute]) -> list[Minute]:
        self.active_minutes, self.active_seconds = ActivitySummary.of(minutes)
        return minutes


class Screenshot(Base):
    """One capture moment of a block: an image (and thumbnail) per captured monitor."""

    __tablename__ = "screenshots"
    __table_args__ = (
        # Covers the Work Diary's lookup of a week's screenshots by time.
        Index("ix_screenshots_taken_at", "taken_at", "deleted", "block_id", "id", "redacted"),
        Index("ix_screenshots_sync_state", "sync_state", "taken_at"),  # the outbox's peek
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    block_id: Mapped[str] = mapped_column(ForeignKey("blocks.id"), unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    redacted: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    sync_state: Mapped[SyncState] = mapped_column(StateString(SyncState, 8), default=SyncState.PENDING)
    sync_error: Mapped[str] = mapped_column(Text, default="", server_default="")

    block: Mapped[Block] = relationship(back_populates="screenshot")
    images: Mapped[list[ScreenshotImage]] = relationship(
        back_populates="screenshot", order_by="ScreenshotImage.monitor", cascade="all, delete-orphan"
    )


class ScreenshotImage(Base):
    __tablename__ = "screenshot_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    screenshot_id: Mapped[str] = mapped_column(ForeignKey("screenshots.id"), index=True)
    monitor: Mapped[int] = mapped_column()
    path: Mapped[str] = mapped_column(Text)  # relative to the data directory
    thumbnail_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()

    screenshot: Mapped[Screenshot] = relationship(back_populates="images")


class Setting(Base):
    """Local key/value facts of this data directory (the device id, user settings)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Workroom(Base):
    """The app's copy of a service contract's workroom, kept for offline use: the service's answers
    as last read (JSON, for display only), with the thread's messages in a table of their own."""

    __tablename__ = "workrooms"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    # GET …/details: the contract with the viewer's menu, job post, proposal, profiles, feedback,
    # recent activity
    details: Mapped[dict] = mapped_column(JSON)
    todos: Mapped[list[dict]] = mapped_column(JSON)
    milestones: Mapped[list[dict]] = mapped_column(JSON)
    milestone_requests: Mapped[list[dict]] = mapped_column(JSON)
    # The last 30 days' ledger entries; None where the viewer sees no money (an agency member).
    transactions: Mapped[list[dict] | None] = mapped_column(JSON)
    recent_files: Mapped[list[dict]] = mapped_column(JSON)  # the thread's latest attachments
    older_messages: Mapped[int | None] = mapped_column()  # before= of the older page; None: none older
    events_cursor: Mapped[int] = mapped_column()  # the events feed's cursor this copy is up to
    fresh_at: Mapped[datetime] = mapped_column(UTCTimestamp)  # when the service last vouched for it
    # The other party's messages the user has not read, as the service last counted them.
    unread: Mapped[int] = mapped_column(default=0, server_default="0")


class WorkroomMessage(Base):
    """A message of a contract's thread as the service answered it (pages of it, newest first)."""

    __tablename__ = "workroom_messages"

    contract_id: Mapped[str] = mapped_column(ForeignKey("workrooms.contract_id"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # its place in the thread
    id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[MessageKind] = mapped_column(StateString(MessageKind, 16))
    author_id: Mapped[str | None] = mapped_column(String(36))  # None: the service's own line
    author_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    attachments: Mapped[list[dict]] = mapped_column(JSON)  # names, types, sizes: the bytes on demand
    meeting: Mapped[dict | None] = mapped_column(JSON)


class WorkroomWrite(Base):
    """The outbox of the workroom: what the freelancer wrote, waiting to be sent, in the order it
    was written; gone once the service took it (its answer is in the copy then)."""

    __tablename__ = "workroom_writes"
    __table_args__ = (Index("ix_workroom_writes_contract_id", "contract_id", "sync_state"),)

    seq: Mapped[int] = mapped_column(primary_key=True)  # the order of writing, and of sending
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    kind: Mapped[WorkroomWriteKind] = mapped_column(StateString(WorkroomWriteKind, 16))
    # The id the app made: the message's, the to-do's, the submission's message's ("" for the
    # feedback and a new order of the to-dos, which have none)
    item_id: Mapped[str] = mapped_column(String(36))
    milestone_id: Mapped[str | None] = mapped_column(String(36))  # a submission's
    body: Mapped[dict] = mapped_column(JSON)  # what is sent
    written_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    sync_state: Mapped[SyncState] = mapped_column(StateString(SyncState, 8), default=SyncState.PENDING)
    sync_error: Mapped[str] = mapped_column(Text, default="")  # the service's reason for refusing it


class WorkroomNews(Base):
    """What the events feed brought that is worth a notification, stored with the cursor that
    passed it (so it is neither lost nor made twice), and told once."""

    __tablename__ = "workroom_news"
    __table_args__ = (Index("ix_workroom_news_notified", "notified", "number"),)

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # the event's, in the feed
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    kind: Mapped[EventKind] = mapped_column(StateString(EventKind, 32))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    notified: Mapped[bool] = mapped_column(default=False)


class Offer(Base):
    """An offer of a contract made to the user and waiting for their answer, as the service last
    listed it (the contract is not among the contracts until it is accepted)."""

    __tablename__ = "offers"

    contract_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contract: Mapped[dict] = mapped_column(JSON)  # GET /contracts's item: title, client, terms
    notified: Mapped[bool] = mapped_column(default=False)
