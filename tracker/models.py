"""The ORM classes of the local database, mapped onto its tables (``tracker.tables``): what the app,
the Work Diary and sync read and change as objects. The annotations type the attributes; the
columns, their types and defaults are the tables'."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship, validates

from common.contract import ContractTermAttributes
from common.states import (
    ActivitySource,
    BlockSource,
    ContractOrigin,
    EventKind,
    MessageKind,
    SyncState,
    WorkroomWriteKind,
)
from tracker import tables
from tracker.tables import ActivitySummary, Minute


class Base(DeclarativeBase):
    metadata = tables.metadata


class Contract(ContractTermAttributes, Base):
    __table__ = tables.contracts

    id: Mapped[str]
    client_name: Mapped[str]
    origin: Mapped[ContractOrigin]


class Block(Base):
    """The tracked part of one slot for one contract (a segment: contiguous, inside its slot)."""

    __table__ = tables.blocks

    id: Mapped[str]
    contract_id: Mapped[str]
    device_id: Mapped[str]
    start: Mapped[datetime]
    end: Mapped[datetime]
    activity: Mapped[list[Minute]]
    activity_source: Mapped[ActivitySource]
    active_minutes: Mapped[int]
    active_seconds: Mapped[int]
    memo: Mapped[str]
    source: Mapped[BlockSource]
    is_open: Mapped[bool]
    over_limit: Mapped[bool]
    deleted: Mapped[bool]
    capture_note: Mapped[str]
    sync_state: Mapped[SyncState]
    sync_error: Mapped[str]
    updated_at: Mapped[datetime]

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

    __table__ = tables.screenshots

    id: Mapped[str]
    block_id: Mapped[str]
    taken_at: Mapped[datetime]
    redacted: Mapped[bool]
    deleted: Mapped[bool]
    sync_state: Mapped[SyncState]
    sync_error: Mapped[str]

    block: Mapped[Block] = relationship(back_populates="screenshot")
    images: Mapped[list[ScreenshotImage]] = relationship(
        back_populates="screenshot", order_by="ScreenshotImage.monitor", cascade="all, delete-orphan"
    )


class ScreenshotImage(Base):
    __table__ = tables.screenshot_images

    id: Mapped[int]
    screenshot_id: Mapped[str]
    monitor: Mapped[int]
    path: Mapped[str]
    thumbnail_path: Mapped[str]
    sha256: Mapped[str]
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]

    screenshot: Mapped[Screenshot] = relationship(back_populates="images")


class Setting(Base):
    __table__ = tables.settings

    key: Mapped[str]
    value: Mapped[str]


class Workroom(Base):
    __table__ = tables.workrooms

    contract_id: Mapped[str]
    details: Mapped[dict]
    todos: Mapped[list[dict]]
    milestones: Mapped[list[dict]]
    milestone_requests: Mapped[list[dict]]
    transactions: Mapped[list[dict] | None]
    recent_files: Mapped[list[dict]]
    older_messages: Mapped[int | None]
    events_cursor: Mapped[int]
    fresh_at: Mapped[datetime]
    unread: Mapped[int]


class WorkroomMessage(Base):
    __table__ = tables.workroom_messages

    contract_id: Mapped[str]
    number: Mapped[int]
    id: Mapped[str]
    kind: Mapped[MessageKind]
    author_id: Mapped[str | None]
    author_name: Mapped[str | None]
    body: Mapped[str]
    created_at: Mapped[datetime]
    attachments: Mapped[list[dict]]
    meeting: Mapped[dict | None]


class WorkroomWrite(Base):
    __table__ = tables.workroom_writes

    seq: Mapped[int]
    contract_id: Mapped[str]
    kind: Mapped[WorkroomWriteKind]
    item_id: Mapped[str]
    milestone_id: Mapped[str | None]
    body: Mapped[dict]
    written_at: Mapped[datetime]
    sync_state: Mapped[SyncState]
    sync_error: Mapped[str]


class WorkroomNews(Base):
    __table__ = tables.workroom_news

    number: Mapped[int]
    contract_id: Mapped[str]
    kind: Mapped[EventKind]
    title: Mapped[str]
    text: Mapped[str]
    notified: Mapped[bool]


class Offer(Base):
    __table__ = tables.offers

    contract_id: Mapped[str]
    contract: Mapped[dict]
    notified: Mapped[bool]
