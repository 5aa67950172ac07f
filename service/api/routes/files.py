"""Messages' files: uploaded by their SHA-256 (streamed, up to 25 MB), attached to messages, and
downloaded by the parties of the contract whose thread holds them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Annotated, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from common.wire import API_PREFIX
from service.api.deps import MALFORMED, MB, SIGNED_OUT, CurrentUser, Service, ServiceContext, refusals
from service.api.routes.blobs import PRESIGNED, BlobHash, NewBlob, presigned_redirect, store_blobs
from service.api.routes.contracts import CONTRACT_REFUSALS, ContractId
from service.errors import BadContent, TooLarge
from service.models import FILE_TYPE, Attachment, Contract, Message, User
from service.storage import CHUNK, Incoming
from service.workroom import thread
from service.workroom.access import party_contract

PAGE = 50
MAX_PAGE = 200
# Kept in a download's ASCII file name (any other character becomes "_"; filename* has them all).
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()+-]")

router = APIRouter()


class FileOut(BaseModel):
    sha256: str
    size: int


class AttachmentOut(BaseModel):
    id: int
    name: str = Field(description="as its sender named it (a download is named safely after it)")
    content_type: str = Field(description="as its sender named it (a download is application/octet-stream)")
    size: int
    sha256: str
    download: str = Field(description="the path of GET …/attachments/{id}")


class FileItem(AttachmentOut):
    """A file of the thread, with the message it came with."""

    message_id: str
    author_name: str | None = Field(description="None for the service's own line")
    posted_at: datetime


class FilePage(BaseModel):
    files: list[FileItem] = Field(description="newest first")
    older: int | None = Field(
        description="pass as before= for the next page; None at the thread's first file"
    )


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        download=f"{API_PREFIX}/contracts/{attachment.contract_id}/attachments/{attachment.id}",
    )


def author_name(contract: Contract, message: Message) -> str | None:
    """The name of a message's author (always one of the parties), None for the service's line."""
    if message.author_id is None:
        return None
    return contract.client.name if message.author_id == contract.client_id else contract.freelancer.name


@router.put(
    "/files/{sha256}",
    tags=["messages"],
    responses=refusals(
        {
            400: "its bytes do not have the SHA-256 they were sent under, or the upload was cut short",
            401: SIGNED_OUT,
            413: "the file is over 25 MB",
            422: "the path's SHA-256 is not 64 lower-case hex digits",
        }
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_file(sha256: BlobHash, request: Request, context: Service, user: CurrentUser) -> FileOut:
    """Upload a file (≤ 25 MB, any type, 0 bytes too) as the raw body under its SHA-256, to attach
    to your messages (PUT …/messages/{id}); uploading it again answers 200 as well. Send it within a
    day of the message: a file no message attaches is removed after that."""
    limit = context.config.max_file_bytes
    too_large = TooLarge(f"A file may be at most {limit // MB} MB.")
    if int(request.headers.get("content-length") or 0) > limit:
        raise too_large
    with context.blobs.receive() as incoming:
        try:
            async for chunk in request.stream():
                if incoming.size + len(chunk) > limit:
                    raise too_large
                await run_in_threadpool(incoming.write, chunk)
        except ClientDisconnect as cut:
            raise BadContent("The upload was cut short: send the file again.") from cut
        if incoming.sha256() != sha256:
            raise BadContent("The file's SHA-256 is not the one it was sent under: the upload was damaged.")
        await run_in_threadpool(keep_file, context, user, incoming, sha256)
    return FileOut(sha256=sha256, size=incoming.size)


def keep_file(context: ServiceContext, user: User, incoming: Incoming, sha256: str) -> None:
    """Keep a received file (its SHA-256 checked) as the user's upload, theirs to attach."""
    store_blobs(context, user, {sha256: NewBlob(incoming.size, FILE_TYPE, partial(incoming.keep, sha256))})


@router.get("/contracts/{contract_id}/files", tags=["messages"], responses=CONTRACT_REFUSALS)
def recent_files(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    before: Annotated[
        int | None, Query(ge=1, description="the id of the last file of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> FilePage:
    """The thread's files (all a contract's files are attachments of its messages), newest first."""
    with context.database.reading() as session:
        contract, _ = party_contract(session, user, contract_id)
        rows, more = thread.recent_files(session, contract, before, limit)
        files = [
            FileItem(
                **attachment_out(attachment).model_dump(),
                message_id=message.id,
                author_name=author_name(contract, message),
                posted_at=message.created_at,
            )
            for attachment, message in rows
        ]
    return FilePage(files=files, older=files[-1].id if more else None)


@router.get(
    "/contracts/{contract_id}/attachments/{attachment_id}",
    tags=["messages"],
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {FILE_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "the file, as a download under its name",
        },
        **PRESIGNED,
        **refusals({401: SIGNED_OUT, 404: "no file of this contract's thread has this id", 422: MALFORMED}),
    },
)
def download(
    contract_id: ContractId,
    attachment_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    context: Service,
    user: CurrentUser,
) -> Response:
    """A file of the thread, to its parties: always a download (application/octet-stream, never
    sniffed), named after the name it was sent with (from an object store: by a redirect)."""
    with context.database.reading() as session:
        contract, _ = party_contract(session, user, contract_id)
        attachment = thread.contract_attachment(session, contract, attachment_id)
        disposition = content_disposition(attachment.name)
        redirect = presigned_redirect(context, attachment.sha256, FILE_TYPE, disposition)
        if redirect is not None:
            return redirect
        size = attachment.size
        stream = context.blobs.open(attachment.sha256)
    headers = {
        "Content-Disposition": disposition,
        "Content-Length": str(size),
        "Cache-Control": "private",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return StreamingResponse(_chunks(stream), media_type=FILE_TYPE, headers=headers)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        yield from iter(partial(stream.read, CHUNK), b"")


def content_disposition(name: str) -> str:
    """An attachment named after ``name`` (RFC 6266): its path separators and control characters
    made "_", no leading dot; an ASCII ``filename`` for old clients and the whole name in UTF-8 as
    ``filename*`` (RFC 5987)."""
    safe = "".join("_" if char in "/\\" or unicodedata.category(char)[0] == "C" else char for char in name)
    safe = safe.lstrip(". ") or "file"
    ascii_name = _UNSAFE_ASCII.sub("_", safe)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"
