"""A contract's workroom as the app shows it, read from the local copy that sync keeps current
(``sync.workroom``), and what the freelancer writes in it: written here first, as an item of the
outbox (``workroom_writes``), shown as waiting to be sent until the service takes it, or with the
service's reason where it refused it. No network here: the workroom opens the same offline.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, RowMapping, func, insert, select, update

from common.errors import RuleViolation, StorageProblem
from common.states import MessageKind, SyncState, WorkroomWriteKind
from common.wire import MAX_FILE_BYTES, wire_time
from tracker.storage import Database
from tracker.tables import workroom_messages, workroom_writes, workrooms

PAGE = 50  # messages in a page of the thread
MB = 1024 * 1024
# In the data directory: the files of messages written here, copied when written and kept until the
# service has them; and the files of the threads downloaded, each in a folder named by its SHA-256.
OUTGOING_FOLDER = "workroom-outgoing"
DOWNLOADED_FOLDER = "workroom-files"
_COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    """How something written here stands: waiting to be sent (PENDING), or refused (REJECTED) with
    the service's reason. What the service holds has none."""

    state: SyncState
    reason: str = ""


@dataclass(frozen=True)
class Message:
    number: int | None  # its place in the thread; None: written here, not taken by the service yet
    id: str
    kind: MessageKind
    author_id: str | None  # None: the service's own line; "" written here (the freelancer)
    author_name: str | None
    body: str
    created_at: datetime
    attachments: list[dict]
    meeting: dict | None
    delivery: Delivery | None = None


@dataclass(frozen=True)
class Todo:
    id: str
    text: str
    done: bool
    delivery: Delivery | None = None


@dataclass(frozen=True)
class ThreadPage:
    messages: list[Message]  # oldest first
    older: int | None  # before= of the page before, in the local copy; None: none held here
    more_on_service: bool  # older messages the copy does not hold yet (sync reads them on demand)


@dataclass(frozen=True)
class ActionWritten:
    """An action of the "…" menu taken here (a proposal, a refund, a milestone request, the end),
    not taken by the service yet."""

    kind: WorkroomWriteKind
    body: dict  # as sent
    delivery: Delivery


@dataclass(frozen=True)
class WorkroomView:
    contract_id: str
    details: dict  # the contract with the freelancer's menu, job post, proposal, profiles, feedback…
    todos: list[Todo]
    thread: ThreadPage  # the newest page, then the messages waiting to be sent
    recent_files: list[dict]  # the thread's latest attachments, newest first
    milestones: list[dict]
    milestone_requests: list[dict]
    submissions: dict[str, Delivery]  # by milestone id: work submitted here, not taken yet
    feedback: Delivery | None  # feedback left here, not taken yet
    transactions: list[dict] | None  # the last 30 days'; None: no money shown (agency member)
    fresh_at: datetime  # when the service last vouched for this copy
    actions_written: list[ActionWritten]  # the menu's actions taken here, in order, not taken yet
    unread: int = 0  # the other party's messages not read yet


def open_workroom(database: Database, contract_id: str, page: int = PAGE) -> WorkroomView | None:
    """The workroom of a contract from the local copy, with what is written here and not yet
    taken; None before sync first read it."""
    with database.transaction() as connection:
        room = connection.execute(select(workrooms).where(workrooms.c.contract_id == contract_id)).first()
        if room is None:
            return None
        writes = connection.execute(
            select(workroom_writes)
            .where(workroom_writes.c.contract_id == contract_id)
            .order_by(workroom_writes.c.seq)
        ).all()
    newest = thread_page(database, contract_id, None, page)
    outgoing = [_outgoing_message(write) for write in writes if write.kind in _IN_THREAD]
    submissions = {
        write.milestone_id: _delivery(write)
        for write in writes
        if write.kind == WorkroomWriteKind.SUBMISSION and write.milestone_id
    }
    feedback = [_delivery(write) for write in writes if write.kind == WorkroomWriteKind.FEEDBACK]
    return WorkroomView(
        contract_id=contract_id,
        details=room.details,
        todos=todos_with_writes(room.todos, writes),
        thread=ThreadPage(newest.messages + outgoing, newest.older, newest.more_on_service),
        recent_files=room.recent_files,
        milestones=room.milestones,
        milestone_requests=room.milestone_requests,
        submissions=submissions,
        feedback=feedback[-1] if feedback else None,
        transactions=room.transactions,
        fresh_at=room.fresh_at,
        actions_written=[
            ActionWritten(write.kind, write.body, _delivery(write))
            for write in writes
            if write.kind in MENU_WRITES
        ],
        unread=0 if any(_marks_read(write) for write in writes) else room.unread,
    )


def thread_page(database: Database, contract_id: str, before: int | None, page: int = PAGE) -> ThreadPage:
    """A page of the thread as the copy holds it: the newest messages, or those before message
    number ``before``, oldest first."""
    query = select(workroom_messages).where(workroom_messages.c.contract_id == contract_id)
    if before is not None:
        query = query.where(workroom_messages.c.number < before)
    newest_first = query.order_by(workroom_messages.c.number.desc()).limit(page + 1)
    with database.transaction() as connection:
        rows = connection.execute(newest_first).mappings().all()
        older_on_service = connection.execute(
            select(workrooms.c.older_messages).where(workrooms.c.contract_id == contract_id)
        ).scalar()
    shown = rows[:page][::-1]
    held_older = len(rows) > page
    return ThreadPage(
        [held_message(row) for row in shown],
        shown[0]["number"] if held_older else None,
        not held_older and older_on_service is not None,
    )


def held_message(row: RowMapping | Mapping[str, Any]) -> Message:
    """A message as the copy holds it (a row of ``workroom_messages``, its columns by name)."""
    return Message(
        row["number"],
        row["id"],
        row["kind"],
        row["author_id"],
        row["author_name"],
        row["body"],
        row["created_at"],
        row["attachments"],
        row["meeting"],
    )


def search_held(database: Database, contract_id: str, words: str, limit: int = PAGE) -> list[Message]:
    """The messages the copy holds whose text has every one of ``words`` (case aside), newest
    first: the thread's search when the service cannot be asked."""
    query = select(workroom_messages).where(workroom_messages.c.contract_id == contract_id)
    for word in words.split():
        query = query.where(workroom_messages.c.body.icontains(word, autoescape=True))
    with database.transaction() as connection:
        rows = connection.execute(query.order_by(workroom_messages.c.number.desc()).limit(limit)).mappings()
        return [held_message(row) for row in rows]


_IN_THREAD = (WorkroomWriteKind.MESSAGE, WorkroomWriteKind.SUBMISSION, WorkroomWriteKind.MEETING)
MENU_WRITES = (
    WorkroomWriteKind.PROPOSAL,
    WorkroomWriteKind.REFUND,
    WorkroomWriteKind.MILESTONE_REQUEST,
    WorkroomWriteKind.END,
)


def _outgoing_message(write: Row[Any]) -> Message:
    body, meeting = write.body, None
    match write.kind:
        case WorkroomWriteKind.SUBMISSION:
            kind, text = MessageKind.SUBMISSION, body["text"]
        case WorkroomWriteKind.MEETING:
            kind, text, meeting = MessageKind.MEETING, "", body
        case _:
            kind, text = MessageKind.TEXT, body["body"]
    return Message(
        number=None,
        id=write.item_id,
        kind=kind,
        author_id="",
        author_name=None,
        body=text,
        created_at=write.written_at,
        attachments=outgoing_files(write),
        meeting=meeting,
        delivery=_delivery(write),
    )


def _marks_read(write: Row[Any]) -> bool:
    """A mark of the thread read, on its way (one refused marks nothing)."""
    return write.kind == WorkroomWriteKind.THREAD_READ and write.sync_state == SyncState.PENDING


_MARKS_READ = (  # ``_marks_read`` as a query's condition
    workroom_writes.c.kind == WorkroomWriteKind.THREAD_READ,
    workroom_writes.c.sync_state == SyncState.PENDING,
)


def unread_counts(database: Database) -> dict[str, int]:
    """For each workroom copied here: how many of the other party's messages are not read yet."""
    with database.transaction() as connection:
        counts: dict[str, int] = dict(
            connection.execute(select(workrooms.c.contract_id, workrooms.c.unread)).all()
        )
        marked = connection.execute(select(workroom_writes.c.contract_id).where(*_MARKS_READ)).scalars()
        return counts | dict.fromkeys(marked, 0)


def _delivery(write: Row[Any]) -> Delivery:
    return Delivery(write.sync_state, write.sync_error)


def todos_with_writes(held: list[dict], writes: Sequence[Row[Any]]) -> list[Todo]:
    """The to-do list as the copy holds it, with the to-do writes made here applied in order: each
    to-do they touch says how its latest write stands. A refused deletion leaves its to-do in the
    list, saying so; a refused new order is not applied."""
    todos = {todo["id"]: Todo(todo["id"], todo["text"], todo["done"]) for todo in held}
    for write in writes:
        delivery = _delivery(write)
        refused = write.sync_state == SyncState.REJECTED
        if write.kind == WorkroomWriteKind.TODO:
            todos[write.item_id] = Todo(write.item_id, write.body["text"], write.body["done"], delivery)
        elif write.kind == WorkroomWriteKind.TODO_DELETED and write.item_id in todos:
            if refused:
                todos[write.item_id] = replace(todos[write.item_id], delivery=delivery)
            else:
                del todos[write.item_id]
        elif write.kind == WorkroomWriteKind.TODO_ORDER and not refused:
            todos = in_order(todos, write.body["ids"])
    return list(todos.values())


def in_order(todos: dict[str, Todo], ids: list[str]) -> dict[str, Todo]:
    """The service's reordering: the named to-dos first, in that order, then the others in theirs."""
    named = {todo_id: todos[todo_id] for todo_id in ids if todo_id in todos}
    return named | {todo_id: todo for todo_id, todo in todos.items() if todo_id not in named}


# ----- writing, offline first


def send_message(
    database: Database, contract_id: str, text: str, now: datetime, files: Sequence[Path] = ()
) -> str:
    """A message to the thread, with files (copied here first: see ``keep_outgoing``); its id."""
    message_id = str(uuid.uuid4())
    with keep_outgoing(database, message_id, files) as kept:
        body = {"body": text, "attachments": kept}
        _write(database, contract_id, WorkroomWriteKind.MESSAGE, message_id, body, now)
    return message_id


def save_todo(
    database: Database, contract_id: str, text: str, done: bool, now: datetime, todo_id: str | None = None
) -> str:
    """Add a to-do (no ``todo_id``: at the end of the list), or change its text or whether it is
    done; its id."""
    todo_id = todo_id or str(uuid.uuid4())
    _write(database, contract_id, WorkroomWriteKind.TODO, todo_id, {"text": text, "done": done}, now)
    return todo_id


def delete_todo(database: Database, contract_id: str, todo_id: str, now: datetime) -> None:
    _write(database, contract_id, WorkroomWriteKind.TODO_DELETED, todo_id, {}, now)


def reorder_todos(database: Database, contract_id: str, ids: list[str], now: datetime) -> None:
    """The to-dos in the order the user put them."""
    _write(database, contract_id, WorkroomWriteKind.TODO_ORDER, "", {"ids": ids}, now)


def submit_work(
    database: Database,
    contract_id: str,
    milestone_id: str,
    text: str,
    now: datetime,
    files: Sequence[Path] = (),
) -> str:
    """Submit work for payment on a milestone, with a message and files; the message's id."""
    message_id = str(uuid.uuid4())
    with keep_outgoing(database, message_id, files) as kept:
        body = {"message_id": message_id, "text": text, "files": kept}
        _write(database, contract_id, WorkroomWriteKind.SUBMISSION, message_id, body, now, milestone_id)
    return message_id


def leave_feedback(database: Database, contract_id: str, rating: int, comment: str, now: datetime) -> None:
    _write(database, contract_id, WorkroomWriteKind.FEEDBACK, "", {"rating": rating, "comment": comment}, now)


def propose_contract(database: Database, contract_id: str, offer: dict, now: datetime) -> str:
    """Propose a new contract to this one's client (``offer``: the API's, its milestones with
    their ids); the new contract's id."""
    new_id = str(uuid.uuid4())
    _write(database, contract_id, WorkroomWriteKind.PROPOSAL, new_id, offer, now)
    return new_id


def give_refund(database: Database, contract_id: str, amount_cents: int, note: str, now: datetime) -> str:
    """Refund the client ``amount_cents``; the refund's id."""
    refund_id = str(uuid.uuid4())
    body = {"amount_cents": amount_cents, "note": note}
    _write(database, contract_id, WorkroomWriteKind.REFUND, refund_id, body, now)
    return refund_id


def request_milestone(
    database: Database, contract_id: str, milestone_id: str | None, draft: dict, now: datetime
) -> str:
    """Ask the client to add a milestone (no ``milestone_id``) or change one: ``draft`` holds its
    title, amount_cents, due_date and a note; the request's id."""
    request_id = str(uuid.uuid4())
    body = draft | {"milestone_id": milestone_id}
    _write(database, contract_id, WorkroomWriteKind.MILESTONE_REQUEST, request_id, body, now, milestone_id)
    return request_id


def end_contract(database: Database, contract_id: str, reason: str, now: datetime) -> None:
    """End the contract; a reason given is posted in the thread first (an ended contract takes no
    message)."""
    if reason:
        send_message(database, contract_id, reason, now)
    _write(database, contract_id, WorkroomWriteKind.END, "", {}, now)


def schedule_meeting(
    database: Database,
    contract_id: str,
    title: str,
    start: datetime,
    duration_minutes: int,
    join_url: str,
    now: datetime,
) -> str:
    """A meeting, posted in the thread when the service takes it; its id."""
    if start <= now:
        raise RuleViolation("The meeting would start in the past: choose a later start.")
    meeting_id = str(uuid.uuid4())
    body = {
        "title": title,
        "start": wire_time(start),
        "duration_minutes": duration_minutes,
        "join_url": join_url or None,
    }
    _write(database, contract_id, WorkroomWriteKind.MEETING, meeting_id, body, now)
    return meeting_id


def _write(
    database: Database,
    contract_id: str,
    kind: WorkroomWriteKind,
    item_id: str,
    body: dict,
    now: datetime,
    milestone_id: str | None = None,
) -> None:
    database.write(
        insert(workroom_writes).values(
            contract_id=contract_id,
            kind=kind,
            item_id=item_id,
            milestone_id=milestone_id,
            body=body,
            written_at=now,
        )
    )


# ----- files


def check_attachable(path: Path) -> None:
    """Refuse a file the service would refuse (over its size limit), or one that cannot be read."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise RuleViolation(f"“{path.name}” cannot be read: {error.strerror}.") from error
    if not path.is_file():
        raise RuleViolation(f"“{path.name}” is a folder: only files can be sent.")
    if size > MAX_FILE_BYTES:
        raise RuleViolation(
            f"“{path.name}” is too big to send: a file may be at most {MAX_FILE_BYTES // MB} MB."
        )


@contextmanager
def keep_outgoing(database: Database, item_id: str, paths: Sequence[Path]) -> Iterator[list[dict]]:
    """Copy the files of an item written here into the data directory, so that moving or deleting
    the originals loses nothing before the service has them: each file's sha256, name, content type
    and copy's path (relative to the data directory). The copies are deleted if the write fails."""
    folder = database.data_dir / OUTGOING_FOLDER / item_id
    try:
        kept = [_keep_copy(database, folder / str(index), path) for index, path in enumerate(paths)]
        yield kept
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _keep_copy(database: Database, target: Path, path: Path) -> dict:
    check_attachable(path)
    digest = hashlib.sha256()
    try:
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        copy = target / path.name
        with path.open("rb") as original, copy.open("wb") as kept:
            for chunk in iter(lambda: original.read(_COPY_CHUNK), b""):
                digest.update(chunk)
                kept.write(chunk)
    except OSError as error:
        raise StorageProblem(f"“{path.name}” could not be kept to be sent: {error.strerror}.") from error
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {
        "sha256": digest.hexdigest(),
        "name": path.name,
        "content_type": content_type,
        "path": copy.relative_to(database.data_dir).as_posix(),
    }


def outgoing_files(write: Row[Any]) -> list[dict]:
    """The files an item written here sends (as ``keep_outgoing`` listed them)."""
    match write.kind:
        case WorkroomWriteKind.MESSAGE:
            return write.body["attachments"]
        case WorkroomWriteKind.SUBMISSION:
            return write.body["files"]
    return []


def drop_outgoing(database: Database, write: Row[Any]) -> None:
    """Delete the copies of an item's files once the service has them."""
    for file in outgoing_files(write):
        copy = database.data_dir / file["path"]
        copy.unlink(missing_ok=True)
        for folder in (copy.parent, copy.parent.parent):
            try:
                folder.rmdir()
            except OSError:  # not empty: another file of the item
                break


def local_file(database: Database, file: dict) -> Path | None:
    """Where a file of the thread is on this computer: the copy of one written here, or the one
    downloaded before; None: it needs downloading."""
    if "path" in file:
        copy = database.data_dir / file["path"]
        return copy if copy.is_file() else None
    folder = database.data_dir / DOWNLOADED_FOLDER / file["sha256"]
    return next((path for path in folder.iterdir() if path.is_file()), None) if folder.is_dir() else None


def keep_downloaded(database: Database, file: dict, data: bytes) -> Path:
    """Keep a downloaded file of the thread under its SHA-256 and its name; where it is."""
    folder = database.data_dir / DOWNLOADED_FOLDER / file["sha256"]
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Named as sent, made a plain name of this folder (no separator, no leading dot).
        name = file["name"].replace("/", "_").replace("\\", "_").lstrip(".") or "file"
        path = folder / name
        partial = folder.with_name(folder.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        raise StorageProblem(f"“{file['name']}” could not be kept: {error.strerror}.") from error
    return path


def mark_thread_read(database: Database, contract_id: str, now: datetime) -> None:
    """The user read the thread up to its newest message held here: one mark on its way at a time
    (the service never moves a mark back, so sending it again changes nothing)."""
    with database.transaction() as connection:
        newest = connection.execute(
            select(func.max(workroom_messages.c.number)).where(workroom_messages.c.contract_id == contract_id)
        ).scalar()
        if newest is None:
            return
        waiting = connection.execute(
            select(workroom_writes.c.seq).where(workroom_writes.c.contract_id == contract_id, *_MARKS_READ)
        ).scalar()
        if waiting is not None:
            connection.execute(
                update(workroom_writes).where(workroom_writes.c.seq == waiting).values(body={"up_to": newest})
            )
            return
    _write(database, contract_id, WorkroomWriteKind.THREAD_READ, "", {"up_to": newest}, now)
