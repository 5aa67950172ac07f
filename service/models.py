"""The service's database: users and their tokens, contracts, time blocks, screenshots, blobs and who
uploaded them.

Instants are stored as integer UTC epoch seconds (as in the app's own database): exact and
unambiguous on SQLite and PostgreSQL alike. 64-bit, so that they outlive 2038.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from common import dbtypes
from common.contract import ContractColumns
from common.states import BlockSource

ROLES = ("freelancer", "client", "agency_member")
FREELANCER_ROLES = ("freelancer", "agency_member")
ADDRESS_CHARS = 64  # a sign-in failure's client address, cut to this


class UTCTimestamp(dbtypes.UTCTimestamp):
    impl = BigInteger
    cache_ok = True


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dbtypes.NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCTimestamp}


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # freelancer | client | agency_member
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class Token(Base):
    """A signed-in device. Only the token's SHA-256 is kept: a leaked database signs nobody in."""

    __tablename__ = "tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    device_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    expires_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)

    user: Mapped[User] = relationship()


class SignInFailure(Base):
    """A failed sign-in, kept for the rate limit's window."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_at", "email", "attempted_at"),
        Index("ix_sign_in_failures_address_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(ADDRESS_CHARS))
    attempted_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class Contract(ContractColumns, Base):
    __tablename__ = "contracts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    freelancer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)

    freelancer: Mapped[User] = relationship(foreign_keys=[freelancer_id])
    client: Mapped[User] = relationship(foreign_keys=[client_id])


class Block(Base):
    """The tracked (or manual) part of one slot for one contract, as the app sent it."""

    __tablename__ = "blocks"
    __table_args__ = (
        Index("ix_blocks_contract_start", "contract_id", "start"),  # a contract's week
        Index("ix_blocks_freelancer_start", "freelancer_id", "start"),  # the overlap check
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the app
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    # The contract's freelancer, copied so that the overlap check across contracts is one index range.
    freelancer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str] = mapped_column(String(64))
    start: Mapped[datetime] = mapped_column(UTCTimestamp)
    end: Mapped[datetime] = mapped_column(UTCTimestamp)
    activity: Mapped[list[list[int]]] = mapped_column(JSON)
    memo: Mapped[str] = mapped_column(Text)
    source: Mapped[BlockSource] = mapped_column(dbtypes.StateString(BlockSource, 8))
    over_limit: Mapped[bool] = mapped_column()
    deleted: Mapped[bool] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCTimestamp)  # the app's clock: orders its writes

    contract: Mapped[Contract] = relationship()
    screenshot: Mapped[Screenshot | None] = relationship(
        back_populates="block", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


class Screenshot(Base):
    __tablename__ = "screenshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the app
    block_id: Mapped[str] = mapped_column(ForeignKey("blocks.id"), unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    redacted: Mapped[bool] = mapped_column()

    block: Mapped[Block] = relationship(back_populates="screenshot")
    images: Mapped[list[ScreenshotImage]] = relationship(
        back_populates="screenshot", order_by="ScreenshotImage.monitor", cascade="all, delete-orphan"
    )


class ScreenshotImage(Base):
    __tablename__ = "screenshot_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    screenshot_id: Mapped[str] = mapped_column(ForeignKey("screenshots.id"), index=True)
    monitor: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    thumbnail_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()

    screenshot: Mapped[Screenshot] = relationship(back_populates="images")
    blob: Mapped[Blob] = relationship(foreign_keys=[sha256], viewonly=True, lazy="joined", innerjoin=True)

    @property
    def content_type(self) -> str:
        """The image's format, as its blob is served."""
        return self.blob.content_type


class Blob(Base):
    """An uploaded image; its bytes live in the blob store under its SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class ImageUpload(Base):
    """A user who uploaded an image's bytes, and may therefore attach it to their screenshots: the
    blob store keeps each image once, but knowing its hash gives nobody the right to use it."""

    __tablename__ = "image_uploads"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True, index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCTimestamp)  # the latest upload
