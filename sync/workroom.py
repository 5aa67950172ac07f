"""Sync of the workroom copies that the app opens offline (``tracker.workroom``).

A contract's whole workroom is read the first time a pass sees the contract; after that, each pass
asks the events feed what happened since the copy's cursor and reads again only the parts an event
touched. The thread is read a page at a time: the newest page first, then the messages newer than
the copy's newest, and older pages only when the user scrolls to them (``read_older``).

What the freelancer wrote goes first, in the order written, each write under an id made here (so
that a replay changes nothing); a refusal sets that write aside with the service's reason and the
others go on. A write leaves the outbox in the transaction that puts the service's answer to it
in the copy: a pass cut before that sends it again, which the service answers as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Insert, Row, Table, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from common.states import ContractStatus, EventKind, Role, SyncState, WorkroomWriteKind
from common.timeutil import Clock
from common.wire import field_of, parse_wire_time
from sync.client import ServiceClient
from sync.errors import Refused, ServiceUnreachable
from tracker import workroom
from tracker.storage import Database
from tracker.tables import workroom_messages, workroom_news, workroom_writes, workrooms

THREAD_PAGE = 50  # messages read at a time
SEARCH_RESULTS = 50  # the thread's messages a search finds at most
RECENT_FILES = 10  # the Overview's latest attachments
CATCH_UP_PAGES = 10  # pages of news read at most in a thread before its copy starts again
_EVENT_FIELDS = {"number": int, "contract_id": str, "kind": str}
_TODO_FIELDS = {"id": str, "text": str, "done": bool, "position": int}


class Part(StrEnum):
    """A part of a workroom that is read (and stored) as a whole."""

    DETAILS = "details"  # the contract and its menu, feedback, recent activity
    TODOS = "todos"
    THREAD = "thread"  # the messages newer than the copy's newest
    MILESTONES = "milestones"  # and the requests to add or change one
    MONEY = "money"  # the last 30 days' transactions


EVERYTHING = frozenset(Part)
# An event is a line in the thread and an entry of the recent activity, and may change the menu.
_EVENT_LINE = frozenset({Part.DETAILS, Part.THREAD})
_MILESTONE_EVENTS = {
    EventKind.MILESTONE_ADDED,
    EventKind.MILESTONE_FUNDED,
    EventKind.WORK_SUBMITTED,
    EventKind.CHANGES_REQUESTED,
    EventKind.MILESTONE_APPROVED,
    EventKind.MILESTONE_REQUESTED,
    EventKind.MILESTONE_REQUEST_DECIDED,
}
_MONEY_EVENTS = {
    EventKind.MILESTONE_APPROVED,  # paid: a transaction
    EventKind.INVOICE_ISSUED,
    EventKind.INVOICE_DISPUTED,
    EventKind.INVOICE_PAID,
    EventKind.BONUS_GIVEN,
    EventKind.REFUND_GIVEN,
}


# The events worth a notification (when another made them), and how it begins.
NEWS_TITLES = {
    EventKind.MESSAGE_POSTED: "New message",
    EventKind.MILESTONE_APPROVED: "Milestone approved",
    EventKind.CHANGES_REQUESTED: "Changes requested",
    EventKind.INVOICE_ISSUED: "Invoice issued",
    EventKind.INVOICE_DISPUTED: "Invoice disputed",
    EventKind.PAUSED: "Contract paused",
    EventKind.RESUMED: "Contract resumed",
    EventKind.ENDED: "Contract ended",
}
FIRST_WORDS = 80  # characters of a message in its notification


def first_words(text: str) -> str:
    """The start of a message, on one line, cut at a word."""
    line = " ".join(text.split())
    if len(line) <= FIRST_WORDS:
        return line
    return line[:FIRST_WORDS].rsplit(" ", 1)[0] + "…"


def parts_of(kind: str) -> frozenset[Part]:
    """The parts of a workroom an event of this kind changes."""
    if kind == EventKind.MESSAGE_POSTED:
        return frozenset({Part.THREAD})
    if kind == EventKind.TODOS_CHANGED:
        return frozenset({Part.TODOS})
    if kind not in set(EventKind):  # a kind newer than this app: read it all again
        return EVERYTHING
    return (
        _EVENT_LINE
        | ({Part.MILESTONES} if kind in _MILESTONE_EVENTS else set())
        | ({Part.MONEY} if kind in _MONEY_EVENTS else set())
    )


class WorkroomSync:
    def __init__(self, database: Database, client: ServiceClient, clock: Clock) -> None:
        self.db = database
        self.client = client
        self.clock = clock
        self._user_id: str | None = None  # the account's, asked once there is news to tell

    def run(self, contract_ids: Iterable[str]) -> tuple[int, list[str]]:
        """Send what was written, then bring the copies of these contracts' workrooms up to date:
        how many writes the service took, and what it refused ("what: the reason")."""
        sent, refused = self.push()
        self.pull(contract_ids)
        return sent, refused

    # ----- the outbox

    def push(self) -> tuple[int, list[str]]:
        with self.db.transaction() as connection:
            pending = connection.execute(
                select(workroom_writes)
                .where(workroom_writes.c.sync_state == SyncState.PENDING)
                .order_by(workroom_writes.c.seq)
            ).all()
        sent, refused = 0, []
        for write in pending:
            try:
                answer = self._send(write)
            except Refused as refusal:
                self._set_aside(write, refusal.reason)
                refused.append(f"{write.kind.replace('_', ' ')} in a workroom: {refusal.reason}")
                continue
            with self.client.reading(f"a {write.kind.replace('_', ' ')}"):
                self._acknowledge(write, answer)
            workroom.drop_outgoing(self.db, write)
            sent += 1
        return sent, refused

    def _send(self, write: Row[Any]) -> dict | list | None:
        """The service's answer to the write: what it stores now."""
        contract_id, item_id, body = write.contract_id, write.item_id, write.body
        match write.kind:
            case WorkroomWriteKind.MESSAGE:
                attachments = self._upload(write)
                return self.client.put_message(contract_id, item_id, body | {"attachments": attachments})
            case WorkroomWriteKind.TODO:
                return self.client.put_todo(contract_id, item_id, body)
            case WorkroomWriteKind.TODO_DELETED:
                self.client.delete_todo(contract_id, item_id)
            case WorkroomWriteKind.TODO_ORDER:
                return self.client.put_todo_order(contract_id, body)
            case WorkroomWriteKind.SUBMISSION:
                submission = body | {"files": self._upload(write)}
                return self.client.submit_work(contract_id, write.milestone_id or "", submission)
            case WorkroomWriteKind.FEEDBACK:
                return self.client.put_feedback(contract_id, body)
            case WorkroomWriteKind.PROPOSAL:
                return self.client.put_offer(item_id, body)
            case WorkroomWriteKind.REFUND:
                return self.client.give_refund(contract_id, item_id, body)
            case WorkroomWriteKind.MILESTONE_REQUEST:
                return self.client.put_milestone_request(contract_id, item_id, body)
            case WorkroomWriteKind.END:
                return self._end(contract_id)
            case WorkroomWriteKind.MEETING:
                return self.client.put_meeting(contract_id, item_id, body)
            case WorkroomWriteKind.THREAD_READ:
                return self.client.mark_read(contract_id, body)
        return None

    def _end(self, contract_id: str) -> dict | None:
        """End the contract. Ending is no replay: an end sent again, after its answer was lost, is
        refused as the contract is not live; it is done all the same when the contract has ended."""
        try:
            return self.client.end_contract(contract_id)
        except Refused:
            details = self.client.details(contract_id)
            with self.client.reading("the contract"):
                if details["contract"]["status"] == ContractStatus.ENDED:
                    return None
            raise

    def _upload(self, write: Row[Any]) -> list[dict]:
        """Upload the copies of the write's files; the files as its body names them to the service.
        A copy gone or unreadable refuses the write: the service would refuse it without the file."""
        files = workroom.outgoing_files(write)
        for file in files:
            try:
                with (self.db.data_dir / file["path"]).open("rb") as data:
                    self.client.put_file(file["sha256"], data)
            except OSError as error:
                reason = f"“{file['name']}” could not be read to be sent ({error.strerror})."
                raise Refused(0, reason) from error  # 0: refused here, not by the service
        return [{name: file[name] for name in ("sha256", "name", "content_type")} for file in files]

    def _acknowledge(self, write: Row[Any], answer: Any) -> None:
        """Take the write out of the outbox and put the service's answer in the copy, in one
        transaction. The rest of what it changed (a submission's message in the thread, the
        feedback in the details) comes with the events it made."""
        messages = (
            [_message_row(write.contract_id, answer)] if write.kind == WorkroomWriteKind.MESSAGE else []
        )
        the_room = workrooms.c.contract_id == write.contract_id
        with self.db.transaction() as connection:
            connection.execute(delete(workroom_writes).where(workroom_writes.c.seq == write.seq))
            room = connection.execute(
                select(workrooms.c.recent_files, workrooms.c.todos, workrooms.c.milestones).where(the_room)
            ).first()
            if room is None:  # written before the copy's first read, which will show it
                return
            change: dict[str, Any] = {}
            match write.kind:
                case WorkroomWriteKind.MESSAGE:
                    _keep_messages(connection, messages)
                    # The thread's refresh after it finds no new message: its files are added here.
                    change["recent_files"] = (_files_of(answer) + room.recent_files)[:RECENT_FILES]
                case WorkroomWriteKind.TODO:
                    todo = {name: field_of(answer, name, kind) for name, kind in _TODO_FIELDS.items()}
                    todos = [held for held in room.todos if held["id"] != todo["id"]]
                    change["todos"] = sorted([*todos, todo], key=lambda held: held["position"])
                case WorkroomWriteKind.TODO_DELETED:
                    change["todos"] = [held for held in room.todos if held["id"] != write.item_id]
                case WorkroomWriteKind.TODO_ORDER:
                    change["todos"] = answer
                case WorkroomWriteKind.SUBMISSION:
                    milestone_id = field_of(answer, "id", str)
                    change["milestones"] = [
                        answer if held["id"] == milestone_id else held for held in room.milestones
                    ]
                case WorkroomWriteKind.THREAD_READ:
                    change["unread"] = field_of(answer, "unread", int)
            if change:
                connection.execute(update(workrooms).where(the_room).values(change))

    def _set_aside(self, write: Row[Any], reason: str) -> None:
        self.db.write(
            update(workroom_writes)
            .where(workroom_writes.c.seq == write.seq)
            .values(sync_state=SyncState.REJECTED, sync_error=reason)
        )

    # ----- the copies

    def pull(self, contract_ids: Iterable[str]) -> None:
        with self.db.transaction() as connection:
            rooms = connection.execute(
                select(workrooms.c.contract_id, workrooms.c.events_cursor, workrooms.c.fresh_at)
            ).all()
        cursors = {room.contract_id: room.events_cursor for room in rooms}
        first_seen = [contract_id for contract_id in contract_ids if contract_id not in cursors]
        if first_seen:
            now_cursor = self._feed(None)[1]  # before the reads: what happens meanwhile is news
            for contract_id in first_seen:
                self._refresh(contract_id, EVERYTHING, first_cursor=now_cursor)
        if cursors:
            # The last 30 days move on every day: a copy last fresh on an earlier day reads its
            # transactions again.
            today = self.clock.now().date()
            stale = {room.contract_id: {Part.MONEY} for room in rooms if room.fresh_at.date() < today}
            self._pull_news(cursors, stale)

    def _pull_news(self, cursors: dict[str, int], touched: dict[str, set[Part]]) -> None:
        after = min(cursors.values())
        while True:
            events, cursor = self._feed(after)
            new = [
                event
                for event in events
                if event["contract_id"] in cursors and event["number"] > cursors[event["contract_id"]]
            ]
            for event in new:
                touched.setdefault(event["contract_id"], set()).update(parts_of(event["kind"]))
            for contract_id, parts in touched.items():
                self._refresh(contract_id, frozenset(parts))
            touched = {}
            news = self._news(new)  # read from the copies just refreshed
            copied = workrooms.c.contract_id.in_(list(cursors))
            with self.db.transaction() as connection:
                if news:
                    connection.execute(_KEEP_NEWS, news)
                connection.execute(
                    update(workrooms)
                    .where(copied, workrooms.c.events_cursor < cursor)
                    .values(events_cursor=cursor)
                )
                connection.execute(update(workrooms).where(copied).values(fresh_at=self.clock.now()))
            if not events:
                return
            after = cursor

    def _news(self, events: list[dict]) -> list[dict[str, Any]]:
        """The events worth a notification, but those the user made: each with its contract's
        title, and a message with its author and first words (from the copy)."""
        worth = [event for event in events if event["kind"] in NEWS_TITLES]
        if self._user_id is None and any(event["actor_id"] for event in worth):
            me = self.client.me()
            with self.client.reading("the account"):
                self._user_id = field_of(me, "id", str)
        worth = [event for event in worth if event["actor_id"] is None or event["actor_id"] != self._user_id]
        if not worth:
            return []
        news = []
        with self.db.transaction() as connection:
            for event in worth:
                contract_id, data = event["contract_id"], event["data"]
                title = connection.execute(
                    select(workrooms.c.details).where(workrooms.c.contract_id == contract_id)
                ).scalar_one()["contract"]["title"]
                text = data.get("line", "")
                if event["kind"] == EventKind.MESSAGE_POSTED:
                    message = connection.execute(
                        select(workroom_messages.c.author_name, workroom_messages.c.body).where(
                            workroom_messages.c.contract_id == contract_id,
                            workroom_messages.c.id == data.get("message_id"),
                        )
                    ).first()
                    text = f"{message.author_name}: {first_words(message.body)}" if message else ""
                news.append(
                    {
                        "number": event["number"],
                        "contract_id": contract_id,
                        "kind": event["kind"],
                        "title": f"{NEWS_TITLES[event['kind']]}: {title}",
                        "text": text,
                        "notified": False,
                    }
                )
        return news

    def _feed(self, after: int | None) -> tuple[list[dict], int]:
        answer = self.client.events(after)
        with self.client.reading("the events"):
            events = [
                {name: field_of(event, name, kind) for name, kind in _EVENT_FIELDS.items()}
                | {"actor_id": event["actor_id"], "data": field_of(event, "data", dict)}
                for event in field_of(answer, "events", list)
            ]
            return events, field_of(answer, "cursor", int)

    def read_older(self, contract_id: str) -> int:
        """Read the page of the thread before the oldest message the copy holds; how many messages
        it brought (0 at the thread's start)."""
        the_room = workrooms.c.contract_id == contract_id
        with self.db.transaction() as connection:
            before = connection.execute(select(workrooms.c.older_messages).where(the_room)).scalar()
        if before is None:
            return 0
        page = self.client.messages(contract_id, THREAD_PAGE, before)
        with self.client.reading("the thread"):
            messages = [_message_row(contract_id, message) for message in field_of(page, "messages", list)]
            older = page["older"]
        with self.db.transaction() as connection:
            _keep_messages(connection, messages)
            connection.execute(update(workrooms).where(the_room).values(older_messages=older))
        return len(messages)

    def _refresh(
        self,
        contract_id: str,
        parts: frozenset[Part],
        first_cursor: int | None = None,
    ) -> None:
        """Read these parts of the workroom and store them in one transaction; ``first_cursor``:
        a workroom seen for the first time."""
        with self.db.transaction() as connection:
            held_details = connection.execute(
                select(workrooms.c.details).where(workrooms.c.contract_id == contract_id)
            ).scalar()
            newest = connection.execute(
                select(workroom_messages.c.number)
                .where(workroom_messages.c.contract_id == contract_id)
                .order_by(workroom_messages.c.number.desc())
                .limit(1)
            ).scalar()
        columns = self._read_columns(contract_id, parts, held_details)
        messages: list[dict[str, Any]] = []
        if Part.THREAD in parts:
            messages, older, joined = self._new_messages(contract_id, newest)
            if not joined:  # the copy's thread starts again from these: older ones before them
                columns["older_messages"] = older
            unread = self.client.unread(contract_id)
            with self.client.reading("the unread messages"):
                columns["unread"] = field_of(unread, "unread", int)
            if first_cursor is not None or any(message["attachments"] for message in messages):
                files = self.client.recent_files(contract_id, RECENT_FILES)
                with self.client.reading("the files"):
                    columns["recent_files"] = field_of(files, "files", list)
        with self.db.transaction() as connection:
            if first_cursor is not None:
                connection.execute(
                    insert(workrooms).values(
                        contract_id=contract_id,
                        events_cursor=first_cursor,
                        fresh_at=self.clock.now(),
                        **columns,
                    )
                )
            elif columns:
                connection.execute(
                    update(workrooms).where(workrooms.c.contract_id == contract_id).values(**columns)
                )
            if "older_messages" in columns:
                connection.execute(
                    delete(workroom_messages).where(workroom_messages.c.contract_id == contract_id)
                )
            _keep_messages(connection, messages)

    def _read_columns(self, contract_id: str, parts: frozenset[Part], held_details: dict | None) -> dict:
        columns: dict = {}
        if Part.DETAILS in parts:
            columns["details"] = self.client.details(contract_id)
        if Part.TODOS in parts:
            columns["todos"] = self.client.todos(contract_id)
        if Part.MILESTONES in parts:
            columns["milestones"] = self.client.milestones(contract_id)
            columns["milestone_requests"] = self.client.milestone_requests(contract_id)
        if Part.MONEY in parts:
            details = columns.get("details") or held_details or self.client.details(contract_id)
            with self.client.reading("the contract"):
                sees_money = details["contract"]["role"] != Role.AGENCY_MEMBER
            columns["transactions"] = self.client.transactions(contract_id) if sees_money else None
        return columns

    def _new_messages(
        self, contract_id: str, newest: int | None
    ) -> tuple[list[dict[str, Any]], int | None, bool]:
        """The messages after the copy's newest one, oldest first, read a page at a time from the
        newest back; the cursor of the page before them; and whether they join the copy's
        messages. They do not when the copy holds none, or when more than CATCH_UP_PAGES pages
        came meanwhile: rather than read them all, the copy starts again from the newest ones."""
        messages: list[dict[str, Any]] = []
        older = None
        with self.client.reading("the thread"):
            for _ in range(CATCH_UP_PAGES):
                page = self.client.messages(contract_id, THREAD_PAGE, older if messages else None)
                earlier = [_message_row(contract_id, message) for message in field_of(page, "messages", list)]
                messages, older = earlier + messages, page["older"]
                if newest is None or older is None or not messages or messages[0]["number"] <= newest:
                    break
            joined = newest is not None and (not messages or messages[0]["number"] <= newest or older is None)
        return (
            [message for message in messages if newest is None or message["number"] > newest],
            older,
            joined,
        )


def _files_of(message: dict) -> list[dict]:
    """A message's attachments as the recent files list them: newest first, with the message."""
    posted = {
        "message_id": message["id"],
        "author_name": message["author_name"],
        "posted_at": message["created_at"],
    }
    return [attachment | posted for attachment in reversed(field_of(message, "attachments", list))]


def _message_row(contract_id: str, message: dict) -> dict[str, Any]:
    """The service's message as a row of ``workroom_messages``."""
    return {
        "contract_id": contract_id,
        "number": field_of(message, "number", int),
        "id": field_of(message, "id", str),
        "kind": field_of(message, "kind", str),
        "author_id": message["author_id"],
        "author_name": message["author_name"],
        "body": field_of(message, "body", str),
        "created_at": parse_wire_time(field_of(message, "created_at", str)),
        "attachments": field_of(message, "attachments", list),
        "meeting": message["meeting"],
    }


def _replacing(table: Table) -> Insert:
    """An insert of rows of the table that replaces every column of the row of the same key."""
    upsert = sqlite_insert(table)
    return upsert.on_conflict_do_update(
        index_elements=list(table.primary_key),
        set_={
            column.name: upsert.excluded[column.name] for column in table.columns if not column.primary_key
        },
    )


_KEEP_MESSAGE = _replacing(workroom_messages)
_KEEP_NEWS = _replacing(workroom_news)


def _keep_messages(connection: Connection, messages: list[dict[str, Any]]) -> None:
    """Put the service's messages in the copy, in place of those it holds with their numbers."""
    if messages:  # execute() takes no empty list of rows
        connection.execute(_KEEP_MESSAGE, messages)


def search_thread(client: ServiceClient, contract_id: str, words: str) -> list[workroom.Message]:
    """The service's full-text search of a thread: the messages holding every word, best first."""
    page = client.search_messages(contract_id, words, SEARCH_RESULTS)
    with client.reading("the search"):
        return [
            workroom.held_message(_message_row(contract_id, message))
            for message in field_of(page, "messages", list)
        ]


def download_file(client: ServiceClient, database: Database, contract_id: str, file: dict) -> Path:
    """Download a file of the thread into the data directory (kept there, by its SHA-256); where."""
    data = client.attachment(contract_id, field_of(file, "id", int))
    if hashlib.sha256(data).hexdigest() != file["sha256"]:
        raise ServiceUnreachable(f"“{file['name']}” came damaged from the contract service: try again.")
    return workroom.keep_downloaded(database, file, data)
