"""The local database: contracts, time blocks and screenshots (SQLAlchemy 2 typed models).

Instants are stored as integer UTC epoch seconds (``common.dbtypes.UTCTimestamp``).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from common.contract import ContractColumns
from common.dbtypes import NAMING_CONVENTION, StateString, UTCTimestamp
from common.states import BlockSource, ContractOrigin, SyncState


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
        Index("ix_blocks_contract_start", "contract_id", "start"),
        Index("ix_blocks_sync_state", "sync_state", "start"),  # the outbox's peek
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-made UUID
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    device_id: Mapped[str] = mapped_column(String(36))
    start: Mapped[datetime] = mapped_column(UTCTimestamp)
    end: Mapped[datetime] = mapped_column(UTCTimestamp)
    # One entry per minute of the slot that saw tracking: [minute index, keyboard events,
    # mouse events, active seconds]. Counts only, never what was typed.
    activity: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
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
