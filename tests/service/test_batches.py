"""Batch writes: PUT /blocks, PUT /screenshots and PUT /blobs, each item as its single PUT would be."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MONDAY
from tests.helpers.service import running_service
from tests.service.conftest import CARA, World, block_body, make_world, uid, wire_time
from tests.service.test_screenshots import MB, SLOT_START, screenshot_body, sha, upload
from tracker.demo.images import jpeg, webp


def item(block_id: str, body: dict) -> dict:
    return {"id": block_id, **body}


def put_blocks(world: World, token: str | None, items: list[dict]):
    return world.call("PUT", "/blocks", token, json={"blocks": items})


def statuses(answer) -> list[tuple[str | None, int]]:
    return [(result["id"], result["status"]) for result in answer.json()["results"]]


def test_each_block_is_answered_in_order_and_a_refused_one_stops_none_of_the_others(
    either_world: World,
) -> None:
    world = either_world
    world.put_block(world.ann, uid("there"), block_body(world.website, SLOT_START))
    batch = [
        item(uid("first"), block_body(world.website, SLOT_START - timedelta(minutes=10))),
        item(uid("overlapping"), block_body(world.logo, SLOT_START + timedelta(minutes=2), minutes=5)),
        item(uid("malformed"), {**block_body(world.website, SLOT_START + timedelta(minutes=10)), "memo": 5}),
        {"memo": "no id"},
        item(uid("bobs"), block_body(world.bobs, SLOT_START + timedelta(minutes=10))),
        item(uid("last"), block_body(world.website, SLOT_START + timedelta(minutes=10))),
    ]

    answer = put_blocks(world, world.ann, batch)

    assert answer.status_code == 200
    assert statuses(answer) == [
        (uid("first"), 200),
        (uid("overlapping"), 409),
        (uid("malformed"), 422),
        (None, 422),
        (uid("bobs"), 404),
        (uid("last"), 200),
    ]
    results = answer.json()["results"]
    assert results[0]["block"] == world.put_block(world.ann, uid("first"), batch[0]).json()
    assert results[1]["detail"].startswith("This overlaps time already logged on “Website”")
    assert results[2]["detail"] == "memo: Input should be a valid string."
    assert results[4]["detail"] == world.put_block(world.ann, uid("bobs"), batch[4]).json()["detail"]
    assert [block.id for block in world.service.stored_blocks()] == [uid("first"), uid("there"), uid("last")]


def test_a_replayed_batch_changes_nothing_and_answers_the_same(world: World) -> None:
    batch = [
        item(uid("kept"), block_body(world.website, SLOT_START)),
        item(uid("refused"), block_body(world.website, SLOT_START + timedelta(minutes=5), minutes=2)),
        item(uid("gone"), block_body(world.website, SLOT_START + timedelta(minutes=10), deleted=True)),
    ]
    first = put_blocks(world, world.ann, batch)
    stored = world.service.stored_blocks()

    replays = [put_blocks(world, world.ann, batch) for _ in range(2)]

    assert [replay.json() for replay in replays] == [first.json()] * 2
    assert statuses(first) == [(uid("kept"), 200), (uid("refused"), 409), (uid("gone"), 200)]
    assert world.service.stored_blocks() == stored


def test_the_same_block_twice_in_a_batch_is_applied_in_order(world: World) -> None:
    older = item(uid("block"), block_body(world.website, SLOT_START, memo="older", updated_at=MONDAY))
    newer = {**older, "memo": "newer", "updated_at": wire_time(MONDAY + timedelta(seconds=1))}

    forward = put_blocks(world, world.ann, [older, newer]).json()["results"]
    backward = put_blocks(world, world.ann, [newer, older]).json()["results"]

    assert [result["block"]["memo"] for result in forward + backward] == ["older", "newer", "newer", "newer"]
    assert world.service.stored_block(uid("block")).memo == "newer"


# Four slots across the end of a work week (Sunday 23:40 to Monday 00:20 UTC: the past week is
# still in its grace), on a contract with a 6-minute weekly limit and one without.
SLOTS = [MONDAY.replace(hour=0) + n * timedelta(minutes=10) for n in range(-2, 2)]
CONTRACTS = (("Limited", {"weekly_limit_minutes": 6}), ("Free", {}))
WRITES = st.lists(
    st.tuples(
        st.integers(0, 4),  # which block
        st.integers(0, 1),  # which contract
        st.integers(0, 3),  # which slot
        st.integers(0, 9),  # its start's minute in the slot
        st.integers(1, 6),  # minutes (cut at the slot's end)
        st.booleans(),  # removed
    ),
    min_size=4,
    max_size=14,
)
freelancers = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES)
def test_a_batch_stores_and_answers_as_its_writes_sent_one_by_one(either_world: World, writes: list) -> None:
    """A batch reads what its rules need once for all its items (the slots' neighbours, the weeks'
    billed time): overlaps, moves, removals and the weekly limit between its own items come out as
    if each had been sent alone."""
    service = either_world.service
    answers, stored = [], []
    for batched in (True, False):
        email = f"freelancer-{next(freelancers)}@example.test"
        service.add_user(email, "freelancer")
        token = service.sign_in(email)
        contracts = [service.add_contract(title, email, CARA, **terms) for title, terms in CONTRACTS]
        items = []
        for n, (block, contract, slot, minute, minutes, deleted) in enumerate(writes):
            start = SLOTS[slot] + timedelta(minutes=minute)
            length = min(minutes, 10 - minute)
            body = block_body(
                contracts[contract], start, length, updated_at=MONDAY + timedelta(seconds=n), deleted=deleted
            )
            items.append(item(uid(f"{email}-{block}"), body))
        if batched:
            results = put_blocks(either_world, token, items).json()["results"]
        else:
            results = [_as_result(either_world.put_block(token, each["id"], each)) for each in items]
        answers.append([_comparable(result, contracts) for result in results])
        which = {uid(f"{email}-{block}"): block for block in range(5)}
        stored.append(
            sorted(
                (which[block.id], block.start, block.end, block.deleted, block.over_limit)
                for contract in contracts
                for block in service.stored_blocks(contract)
            )
        )

    assert answers[0] == answers[1]
    assert stored[0] == stored[1]


def _as_result(answer) -> dict:
    if answer.status_code == 200:
        return {"status": 200, "block": answer.json()}
    return {"status": answer.status_code, "detail": answer.json()["detail"]}


def _comparable(result: dict, contracts: list[str]) -> tuple:
    """A result without the ids that differ between the two freelancers."""
    if result["status"] != 200:
        return result["status"], result["detail"]
    block = result["block"]
    return (
        200,
        contracts.index(block["contract_id"]),
        block["start"],
        block["end"],
        block["deleted"],
        block["over_limit"],
    )


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
        "PUT", path, token, json={name: [item(uid("block"), block_body(world.website, SLOT_START))]}
    )

    assert answer.status_code == status and answer.json()["detail"].startswith(detail)
    assert world.service.stored_blocks() == []


def test_a_batch_holds_at_most_200_items(world: World) -> None:
    batch = [item(uid(f"b{n}"), block_body(world.website, SLOT_START)) for n in range(201)]

    answer = put_blocks(world, world.ann, batch)

    assert answer.status_code == 422
    assert answer.json()["detail"] == "blocks: List should have at most 200 items after validation, not 201."
    assert put_blocks(world, world.ann, []).json() == {"results": []}


def test_each_screenshot_is_answered_in_order(world: World) -> None:
    for minutes in (0, 10):
        world.put_block(
            world.ann,
            uid(f"block-{minutes}"),
            block_body(world.website, SLOT_START + timedelta(minutes=minutes)),
        )
    image, thumbnail = jpeg(1), jpeg(2)
    for data in (image, thumbnail):
        upload(world, data)
    later = wire_time(SLOT_START + timedelta(minutes=14))
    batch = [
        {"block_id": uid("block-0"), **screenshot_body(uid("shot-0"), image, thumbnail)},
        {"block_id": uid("nowhere"), **screenshot_body(uid("shot-x"), image, thumbnail)},
        {"block_id": uid("block-10"), **screenshot_body(uid("shot-y"), jpeg(3), thumbnail, taken_at=later)},
        {"block_id": uid("block-10"), **screenshot_body(uid("shot-10"), image, thumbnail, taken_at=later)},
    ]

    answer = world.call("PUT", "/screenshots", world.ann, json={"screenshots": batch})

    assert statuses(answer) == [
        (uid("shot-0"), 200),
        (uid("shot-x"), 404),
        (uid("shot-y"), 409),
        (uid("shot-10"), 200),
    ]
    results = answer.json()["results"]
    assert results[0]["block"]["screenshot"]["id"] == uid("shot-0")
    assert results[2]["detail"].startswith("Upload the images first")
    assert [block.screenshot.id for block in world.service.stored_blocks()] == [uid("shot-0"), uid("shot-10")]


def put_images(world: World, token: str | None, parts: list[tuple[str | None, bytes, str]]):
    """PUT /blobs with one multipart/form-data part per (name, bytes, Content-Type)."""
    files = [(name, (name, data, content_type)) for name, data, content_type in parts]
    return world.call("PUT", "/blobs", token, files=files)


def blob_statuses(answer) -> list[tuple[str | None, int]]:
    return [(result["sha256"], result["status"]) for result in answer.json()["results"]]


def test_each_image_of_an_upload_is_checked_as_its_single_upload_and_answered_in_order(
    either_world: World,
) -> None:
    world = either_world
    image, thumbnail, large = jpeg(1), webp(2), jpeg(3, 5 * MB + 1)
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    parts = [
        (sha(image), image, "image/jpeg"),
        (sha(jpeg(4)), jpeg(5), "image/jpeg"),  # lies about its hash
        (sha(png), png, "image/jpeg"),
        (sha(image), image, "text/plain"),
        (sha(large), large, "image/jpeg"),
        ("not-a-hash", jpeg(6), "image/jpeg"),
        (sha(thumbnail), thumbnail, "image/webp"),
        (sha(image), image, "image/jpeg"),  # the same image twice: stored once
    ]

    answers = [put_images(world, world.ann, parts) for _ in range(2)]

    assert answers[0].status_code == 200 and answers[1].json() == answers[0].json()
    assert blob_statuses(answers[0]) == [
        (sha(image), 200),
        (sha(jpeg(4)), 400),
        (sha(png), 415),
        (sha(image), 415),
        (sha(large), 413),
        ("not-a-hash", 400),
        (sha(thumbnail), 200),
        (sha(image), 200),
    ]
    singles = [upload(world, data, content_type=kind, name=name) for name, data, kind in parts[1:6]]
    assert [result["detail"] for result in answers[0].json()["results"][1:5]] == [
        single.json()["detail"] for single in singles[:4]
    ]
    assert (
        answers[0].json()["results"][5]["detail"]
        == "Name each part by its image's SHA-256 (in lower-case hex)."
    )
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(image), sha(thumbnail)}
    assert world.call("GET", "/blobs/" + sha(image), world.ann).status_code == 404  # shown by no block


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        (None, 401, "Sign in first"),
        ("signed out", 401, "This token was signed out"),
        ("cara", 403, "Only freelancers upload screenshots."),
    ],
)
def test_an_upload_without_a_freelancers_token_is_refused_whole(
    world: World, who: str | None, status: int, detail: str
) -> None:
    token = {None: None, "cara": world.cara}.get(who)
    if who == "signed out":
        token = world.service.sign_in("ann@example.test")
        world.call("POST", "/auth/sign-out", token)

    answer = put_images(world, token, [(sha(jpeg(1)), jpeg(1), "image/jpeg")])

    assert answer.status_code == status and answer.json()["detail"].startswith(detail)
    assert world.service.stored_blob_hashes() == world.service.blob_files() == set()


def test_an_upload_of_too_many_images_or_bytes_is_refused_whole(tmp_path, clock) -> None:
    with running_service(tmp_path, clock, max_upload_bytes=MB) as handle:
        world = make_world(handle)
        images = [jpeg(seed) for seed in range(33)]

        answers = [
            put_images(world, world.ann, [(sha(data), data, "image/jpeg") for data in images]),
            put_images(world, world.ann, [(sha(jpeg(1, MB)), jpeg(1, MB), "image/jpeg")]),
        ]

        assert [(answer.status_code, answer.json()) for answer in answers] == [
            (413, {"detail": "Send at most 32 images and 1 MB in one upload."})
        ] * 2
        assert handle.stored_blob_hashes() == handle.blob_files() == set()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        (
            iter([b"--x\r\n"]),
            "multipart/form-data; boundary=x",
            411,
            "Send the upload with its Content-Length.",
        ),
        (b"--x\r\n", "image/jpeg", 415, "Send the images as multipart/form-data, one part per image."),
        (
            b"--x\r\n",
            "multipart/form-data",
            415,
            "Send the images as multipart/form-data, one part per image.",
        ),
        (
            b"--x\r\nContent-Disposition: form-data\r\n\r\nab",
            "multipart/form-data; boundary=x",
            400,
            "The multipart/form-data body cannot be read: the body ends before its closing boundary.",
        ),
        *(
            (
                b"--x\r\n",
                f"multipart/form-data; boundary={boundary}",
                400,
                "The multipart/form-data body cannot be read: its boundary is not 1 to 70 characters long.",
            )
            for boundary in ("b" * 71, "b" * 300, '""')
        ),
    ],
    ids=["no-length", "not-multipart", "no-boundary", "cut", "boundary-71", "boundary-300", "boundary-empty"],
)
def test_an_upload_that_cannot_be_read_is_refused_whole(
    world: World, body: object, content_type: str, status: int, detail: str
) -> None:
    answer = world.call("PUT", "/blobs", world.ann, data=body, headers={"Content-Type": content_type})

    assert (answer.status_code, answer.json()) == (status, {"detail": detail})


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_an_upload_is_refused_for_its_token_before_its_body_is_read(world: World, token: str | None) -> None:
    boundary = "b" * 300  # python-multipart refuses it: the service once answered 500 here, to anyone
    content_type = f"multipart/form-data; boundary={boundary}"

    answer = world.call("PUT", "/blobs", token, data=b"--x\r\n", headers={"Content-Type": content_type})

    assert answer.status_code == 401
