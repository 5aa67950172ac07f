"""The service's database: users and their tokens, contracts, time blocks, screenshots, blobs and who
uploaded them; and each contract's workroom (PRODUCT.md section 7): its terms over time, to-dos,
the thread with its files and meetings, milestones, the money ledger, feedback and its events.

Instants are stored as integer UTC epoch seconds (as in the app's own database): exact and
unambiguous on SQLite and PostgreSQL alike. 64-bit, so that they outlive 2038.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from common import dbtypes
from common.contract import ContractTermAttributes, term_columns
from common.states import (
    ActivitySource,
    BlockSource,
    EventKind,
    MessageKind,
    MilestoneStatus,
    RequestStatus,
    Role,
    TokenKind,
    TransactionStatus,
    TransactionType,
)

ADDRESS_CHARS = 64  # a sign-in failure's client address, cut to this


class UTCTimestamp(dbtypes.UTCTimestamp):
    impl = BigInteger
    cache_ok = True


# A row number that orders a table's rows (a cursor for paging): SQLite counts rows only in an
# INTEGER PRIMARY KEY.
RowNumber = BigInteger().with_variant(Integer(), "sqlite")
Money = BigInteger  # an amount in the currency's minor unit (cents): never a float


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dbtypes.NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCTimestamp}


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(dbtypes.StateString(Role, 16))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    # The profile line the other party sees: "Ann Lee — Python developer — Europe/Paris".
    title: Mapped[str] = mapped_column(String(200), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA name


class Token(Base):
    """A signed-in device or browser. Only the token's SHA-256 is kept: a leaked database signs
    nobody in."""

    __tablename__ = "tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    device_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[TokenKind] = mapped_column(dbtypes.StateString(TokenKind, 8), default=TokenKind.API)
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


class Contract(ContractTermAttributes, Base):
    __tablename__ = "contracts"
    __table_args__ = tuple(term_columns(UTCTimestamp))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    freelancer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")  # the job post
    proposal: Mapped[str] = mapped_column(Text, default="")  # the freelancer's cover letter
    offered_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))  # client, or freelancer proposing
    offered_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    answered_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)  # accepted or declined
    ended_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)

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
    activity: Mapped[list[list[int | None]]] = mapped_column(JSON)  # the counts None from idle time
    activity_source: Mapped[ActivitySource] = mapped_column(
        dbtypes.StateString(ActivitySource, 16),
        default=ActivitySource.INPUT_COUNTS,
        server_default=ActivitySource.INPUT_COUNTS.value,
    )
    memo: Mapped[str] = mapped_column(Text)
    capture_note: Mapped[str] = mapped_column(Text, default="")  # why the app took no usable screenshot
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


FILE_TYPE = "application/octet-stream"  # a blob's type until its bytes are checked as an image


class Blob(Base):
    """An uploaded image or file; its bytes live in the blob store under its SHA-256. Its type is
    an image's (as GET /blobs serves it) once its bytes were checked as one, else FILE_TYPE (an
    attachment has its own type, as its sender named it)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(127))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class BlobUpload(Base):
    """A user who uploaded a blob's bytes, and may therefore attach them to their screenshots or
    messages: the blob store keeps each blob once, but knowing its hash gives nobody the right to use it."""

    __tablename__ = "blob_uploads"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True, index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCTimestamp)  # the latest upload


class BlobCheck(Base):
    """A blob to look at once its latest upload is older than unused blobs are kept: if no screenshot
    shows it and no message attaches it by then, it is deleted. Each upload makes or moves its blob's
    check, so the scheduled prune reads the checks that are due, not every blob."""

    __tablename__ = "blob_checks"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCTimestamp, index=True)  # the blob's latest upload


# ----- the workroom


class TermChange(Base):
    """Hourly terms from a work week on: a contract's first terms, then each change (which takes
    effect from the next work week). The terms of week W are those of the latest change from W or
    before; the contract's own columns hold the terms of the current week."""

    __tablename__ = "term_changes"
    __table_args__ = (UniqueConstraint("contract_id", "effective_from"),)

    id: Mapped[int] = mapped_column(RowNumber, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    effective_from: Mapped[datetime] = mapped_column(UTCTimestamp)  # a Monday 00:00 UTC
    hourly_rate_cents: Mapped[int] = mapped_column(Money)
    weekly_limit_minutes: Mapped[int | None] = mapped_column()
    manual_time_allowed: Mapped[bool] = mapped_column()
    made_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class Todo(Base):
    __tablename__ = "todos"
    __table_args__ = (Index("ix_todos_contract_position", "contract_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by whoever adds it
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    text: Mapped[str] = mapped_column(String(500))
    done: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[bool] = mapped_column(default=False)  # a tombstone: a replayed add cannot revive it
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    updated_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class Message(Base):
    """A line of a contract's thread: a party's text (with files), a meeting, submitted work, or
    the service's own line for an event."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_contract_number", "contract_id", "number"),
        # A party's unread count: the other party's messages after the last one read, in one range.
        Index("ix_messages_contract_author_number", "contract_id", "author_id", "number"),
    )

    number: Mapped[int] = mapped_column(RowNumber, primary_key=True)  # the thread's order, and its cursor
    id: Mapped[str] = mapped_column(String(36), unique=True)  # made by the sender: a replay finds it
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # None: the service's line
    kind: Mapped[MessageKind] = mapped_column(dbtypes.StateString(MessageKind, 16))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    money: Mapped[bool] = mapped_column(default=False)  # the line of a money event: kept from agency members

    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")


class Attachment(Base):
    """A file of a message: a blob, with the name and type it was sent with."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_contract_id", "contract_id", "id"),)

    id: Mapped[int] = mapped_column(RowNumber, primary_key=True)
    message_number: Mapped[int] = mapped_column(ForeignKey("messages.number"), index=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))  # "recent files" in one range
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)


class MessageRead(Base):
    """How far a party has read a thread: what is after it is unread."""

    __tablename__ = "message_reads"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    last_read_number: Mapped[int] = mapped_column(BigInteger)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by whoever schedules it
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    message_number: Mapped[int] = mapped_column(ForeignKey("messages.number"))  # its line in the thread
    title: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime] = mapped_column(UTCTimestamp)
    duration_minutes: Mapped[int] = mapped_column()
    join_url: Mapped[str | None] = mapped_column(String(2000))
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_contract_position", "contract_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    amount_cents: Mapped[int] = mapped_column(Money)
    due_date: Mapped[date | None] = mapped_column()
    status: Mapped[MilestoneStatus] = mapped_column(dbtypes.StateString(MilestoneStatus, 24))
    # The latest submission's message (its text and files), while submitted or after.
    submission_number: Mapped[int | None] = mapped_column(ForeignKey("messages.number"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    updated_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class MilestoneRequest(Base):
    """A freelancer's request to add a milestone (``milestone_id`` None) or change one."""

    __tablename__ = "milestone_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    milestone_id: Mapped[str | None] = mapped_column(ForeignKey("milestones.id"))
    title: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Money)
    due_date: Mapped[date | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(dbtypes.StateString(RequestStatus, 16))
    requested_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    decided_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)


class Transaction(Base):
    """An entry of a contract's ledger, which only grows: an entry's amount never changes, only its
    status (an invoice paid, disputed, refunded). Amounts are positive; the type says which way the
    money went."""

    __tablename__ = "transactions"
    __table_args__ = (
        # The same work week is never invoiced twice, whoever issues it (NULLs are all distinct).
        UniqueConstraint("contract_id", "week_start"),
        UniqueConstraint("milestone_id"),
        Index("ix_transactions_contract_created", "contract_id", "created_at"),
        Index("ix_transactions_created", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the giver for a bonus or refund
    number: Mapped[int] = mapped_column(BigInteger, unique=True)  # the invoice number: no gaps
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    type: Mapped[TransactionType] = mapped_column(dbtypes.StateString(TransactionType, 16))
    status: Mapped[TransactionStatus] = mapped_column(dbtypes.StateString(TransactionStatus, 16))
    description: Mapped[str] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")  # a bonus's or refund's words from the giver
    amount_cents: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # None: the service issued it
    week_start: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)  # an hourly invoice's
    seconds: Mapped[int | None] = mapped_column(default=None)  # an hourly invoice's billed time
    hourly_rate_cents: Mapped[int | None] = mapped_column(Money, default=None)
    milestone_id: Mapped[str | None] = mapped_column(ForeignKey("milestones.id"), default=None)
    review_until: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)  # disputable until
    dispute_reason: Mapped[str | None] = mapped_column(Text, default=None)
    disputed_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, default=None)

    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.day", cascade="all, delete-orphan")


class InvoiceLine(Base):
    """A day of an hourly invoice (a UTC date of its work week)."""

    __tablename__ = "invoice_lines"

    transaction_id: Mapped[str] = mapped_column(ForeignKey("transactions.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    seconds: Mapped[int] = mapped_column()


class Feedback(Base):
    __tablename__ = "feedback"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    rating: Mapped[int] = mapped_column()  # 1–5
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)


class ContractEvent(Base):
    """A change on a contract (who, what, when): its recent activity, and the parties' events feed,
    whose cursor is ``number``."""

    __tablename__ = "contract_events"
    __table_args__ = (Index("ix_contract_events_contract_number", "contract_id", "number"),)

    number: Mapped[int] = mapped_column(RowNumber, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # None: the service
    kind: Mapped[EventKind] = mapped_column(dbtypes.StateString(EventKind, 32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    money: Mapped[bool] = mapped_column()  # tells of money: never shown to an agency member
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp)
