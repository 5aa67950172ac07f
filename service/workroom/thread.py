"""A contract's thread: posting a message (with files the author uploaded) is one path for a party's
text, a meeting's line and submitted work; its pages, files and what each party has read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session, selectinload

from common.states import ContractStatus, EventKind, MessageKind, Role
from service.errors import Conflict, NotFound
from service.models import Attachment, Blob, BlobUpload, Contract, Message, MessageRead, User
from service.workroom.access import hold_contract, sees_money
from service.workroom.events import record_event

VIEW_ONLY = (ContractStatus.ENDED, ContractStatus.DECLINED, ContractStatus.WITHDRAWN)


@dataclass(frozen=True)
class FileRef:
    """A file to attach: a blob its sender uploaded, and the name and type it goes by."""

    sha256: str
    name: str
    content_type: str


def post_message(
    session: Session,
    contract: Contract,
    author: User,
    message_id: str,
    kind: MessageKind,
    body: str,
    files: Sequence[FileRef],
    now: datetime,
) -> tuple[Message, bool]:
    """Post a message made with the id ``message_id``; the message and whether it is new. A replay
    (the same id, author and contract) answers the message as first posted; the same id used for
    another message is refused."""
    posted = session.scalars(select(Message).where(Message.id == message_id)).one_or_none()
    if posted is not None:
        if posted.contract_id != contract.id or posted.author_id != author.id:
            raise Conflict(f"The message id {message_id} is taken: make a new one for a new message.")
        return posted, False
    sizes = _uploaded_sizes(session, author, {file.sha256 for file in files})
    hold_contract(session, contract.id)
    message = Message(
        id=message_id, contract_id=contract.id, author_id=author.id, kind=kind, body=body, created_at=now
    )
    session.add(message)
    session.flush()
    for file in files:
        session.add(
            Attachment(
                message_number=message.number,
                contract_id=contract.id,
                sha256=file.sha256,
                name=file.name,
                content_type=file.content_type,
                size=sizes[file.sha256],
            )
        )
    record_event(
        session,
        contract,
        author,
        EventKind.MESSAGE_POSTED,
        now,
        None,
        message_id=message_id,
        message_kind=kind,
    )
    return message, True


def _uploaded_sizes(session: Session, author: User, hashes: set[str]) -> dict[str, int]:
    """The size of each blob the author uploaded; refused, naming one, if any is not theirs."""
    rows = session.execute(
        select(Blob.sha256, Blob.size)
        .join(BlobUpload, BlobUpload.sha256 == Blob.sha256)
        .where(Blob.sha256.in_(hashes), BlobUpload.user_id == author.id)
        # Locked, so that a removal of unused blobs cannot delete one before its attachment is
        # committed.
        .with_for_update(of=Blob)
    )
    sizes = {sha256: size for sha256, size in rows}
    missing = sorted(hashes - sizes.keys())
    if missing:
        raise NotFound(f"There is no file {missing[0]} among your uploads: upload it first.")
    return sizes


def require_writable(contract: Contract) -> None:
    """Refuse a new message, to-do or meeting on a contract whose workroom is view-only."""
    if contract.status in VIEW_ONLY:
        raise Conflict(f"The contract is {contract.status}: its workroom is view-only.")


def _is_posted(session: Session, message_id: str) -> bool:
    return session.scalar(select(Message.number).where(Message.id == message_id)) is not None


def send_message(
    session: Session,
    contract: Contract,
    author: User,
    message_id: str,
    body: str,
    files: Sequence[FileRef],
    now: datetime,
) -> Message:
    """A party's text (with files) in the thread; a replay answers it even once the contract is
    view-only."""
    if not _is_posted(session, message_id):
        require_writable(contract)
    message, _ = post_message(session, contract, author, message_id, MessageKind.TEXT, body, files, now)
    return message


def _visible(role: Role) -> ColumnElement[bool]:
    """The messages the viewer sees: all but the lines of money events for an agency member."""
    return true() if sees_money(role) else Message.money.is_(False)


def thread_page(
    session: Session, contract: Contract, role: Role, before: int | None, limit: int
) -> tuple[list[Message], bool]:
    """The ``limit`` messages just before the cursor ``before`` (default: the newest) in thread
    order, and whether older ones remain."""
    query = select(Message).where(Message.contract_id == contract.id, _visible(role))
    if before is not None:
        query = query.where(Message.number < before)
    newest_first = list(
        session.scalars(
            query.options(selectinload(Message.attachments)).order_by(Message.number.desc()).limit(limit + 1)
        )
    )
    return newest_first[:limit][::-1], len(newest_first) > limit


def messages_by_number(
    session: Session, contract: Contract, role: Role, numbers: Sequence[int]
) -> list[Message]:
    """The contract's messages of these numbers the viewer sees, in the order given."""
    found = {
        message.number: message
        for message in session.scalars(
            select(Message)
            .where(Message.number.in_(numbers), Message.contract_id == contract.id, _visible(role))
            .options(selectinload(Message.attachments))
        )
    }
    return [found[number] for number in numbers if number in found]


def recent_files(
    session: Session, contract: Contract, before: int | None, limit: int
) -> tuple[list[tuple[Attachment, Message]], bool]:
    """The thread's attachments, newest first, before the attachment id ``before``; and whether
    older ones remain."""
    query = (
        select(Attachment, Message)
        .join(Message, Message.number == Attachment.message_number)
        .where(Attachment.contract_id == contract.id)
    )
    if before is not None:
        query = query.where(Attachment.id < before)
    rows = [
        (attachment, message)
        for attachment, message in session.execute(query.order_by(Attachment.id.desc()).limit(limit + 1))
    ]
    return rows[:limit], len(rows) > limit


def contract_attachment(session: Session, contract: Contract, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.contract_id != contract.id:
        raise NotFound(f"There is no file {attachment_id} in this contract's messages.")
    return attachment


def unread(session: Session, contract: Contract, reader: User) -> tuple[int, int]:
    """How many messages the other party posted that the reader has not read, and the number of
    the last message they read (0: none). The service's own lines are not counted: they are events,
    which the events feed tells of."""
    read = session.get(MessageRead, (contract.id, reader.id))
    last_read = read.last_read_number if read else 0
    other_party = contract.client_id if reader.id == contract.freelancer_id else contract.freelancer_id
    count = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.contract_id == contract.id, Message.author_id == other_party, Message.number > last_read
        )
    )
    return int(count or 0), last_read


def unread_by_contract(session: Session, reader: User, contract_ids: Sequence[str]) -> dict[str, int]:
    """``unread`` for each of the reader's contracts at once (a contract with none is left out)."""
    read = (MessageRead.contract_id == Message.contract_id) & (MessageRead.user_id == reader.id)
    rows = session.execute(
        select(Message.contract_id, func.count())
        .outerjoin(MessageRead, read)
        .where(
            Message.contract_id.in_(contract_ids),
            Message.author_id.is_not(None),
            Message.author_id != reader.id,  # the other party: every author is a party
            Message.number > func.coalesce(MessageRead.last_read_number, 0),
        )
        .group_by(Message.contract_id)
    )
    return {contract_id: count for contract_id, count in rows}


def mark_read(session: Session, contract: Contract, reader: User, up_to: int) -> None:
    """The reader has read the thread up to the message numbered ``up_to`` (a number past the
    thread's last counts as its last); reading never moves back."""
    last = session.scalar(select(func.max(Message.number)).where(Message.contract_id == contract.id)) or 0
    up_to = min(up_to, last)
    read = session.get(MessageRead, (contract.id, reader.id))
    if read is None:
        session.add(MessageRead(contract_id=contract.id, user_id=reader.id, last_read_number=up_to))
    elif up_to > read.last_read_number:
        read.last_read_number = up_to
    session.flush()
