"""Batch writes: PUT /blocks and PUT /screenshots, each item as its single PUT would be."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import MONDAY
from tests.service.conftest import World, block_body, make_world, wire_time
from tests.service.test_screenshots import SLOT_START, jpeg, screenshot_body, upload


def item(block_id: str, body: dict) -> dict:
    return {"id": block_id, **body}


def put_blocks(world: World, token: str | None, items: list[dict]):
    return world.call("PUT", "/blocks", token, json={"blocks": items})


def statuses(answer) -> list[tuple[str | None, int]]:
    return [(result["id"], result["status"]) for result in answer.json()["results"]]


@pytest.fixture(params=["service", "postgres_service"], ids=["sqlite", "postgresql"])
def either_world(request) -> World:
    return make_world(request.getfixturevalue(request.param))


def test_each_block_is_answered_in_order_and_a_refused_one_stops_none_of_the_others(
    either_world: World,
) -> None:
    world = either_world
    world.put_block(world.ann, "there", block_body(world.website, SLOT_START))
    batch = [
        item("first", block_body(world.website, SLOT_START - timedelta(minutes=10))),
        item("overlapping", block_body(world.logo, SLOT_START + timedelta(minutes=2), minutes=5)),
        item("malformed", {**block_body(world.website, SLOT_START + timedelta(minutes=10)), "memo": 5}),
        {"memo": "no id"},
        item("bobs", block_body(world.bobs, SLOT_START + timedelta(minutes=10))),
        item("last", block_body(world.website, SLOT_START + timedelta(minutes=10))),
    ]

    answer = put_blocks(world, world.ann, batch)

    assert answer.status_code == 200
    assert statuses(answer) == [
        ("first", 200),
        ("overlapping", 409),
        ("malformed", 422),
        (None, 422),
        ("bobs", 404),
        ("last", 200),
    ]
    results = answer.json()["results"]
    assert results[0]["block"] == world.put_block(world.ann, "first", batch[0]).json()
    assert results[1]["detail"].startswith("This overlaps time already logged on “Website”")
    assert results[2]["detail"] == "memo: Input should be a valid string."
    assert results[4]["detail"] == world.put_block(world.ann, "bobs", batch[4]).json()["detail"]
    assert [block.id for block in world.service.stored_blocks()] == ["first", "there", "last"]


def test_a_replayed_batch_changes_nothing_and_answers_the_same(world: World) -> None:
    batch = [
        item("kept", block_body(world.website, SLOT_START)),
        item("refused", block_body(world.website, SLOT_START + timedelta(minutes=5), minutes=2)),
        item("gone", block_body(world.website, SLOT_START + timedelta(minutes=10), deleted=True)),
    ]
    first = put_blocks(world, world.ann, batch)
    stored = world.service.stored_blocks()

    replays = [put_blocks(world, world.ann, batch) for _ in range(2)]

    assert [replay.json() for replay in replays] == [first.json()] * 2
    assert statuses(first) == [("kept", 200), ("refused", 409), ("gone", 200)]
    assert world.service.stored_blocks() == stored


def test_the_same_block_twice_in_a_batch_is_applied_in_order(world: World) -> None:
    older = item("block", block_body(world.website, SLOT_START, memo="older", updated_at=MONDAY))
    newer = {**older, "memo": "newer", "updated_at": wire_time(MONDAY + timedelta(seconds=1))}

    forward = put_blocks(world, world.ann, [older, newer]).json()["results"]
    backward = put_blocks(world, world.ann, [newer, older]).json()["results"]

    assert [result["block"]["memo"] for result in forward + backward] == ["older", "newer", "newer", "newer"]
    assert world.service.stored_block("block").memo == "newer"


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        (None, 401, "Sign in first"),
        ("signed out", 401, "This token was signed out"),
        ("cara", 403, "Only freelancers write time"),
    ],
)
@pytest.mark.parametrize("path", ["/blocks", "/screenshots"])
def test_a_batch_without_a_freelancers_token_is_refused_whole(
    world: World, who: str | None, status: int, detail: str, path: str
) -> None:
    token = {None: None, "cara": world.cara}.get(who)
    if who == "signed out":
        token = world.service.sign_in("ann@example.test")
        world.call("POST", "/auth/sign-out", token)
    name = path.removeprefix("/")

    answer = world.call(
        "PUT", path, token, json={name: [item("block", block_body(world.website, SLOT_START))]}
    )

    assert answer.status_code == status and answer.json()["detail"].startswith(detail)
    assert world.service.stored_blocks() == []


def test_a_batch_holds_at_most_200_items(world: World) -> None:
    batch = [item(f"b{n}", block_body(world.website, SLOT_START)) for n in range(201)]

    answer = put_blocks(world, world.ann, batch)

    assert answer.status_code == 422
    assert answer.json()["detail"] == "blocks: List should have at most 200 items after validation, not 201."
    assert put_blocks(world, world.ann, []).json() == {"results": []}


def test_each_screenshot_is_answered_in_order(world: World) -> None:
    for minutes in (0, 10):
        world.put_block(
            world.ann, f"block-{minutes}", block_body(world.website, SLOT_START + timedelta(minutes=minutes))
        )
    image, thumbnail = jpeg(1), jpeg(2, 300)
    for data in (image, thumbnail):
        upload(world, data)
    later = wire_time(SLOT_START + timedelta(minutes=14))
    batch = [
        {"block_id": "block-0", **screenshot_body("shot-0", image, thumbnail)},
        {"block_id": "nowhere", **screenshot_body("shot-x", image, thumbnail)},
        {"block_id": "block-10", **screenshot_body("shot-y", jpeg(3), thumbnail, taken_at=later)},
        {"block_id": "block-10", **screenshot_body("shot-10", image, thumbnail, taken_at=later)},
    ]

    answer = world.call("PUT", "/screenshots", world.ann, json={"screenshots": batch})

    assert statuses(answer) == [("shot-0", 200), ("shot-x", 404), ("shot-y", 409), ("shot-10", 200)]
    results = answer.json()["results"]
    assert results[0]["block"]["screenshot"]["id"] == "shot-0"
    assert results[2]["detail"].startswith("Upload the images first")
    assert [block.screenshot.id for block in world.service.stored_blocks()] == ["shot-0", "shot-10"]
