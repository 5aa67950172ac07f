"""A contract's to-do list: both parties add, edit, check off, reorder and delete; replays change
nothing, a deleted to-do stays deleted, and a view-only contract's list is read-only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.models import ContractEvent, Message
from tests.conftest import MONDAY
from tests.service.conftest import World, uid, wire_time


def put(world: World, token: str, name: str, text: str, done: bool = False, contract_id: str | None = None):
    return world.call(
        "PUT",
        f"/contracts/{contract_id or world.website}/todos/{uid(name)}",
        token,
        json={"text": text, "done": done},
    )


def todos(world: World, token: str | None = None) -> list[tuple[str, bool]]:
    answer = world.call("GET", f"/contracts/{world.website}/todos", token or world.ann)
    assert answer.status_code == 200, answer.text
    return [(todo["text"], todo["done"]) for todo in answer.json()]


def reorder(world: World, token: str, *names: str):
    return world.call(
        "PUT", f"/contracts/{world.website}/todos/order", token, json={"ids": [uid(name) for name in names]}
    )


def todo_events(world: World) -> list[dict]:
    with world.service.app.state.service.database.reading() as session:
        return [
            event.data
            for event in session.scalars(select(ContractEvent).where(ContractEvent.kind == "todos_changed"))
        ]


def test_both_parties_add_check_off_and_edit_to_dos_in_order(world: World) -> None:
    added = put(world, world.ann, "header", "Header layout")
    put(world, world.cara, "copy", "Send the copy")
    world.service.clock.advance(60)
    done = put(world, world.cara, "header", "Header layout", done=True)
    put(world, world.ann, "copy", "Send the final copy")

    assert added.json() == {
        "id": uid("header"),
        "text": "Header layout",
        "done": False,
        "position": 0,
        "created_at": wire_time(MONDAY),
        "updated_at": wire_time(MONDAY),
    }
    assert (done.json()["done"], done.json()["updated_at"]) == (True, "2026-11-23T09:01:00Z")
    assert todos(world, world.cara) == [("Header layout", True), ("Send the final copy", False)]
    assert [(event["change"], event["text"]) for event in todo_events(world)] == [
        ("added", "Header layout"),
        ("added", "Send the copy"),
        ("done", "Header layout"),
        ("edited", "Send the final copy"),
    ]


def test_to_dos_post_no_line_in_the_thread(world: World) -> None:
    put(world, world.ann, "header", "Header layout", done=True)
    reorder(world, world.ann, "header")

    with world.service.app.state.service.database.reading() as session:
        assert session.scalars(select(Message)).all() == []


def test_a_replayed_put_changes_nothing(world: World) -> None:
    first = put(world, world.ann, "header", "Header layout")
    world.service.clock.advance(60)
    replay = put(world, world.ann, "header", "Header layout")

    assert first.json() == replay.json()
    assert len(todo_events(world)) == 1


def test_a_deleted_to_do_stays_deleted_whatever_is_replayed(world: World) -> None:
    put(world, world.ann, "header", "Header layout")
    put(world, world.ann, "copy", "Send the copy")

    deleted = world.call("DELETE", f"/contracts/{world.website}/todos/{uid('header')}", world.cara)
    again = world.call("DELETE", f"/contracts/{world.website}/todos/{uid('header')}", world.cara)
    revived = put(world, world.ann, "header", "Header layout")
    unknown = world.call("DELETE", f"/contracts/{world.website}/todos/{uid('never')}", world.ann)

    assert deleted.status_code == again.status_code == 204
    assert (revived.status_code, revived.json()) == (
        409,
        {"detail": "The to-do was deleted: add a new one to bring it back."},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": f"There is no to-do {uid('never')} on this contract."},
    )
    assert todos(world) == [("Send the copy", False)]
    assert [event["change"] for event in todo_events(world)] == ["added", "added", "deleted"]


def test_reordering_puts_the_list_in_the_order_sent(world: World) -> None:
    for name in ("a", "b", "c", "d"):
        put(world, world.ann, name, name.upper())
    world.call("DELETE", f"/contracts/{world.website}/todos/{uid('d')}", world.ann)

    moved = reorder(world, world.cara, "c", "a", "d")  # "b" added meanwhile, "d" deleted meanwhile
    replay = reorder(world, world.cara, "c", "a", "d")
    put(world, world.ann, "e", "E")  # added after: at the end

    assert [todo["text"] for todo in moved.json()] == ["C", "A", "B"]
    assert [todo["position"] for todo in moved.json()] == [0, 1, 2]
    assert replay.json() == moved.json()
    assert todos(world) == [("C", False), ("A", False), ("B", False), ("E", False)]
    assert [event["change"] for event in todo_events(world)].count("reordered") == 1


def test_reordering_refuses_unknown_and_twice_named_to_dos(world: World) -> None:
    put(world, world.ann, "a", "A")
    put(world, world.bob, "bobs", "Bob's", contract_id=world.bobs)

    unknown = reorder(world, world.ann, "a", "bobs")
    twice = reorder(world, world.ann, "a", "a")

    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": f"There is no to-do {uid('bobs')} on this contract."},
    )
    assert (twice.status_code, twice.json()) == (422, {"detail": "ids: name each to-do once."})


def test_a_to_do_id_is_one_to_do_only(world: World) -> None:
    put(world, world.ann, "a", "A")

    elsewhere = put(world, world.ann, "a", "A", contract_id=world.logo)

    assert (elsewhere.status_code, elsewhere.json()) == (
        409,
        {"detail": f"The to-do id {uid('a')} is taken: make a new one for a new to-do."},
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"text": "x" * 501}, "text: String should have at most 500 characters."),
        ({"text": ""}, "text: String should have at least 1 character."),
        ({"done": True}, "text: Field required."),
    ],
)
def test_a_malformed_to_do_is_refused(world: World, body: dict, detail: str) -> None:
    refused = world.call("PUT", f"/contracts/{world.website}/todos/{uid('a')}", world.ann, json=body)

    assert (refused.status_code, refused.json()) == (422, {"detail": detail})


def test_the_longest_to_do_is_taken(world: World) -> None:
    assert put(world, world.ann, "a", "é" * 500).status_code == 200


@pytest.mark.parametrize("status", ["ended", "declined", "withdrawn"])
def test_a_view_only_contracts_list_is_read_only_but_answers_replays(world: World, status: str) -> None:
    put(world, world.ann, "a", "A")
    put(world, world.ann, "b", "B")
    world.service.update_contract(world.website, status=status)
    view_only = {"detail": f"The contract is {status}: its workroom is view-only."}

    refused = [
        put(world, world.ann, "new", "New"),
        put(world, world.cara, "a", "A", done=True),
        reorder(world, world.ann, "b", "a"),
        world.call("DELETE", f"/contracts/{world.website}/todos/{uid('a')}", world.ann),
    ]

    assert [(answer.status_code, answer.json()) for answer in refused] == [(409, view_only)] * 4
    assert put(world, world.ann, "a", "A").status_code == 200  # a replay
    assert reorder(world, world.ann, "a", "b").status_code == 200  # the order it has
    assert todos(world) == [("A", False), ("B", False)]


def test_nobody_but_the_parties_sees_or_changes_the_list(world: World) -> None:
    put(world, world.ann, "a", "A")
    not_yours = {"detail": f"There is no contract {world.website} among yours."}

    answers = [
        world.call("GET", f"/contracts/{world.website}/todos", world.bob),
        put(world, world.bob, "a", "Bob's"),
        reorder(world, world.bob, "a"),
        world.call("DELETE", f"/contracts/{world.website}/todos/{uid('a')}", world.bob),
    ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [(404, not_yours)] * 4
    assert todos(world) == [("A", False)]
