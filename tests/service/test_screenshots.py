"""Images (PUT/GET /blobs/{sha256}) and block screenshots (PUT /blocks/{id}/screenshot)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from service import timesheet
from service.local import LocalService
from service.models import Blob, BlobCheck
from service.scheduled import prune_blobs
from tests.conftest import MONDAY
from tests.helpers.service import blob_variables, on_both_blob_stores
from tests.service.conftest import World, block_body, make_world, uid, wire_time
from tracker.demo.images import jpeg, webp

SLOT_START = MONDAY - timedelta(minutes=20)
MB = 1024 * 1024
pytest_generate_tests = on_both_blob_stores  # the tests on the service run with each blob store


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(
    world: World, data: bytes, token: str | None = None, content_type: str = "image/jpeg", name: str = ""
):
    return world.call(
        "PUT",
        f"/blobs/{name or sha(data)}",
        token or world.ann,
        data=data,
        headers={"Content-Type": content_type},
    )


def assert_served_inert(world: World, answer: requests.Response) -> None:
    """Served by the service: never to be sniffed (nosniff). From an S3 bucket, whose answers carry
    no such header: by a redirect that no cache keeps (the caller checks the download's type and
    disposition, which the bucket answers as the redirect's URL says)."""
    if world.service.config.s3_bucket is None:
        assert answer.headers["X-Content-Type-Options"] == "nosniff" and not answer.history
    else:
        [redirect] = answer.history
        assert (redirect.status_code, redirect.headers["Cache-Control"]) == (307, "no-store")


def screenshot_body(
    shot_id: str, image: bytes, thumbnail: bytes, redacted: bool = False, **fields: object
) -> dict:
    body = {
        "id": shot_id,
        "taken_at": wire_time(SLOT_START + timedelta(minutes=4)),
        "redacted": redacted,
        "images": [
            {
                "monitor": 1,
                "sha256": sha(image),
                "thumbnail_sha256": sha(thumbnail),
                "width": 1920,
                "height": 1080,
            }
        ],
    }
    return {**body, **fields}


def block_with_screenshot(world: World, block_id: str = uid("block"), seed: int = 1) -> tuple[bytes, bytes]:
    image, thumbnail = jpeg(seed), jpeg(seed + 1000)
    world.put_block(world.ann, block_id, block_body(world.website, SLOT_START))
    for data in (image, thumbnail):
        assert upload(world, data).status_code == 200
    answer = world.call(
        "PUT",
        f"/blocks/{block_id}/screenshot",
        world.ann,
        json=screenshot_body(uid("shot"), image, thumbnail),
    )
    assert answer.status_code == 200
    return image, thumbnail


def test_an_image_is_stored_under_its_hash_and_a_second_upload_changes_nothing(world: World) -> None:
    image = jpeg(1)

    answers = [upload(world, image) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert (
        answers[0].json()
        == answers[1].json()
        == {"sha256": sha(image), "size": len(image), "content_type": "image/jpeg"}
    )
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(image)}


def test_webp_screenshots_are_taken_and_said_to_be_webp(world: World) -> None:
    image, thumbnail = webp(1), webp(2)
    block_id = uid("block")
    world.put_block(world.ann, block_id, block_body(world.website, SLOT_START))
    for data in (image, thumbnail):
        assert upload(world, data, content_type="image/webp").json()["content_type"] == "image/webp"

    attached = world.call(
        "PUT",
        f"/blocks/{block_id}/screenshot",
        world.ann,
        json=screenshot_body(uid("shot"), image, thumbnail),
    )

    (shown,) = attached.json()["screenshot"]["images"]
    assert shown["content_type"] == "image/webp"
    (seen,) = world.call("GET", f"/contracts/{world.website}/blocks", world.cara).json()[0]["screenshot"][
        "images"
    ]
    assert seen == shown
    for data in (image, thumbnail):
        assert world.call("GET", f"/blobs/{sha(data)}", world.cara).headers["content-type"] == "image/webp"


@pytest.mark.parametrize(
    ("data", "content_type", "status", "detail"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "image/jpeg", 415, "The upload is not a JPEG image."),
        (jpeg(1), "image/webp", 415, "The upload is not a WEBP image."),
        (jpeg(1), "text/plain", 415, "Send the image as Content-Type image/jpeg or image/webp."),
        (jpeg(1, 5 * MB + 1), "image/jpeg", 413, "The image is larger than 5 MB."),
        (b"\xff\xd8\xff\xe0" + bytes(2000), "image/jpeg", 415, "The upload is not a JPEG image."),
        (jpeg(1)[:-10], "image/jpeg", 415, "The upload is not a JPEG image."),
        (
            b"\xff\xd8\xff\xe0\x00\x10JFIF<html><script>alert(1)</script>\xff\xd9",
            "image/jpeg",
            415,
            "The upload is not a JPEG image.",
        ),
        (
            webp(1)[:4] + (len(webp(1)) - 7).to_bytes(4, "little") + webp(1)[8:] + b"\0",
            "image/webp",
            415,
            "The upload is not a WEBP image.",
        ),
        (b"RIFF\x0c\x00\x00\x00WEBPVP8 " + bytes(4), "image/webp", 415, "The upload is not a WEBP image."),
    ],
    ids=[
        "png",
        "jpeg-as-webp",
        "text",
        "too-large",
        "jpeg-magic-only",
        "jpeg-cut",
        "html-in-jpeg",
        "riff-size",
        "vp8-no-frame",
    ],
)
def test_uploads_that_are_not_small_jpeg_or_webp_images_are_refused(
    world: World, data: bytes, content_type: str, status: int, detail: str
) -> None:
    answer = upload(world, data, content_type=content_type)

    assert (answer.status_code, answer.json()) == (status, {"detail": detail})
    assert world.service.stored_blob_hashes() == world.service.blob_files() == set()


def test_an_oversized_upload_without_a_length_is_cut_off(world: World) -> None:
    data = jpeg(1, 6 * MB)

    def chunks():  # no Content-Length: sent chunked, so the limit must be found while reading
        for offset in range(0, len(data), MB):
            yield data[offset : offset + MB]

    answer = world.call(
        "PUT",
        f"/blobs/{sha(data)}",
        world.ann,
        data=chunks(),
        headers={"Content-Type": "image/jpeg"},
    )

    assert answer.status_code == 413
    assert world.service.blob_files() == set()


def test_an_image_whose_hash_does_not_match_is_refused(world: World) -> None:
    answer = upload(world, jpeg(1), name=sha(jpeg(2)))

    assert answer.status_code == 400
    assert "SHA-256 is not the one it was sent under" in answer.json()["detail"]
    assert world.service.blob_files() == set()


def test_a_screenshot_is_attached_and_its_images_shown_to_the_contracts_people(world: World) -> None:
    image, thumbnail = block_with_screenshot(world)

    block = world.call("GET", f"/contracts/{world.website}/blocks", world.cara).json()[0]
    assert block["screenshot"] == {
        "id": uid("shot"),
        "taken_at": "2026-11-23T08:44:00Z",
        "redacted": False,
        "images": [
            {
                "monitor": 1,
                "sha256": sha(image),
                "thumbnail_sha256": sha(thumbnail),
                "width": 1920,
                "height": 1080,
                "content_type": "image/jpeg",
            }
        ],
    }
    for token in (world.ann, world.cara):
        for data in (image, thumbnail):
            answer = world.call("GET", f"/blobs/{sha(data)}", token)
            assert (answer.status_code, answer.content, answer.headers["content-type"]) == (
                200,
                data,
                "image/jpeg",
            )
    assert world.call("GET", f"/blobs/{sha(image)}", world.bob).status_code == 404


def test_images_are_served_as_exactly_what_they_are_and_never_sniffed(world: World) -> None:
    image, thumbnail = webp(1), jpeg(2)
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))
    upload(world, image, content_type="image/webp")
    upload(world, thumbnail)
    assert (
        attach(world, world.ann, uid("block"), screenshot_body(uid("shot"), image, thumbnail)).status_code
        == 200
    )

    for data, content_type, extension in ((image, "image/webp", "webp"), (thumbnail, "image/jpeg", "jpg")):
        answer = world.call("GET", f"/blobs/{sha(data)}", world.cara)
        assert answer.content == data
        assert_served_inert(world, answer)
        assert {name: answer.headers[name] for name in ("content-type", "content-disposition")} == {
            "content-type": content_type,
            "content-disposition": f'attachment; filename="{sha(data)}.{extension}"',
        }


def test_an_image_no_block_shows_is_not_served(world: World) -> None:
    image = jpeg(1)
    upload(world, image)

    answer = world.call("GET", f"/blobs/{sha(image)}", world.ann)

    assert answer.status_code == 404
    assert answer.json() == {"detail": f"There is no image {sha(image)} among yours."}


def test_a_screenshot_needs_its_images_uploaded_first(world: World) -> None:
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))
    image, thumbnail = jpeg(1), jpeg(2)
    upload(world, image)

    answer = world.call(
        "PUT",
        f"/blocks/{uid('block')}/screenshot",
        world.ann,
        json=screenshot_body(uid("shot"), image, thumbnail),
    )

    assert answer.status_code == 409
    assert (
        answer.json()["detail"]
        == f"Upload the images first (PUT /blobs/…): {sha(thumbnail)} not received yet."
    )
    assert world.service.stored_block(uid("block")).screenshot is None


def test_a_replayed_screenshot_changes_nothing(world: World) -> None:
    image, thumbnail = block_with_screenshot(world)
    before = world.service.stored_block(uid("block"))

    replays = [
        world.call(
            "PUT",
            f"/blocks/{uid('block')}/screenshot",
            world.ann,
            json=screenshot_body(uid("shot"), image, thumbnail),
        )
        for _ in range(2)
    ]

    assert [answer.status_code for answer in replays] == [200, 200]
    assert world.service.stored_block(uid("block")) == before


def test_a_redacted_screenshot_replaces_the_original_whose_images_go(world: World) -> None:
    image, thumbnail = block_with_screenshot(world)
    blurred, blurred_thumbnail = jpeg(7), jpeg(8)
    upload(world, blurred)
    upload(world, blurred_thumbnail)

    redacted = world.call(
        "PUT",
        f"/blocks/{uid('block')}/screenshot",
        world.ann,
        json=screenshot_body(uid("shot"), blurred, blurred_thumbnail, True),
    )
    late_original = world.call(
        "PUT",
        f"/blocks/{uid('block')}/screenshot",
        world.ann,
        json=screenshot_body(uid("shot"), image, thumbnail),
    )

    assert redacted.status_code == late_original.status_code == 200
    assert late_original.json()["screenshot"]["redacted"] is True  # an older upload never un-redacts
    assert (
        world.service.stored_blob_hashes()
        == world.service.blob_files()
        == {sha(blurred), sha(blurred_thumbnail)}
    )


def test_removing_a_block_drops_its_screenshot_and_the_images_nothing_else_shows(world: World) -> None:
    image, thumbnail = block_with_screenshot(world)
    shared = jpeg(1000 + 1)  # the first block's thumbnail, also shown by a second block
    assert shared == thumbnail
    world.put_block(world.ann, uid("other"), block_body(world.logo, SLOT_START + timedelta(minutes=10)))
    other_shot = screenshot_body(
        uid("other-shot"), jpeg(5), shared, taken_at=wire_time(SLOT_START + timedelta(minutes=12))
    )
    upload(world, jpeg(5))
    assert (
        world.call("PUT", f"/blocks/{uid('other')}/screenshot", world.ann, json=other_shot).status_code == 200
    )

    removal = world.put_block(
        world.ann, uid("block"), block_body(world.website, SLOT_START, deleted=True, updated_at=MONDAY)
    )

    assert removal.json()["screenshot"] is None
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(jpeg(5)), sha(shared)}
    assert world.call("GET", f"/blobs/{sha(image)}", world.ann).status_code == 404


@pytest.mark.parametrize(("minutes", "kept"), [(3, False), (4, True), (6, True)])
def test_a_block_cut_to_end_before_its_screenshot_drops_it_and_its_images(
    world: World, minutes: int, kept: bool
) -> None:
    image, thumbnail = block_with_screenshot(world)  # taken 4 minutes into the block
    cut = block_body(world.website, SLOT_START, minutes=minutes, updated_at=MONDAY)

    answer = world.put_block(world.ann, uid("block"), cut)

    assert answer.status_code == 200 and (answer.json()["screenshot"] is not None) == kept
    images = {sha(image), sha(thumbnail)} if kept else set()
    assert world.service.stored_blob_hashes() == world.service.blob_files() == images


@pytest.mark.parametrize(
    ("setup", "detail"),
    [
        ("manual", "Manual time has no screenshots."),
        ("removed", "This block was removed: its screenshot is not kept."),
        ("no screenshots", "The contract “Website” takes no screenshots."),
        (
            "another slot",
            "The screenshot was taken at 08:54:00 UTC, outside its block's time "
            "(Mon 23 Nov 08:40:00 to 08:50:00 UTC).",
        ),
        (
            "after the end",
            "The screenshot was taken at 08:47:00 UTC, outside its block's time "
            "(Mon 23 Nov 08:40:00 to 08:46:30 UTC).",
        ),
        (
            "before the start",
            "The screenshot was taken at 08:41:00 UTC, outside its block's time "
            "(Mon 23 Nov 08:42:00 to 08:50:00 UTC).",
        ),
    ],
)
def test_screenshot_rules(world: World, setup: str, detail: str) -> None:
    image, thumbnail = jpeg(1), jpeg(2)
    upload(world, image)
    upload(world, thumbnail)
    world.put_block(
        world.ann,
        uid("block"),
        block_body(
            world.website,
            SLOT_START + timedelta(minutes=2 if setup == "before the start" else 0),
            minutes={"after the end": 6.5, "before the start": 8}.get(setup, 10),
            source="manual" if setup == "manual" else "tracked",
            deleted=setup == "removed",
        ),
    )
    if setup == "no screenshots":
        world.service.update_contract(world.website, screenshots_enabled=False)
    body = screenshot_body(uid("shot"), image, thumbnail)
    taken = {"another slot": 14, "after the end": 7, "before the start": 1}
    if setup in taken:
        body["taken_at"] = wire_time(SLOT_START + timedelta(minutes=taken[setup]))

    answer = world.call("PUT", f"/blocks/{uid('block')}/screenshot", world.ann, json=body)

    assert answer.status_code == 409
    assert answer.json()["detail"] == detail
    assert world.service.stored_block(uid("block")).screenshot is None


def prune_images(world: World, *options: str) -> subprocess.CompletedProcess[str]:
    """``workdiary-service prune-images`` on the running service's database and images."""
    config = world.service.config
    locations = ["--database-url", config.database_url, "--storage-dir", str(config.storage_dir)]
    return subprocess.run(
        [sys.executable, "-m", "service", *locations, "prune-images", *options],
        env={**os.environ, **blob_variables(config)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_images_no_screenshot_shows_are_deleted_by_the_admin_once_a_day_old(either_world: World) -> None:
    world = either_world
    image, thumbnail = block_with_screenshot(world)  # uploaded on Monday, and shown
    stray, recent = jpeg(7), jpeg(8)
    assert upload(world, stray).status_code == 200  # on Monday: the app never attached it
    world.service.clock.set_wall(datetime.now(UTC) - timedelta(hours=1))  # the service's clock: an hour ago
    assert upload(world, recent).status_code == 200  # an app may still attach this one

    pruned = prune_images(world)

    assert (pruned.returncode, pruned.stdout, pruned.stderr) == (
        0,
        "Deleted 1 unused image(s), 0.0 MB.\n",
        "",
    )
    kept = {sha(image), sha(thumbnail), sha(recent)}
    assert world.service.stored_blob_hashes() == world.service.blob_files() == kept
    assert prune_images(world, "--older-than-hours", "0").stdout == "Deleted 1 unused image(s), 0.0 MB.\n"
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(image), sha(thumbnail)}

    # an app attaching a deleted image is told to upload it first, and then it is kept
    world.service.clock.set_wall(MONDAY)
    world.put_block(world.ann, uid("other"), block_body(world.website, SLOT_START + timedelta(minutes=10)))
    body = screenshot_body(
        uid("other-shot"), stray, thumbnail, taken_at=wire_time(SLOT_START + timedelta(minutes=14))
    )
    refused = world.call("PUT", f"/blocks/{uid('other')}/screenshot", world.ann, json=body)
    assert refused.status_code == 409 and refused.json()["detail"].startswith("Upload the images first")
    assert upload(world, stray).status_code == 200
    assert world.call("PUT", f"/blocks/{uid('other')}/screenshot", world.ann, json=body).status_code == 200


def test_the_prune_looks_at_the_due_checks_alone_a_batch_at_a_time_the_longest_waiting_first(
    either_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = either_world
    image, thumbnail = block_with_screenshot(world)  # uploaded on Monday, and shown
    strays = jpeg(7), jpeg(8)
    for hours, stray in enumerate(strays, 1):
        world.service.clock.set_wall(MONDAY + timedelta(days=1, hours=hours))
        assert upload(world, stray).status_code == 200  # never attached
    monkeypatch.setattr(timesheet, "PRUNE_BATCH", 2)

    deleted = [set(prune_in_process(world, MONDAY + timedelta(days=3))) for _ in range(3)]

    assert deleted == [set(), {sha(stray) for stray in strays}, set()]  # the shown ones' checks first
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(image), sha(thumbnail)}
    with world.service.database.reading() as session:
        assert session.scalars(select(BlobCheck)).all() == []


def test_an_image_a_screenshot_is_attaching_keeps_its_check_for_the_next_prune_on_postgresql(
    postgres_service: LocalService,
) -> None:
    world = make_world(postgres_service)
    image = jpeg(7)
    assert upload(world, image).status_code == 200
    later = MONDAY + timedelta(days=3)

    with world.service.database.writing() as attaching:  # it holds the images it attaches
        attaching.execute(select(Blob).where(Blob.sha256 == sha(image)).with_for_update())
        held = prune_in_process(world, later)
    then = prune_in_process(world, later)  # the attaching failed: unused after all

    assert (held, list(then)) == ({}, [sha(image)])


def prune_in_process(world: World, uploaded_before: datetime) -> dict[str, int]:
    context = world.service.app.state.service
    return prune_blobs(context.database, context.blobs, uploaded_before)


def test_prune_images_refuses_a_negative_age(world: World) -> None:
    refused = prune_images(world, "--older-than-hours", "-3")

    assert refused.returncode == 2
    assert "give a number of hours of 0 or more" in refused.stderr


def attach(world: World, token: str, block_id: str, body: dict):
    return world.call("PUT", f"/blocks/{block_id}/screenshot", token, json=body)


def test_knowing_an_images_hash_lets_nobody_else_attach_or_read_it(either_world: World) -> None:
    world = either_world
    image, thumbnail = block_with_screenshot(world)  # Ann's
    unknown = jpeg(99)  # uploaded by nobody
    world.put_block(world.bob, uid("bobs-block"), block_body(world.bobs, SLOT_START))

    taken = attach(world, world.bob, uid("bobs-block"), screenshot_body(uid("bobs-shot"), image, thumbnail))
    never = attach(world, world.bob, uid("bobs-block"), screenshot_body(uid("bobs-shot"), unknown, thumbnail))

    # Answered exactly as for an image nobody uploaded: Bob learns nothing of Ann's.
    missing = sorted([sha(image), sha(thumbnail)])
    assert (taken.status_code, taken.json()) == (
        409,
        {"detail": f"Upload the images first (PUT /blobs/…): {', '.join(missing)} not received yet."},
    )
    assert never.json()["detail"] == (
        f"Upload the images first (PUT /blobs/…): {', '.join(sorted([sha(unknown), sha(thumbnail)]))} "
        "not received yet."
    )
    assert world.call("GET", f"/blobs/{sha(image)}", world.bob).json() == {
        "detail": f"There is no image {sha(image)} among yours."
    }

    # Ann removes her block: the images are gone for everyone.
    world.put_block(
        world.ann, uid("block"), block_body(world.website, SLOT_START, deleted=True, updated_at=MONDAY)
    )
    again = attach(world, world.bob, uid("bobs-block"), screenshot_body(uid("bobs-shot"), image, thumbnail))
    assert again.json() == taken.json()
    assert world.call("GET", f"/blobs/{sha(image)}", world.bob).status_code == 404
    assert world.service.stored_blob_hashes() == world.service.blob_files() == set()


def test_a_freelancer_who_uploads_the_same_bytes_may_attach_them_and_keeps_them(either_world: World) -> None:
    world = either_world
    image, thumbnail = block_with_screenshot(world)  # Ann's
    world.put_block(world.bob, uid("bobs-block"), block_body(world.bobs, SLOT_START))
    bob_uploads = [upload(world, data, token=world.bob) for data in (image, thumbnail)]
    ann_upload = upload(world, image)

    attached = attach(
        world, world.bob, uid("bobs-block"), screenshot_body(uid("bobs-shot"), image, thumbnail)
    )
    world.put_block(
        world.ann, uid("block"), block_body(world.website, SLOT_START, deleted=True, updated_at=MONDAY)
    )

    assert (
        bob_uploads[0].json()
        == ann_upload.json()
        == {"sha256": sha(image), "size": len(image), "content_type": "image/jpeg"}
    )
    assert attached.status_code == 200
    assert world.call("GET", f"/blobs/{sha(image)}", world.bob).content == image  # his screenshot shows it
    assert world.call("GET", f"/blobs/{sha(image)}", world.ann).status_code == 404  # hers no longer does
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(image), sha(thumbnail)}


def test_an_image_uploaded_again_by_anyone_is_kept_by_the_prune(either_world: World) -> None:
    world = either_world
    image = jpeg(7)
    assert upload(world, image).status_code == 200  # by Ann, on Monday: never attached
    world.service.clock.set_wall(datetime.now(UTC) - timedelta(hours=1))
    assert upload(world, image, token=world.bob).status_code == 200  # by Bob, about to attach it

    pruned = prune_images(world)

    assert pruned.stdout == "Deleted 0 unused image(s), 0.0 MB.\n"
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(image)}
