"""Who may read and write what: a contract's freelancer writes, its client reads, anyone else gets
the same 404 as for something that does not exist."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import MONDAY
from tests.service.conftest import World, block_body, uid
from tests.service.test_screenshots import block_with_screenshot, screenshot_body, sha, upload
from tracker.demo.images import jpeg

SLOT_START = MONDAY - timedelta(minutes=20)


def test_each_user_lists_the_contracts_they_are_on_with_their_role(world: World) -> None:
    def listed(token: str) -> list[tuple[str, str]]:
        return [
            (contract["title"], contract["role"])
            for contract in world.call("GET", "/contracts", token).json()
        ]

    assert listed(world.ann) == [("Logo", "freelancer"), ("Website", "freelancer")]
    assert listed(world.bob) == [("Bob's app", "freelancer")]
    assert listed(world.cara) == [("Bob's app", "client"), ("Logo", "client"), ("Website", "client")]


def test_a_contract_as_its_freelancer_sees_it(world: World) -> None:
    answer = world.call("GET", f"/contracts/{world.website}", world.ann)

    assert answer.json() == {
        "id": world.website,
        "title": "Website",
        "client_name": "Cara",
        "freelancer_name": "Ann",
        "role": "freelancer",
        "kind": "hourly",
        "status": "active",
        "hourly_rate_cents": 4500,
        "currency": "USD",
        "weekly_limit_minutes": None,
        "manual_time_allowed": True,
        "screenshots_enabled": True,
        "grace_hours": 12,
        "agency_member": False,
        "started_at": "2026-08-25T09:00:00Z",
        "offered_by": "client",
        "offered_at": "2026-08-25T09:00:00Z",
        "answered_at": "2026-08-25T09:00:00Z",
        "ended_at": None,
        "feedback_until": None,
        "pending_terms": None,
        "actions": ["propose_contract", "end_contract"],
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("ann", 200), ("cara", 200), ("bob", 404)],
)
@pytest.mark.parametrize("path", ["/contracts/{website}", "/contracts/{website}/blocks"])
def test_reading_a_contract(world: World, who: str, status: int, path: str) -> None:
    answer = world.call("GET", path.format(website=world.website), getattr(world, who))

    assert answer.status_code == status


def test_an_unknown_contract_is_answered_as_a_strangers(world: World) -> None:
    unknown = world.call("GET", f"/contracts/{uid('no-such-contract')}", world.ann)
    strangers = world.call("GET", f"/contracts/{world.bobs}", world.ann)

    assert unknown.status_code == strangers.status_code == 404
    assert strangers.json() == {"detail": f"There is no contract {world.bobs} among yours."}


@pytest.mark.parametrize(("who", "status"), [("cara", 403), ("bob", 404)])
def test_only_the_freelancer_writes_blocks(world: World, who: str, status: int) -> None:
    world.put_block(world.ann, uid("existing"), block_body(world.website, SLOT_START))
    token = getattr(world, who)

    new = world.put_block(token, uid("new"), block_body(world.website, SLOT_START + timedelta(minutes=10)))
    change = world.put_block(
        token, uid("existing"), block_body(world.website, SLOT_START, memo="x", updated_at=MONDAY)
    )

    assert new.status_code == change.status_code == status
    assert [(block.id, block.memo) for block in world.service.stored_blocks()] == [
        (uid("existing"), "Header layout")
    ]


def test_a_block_id_of_another_freelancer_cannot_be_taken_over(world: World) -> None:
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))

    answer = world.put_block(world.bob, uid("block"), block_body(world.bobs, SLOT_START, updated_at=MONDAY))

    assert answer.status_code == 404
    assert world.service.stored_block(uid("block")).contract_id == world.website


@pytest.mark.parametrize(("who", "status"), [("cara", 403), ("bob", 404)])
def test_only_the_freelancer_attaches_screenshots(world: World, who: str, status: int) -> None:
    image, thumbnail = jpeg(1), jpeg(2)
    upload(world, image)
    upload(world, thumbnail)
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))

    answer = world.call(
        "PUT",
        f"/blocks/{uid('block')}/screenshot",
        getattr(world, who),
        json=screenshot_body(uid("shot"), image, thumbnail),
    )

    assert answer.status_code == status
    assert world.service.stored_block(uid("block")).screenshot is None


def test_a_screenshot_for_an_unknown_block_is_not_found(world: World) -> None:
    answer = world.call(
        "PUT",
        f"/blocks/{uid('nothing')}/screenshot",
        world.ann,
        json=screenshot_body(uid("s"), jpeg(1), jpeg(2)),
    )

    assert (answer.status_code, answer.json()) == (
        404,
        {"detail": f"There is no block {uid('nothing')} among yours."},
    )


def test_clients_upload_no_images(world: World) -> None:
    answer = upload(world, jpeg(1), token=world.cara)

    assert (answer.status_code, answer.json()) == (403, {"detail": "Only freelancers upload screenshots."})


@pytest.mark.parametrize(("who", "status"), [("ann", 200), ("cara", 200), ("bob", 404)])
def test_images_are_served_to_the_people_of_a_live_block_that_shows_them(
    world: World, who: str, status: int
) -> None:
    image, thumbnail = block_with_screenshot(world)

    for data in (image, thumbnail):
        assert world.call("GET", f"/blobs/{sha(data)}", getattr(world, who)).status_code == status


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me"),
        ("GET", "/contracts"),
        ("GET", "/contracts/x"),
        ("GET", "/contracts/x/blocks"),
        ("PUT", "/blocks/x"),
        ("PUT", f"/blocks/{uid('x')}/screenshot"),
        ("PUT", f"/blobs/{'0' * 64}"),
        ("PUT", "/blobs"),
        ("GET", f"/blobs/{'0' * 64}"),
        ("POST", "/auth/sign-out"),
    ],
)
def test_every_endpoint_but_sign_in_needs_a_token(world: World, method: str, path: str) -> None:
    answer = world.call(method, path, None, json={})

    assert answer.status_code == 401
    assert answer.json()["detail"].startswith("Sign in first")


def test_a_refusal_never_names_another_freelancers_contract(world: World) -> None:
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))
    takeover = block_body(world.bobs, SLOT_START, updated_at=MONDAY)
    shot = screenshot_body(uid("shot"), jpeg(1), jpeg(2))

    answers = [
        world.put_block(world.bob, uid("block"), takeover),
        world.call("PUT", f"/blocks/{uid('block')}/screenshot", world.bob, json=shot),
        *(
            world.call("PUT", path, world.bob, json={name: [item]}).json()["results"][0]
            for path, name, item in (
                ("/blocks", "blocks", {"id": uid("block"), **takeover}),
                ("/screenshots", "screenshots", {"block_id": uid("block"), **shot}),
            )
        ),
    ]

    expected = {"detail": f"There is no block {uid('block')} among yours."}
    assert [(answer.status_code, answer.json()) for answer in answers[:2]] == [(404, expected)] * 2
    assert [(result["status"], result["detail"]) for result in answers[2:]] == [(404, expected["detail"])] * 2
