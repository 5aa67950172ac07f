"""A freelancer's week on both databases, and two devices racing for the same minutes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.conftest import MONDAY
from tests.helpers.service import LocalService
from tests.service.conftest import World, block_body, make_world, uid
from tests.service.test_screenshots import screenshot_body, sha, upload
from tracker.demo.images import jpeg


@pytest.fixture(params=["sqlite", "postgresql"])
def any_world(request: pytest.FixtureRequest) -> World:
    fixture = "service" if request.param == "sqlite" else "postgres_service"
    handle: LocalService = request.getfixturevalue(fixture)
    return make_world(handle)


def test_a_week_of_work_synced_read_and_removed(any_world: World) -> None:
    world = any_world
    start = MONDAY - timedelta(hours=1)
    image, thumbnail = jpeg(1), jpeg(2)
    world.service.update_contract(world.website, weekly_limit_minutes=20)

    for slot in range(3):
        assert world.put_block(
            world.ann, uid(f"b{slot}"), block_body(world.website, start + slot * timedelta(minutes=10))
        ).ok
    manual = block_body(world.website, start - timedelta(minutes=10), source="manual", activity=[])
    assert world.put_block(world.ann, uid("manual"), manual).json()["over_limit"] is True
    for data in (image, thumbnail):
        assert upload(world, data).status_code == 200
    shot = screenshot_body(uid("shot"), image, thumbnail, taken_at="2026-11-23T08:03:00Z")
    assert world.call("PUT", f"/blocks/{uid('b0')}/screenshot", world.ann, json=shot).status_code == 200
    overlap = world.put_block(world.ann, uid("clash"), block_body(world.logo, start, device_id=uid("laptop")))

    client_view = world.call("GET", f"/contracts/{world.website}/blocks?week=2026-11-23", world.cara).json()
    assert overlap.status_code == 409
    assert [(block["id"], block["over_limit"]) for block in client_view] == [
        (uid("manual"), True),
        (uid("b0"), False),
        (uid("b1"), False),
        (uid("b2"), True),
    ]
    assert world.call("GET", f"/blobs/{sha(image)}", world.cara).content == image

    removal = block_body(world.website, start, deleted=True, updated_at=MONDAY)
    assert world.put_block(world.ann, uid("b0"), removal).json()["deleted"] is True
    assert world.call("GET", f"/blobs/{sha(image)}", world.cara).status_code == 404
    assert world.service.stored_blob_hashes() == world.service.blob_files() == set()
    assert world.call("POST", "/auth/sign-out", world.ann).status_code == 204
    assert world.call("GET", "/me", world.ann).status_code == 401


def test_two_devices_cannot_both_log_the_same_minutes(any_world: World) -> None:
    world = any_world
    for round_number in range(8):
        start = MONDAY - timedelta(hours=2) + round_number * timedelta(minutes=10)
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def send(device: str, contract: str, start=start, barrier=barrier, statuses=statuses) -> None:
            body = block_body(contract, start, device_id=uid(device))
            barrier.wait(timeout=10)
            statuses.append(world.put_block(world.ann, uid(f"{device}-{start:%H%M}"), body).status_code)

        threads = [
            threading.Thread(target=send, args=args)
            for args in (("desk", world.website), ("laptop", world.logo))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert sorted(statuses) == [200, 409]
    assert len(world.service.stored_blocks()) == 8


def test_text_postgresql_cannot_hold_is_refused_as_input(any_world: World) -> None:
    world = any_world

    answer = world.put_block(
        world.ann, uid("block"), block_body(world.website, MONDAY - timedelta(minutes=10), memo="\x00")
    )

    assert answer.status_code == 422
    assert world.service.stored_blocks() == []
