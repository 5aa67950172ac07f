"""The local database's tables: contracts, time blocks, screenshots, settings and the workroom copy.

Declared, read and written in SQLAlchemy Core alone, by the tracking engine, the Work Diary, sync
and the app: SQLAlchemy's ORM would be a sixth of the headless tracker's memory and 6 MB of the
app's.

Instants are stored as integer UTC epoch seconds (``common.dbtypes.UTCTimestamp``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    Text,
    TypeDecorator,
)

from common.contract import term_columns
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


metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _required(name: str, *args: Any, **kwargs: Any) -> Column[Any]:
    return Column(name, *args, nullable=False, **kwargs)


contracts = Table(
    "contracts",
    metadata,
    Column("id", String(64), primary_key=True),
    *term_columns(),
    _required("client_name", String(200), default=""),
    _required("origin", StateString(ContractOrigin, 16), default=ContractOrigin.LOCAL),
)

# Rows as read, their columns as attributes (``contract.title``)
ContractRow = Row[Any]
ImageRow = Row[Any]

# The tracked part of one slot for one contract (a segment: contiguous, inside its slot).
blocks = Table(
    "blocks",
    metadata,
    Column("id", String(36), primary_key=True),  # client-made UUID
    _required("contract_id", ForeignKey("contracts.id")),
    _required("device_id", String(36)),
    _required("start", UTCTimestamp),
    _required("end", UTCTimestamp),
    # One entry per minute of the slot that saw tracking: [minute index, keyboard events,
    # mouse events, active seconds]. Counts only, never what was typed; None with activity_source
    # IDLE_TIME, whose source tells when there was input but not how much.
    _required("activity", PackedActivity, default=list),
    _required(
        "activity_source",
        StateString(ActivitySource, 16),
        default=ActivitySource.INPUT_COUNTS,
        server_default=ActivitySource.INPUT_COUNTS.value,
    ),
    # ActivitySummary.of(activity), kept with it on every write
    _required("active_minutes", Integer, default=0, server_default="0"),
    _required("active_seconds", Integer, default=0, server_default="0"),
    _required("memo", Text, default=""),
    _required("source", StateString(BlockSource, 8), default=BlockSource.TRACKED),
    _required("is_open", Boolean, default=False),  # being tracked right now
    _required("over_limit", Boolean, default=False),
    _required("deleted", Boolean, default=False),  # removed time: a tombstone for sync
    _required("capture_note", Text, default=""),  # why there is no usable screenshot
    _required("sync_state", StateString(SyncState, 8), default=SyncState.PENDING),
    _required("sync_error", Text, default="", server_default=""),  # why it was rejected
    _required("updated_at", UTCTimestamp),
    Index("ix_blocks_start", "start"),
    # Also covers the all-time totals (they read no row of the table).
    Index("ix_blocks_contract_start", "contract_id", "start", "end", "deleted"),
    Index("ix_blocks_sync_state", "sync_state", "start"),  # the outbox's peek
)

# One capture moment of a block: an image (and thumbnail) per captured monitor.
screenshots = Table(
    "screenshots",
    metadata,
    Column("id", String(36), primary_key=True),
    _required("block_id", ForeignKey("blocks.id"), unique=True),
    _required("taken_at", UTCTimestamp),
    _required("redacted", Boolean, default=False),
    _required("deleted", Boolean, default=False),
    _required("sync_state", StateString(SyncState, 8), default=SyncState.PENDING),
    _required("sync_error", Text, default="", server_default=""),
    # Covers the Work Diary's lookup of a week's screenshots by time.
    Index("ix_screenshots_taken_at", "taken_at", "deleted", "block_id", "id", "redacted"),
    Index("ix_screenshots_sync_state", "sync_state", "taken_at"),  # the outbox's peek
)

screenshot_images = Table(
    "screenshot_images",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("screenshot_id", ForeignKey("screenshots.id"), index=True),
    _required("monitor", Integer),
    _required("path", Text),  # relative to the data directory
    _required("thumbnail_path", Text),
    _required("sha256", String(64)),
    _required("size_bytes", Integer),
    _required("width", Integer),
    _required("height", Integer),
)

# Local key/value facts of this data directory (the device id, user settings).
settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    _required("value", Text),
)

# The app's copy of a service contract's workroom, kept for offline use: the service's answers
# as last read (JSON, for display only), with the thread's messages in a table of their own.
workrooms = Table(
    "workrooms",
    metadata,
    Column("contract_id", ForeignKey("contracts.id"), primary_key=True),
    # GET …/details: the contract with the viewer's menu, job post, proposal, profiles, feedback,
    # recent activity
    _required("details", JSON),
    _required("todos", JSON),
    _required("milestones", JSON),
    _required("milestone_requests", JSON),
    # The last 30 days' ledger entries; None where the viewer sees no money (an agency member).
    Column("transactions", JSON),
    _required("recent_files", JSON),  # the thread's latest attachments
    Column("older_messages", Integer),  # before= of the older page; None: none older
    _required("events_cursor", Integer),  # the events feed's cursor this copy is up to
    _required("fresh_at", UTCTimestamp),  # when the service last vouched for it
    # The other party's messages the user has not read, as the service last counted them.
    _required("unread", Integer, default=0, server_default="0"),
)

# A message of a contract's thread as the service answered it (pages of it, newest first).
workroom_messages = Table(
    "workroom_messages",
    metadata,
    Column("contract_id", ForeignKey("workrooms.contract_id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),  # its place in the thread
    _required("id", String(36)),
    _required("kind", StateString(MessageKind, 16)),
    Column("author_id", String(36)),  # None: the service's own line
    Column("author_name", String(200)),
    _required("body", Text),
    _required("created_at", UTCTimestamp),
    _required("attachments", JSON),  # names, types, sizes: the bytes on demand
    Column("meeting", JSON),
)

# The outbox of the workroom: what the freelancer wrote, waiting to be sent, in the order it was
# written; gone once the service took it (its answer is in the copy then).
workroom_writes = Table(
    "workroom_writes",
    metadata,
    Column("seq", Integer, primary_key=True),  # the order of writing, and of sending
    _required("contract_id", ForeignKey("contracts.id")),
    _required("kind", StateString(WorkroomWriteKind, 16)),
    # The id the app made: the message's, the to-do's, the submission's message's ("" for the
    # feedback and a new order of the to-dos, which have none)
    _required("item_id", String(36)),
    Column("milestone_id", String(36)),  # a submission's
    _required("body", JSON),  # what is sent
    _required("written_at", UTCTimestamp),
    _required("sync_state", StateString(SyncState, 8), default=SyncState.PENDING),
    _required("sync_error", Text, default=""),  # the service's reason for refusing it
    Index("ix_workroom_writes_contract_id", "contract_id", "sync_state"),
)

# What the events feed brought that is worth a notification, stored with the cursor that passed
# it (so it is neither lost nor made twice), and told once.
workroom_news = Table(
    "workroom_news",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),  # the event's, in the feed
    _required("contract_id", ForeignKey("contracts.id")),
    _required("kind", StateString(EventKind, 32)),
    _required("title", Text),
    _required("text", Text),
    _required("notified", Boolean, default=False),
    Index("ix_workroom_news_notified", "notified", "number"),
)

# An offer of a contract made to the user and waiting for their answer, as the service last listed
# it (the contract is not among the contracts until it is accepted).
offers = Table(
    "offers",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    _required("contract", JSON),  # GET /contracts's item: title, client, terms
    _required("notified", Boolean, default=False),
)
