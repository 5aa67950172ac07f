"""A contract's thread: posting a message (with files the author uploaded) is one path for a party's
text, a meeting's line and submitted work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import EventKind, MessageKind
from service.errors import Conflict, NotFound
from service.models import Attachment, Blob, BlobUpload, Contract, Message, User
from service.workroom.events import record_event


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
    sizes = dict(
        session.execute(
            select(Blob.sha256, Blob.size)
            .join(BlobUpload, BlobUpload.sha256 == Blob.sha256)
            .where(Blob.sha256.in_(hashes), BlobUpload.user_id == author.id)
        ).all()
    )
    missing = sorted(hashes - sizes.keys())
    if missing:
        raise NotFound(f"There is no file {missing[0]} among your uploads: upload it first.")
    return sizes
