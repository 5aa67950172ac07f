"""The workroom's Messages tab: the thread a page at a time (newest first, older on request), read
by the viewer as they see it, messages sent with files, search over the thread, meetings and their
invitations, and the thread's files as downloads to the parties only, on the session cookie."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from service.api.deps import MB, Service, ServiceContext
from service.api.routes import files, meetings
from service.api.routes.contracts import contract_out
from service.api.routes.meetings import MeetingIn, schedule_as_asked
from service.api.routes.messages import (
    MAX_BODY_CHARS,
    MAX_FILES,
    MAX_QUERY_CHARS,
    MEDIA_TYPE,
    FileIn,
    MessageIn,
    messages_out,
)
from service.errors import TooLarge
from service.models import FILE_TYPE, User
from service.schemas import Id
from service.storage import CHUNK
from service.web.pages import templates
from service.web.sessions import CheckedForm, SignedInViewer, Viewer, writing_as
from service.web.workroom import ContractId, tab_page, viewer_zone
from service.workroom import search, thread
from service.workroom.access import party_contract

THREAD_PAGE = 50
SEARCH_RESULTS = 20
FORM_OVERHEAD = MB  # a message form's bytes besides its files: its text and the parts' headers
MESSAGE_ID = TypeAdapter(Id)  # a form field, read only once the form's token is checked
router = APIRouter(include_in_schema=False)


def file_size(size: int) -> str:
    """A file's size as people read it: "812 bytes", "14 KB", "3.2 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < MB:
        return f"{round(size / 1024)} KB"
    return f"{size / MB:.1f} MB"


templates.env.filters["file_size"] = file_size


def _thread(context: ServiceContext, viewer: Viewer, contract_id: str, before: int | None) -> dict[str, Any]:
    """A page of the thread; the newest page counts as read up to its last message."""
    with context.database.reading() as session:
        contract, role = party_contract(session, viewer.user, contract_id)
        messages, more = thread.thread_page(session, contract, role, before, THREAD_PAGE)
        unread, last_read = thread.unread(session, contract, viewer.user)
        data = {
            "contract": contract_out(session, contract, role, viewer.user, context.clock.now()),
            "messages": messages_out(session, contract, messages),
            "older": messages[0].number if more else None,
            "newest": before is None,
            "last_read": last_read,
            "writable": contract.status not in thread.VIEW_ONLY,
            "max_file_mb": context.config.max_file_bytes // MB,
        }
    if before is None and unread:
        with writing_as(context, viewer) as (session, reader):
            contract, _ = party_contract(session, reader, contract_id)
            thread.mark_read(session, contract, reader, messages[-1].number)
    return data


def _messages_page(
    request: Request, viewer: Viewer, context: dict[str, Any], template: str = "messages.html"
) -> Response:
    extra = {
        "max_chars": MAX_BODY_CHARS,
        "max_files": MAX_FILES,
        "zone": viewer.user.time_zone,
    }
    return tab_page(request, viewer, template, "messages", {**extra, **context})


@router.get("/contracts/{contract_id}/messages", response_class=HTMLResponse)
async def messages(
    request: Request,
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    data = await run_in_threadpool(_thread, context, viewer, contract_id, before)
    return _messages_page(request, viewer, data)


@router.get("/contracts/{contract_id}/messages/after/{number}", response_class=HTMLResponse)
async def messages_after(
    request: Request,
    contract_id: ContractId,
    number: Annotated[int, Path(ge=0, le=2**63 - 1)],
    context: Service,
    viewer: SignedInViewer,
) -> Response:
    """The newest page's messages after ``number``, as the thread's items: what the live page adds."""
    data = await run_in_threadpool(_thread, context, viewer, contract_id, None)
    data["messages"] = [message for message in data["messages"] if message.number > number]
    return _messages_page(request, viewer, data, "thread_items.html")


@router.get("/contracts/{contract_id}/messages/search", response_class=HTMLResponse)
async def search_thread(
    request: Request,
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
) -> Response:
    def read() -> dict[str, Any]:
        with context.database.reading() as session:
            contract, role = party_contract(session, viewer.user, contract_id)
            numbers, more = search.search_numbers(session, contract, role, q, 0, SEARCH_RESULTS)
            found = thread.messages_by_number(session, contract, role, numbers)
            return {
                "contract": contract_out(session, contract, role, viewer.user, context.clock.now()),
                "results": messages_out(session, contract, found),
                "more_results": more,
                "last_read": None,
                "q": q,
                "writable": False,
            }

    return _messages_page(request, viewer, await run_in_threadpool(read))


async def _upload_within_limit(request: Request, context: Service) -> None:
    """Refuse a message's form before reading it when its length alone is over what its files may
    weigh together."""
    most = MAX_FILES * context.config.max_file_bytes + FORM_OVERHEAD
    if int(request.headers.get("content-length") or 0) > most:
        raise TooLarge(f"Send at most {MAX_FILES} files of {context.config.max_file_bytes // MB} MB each.")


@router.post("/contracts/{contract_id}/messages", dependencies=[Depends(_upload_within_limit)])
async def send(
    request: Request,
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    form: CheckedForm,
) -> Response:
    """A message with its files (``kept_uploads``). Files uploaded from the Overview are such a
    message too (PRODUCT.md: all files are the thread's)."""
    try:
        message_id = MESSAGE_ID.validate_python(form.get("message_id"))
    except ValidationError as invalid:
        await (await request.form()).close()  # its files are kept by nobody
        raise RequestValidationError(invalid.errors()) from invalid
    refs = await kept_uploads(request, context, viewer.user, contract_id)
    try:
        body = MessageIn(
            body=form.get("body", ""),
            attachments=[FileIn(sha256=f.sha256, name=f.name, content_type=f.content_type) for f in refs],
        )
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from invalid

    def post() -> None:
        with writing_as(context, viewer) as (session, author):
            contract, _ = party_contract(session, author, contract_id)
            now = context.clock.now()
            thread.send_message(session, contract, author, message_id, body.body.strip(), refs, now)

    await run_in_threadpool(post)
    if form.get("back") == "overview":  # files uploaded from the Overview's recent files
        return RedirectResponse(f"/contracts/{contract_id}#files", status_code=303)
    return RedirectResponse(f"/contracts/{contract_id}/messages#latest", status_code=303)


async def kept_uploads(
    request: Request, context: ServiceContext, user: User, contract_id: str
) -> list[thread.FileRef]:
    """The files of a posted form: each checked against the limit before any is kept, kept under
    its SHA-256 as the user's upload (only for a thread they may write in), named as it came."""
    posted = await request.form()  # read by CheckedForm already: its files are closed here
    try:
        uploads = [part for part in posted.getlist("files") if isinstance(part, UploadFile) and part.filename]
        limit = context.config.max_file_bytes
        for upload in uploads:
            if upload.size is None or upload.size > limit:
                raise TooLarge(f"“{upload.filename}” was not sent: a file may be at most {limit // MB} MB.")
        if uploads:
            await run_in_threadpool(_require_writable, context, user, contract_id)
        return [await run_in_threadpool(_keep_upload, context, user, upload) for upload in uploads]
    finally:
        await posted.close()


def _require_writable(context: ServiceContext, user: User, contract_id: str) -> None:
    with context.database.reading() as session:
        contract, _ = party_contract(session, user, contract_id)
        thread.require_writable(contract)


def _keep_upload(context: ServiceContext, user: User, upload: UploadFile) -> thread.FileRef:
    with context.blobs.receive() as incoming:
        for chunk in iter(partial(upload.file.read, CHUNK), b""):
            incoming.write(chunk)
        sha256 = incoming.sha256()
        files.keep_file(context, user, incoming, sha256)
    content_type = (upload.content_type or "").split(";")[0].strip()
    named = re.fullmatch(MEDIA_TYPE, content_type) is not None
    return thread.FileRef(sha256, upload.filename or "file", content_type if named else FILE_TYPE)


@router.get("/contracts/{contract_id}/files/{attachment_id}")
async def download(
    contract_id: ContractId,
    attachment_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    context: Service,
    viewer: SignedInViewer,
) -> Response:
    """A file of the thread, as the API serves it to the parties: always a download."""
    return await run_in_threadpool(files.download, contract_id, attachment_id, context, viewer.user)


@router.post("/contracts/{contract_id}/meetings")
async def schedule(
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    meeting_id: Annotated[Id, Form()],
    title: Annotated[str, Form(max_length=200)],
    start: Annotated[str, Form(max_length=40, description="a local time in the viewer's zone")],
    duration_minutes: Annotated[int, Form()],
    join_url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A meeting whose start the viewer gave in their own zone, posted in the thread."""
    try:
        meeting = MeetingIn(
            title=title,
            start=_utc_text(start, viewer_zone(viewer.user)),
            duration_minutes=duration_minutes,
            join_url=join_url.strip() or None,
        )
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from invalid

    def post() -> None:
        with writing_as(context, viewer) as (session, author):
            contract, _ = party_contract(session, author, contract_id)
            schedule_as_asked(session, contract, author, meeting_id, meeting, context.clock.now())

    await run_in_threadpool(post)
    return RedirectResponse(f"/contracts/{contract_id}/messages#latest", status_code=303)


def _utc_text(local: str, zone: ZoneInfo) -> str:
    """A form's local date and time (``2026-12-07T14:30``) in ``zone`` as an ISO UTC time; the text
    as given when it is no such time (the meeting's validation then says so)."""
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        return local
    return moment.replace(tzinfo=zone, second=0, microsecond=0).astimezone(UTC).isoformat()


@router.get("/contracts/{contract_id}/meetings/{meeting_id}.ics")
async def invitation(
    contract_id: ContractId, meeting_id: Annotated[Id, Path()], context: Service, viewer: SignedInViewer
) -> Response:
    return await run_in_threadpool(meetings.invitation, contract_id, meeting_id, context, viewer.user)
