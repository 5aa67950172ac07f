"""A contract's thread: messages with files, pages of it, what each party has read, and search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from common.states import MessageKind
from service.api.deps import (
    MALFORMED,
    BearerToken,
    CurrentUser,
    Service,
    SignedInBeforeBody,
)
from service.api.routes.contracts import CONTRACT_REFUSALS, ContractId, contract_write_refusals
from service.api.routes.files import MAX_PAGE, PAGE, AttachmentOut, attachment_out, author_name
from service.api.routes.meetings import MeetingOut, meeting_out
from service.models import FILE_TYPE, Contract, Message
from service.schemas import MAX_JSON_BYTES, Id, NoNul, Sha256
from service.workroom import search, thread
from service.workroom.access import party_contract
from service.workroom.meetings import meetings_of_messages

MessageId = Annotated[Id, Path()]
MAX_BODY_CHARS = 10_000
MAX_FILES = 10  # attached to one message
MAX_QUERY_CHARS = 200
# type/subtype, as RFC 6838 names them (parameters are not kept)
MEDIA_TYPE = r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$"


class FileIn(BaseModel):
    """A file you uploaded (PUT /files/{sha256}), and the name and type it goes by in the thread."""

    sha256: Sha256
    name: Annotated[str, Field(min_length=1, max_length=255, description="kept as given"), NoNul]
    content_type: Annotated[str, Field(pattern=MEDIA_TYPE, max_length=127)] = FILE_TYPE


class MessageIn(BaseModel):
    body: Annotated[str, Field(max_length=MAX_BODY_CHARS), NoNul] = ""
    attachments: Annotated[list[FileIn], Field(max_length=MAX_FILES)] = []

    @model_validator(mode="after")
    def _says_something(self) -> MessageIn:
        if not self.body.strip() and not self.attachments:
            raise ValueError("a message has some text or a file")
        return self


class MessageOut(BaseModel):
    number: int = Field(description="its place in the thread: the cursor of paging and of reading")
    id: str
    kind: MessageKind
    author_id: str | None = Field(description="None for the service's own line (an event)")
    author_name: str | None
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]
    meeting: MeetingOut | None = Field(description="the meeting a meeting message announces")


class MessagePage(BaseModel):
    messages: list[MessageOut] = Field(description="oldest first, as a thread is read")
    older: int | None = Field(
        description="pass as before= for the page of older messages; None at the thread's start"
    )


class SearchPage(BaseModel):
    messages: list[MessageOut] = Field(description="best match first")
    next_offset: int | None = Field(description="pass as offset= for the next results; None at the last")


class ReadIn(BaseModel):
    up_to: Annotated[int, Field(ge=0, le=2**63 - 1, description="the number of the last message read")]


class Unread(BaseModel):
    unread: int = Field(
        description="the other party's messages after last_read (the service's lines not counted)"
    )
    last_read: int = Field(description="the number of the last message read, 0 for none")


def messages_out(session: Session, contract: Contract, messages: list[Message]) -> list[MessageOut]:
    meetings = meetings_of_messages(
        session, [message.number for message in messages if message.kind == MessageKind.MEETING]
    )
    return [
        MessageOut(
            number=message.number,
            id=message.id,
            kind=message.kind,
            author_id=message.author_id,
            author_name=author_name(contract, message),
            body=message.body,
            created_at=message.created_at,
            attachments=[attachment_out(attachment) for attachment in message.attachments],
            meeting=meeting_out(meetings[message.number]) if message.number in meetings else None,
        )
        for message in messages
    ]


router = APIRouter()
writes = APIRouter(route_class=SignedInBeforeBody)


@router.get("/contracts/{contract_id}/messages", tags=["messages"], responses=CONTRACT_REFUSALS)
def thread_page(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="a message's number: the page just before it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> MessagePage:
    """A page of the thread: the newest messages (or those just before ``before``), oldest first;
    scrolling up asks for the page before the first one's number (``older``)."""
    with context.database.reading() as session:
        contract, role = party_contract(session, user, contract_id)
        messages, more = thread.thread_page(session, contract, role, before, limit)
        return MessagePage(
            messages=messages_out(session, contract, messages),
            older=messages[0].number if more else None,
        )


@router.get("/contracts/{contract_id}/messages/search", tags=["messages"], responses=CONTRACT_REFUSALS)
def search_thread(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    q: Annotated[
        str, Query(max_length=MAX_QUERY_CHARS, description="words (accents and case do not matter)")
    ],
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> SearchPage:
    """The messages whose text or files' names hold every word of ``q`` (a word matches the words it
    begins: "resum" finds "Résumé.pdf"), best match first."""
    with context.database.reading() as session:
        contract, role = party_contract(session, user, contract_id)
        numbers, more = search.search_numbers(session, contract, role, q, offset, limit)
        messages = thread.messages_by_number(session, contract, role, numbers)
        return SearchPage(
            messages=messages_out(session, contract, messages),
            next_offset=offset + limit if more else None,
        )


@router.get("/contracts/{contract_id}/messages/unread", tags=["messages"], responses=CONTRACT_REFUSALS)
def unread(contract_id: ContractId, context: Service, user: CurrentUser) -> Unread:
    """How many of the other party's messages you have not read."""
    with context.database.reading() as session:
        contract, _ = party_contract(session, user, contract_id)
        count, last_read = thread.unread(session, contract, user)
        return Unread(unread=count, last_read=last_read)


# Before PUT …/messages/{message_id}, which would take "read" for an id.
@writes.put(
    "/contracts/{contract_id}/messages/read",
    tags=["messages"],
    max_body_size=MAX_JSON_BYTES,
    responses=contract_write_refusals(None),
)
def mark_read(contract_id: ContractId, body: ReadIn, context: Service, token: BearerToken) -> Unread:
    """You have read the thread up to message ``up_to`` (it never moves back; past the last message
    means up to the last). What is still unread."""
    with context.writing_as(token) as (session, user):
        contract, _ = party_contract(session, user, contract_id)
        thread.mark_read(session, contract, user, body.up_to)
        count, last_read = thread.unread(session, contract, user)
        return Unread(unread=count, last_read=last_read)


@writes.put(
    "/contracts/{contract_id}/messages/{message_id}",
    tags=["messages"],
    max_body_size=MAX_JSON_BYTES,
    responses=contract_write_refusals(
        "the contract is view-only (ended, declined, withdrawn), or the id is taken",
        not_found="no contract of yours has this id, or a file is not among your uploads",
        malformed=MALFORMED + ", a message with neither text nor a file",
    ),
)
def send(
    contract_id: ContractId, message_id: MessageId, body: MessageIn, context: Service, token: BearerToken
) -> MessageOut:
    """Post a message (text up to 10,000 characters, up to 10 files you uploaded first) under an id
    you make. A replay answers the message as first posted."""
    files = [thread.FileRef(file.sha256, file.name, file.content_type) for file in body.attachments]
    with context.writing_as(token) as (session, user):
        contract, _ = party_contract(session, user, contract_id)
        message = thread.send_message(
            session, contract, user, message_id, body.body, files, context.clock.now()
        )
        return messages_out(session, contract, [message])[0]


router.include_router(writes)
