"""Every change is an event: a line in the thread when it has one, and an item of the parties'
events feed (money kept from agency members); the feed answers at once or when news arrives."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import EventKind, MessageKind
from service.local import LocalService
from service.models import Contract, ContractEvent, Message, User
from service.workroom.access import party_contract
from service.workroom.events import contract_events, events_after, record_event
from tests.service.conftest import ANN, CARA, World, make_world


def record(
    world: World, contract_id: str, kind: EventKind, line: str | None = None, *, money: bool = False
) -> int:
    """An event on the contract by its client, as an action would record it; its number (once
    committed: PostgreSQL's events are numbered as they commit)."""
    with world.service.database.writing() as session:
        recorded = record_in(session, world, contract_id, kind, line, money=money)
    return recorded.number


def record_in(
    session: Session,
    world: World,
    contract_id: str,
    kind: EventKind,
    line: str | None = None,
    *,
    money: bool = False,
) -> ContractEvent:
    contract = session.get_one(Contract, contract_id)
    client = session.get(User, contract.client_id)
    return record_event(session, contract, client, kind, world.service.clock.now(), line, money=money)


def user(session: Session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def feed(world: World, token: str, **query: object) -> dict:
    answer = world.call("GET", "/events", token, params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_feed_starts_from_now_and_gives_each_party_what_happens_on_their_contracts(world: World) -> None:
    record(world, world.website, EventKind.PAUSED, "Cara paused the contract.")  # before the cursor
    start = feed(world, world.ann)
    assert start["events"] == []

    paused = record(world, world.logo, EventKind.PAUSED, "Cara paused the contract.")
    record(world, world.bobs, EventKind.RESUMED, "Cara resumed the contract.")
    resumed = record(world, world.logo, EventKind.RESUMED, "Cara resumed the contract.")

    answer = feed(world, world.ann, after=start["cursor"])
    assert [(event["number"], event["contract_id"], event["kind"]) for event in answer["events"]] == [
        (paused, world.logo, "paused"),
        (resumed, world.logo, "resumed"),
    ]
    assert answer["events"][0]["data"] == {"line": "Cara paused the contract."}
    assert answer["cursor"] == resumed
    assert feed(world, world.ann, after=answer["cursor"]) == {"events": [], "cursor": resumed}
    assert [event["contract_id"] for event in feed(world, world.bob, after=start["cursor"])["events"]] == [
        world.bobs
    ]
    assert len(feed(world, world.cara, after=start["cursor"])["events"]) == 3


def test_money_events_never_reach_an_agency_member(world: World) -> None:
    world.service.add_user("dan@example.test", "agency_member")
    agency = world.service.add_contract("Agency work", "dan@example.test", CARA, agency_member=True)
    dan = world.service.sign_in("dan@example.test")
    start = feed(world, dan)["cursor"]

    record(world, agency, EventKind.INVOICE_ISSUED, "Invoice 1 issued: $450.00.", money=True)
    paused = record(world, agency, EventKind.PAUSED, "Cara paused the contract.")

    assert [event["number"] for event in feed(world, dan, after=start)["events"]] == [paused]
    assert [event["kind"] for event in feed(world, world.cara, after=start)["events"]] == [
        "invoice_issued",
        "paused",
    ]
    with world.service.database.reading() as session:
        contract, role = party_contract(session, user(session, "dan@example.test"), agency)
        assert [event.kind for event in contract_events(session, contract, role)] == [EventKind.PAUSED]


def test_a_waiting_request_is_answered_with_the_news(world: World) -> None:
    cursor = feed(world, world.ann)["cursor"]
    answers: list[dict] = []
    waiting = threading.Thread(target=lambda: answers.append(feed(world, world.ann, after=cursor, wait=20)))
    waiting.start()
    number = record(world, world.website, EventKind.ENDED, "Cara ended the contract.")
    waiting.join(timeout=30)

    assert [event["number"] for event in answers[0]["events"]] == [number]


def test_without_news_and_no_wait_the_answer_is_empty_at_once(world: World) -> None:
    cursor = feed(world, world.ann)["cursor"]

    assert feed(world, world.ann, after=cursor, wait=0) == {"events": [], "cursor": cursor}


def test_an_event_with_a_line_posts_it_in_the_thread_as_the_services_own(world: World) -> None:
    record(world, world.website, EventKind.PAUSED, "Cara paused the contract.")
    record(world, world.website, EventKind.MESSAGE_POSTED)  # no line: the message is its own

    with world.service.database.reading() as session:
        lines = [
            (message.author_id, message.kind, message.body)
            for message in session.scalars(select(Message).where(Message.contract_id == world.website))
        ]
        feed_events = events_after(session, user(session, ANN), 0)
    assert lines == [(None, MessageKind.SYSTEM, "Cara paused the contract.")]
    assert [event.kind for event in feed_events] == [EventKind.PAUSED, EventKind.MESSAGE_POSTED]


@pytest.mark.parametrize(
    ("query", "status"), [({"after": -1}, 422), ({"after": 0, "wait": 26}, 422), ({}, 200)]
)
def test_the_feed_checks_its_query(world: World, query: dict, status: int) -> None:
    assert world.call("GET", "/events", world.ann, params=query).status_code == status
    assert world.call("GET", "/events", None, params=query).status_code == 401


def test_an_event_committed_after_a_later_numbered_one_still_comes_after_the_feeds_cursor_on_postgresql(
    postgres_service: LocalService,
) -> None:
    world = make_world(postgres_service)
    start = feed(world, world.ann)["cursor"]

    with world.service.database.writing() as slow:
        paused = record_in(slow, world, world.website, EventKind.PAUSED)  # its transaction open
        record(world, world.logo, EventKind.PAUSED)  # begun later, committed first
        seen = feed(world, world.ann, after=start)
    then = feed(world, world.ann, after=seen["cursor"])

    assert [event["contract_id"] for event in seen["events"]] == [world.logo]
    assert [(event["number"], event["contract_id"]) for event in then["events"]] == [
        (paused.number, world.website)
    ]
