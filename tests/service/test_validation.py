"""Bad input is answered 4xx with a readable detail, and nothing is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.timeutil import week_start
from common.wire import MAX_CAPTURE_NOTE_CHARS, MAX_MEMO_CHARS
from service.schemas import MAX_BATCH, MAX_JSON_BYTES
from tests.conftest import MONDAY
from tests.service.conftest import World, block_body, uid

SLOT_START = MONDAY - timedelta(minutes=20)
WEEK_START = week_start(MONDAY)
MB = 1024 * 1024


def test_malformed_json_is_refused(world: World) -> None:
    answer = world.call(
        "PUT",
        f"/blocks/{uid('block')}",
        world.ann,
        data=b'{"memo": ',
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert answer.json() == {"detail": "The body is not valid JSON (Expecting value)."}
    assert world.service.stored_blocks() == []


def test_a_missing_body_is_refused(world: World) -> None:
    answer = world.call("PUT", f"/blocks/{uid('block')}", world.ann)

    assert (answer.status_code, answer.json()) == (422, {"detail": "The request needs a JSON body."})


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("memo", "x" * (MAX_MEMO_CHARS + 1), "memo: String should have at most 500 characters."),
        ("memo", 12, "memo: Input should be a valid string."),
        (
            "capture_note",
            "x" * (MAX_CAPTURE_NOTE_CHARS + 1),
            "capture_note: String should have at most 200 characters.",
        ),
        ("start", "2026-11-23T08:40:00", "start: Input should have timezone info."),
        (
            "start",
            1795423200,
            "start: a time is an ISO 8601 text with its offset, e.g. 2026-11-23T09:00:00Z.",
        ),
        ("end", "yesterday", "end: Input should be a valid datetime"),
        ("source", "guessed", "source: Input should be 'tracked' or 'manual'."),
        ("activity", [[0, 1, 2]], "activity.0.3: Field required."),
        ("activity", [[10, 1, 2, 3]], "activity.0.0: Input should be less than or equal to 9."),
        ("activity", [[0, 1, 2, 61]], "activity.0.3: Input should be less than or equal to 60."),
        (
            "activity",
            [[minute, 1, 1, 1] for minute in range(10)] * 2,
            "activity: List should have at most 10 items",
        ),
        (
            "device_id",
            "laptop",
            "device_id: an id is a UUID in lower-case hex, such as 3b241101-e2bb-4255-8caf-4136c566a962.",
        ),
        (
            "contract_id",
            "../etc",
            "contract_id: an id is a UUID in lower-case hex, such as 3b241101-e2bb-4255-8caf-4136c566a962.",
        ),
        (
            "contract_id",
            uid("contract").upper(),
            "contract_id: an id is a UUID in lower-case hex, such as 3b241101-e2bb-4255-8caf-4136c566a962.",
        ),
        ("deleted", "perhaps", "deleted: Input should be a valid boolean"),
        ("memo", "a\x00b", "memo: the text holds a NUL character."),
        ("capture_note", "a\x00b", "capture_note: the text holds a NUL character."),
        ("end", "9999-12-31T23:59:59Z", "end: a time lies between the years 1970 and 2999."),
        ("end", "0001-01-01T00:01:00+09:30", "end: a time lies between the years 1970 and 2999."),
        ("start", "9999-12-31T23:00:00-05:00", "start: a time lies between the years 1970 and 2999."),
    ],
)
def test_wrong_values_are_refused_with_the_field_named(
    world: World, field: str, value: object, detail: str
) -> None:
    answer = world.put_block(world.ann, uid("block"), {**block_body(world.website, SLOT_START), field: value})

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(detail)
    assert world.service.stored_blocks() == []


def test_every_problem_is_named_in_one_sentence(world: World) -> None:
    answer = world.put_block(world.ann, uid("block"), {"memo": "x" * (MAX_MEMO_CHARS + 1)})

    assert answer.json()["detail"] == (
        "contract_id: Field required; device_id: Field required; start: Field required; "
        "end: Field required; memo: String should have at most 500 characters; source: Field required; "
        "updated_at: Field required."
    )


def test_a_bad_week_and_a_bad_hash_are_named(world: World) -> None:
    week = world.call("GET", f"/contracts/{world.website}/blocks?week=monday", world.ann)
    far_week = world.call("GET", f"/contracts/{world.website}/blocks?week=9999-12-31", world.ann)
    blob = world.call("GET", "/blobs/not-a-hash", world.ann)

    assert week.status_code == blob.status_code == 422
    assert week.json()["detail"].startswith("week: Input should be a valid date")
    assert far_week.json() == {"detail": "week: a date lies between the years 1970 and 2999."}
    assert blob.json()["detail"].startswith("sha256: String should match pattern")


def test_unknown_paths_and_methods_are_explained(world: World) -> None:
    path = world.call("GET", "/timesheets", world.ann)
    method = world.call("DELETE", "/me", world.ann)

    assert (path.status_code, path.json()) == (
        404,
        {"detail": "There is no /api/v1/timesheets here: the API is described at /api/v1/docs."},
    )
    assert (method.status_code, method.json()) == (
        405,
        {"detail": "/api/v1/me does not take DELETE: see /api/v1/docs."},
    )


def test_the_largest_valid_batch_is_under_the_body_limit(world: World) -> None:
    longest = "🕐" * MAX_MEMO_CHARS  # sent as escaped surrogate pairs: 12 bytes a character
    blocks = [  # the last slots of last week, still in its grace period: every one is stored
        {
            **block_body(
                world.website,
                WEEK_START - timedelta(minutes=10 * (index + 1)),
                memo=longest,
                capture_note=longest[:MAX_CAPTURE_NOTE_CHARS],
            ),
            "activity": [[minute, 99_999, 99_999, 60] for minute in range(10)],
            "id": uid(f"block-{index:03}"),
        }
        for index in range(MAX_BATCH)
    ]
    answer = world.call("PUT", "/blocks", world.ann, json={"blocks": blocks})

    assert answer.status_code == 200, answer.text
    assert [result["status"] for result in answer.json()["results"]] == [200] * MAX_BATCH
    assert MAX_JSON_BYTES / 2 < len(answer.request.body) < MAX_JSON_BYTES


def test_a_body_over_the_limit_is_refused_whether_its_length_is_told_or_not(world: World) -> None:
    too_long = b'{"blocks": [{"memo": "' + b"x" * MAX_JSON_BYTES + b'"}]}'
    json_type = {"Content-Type": "application/json"}
    told = world.call("PUT", "/blocks", world.ann, data=too_long, headers=json_type)
    chunks = (too_long[start : start + MB] for start in range(0, len(too_long), MB))
    streamed = world.call("PUT", "/blocks", world.ann, data=chunks, headers=json_type)  # chunked

    # told: refused by its Content-Length before any of it is read (Starlette answers in plain text)
    assert (told.status_code, told.text) == (413, "Content Too Large")
    assert "content-length" not in {name.lower() for name in streamed.request.headers}
    detail = f"The request body is larger than {MAX_JSON_BYTES // MB} MB: send fewer items in one request."
    assert (streamed.status_code, streamed.json()) == (413, {"detail": detail})
    assert world.service.stored_blocks() == []


JSON_ROUTES = [
    ("POST", "/auth/sign-in"),
    ("PUT", f"/blocks/{uid('block')}"),
    ("PUT", "/blocks"),
    ("PUT", f"/blocks/{uid('block')}/screenshot"),
    ("PUT", "/screenshots"),
]


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"memo": "caf\xe9"}', "The body is not valid JSON (not UTF-8 text at byte 13)."),
        (b"[" * 100_000 + b"]" * 100_000, "The body's JSON nests arrays or objects too deeply to be read."),
    ],
    ids=["latin-1", "nested-100000-deep"],
)
def test_json_that_cannot_be_read_is_refused_in_the_services_words(
    world: World, method: str, path: str, body: bytes, detail: str
) -> None:
    answer = world.call(method, path, world.ann, data=body, headers={"Content-Type": "application/json"})

    assert (answer.status_code, answer.json()) == (422, {"detail": detail})


UUID_REFUSED = "an id is a UUID in lower-case hex, such as 3b241101-e2bb-4255-8caf-4136c566a962."


@pytest.mark.parametrize(
    "block_id", ["block-1", "x" * 36, uid("block").upper(), uid("block").replace("-", "")]
)
def test_a_block_id_that_is_not_a_uuid_is_refused(world: World, block_id: str) -> None:
    body = block_body(world.website, SLOT_START)

    single = world.put_block(world.ann, block_id, body)
    batch = world.call("PUT", "/blocks", world.ann, json={"blocks": [{"id": block_id, **body}]})

    assert (single.status_code, single.json()) == (422, {"detail": f"block_id: {UUID_REFUSED}"})
    assert batch.json()["results"] == [{"id": block_id, "status": 422, "detail": f"id: {UUID_REFUSED}"}]
    assert world.service.stored_blocks() == []


def test_screenshot_and_contract_ids_that_are_not_uuids_are_refused(world: World) -> None:
    world.put_block(world.ann, uid("block"), block_body(world.website, SLOT_START))
    shot = {"id": "shot-1", "taken_at": "2026-11-23T08:44:00Z", "images": [{"monitor": 1}]}

    answers = [
        world.call("PUT", "/blocks/block/screenshot", world.ann, json={**shot, "id": uid("shot")}),
        world.call("PUT", f"/blocks/{uid('block')}/screenshot", world.ann, json=shot),
        world.call("GET", "/contracts/website", world.ann),
        world.call("GET", "/contracts/website/blocks", world.ann),
    ]

    assert [(answer.status_code, answer.json()["detail"].split(";")[0]) for answer in answers] == [
        (422, f"block_id: {UUID_REFUSED.removesuffix('.')}"),
        (422, f"id: {UUID_REFUSED.removesuffix('.')}"),
        (422, f"contract_id: {UUID_REFUSED}"),
        (422, f"contract_id: {UUID_REFUSED}"),
    ]


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES[1:])
@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_body_is_read_only_once_its_token_is_good(
    world: World, method: str, path: str, token: str | None
) -> None:
    answer = world.call(
        method, path, token, data=b"[" * 100_000, headers={"Content-Type": "application/json"}
    )

    assert answer.status_code == 401
    assert answer.json()["detail"] in (
        "Sign in first: this needs a token (Authorization: Bearer …).",
        "The token is not known here: sign in again.",
    )
