"""Messages' files: uploaded streamed under their hash (up to 25 MB, any type, empty too), owned by
their uploader, downloaded only by the contract's parties as attachments with safe names, and kept
by the blob store as long as a message attaches them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Event
from urllib.parse import urlsplit

import pytest

from service.api.routes.files import content_disposition
from tests.conftest import MONDAY
from tests.helpers.service import API, on_both_blob_stores
from tests.helpers.thread import post, sha, upload_file
from tests.service.conftest import World, block_body, uid
from tests.service.test_screenshots import (
    SLOT_START,
    assert_served_inert,
    block_with_screenshot,
    prune_images,
    screenshot_body,
    upload,
)
from tracker.demo.images import jpeg

MB = 1024 * 1024
LIMIT = 25 * MB
REPORT = b"%PDF-1.4 the quarterly report"
pytest_generate_tests = on_both_blob_stores  # the tests on the service run with each blob store


def store_files(world: World) -> set[str]:
    """The names of the files in the blob store's folder, temporary ones included, and of the
    objects in its bucket (whose uploads spool to nameless files)."""
    folder = Path(world.service.config.storage_dir)
    return {path.name for path in folder.rglob("*") if path.is_file()} | world.service.blob_files()


def attachment(world: World, token: str, name: str, data: bytes = REPORT, message: str = "report") -> dict:
    answer = post(world, token, world.website, uid(message), "Here it is", [(data, name)])
    assert answer.status_code == 200, answer.text
    return answer.json()["attachments"][0]


def download(world: World, token: str, item: dict):
    return world.call("GET", item["download"].removeprefix(API), token)


def test_a_file_is_stored_under_its_hash_and_a_second_upload_changes_nothing(world: World) -> None:
    first = upload_file(world, world.ann, REPORT)
    again = upload_file(world, world.ann, REPORT, content_type="text/html")
    empty = upload_file(world, world.cara, b"")  # clients upload files too

    assert first.json() == again.json() == {"sha256": sha(REPORT), "size": len(REPORT)}
    assert (empty.status_code, empty.json()) == (200, {"sha256": sha(b""), "size": 0})
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(REPORT), sha(b"")}
    assert store_files(world) == {sha(REPORT), sha(b"")}  # no temporary file left


def test_a_file_whose_hash_does_not_match_is_refused_and_leaves_nothing(world: World) -> None:
    refused = world.call("PUT", f"/files/{sha(b'other')}", world.ann, data=REPORT)

    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "The file's SHA-256 is not the one it was sent under: the upload was damaged."
    )
    assert world.service.stored_blob_hashes() == set() and store_files(world) == set()


def test_a_file_of_25_mb_is_taken_and_one_byte_more_is_refused_while_it_streams(world: World) -> None:
    largest = bytes(LIMIT)
    too_large = largest + b"\0"

    def chunked(data: bytes) -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
        for start in range(0, len(data), MB):
            yield data[start : start + MB]

    taken = world.call("PUT", f"/files/{sha(largest)}", world.ann, data=chunked(largest))
    refused = world.call("PUT", f"/files/{sha(too_large)}", world.ann, data=chunked(too_large))

    assert (taken.status_code, taken.json()["size"]) == (200, LIMIT)
    assert (refused.status_code, refused.json()) == (413, {"detail": "A file may be at most 25 MB."})
    assert world.service.stored_blob_hashes() == {sha(largest)}
    assert store_files(world) == {sha(largest)}


def raw_upload(url: str, token: str, sha256: str, content_length: int) -> socket.socket:
    """A connection to the service at ``url`` that has sent an upload's headers, and no byte of
    its body yet."""
    address = urlsplit(url)
    connection = socket.create_connection((address.hostname, address.port), timeout=10)
    connection.sendall(
        (
            f"PUT {API}/files/{sha256} HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {content_length}\r\n\r\n"
        ).encode()
    )
    return connection


def test_an_upload_announced_over_25_mb_is_refused_before_its_body_is_read(world: World) -> None:
    with raw_upload(world.service.url, world.ann, sha(b"x"), LIMIT + 1) as connection:
        answer = connection.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert store_files(world) == set()


@contextmanager
def receipts_watched(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Event, Event]]:
    """Events set when the service's blob store starts receiving an upload, and once it has let go
    of it (its temporary file removed unless kept)."""
    store = world.service.app.state.service.blobs
    started, ended = Event(), Event()
    receive = store.receive

    @contextmanager
    def watched() -> Iterator[object]:
        try:
            with receive() as incoming:
                started.set()
                yield incoming
        finally:
            ended.set()

    monkeypatch.setattr(store, "receive", watched)
    yield started, ended


def test_a_cut_upload_leaves_no_row_and_no_file(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    data = bytes(range(256)) * 4096  # 1 MB
    with receipts_watched(world, monkeypatch) as (started, ended):
        connection = raw_upload(world.service.url, world.ann, sha(data), len(data))
        connection.sendall(data[: len(data) // 2])
        assert started.wait(10)  # being received

        connection.close()  # half of it sent

        assert ended.wait(10)
    assert store_files(world) == set()
    assert world.service.stored_blob_hashes() == set()
    assert upload_file(world, world.ann, data).status_code == 200  # sent again, whole


def test_the_parties_download_a_file_as_an_attachment_never_sniffed(world: World) -> None:
    page = b"<html><script>alert(1)</script></html>"
    item = attachment(world, world.ann, "notes.html", page)

    answer = download(world, world.cara, item)

    assert answer.status_code == 200 and answer.content == page
    assert {name: answer.headers[name] for name in ("Content-Type", "Content-Length", "Cache-Control")} == {
        "Content-Type": "application/octet-stream",
        "Content-Length": str(len(page)),
        "Cache-Control": "private",
    }
    assert_served_inert(world, answer)
    assert (
        answer.headers["Content-Disposition"]
        == "attachment; filename=\"notes.html\"; filename*=UTF-8''notes.html"
    )
    assert download(world, world.ann, item).content == page


def test_nobody_but_the_parties_downloads_a_file(world: World) -> None:
    item = attachment(world, world.ann, "report.pdf")
    bobs = post(world, world.bob, world.bobs, uid("bobs"), "", [(b"bob's", "bob.txt")]).json()["attachments"][
        0
    ]

    by_bob = download(world, world.bob, item)
    elsewhere = world.call("GET", f"/contracts/{world.website}/attachments/{bobs['id']}", world.ann)
    signed_out = download(world, "", item)

    assert (by_bob.status_code, by_bob.json()) == (
        404,
        {"detail": f"There is no contract {world.website} among yours."},
    )
    assert (elsewhere.status_code, elsewhere.json()) == (
        404,
        {"detail": f"There is no file {bobs['id']} in this contract's messages."},
    )
    assert signed_out.status_code == 401


HOSTILE = [
    ("../../x", "attachment; filename=\"_.._x\"; filename*=UTF-8''_.._x"),
    (
        'a"b\r\nSet-Cookie: c=1',
        "attachment; filename=\"a_b__Set-Cookie_ c_1\"; filename*=UTF-8''a%22b__Set-Cookie%3A%20c%3D1",
    ),
    (
        "Résumé 2026.pdf",
        "attachment; filename=\"R_sum_ 2026.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf",
    ),
    (".bashrc", "attachment; filename=\"bashrc\"; filename*=UTF-8''bashrc"),
    (
        "C:\\Windows\\evil.exe",
        "attachment; filename=\"C__Windows_evil.exe\"; filename*=UTF-8''C%3A_Windows_evil.exe",
    ),
    ("...", "attachment; filename=\"file\"; filename*=UTF-8''file"),
]


@pytest.mark.parametrize(("name", "disposition"), HOSTILE)
def test_a_hostile_name_is_kept_as_given_and_served_safely(world: World, name: str, disposition: str) -> None:
    item = attachment(world, world.ann, name)

    answer = download(world, world.cara, item)

    assert item["name"] == name
    assert answer.status_code == 200 and answer.content == REPORT
    assert answer.headers["Content-Disposition"] == content_disposition(name) == disposition


def test_the_images_route_serves_no_attachment(world: World) -> None:
    item = attachment(world, world.ann, "photo.jpg", jpeg(3))

    for token in (world.ann, world.cara):
        assert world.call("GET", f"/blobs/{item['sha256']}", token).status_code == 404


def test_a_file_uploaded_for_a_message_is_no_screenshot_image_until_checked_as_one(world: World) -> None:
    image, thumbnail = jpeg(5), jpeg(6)
    for data in (image, thumbnail):
        assert upload_file(world, world.ann, data, content_type="image/jpeg").status_code == 200
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))
    body = screenshot_body(uid("shot"), image, thumbnail)

    refused = world.call("PUT", f"/blocks/{uid('block')}/screenshot", world.ann, json=body)
    for data in (image, thumbnail):
        assert upload(world, data).json()["content_type"] == "image/jpeg"
    taken = world.call("PUT", f"/blocks/{uid('block')}/screenshot", world.ann, json=body)

    assert refused.status_code == 409 and refused.json()["detail"].startswith("Upload the images first")
    assert taken.status_code == 200
    assert world.call("GET", f"/blobs/{sha(image)}", world.cara).headers["Content-Type"] == "image/jpeg"
    upload_file(world, world.ann, image)  # as a file again: it stays the image it is
    assert world.call("GET", f"/blobs/{sha(image)}", world.cara).headers["Content-Type"] == "image/jpeg"


def test_a_blob_a_message_attaches_outlives_its_screenshot(world: World) -> None:
    image, _ = block_with_screenshot(world)
    item = attachment(world, world.ann, "screen.jpg", image)

    world.put_block(
        world.ann, uid("block"), block_body(world.website, SLOT_START, deleted=True, updated_at=MONDAY)
    )

    assert world.call("GET", f"/blobs/{sha(image)}", world.ann).status_code == 404  # no screenshot shows it
    assert download(world, world.cara, item).content == image
    assert sha(image) in world.service.stored_blob_hashes() & world.service.blob_files()


def test_the_prune_keeps_attached_files_and_removes_files_never_attached(world: World) -> None:
    item = attachment(world, world.ann, "report.pdf")
    assert upload_file(world, world.ann, b"never attached").status_code == 200

    pruned = prune_images(world, "--older-than-hours", "0")

    assert pruned.stdout == "Deleted 1 unused image(s), 0.0 MB.\n"
    assert world.service.stored_blob_hashes() == world.service.blob_files() == {sha(REPORT)}
    assert download(world, world.cara, item).content == REPORT
