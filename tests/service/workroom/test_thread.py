"""Posting a message: a replay finds the first post, an id is never reused for another message,
only the author's own uploads can be attached, and a contract's messages are numbered in the order
they commit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from common.states import MessageKind
from service.errors import Conflict, NotFound
from service.local import LocalService
from service.models import Attachment, Blob, BlobUpload, Contract, ContractEvent, User
from service.workroom.access import party_contract
from service.workroom.thread import FileRef, post_message
from tests.helpers.service import wait_until, waiting_for_a_lock
from tests.service.conftest import ANN, CARA, World, make_world, uid

REPORT = FileRef("a" * 64, "report.pdf", "application/pdf")


def uploaded(world: World, email: str, sha256: str, size: int) -> None:
    with world.service.database.writing() as session:
        owner = session.scalars(select(User).where(User.email == email)).one()
        now = world.service.clock.now()
        if session.get(Blob, sha256) is None:
            session.add(
                Blob(sha256=sha256, size=size, content_type="application/octet-stream", created_at=now)
            )
            session.flush()
        session.add(BlobUpload(user_id=owner.id, sha256=sha256, uploaded_at=now))


def post(
    world: World, email: str, message_id: str, body: str, files: tuple[FileRef, ...] = ()
) -> tuple[int, bool]:
    with world.service.database.writing() as session:
        author = session.scalars(select(User).where(User.email == email)).one()
        contract = session.get(Contract, world.website)
        assert contract is not None
        message, new = post_message(
            session, contract, author, message_id, MessageKind.TEXT, body, files, world.service.clock.now()
        )
        return message.number, new


def test_a_message_with_its_authors_file(world: World) -> None:
    uploaded(world, ANN, REPORT.sha256, 1234)

    number, new = post(world, ANN, uid("m1"), "The report", (REPORT,))

    with world.service.database.reading() as session:
        events = [(e.kind, e.data) for e in session.scalars(select(ContractEvent))]
        attachments = [
            (a.message_number, a.name, a.content_type, a.size) for a in session.scalars(select(Attachment))
        ]
    assert new
    assert attachments == [(number, "report.pdf", "application/pdf", 1234)]
    assert events == [("message_posted", {"message_id": uid("m1"), "message_kind": "text"})]


def test_a_replay_answers_the_first_post(world: World) -> None:
    first = post(world, ANN, uid("m1"), "Hello")

    assert post(world, ANN, uid("m1"), "Hello again") == (first[0], False)


def test_an_id_is_never_another_message(world: World) -> None:
    post(world, ANN, uid("m1"), "Hello")

    with pytest.raises(Conflict, match="is taken"):
        post(world, CARA, uid("m1"), "Hi")


def test_a_file_someone_else_uploaded_cannot_be_attached(world: World) -> None:
    uploaded(world, CARA, REPORT.sha256, 1234)

    with pytest.raises(NotFound, match="among your uploads"):
        post(world, ANN, uid("m1"), "Their file", (REPORT,))
    with pytest.raises(NotFound, match="among your uploads"):
        post(world, ANN, uid("m2"), "No file", (FileRef("b" * 64, "x", "text/plain"),))


def test_a_message_posted_while_an_earlier_numbered_one_is_under_way_waits_for_it_on_postgresql(
    postgres_service: LocalService,
) -> None:
    """Numbered in the order they commit: a reader that has a message (its cursor) never misses one
    numbered before it that was still being posted."""
    world = make_world(postgres_service)
    database = world.service.database
    path = f"/contracts/{world.website}/messages/{uid('second')}"
    with ThreadPoolExecutor(1) as pool:
        with database.writing() as session:  # Ann's message, under way
            ann = session.scalars(select(User).where(User.email == ANN)).one()
            contract, _ = party_contract(session, ann, world.website)
            first, _ = post_message(
                session, contract, ann, uid("first"), MessageKind.TEXT, "First", (), world.service.clock.now()
            )
            second = pool.submit(world.call, "PUT", path, world.cara, json={"body": "Second"})
            wait_until(lambda: waiting_for_a_lock(database) == 1)
            seen = world.call("GET", f"/contracts/{world.website}/messages", world.cara).json()["messages"]
        answer = second.result()

    assert seen == []  # neither is there yet: the second waits for the first
    assert answer.status_code == 200, answer.text
    assert answer.json()["number"] > first.number
