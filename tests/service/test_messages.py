"""A contract's thread: both parties post messages with files, read it a page at a time, and know
what they have not read; nobody else sees it, and a view-only contract takes no new message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.states import EventKind
from service.models import Contract
from service.workroom.events import record_event
from tests.conftest import MONDAY
from tests.helpers.service import API
from tests.helpers.thread import post, sha, upload_file
from tests.service.conftest import CARA, World, uid, wire_time

DANA = "dana@example.test"  # an agency's member


def thread(world: World, token: str, contract_id: str | None = None, **query: object) -> dict:
    answer = world.call("GET", f"/contracts/{contract_id or world.website}/messages", token, params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def bodies(page: dict) -> list[str]:
    return [message["body"] for message in page["messages"]]


def system_line(world: World, contract_id: str, line: str, money: bool = False) -> None:
    """A line the service posts for an event (as another part of the workroom would)."""
    with world.service.app.state.service.database.writing() as session:
        contract = session.get(Contract, contract_id)
        record_event(
            session, contract, None, EventKind.BONUS_GIVEN, world.service.clock.now(), line, money=money
        )


def test_a_message_is_posted_once_and_its_replay_answers_it_as_first_posted(world: World) -> None:
    first = post(world, world.ann, world.website, uid("hello"), "Hello Cara", [(b"%PDF brief", "brief.pdf")])
    world.service.clock.advance(60)
    replay = post(world, world.ann, world.website, uid("hello"), "Hello again")

    assert first.status_code == replay.status_code == 200
    assert first.json() == replay.json()
    message = first.json()
    attachment = message["attachments"][0]
    assert message == {
        "number": message["number"],
        "id": uid("hello"),
        "kind": "text",
        "author_id": message["author_id"],
        "author_name": "Ann",
        "body": "Hello Cara",
        "created_at": wire_time(MONDAY),
        "attachments": [
            {
                "id": attachment["id"],
                "name": "brief.pdf",
                "content_type": "application/pdf",
                "size": len(b"%PDF brief"),
                "sha256": sha(b"%PDF brief"),
                "download": f"{API}/contracts/{world.website}/attachments/{attachment['id']}",
            }
        ],
        "meeting": None,
    }
    assert bodies(thread(world, world.cara)) == ["Hello Cara"]


def test_a_message_id_is_one_message_only(world: World) -> None:
    post(world, world.ann, world.website, uid("hello"), "Hello Cara")

    by_cara = post(world, world.cara, world.website, uid("hello"), "Hello Ann")
    elsewhere = post(world, world.ann, world.logo, uid("hello"), "Hello Cara")

    for refused in (by_cara, elsewhere):
        assert (refused.status_code, refused.json()) == (
            409,
            {"detail": f"The message id {uid('hello')} is taken: make a new one for a new message."},
        )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"body": "x" * 10_001}, "body: String should have at most 10000 characters."),
        ({"body": "  \n "}, "body: a message has some text or a file."),
        ({}, "body: a message has some text or a file."),
        ({"body": "nul\x00"}, "body: the text holds a NUL character."),
        (
            {"attachments": [{"sha256": "a" * 64, "name": "a.pdf"}] * 11},
            "attachments: List should have at most 10 items after validation, not 11.",
        ),
        (
            {"attachments": [{"sha256": "a" * 64, "name": ""}]},
            "attachments.0.name: String should have at least 1 character.",
        ),
        (
            {"attachments": [{"sha256": "a" * 64, "name": "a", "content_type": "text/html; x=<script>"}]},
            "attachments.0.content_type: String should match pattern "
            "'^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$'.",
        ),
    ],
)
def test_a_malformed_message_is_refused(world: World, body: dict, detail: str) -> None:
    refused = world.call("PUT", f"/contracts/{world.website}/messages/{uid('m')}", world.ann, json=body)

    assert (refused.status_code, refused.json()) == (422, {"detail": detail})


def test_the_longest_message_is_taken(world: World) -> None:
    assert post(world, world.cara, world.website, uid("long"), "é" * 10_000).status_code == 200


def test_only_the_authors_own_uploads_attach(world: World) -> None:
    anns = sha(b"Ann's file")
    assert upload_file(world, world.ann, b"Ann's file").status_code == 200
    body = {"body": "", "attachments": [{"sha256": anns, "name": "mine.pdf"}]}

    refused = world.call("PUT", f"/contracts/{world.website}/messages/{uid('m')}", world.cara, json=body)

    assert (refused.status_code, refused.json()) == (
        404,
        {"detail": f"There is no file {anns} among your uploads: upload it first."},
    )
    assert thread(world, world.cara)["messages"] == []


@pytest.mark.parametrize("status", ["ended", "declined", "withdrawn"])
def test_a_view_only_contract_takes_no_new_message_but_answers_a_replay(world: World, status: str) -> None:
    post(world, world.ann, world.website, uid("before"), "Before the end")
    world.service.update_contract(world.website, status=status)

    refused = post(world, world.ann, world.website, uid("after"), "After the end")
    replay = post(world, world.ann, world.website, uid("before"), "Before the end")

    assert (refused.status_code, refused.json()) == (
        409,
        {"detail": f"The contract is {status}: its workroom is view-only."},
    )
    assert replay.status_code == 200
    assert bodies(thread(world, world.cara)) == ["Before the end"]


@pytest.mark.parametrize("status", ["offered", "paused"])
def test_an_offered_or_paused_contract_takes_messages(world: World, status: str) -> None:
    world.service.update_contract(world.website, status=status)

    assert post(world, world.cara, world.website, uid("m"), "Shall we?").status_code == 200


def test_nobody_but_the_parties_reads_or_writes_a_thread(world: World) -> None:
    post(world, world.ann, world.website, uid("hello"), "Hello Cara")
    not_yours = {"detail": f"There is no contract {world.website} among yours."}

    for method, path, body in [
        ("GET", "/messages", None),
        ("GET", "/messages/unread", None),
        ("GET", "/messages/search?q=hello", None),
        ("GET", "/files", None),
        ("PUT", "/messages/read", {"up_to": 1}),
        ("PUT", f"/messages/{uid('bob')}", {"body": "Hi"}),
    ]:
        answer = world.call(method, f"/contracts/{world.website}{path}", world.bob, json=body)
        assert (answer.status_code, answer.json()) == (404, not_yours), path
        assert world.call(method, f"/contracts/{world.website}{path}", None, json=body).status_code == 401


def test_an_agency_member_sees_the_thread_but_no_line_about_money(world: World) -> None:
    world.service.add_user(DANA, "agency_member", name="Dana")
    contract_id = world.service.add_contract("Agency work", DANA, CARA, agency_member=True)
    dana = world.service.sign_in(DANA)
    post(world, world.cara, contract_id, uid("hi"), "Hi Dana")
    system_line(world, contract_id, "Cara gave a bonus of $50.00.", money=True)
    system_line(world, contract_id, "Cara paused the contract.")
    assert post(world, dana, contract_id, uid("reply"), "Hello").status_code == 200

    assert bodies(thread(world, dana, contract_id)) == ["Hi Dana", "Cara paused the contract.", "Hello"]
    assert bodies(thread(world, world.cara, contract_id)) == [
        "Hi Dana",
        "Cara gave a bonus of $50.00.",
        "Cara paused the contract.",
        "Hello",
    ]
    searched = world.call(
        "GET", f"/contracts/{contract_id}/messages/search", dana, params={"q": "cara"}
    ).json()
    assert bodies(searched) == ["Cara paused the contract."]


def test_the_thread_is_read_a_page_at_a_time_from_the_newest(world: World) -> None:
    for index in range(1, 8):
        post(
            world, world.ann if index % 2 else world.cara, world.website, uid(f"m{index}"), f"message {index}"
        )
        world.service.clock.advance(60)

    newest = thread(world, world.ann, limit=3)
    middle = thread(world, world.ann, limit=3, before=newest["older"])
    oldest = thread(world, world.ann, limit=3, before=middle["older"])

    assert bodies(newest) == ["message 5", "message 6", "message 7"]
    assert bodies(middle) == ["message 2", "message 3", "message 4"]
    assert (bodies(oldest), oldest["older"]) == (["message 1"], None)
    assert newest["older"] == newest["messages"][0]["number"]
    assert [message["author_name"] for message in newest["messages"]] == ["Ann", "Cara", "Ann"]
    assert newest["messages"][0]["created_at"] == wire_time(MONDAY + timedelta(minutes=4))
    assert bodies(thread(world, world.ann)) == [f"message {index}" for index in range(1, 8)]
    assert thread(world, world.ann, contract_id=world.logo) == {"messages": [], "older": None}


def unread(world: World, token: str) -> dict:
    return world.call("GET", f"/contracts/{world.website}/messages/unread", token).json()


def read(world: World, token: str, up_to: int) -> dict:
    answer = world.call("PUT", f"/contracts/{world.website}/messages/read", token, json={"up_to": up_to})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_party_counts_the_other_partys_messages_it_has_not_read(world: World) -> None:
    numbers = [
        post(world, world.ann, world.website, uid(f"m{index}"), f"message {index}").json()["number"]
        for index in range(3)
    ]
    system_line(world, world.website, "Cara gave a bonus of $50.00.", money=True)  # an event: not counted

    assert unread(world, world.cara) == {"unread": 3, "last_read": 0}
    assert unread(world, world.ann) == {"unread": 0, "last_read": 0}
    assert read(world, world.cara, numbers[1]) == {"unread": 1, "last_read": numbers[1]}
    assert read(world, world.cara, numbers[1]) == {"unread": 1, "last_read": numbers[1]}  # a replay
    assert read(world, world.cara, numbers[0]) == {"unread": 1, "last_read": numbers[1]}  # never back
    last = read(world, world.cara, 10**12)  # past the end: up to the last
    assert last["unread"] == 0 and last["last_read"] > numbers[2]
    post(world, world.ann, world.website, uid("later"), "one more")
    assert unread(world, world.cara)["unread"] == 1
    assert unread(world, world.ann) == {"unread": 0, "last_read": 0}


def test_reading_a_view_only_thread_is_still_remembered(world: World) -> None:
    number = post(world, world.ann, world.website, uid("m"), "Bye").json()["number"]
    world.service.update_contract(world.website, status="ended")

    assert read(world, world.cara, number) == {"unread": 0, "last_read": number}


def test_recent_files_are_the_threads_attachments_newest_first(world: World) -> None:
    post(
        world,
        world.ann,
        world.website,
        uid("m1"),
        "Draft",
        [(b"draft 1", "draft-1.pdf"), (b"draft 2", "draft-2.pdf")],
    )
    world.service.clock.advance(60)
    post(world, world.cara, world.website, uid("m2"), "", [(b"feedback", "feedback.pdf")])
    post(world, world.bob, world.bobs, uid("m3"), "", [(b"bob", "bob.pdf")])

    first = world.call("GET", f"/contracts/{world.website}/files", world.ann, params={"limit": 2}).json()
    rest = world.call(
        "GET", f"/contracts/{world.website}/files", world.ann, params={"limit": 2, "before": first["older"]}
    ).json()

    assert [(item["name"], item["author_name"], item["message_id"]) for item in first["files"]] == [
        ("feedback.pdf", "Cara", uid("m2")),
        ("draft-2.pdf", "Ann", uid("m1")),
    ]
    assert first["files"][0]["posted_at"] == wire_time(MONDAY + timedelta(minutes=1))
    assert ([item["name"] for item in rest["files"]], rest["older"]) == (["draft-1.pdf"], None)
