"""The workroom as the app reads it from its local copy: the thread a page at a time from the
newest, and what was written here shown on its items until the service takes it."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from common.errors import RuleViolation
from common.states import SyncState
from common.wire import MAX_FILE_BYTES
from tests.helpers.rows import read_rows
from tracker import workroom
from tracker.tables import workroom_messages, workroom_writes, workrooms

PENDING = workroom.Delivery(SyncState.PENDING)


def copy_workroom(database, contract_id, now, messages: int, older_on_service: int | None = None, todos=()):
    """The copy sync leaves of a workroom: ``messages`` messages numbered from 1, and ``todos``."""
    with database.transaction() as connection:
        connection.execute(
            insert(workrooms).values(
                contract_id=contract_id,
                details={"contract": {"title": "Website rebuild"}},
                todos=[{"id": todo_id, "text": f"To do {todo_id}", "done": False} for todo_id in todos],
                milestones=[],
                milestone_requests=[],
                recent_files=[],
                transactions=[],
                older_messages=older_on_service,
                events_cursor=0,
                fresh_at=now,
            )
        )
        rows = [
            {
                "contract_id": contract_id,
                "number": number,
                "id": f"m{number}",
                "kind": "text",
                "author_id": "client",
                "author_name": "Bob",
                "body": f"Message {number}",
                "created_at": now - timedelta(minutes=messages - number),
                "attachments": [],
                "meeting": None,
            }
            for number in range(1, messages + 1)
        ]
        if rows:
            connection.execute(insert(workroom_messages), rows)


def numbers(page: workroom.ThreadPage) -> list[int | None]:
    return [message.number for message in page.messages]


def test_there_is_no_workroom_before_sync_first_read_it(database, contract):
    assert workroom.open_workroom(database, contract.id) is None


def test_a_long_thread_opens_at_its_newest_page_and_pages_back_to_its_start(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=10_000)

    view = workroom.open_workroom(database, contract.id)
    assert view is not None
    before = workroom.thread_page(database, contract.id, view.thread.older)
    first = workroom.thread_page(database, contract.id, 51)

    assert numbers(view.thread) == list(range(9951, 10_001))
    assert view.thread.messages[-1].body == "Message 10000" and view.thread.older == 9951
    assert numbers(before) == list(range(9901, 9951)) and before.older == 9901
    assert numbers(first) == list(range(1, 51))
    assert first.older is None and not first.more_on_service


def test_a_copy_without_the_threads_start_says_older_messages_are_on_the_service(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=30, older_on_service=31)

    view = workroom.open_workroom(database, contract.id)

    assert view is not None and len(view.thread.messages) == 30
    assert view.thread.older is None and view.thread.more_on_service


def test_to_do_writes_made_here_show_on_their_to_dos_in_their_order(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=0, todos=["a", "b", "c"])
    now = clock.now()
    workroom.save_todo(database, contract.id, "To do b", True, now, "b")
    added = workroom.save_todo(database, contract.id, "Write the tests", False, now)
    workroom.delete_todo(database, contract.id, "a", now)
    workroom.reorder_todos(database, contract.id, [added, "c"], now)
    workroom.delete_todo(database, contract.id, "c", now)
    refusal = "The contract is ended: its workroom is view-only."
    refuse_last_write(database, refusal)

    view = workroom.open_workroom(database, contract.id)

    assert view is not None
    assert view.todos == [
        workroom.Todo(added, "Write the tests", False, PENDING),
        workroom.Todo("c", "To do c", False, workroom.Delivery(SyncState.REJECTED, refusal)),
        workroom.Todo("b", "To do b", True, PENDING),
    ]


def test_messages_submissions_and_feedback_written_here_wait_to_be_sent(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=3)
    clock.advance(60)
    message_id = workroom.send_message(database, contract.id, "On my way.", clock.now())
    submission_id = workroom.submit_work(database, contract.id, "milestone-1", "Done.", clock.now())
    workroom.leave_feedback(database, contract.id, 5, "Great client.", clock.now())

    view = workroom.open_workroom(database, contract.id)

    assert view is not None
    assert numbers(view.thread) == [1, 2, 3, None, None]
    waiting = view.thread.messages[-2:]
    assert [(m.id, m.kind, m.body, m.delivery) for m in waiting] == [
        (message_id, "text", "On my way.", PENDING),
        (submission_id, "submission", "Done.", PENDING),
    ]
    assert waiting[0].created_at == clock.now()
    assert view.submissions == {"milestone-1": PENDING}
    assert view.feedback == PENDING


@pytest.mark.parametrize("rejected", [False, True])
def test_a_deleted_to_do_leaves_the_list_unless_its_deletion_was_refused(database, contract, clock, rejected):
    copy_workroom(database, contract.id, clock.now(), messages=0, todos=["a"])
    workroom.delete_todo(database, contract.id, "a", clock.now())
    if rejected:
        refuse_last_write(database, "No.")

    view = workroom.open_workroom(database, contract.id)

    assert view is not None
    assert [todo.id for todo in view.todos] == (["a"] if rejected else [])


def refuse_last_write(database, reason: str) -> None:
    last = select(func.max(workroom_writes.c.seq)).scalar_subquery()
    database.write(
        update(workroom_writes)
        .where(workroom_writes.c.seq == last)
        .values(sync_state=SyncState.REJECTED, sync_error=reason)
    )


def test_a_file_over_the_services_limit_is_refused_at_once_and_nothing_is_written(
    database, contract, clock, tmp_path
):
    copy_workroom(database, contract.id, clock.now(), messages=0)
    small, big = tmp_path / "notes.txt", tmp_path / "video.mp4"
    small.write_text("notes")
    with big.open("wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)

    with pytest.raises(
        RuleViolation, match=re.escape("“video.mp4” is too big to send: a file may be at most 25 MB.")
    ):
        workroom.send_message(database, contract.id, "Two files", clock.now(), [small, big])

    view = workroom.open_workroom(database, contract.id)
    assert view is not None and view.thread.messages == []
    assert not any((database.data_dir / workroom.OUTGOING_FOLDER).iterdir())  # the first file's copy went too


def test_files_written_here_are_copied_beside_the_database_and_listed_on_their_item(
    database, contract, clock, tmp_path
):
    copy_workroom(database, contract.id, clock.now(), messages=0)
    original = tmp_path / "report.csv"
    original.write_text("a,b\n")
    message_id = workroom.send_message(database, contract.id, "", clock.now(), [original])
    original.write_text("changed after sending")

    view = workroom.open_workroom(database, contract.id)

    assert view is not None
    [file] = view.thread.messages[0].attachments
    assert file["name"] == "report.csv" and file["content_type"] == "text/csv"
    assert file["sha256"] == hashlib.sha256(b"a,b\n").hexdigest()
    assert file["path"].startswith(f"{workroom.OUTGOING_FOLDER}/{message_id}/")
    assert workroom.local_file(database, file) == database.data_dir / file["path"]
    assert (database.data_dir / file["path"]).read_text() == "a,b\n"


def test_the_copys_messages_are_searched_by_every_word(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=0)
    messages = [
        {
            "contract_id": contract.id,
            "number": number,
            "id": f"m{number}",
            "kind": "text",
            "author_id": "client",
            "author_name": "Bob",
            "body": body,
            "created_at": clock.now(),
            "attachments": [],
            "meeting": None,
        }
        for number, body in enumerate(["The LOGO draft", "logo colours", "Draft 100% done", "Lunch?"], 1)
    ]
    with database.transaction() as connection:
        connection.execute(insert(workroom_messages), messages)

    def found(words: str) -> list[str]:
        return [message.body for message in workroom.search_held(database, contract.id, words)]

    assert found("logo") == ["logo colours", "The LOGO draft"]
    assert found("draft logo") == ["The LOGO draft"]
    assert found("100%") == ["Draft 100% done"]
    assert found("dinner") == []


def unread_here(database, contract_id: str, unread: int) -> None:
    """The service's last count of the thread's unread messages, as sync stores it."""
    database.write(update(workrooms).where(workrooms.c.contract_id == contract_id).values(unread=unread))


def test_reading_the_thread_here_clears_its_unread_count_until_the_mark_is_refused(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=3)
    unread_here(database, contract.id, 2)
    assert workroom.unread_counts(database) == {contract.id: 2}

    workroom.mark_thread_read(database, contract.id, clock.now())
    workroom.mark_thread_read(database, contract.id, clock.now())
    marks = [(write.kind, write.body) for write in read_rows(database, select(workroom_writes))]
    view = workroom.open_workroom(database, contract.id)

    assert marks == [("thread_read", {"up_to": 3})]  # one mark on its way, up to the newest
    assert view is not None and view.unread == 0
    assert workroom.unread_counts(database) == {contract.id: 0}
    refuse_last_write(database, "gone")
    assert workroom.unread_counts(database) == {contract.id: 2}
    assert workroom.open_workroom(database, contract.id).unread == 2


def test_an_empty_thread_makes_no_mark(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=0)
    workroom.mark_thread_read(database, contract.id, clock.now())
    assert read_rows(database, select(workroom_writes)) == []
