"""Blocks under the contract's rules: PUT /blocks/{id} and the week's blocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.timesheet import CLOCK_TOLERANCE
from tests.conftest import MONDAY
from tests.service.conftest import World, block_body, uid

LAST_SUNDAY = MONDAY - timedelta(hours=10)  # Sun 22 Nov 23:00, in last week's grace until Mon 12:00


def test_a_new_block_is_stored_and_answered(world: World) -> None:
    body = block_body(world.website, MONDAY - timedelta(minutes=10), memo="Hero section")  # no capture note

    answer = world.put_block(world.ann, uid("block-1"), body)

    assert answer.status_code == 200
    expected = {key: value for key, value in body.items() if key != "contract_id"}
    assert answer.json() == {
        **expected,
        "id": uid("block-1"),
        "contract_id": world.website,
        "activity_source": "input_counts",  # what a block sent without it means
        "capture_note": "",
        "over_limit": False,
        "screenshot": None,
    }
    assert world.service.stored_block(uid("block-1")).memo == "Hero section"


def test_a_blocks_capture_note_is_stored_answered_and_replaced_by_an_update(world: World) -> None:
    start = MONDAY - timedelta(minutes=10)
    private_app = "No screenshot: KeePassXC was on screen (a private app)."
    first = world.put_block(
        world.ann, uid("block"), block_body(world.website, start, capture_note=private_app)
    )
    update = block_body(
        world.website,
        start,
        updated_at=MONDAY + timedelta(minutes=1),
        capture_note="No screenshot: no monitor",
    )
    second = world.put_block(world.ann, uid("block"), update)

    assert (first.status_code, first.json()["capture_note"]) == (200, private_app)
    assert (second.status_code, second.json()["capture_note"]) == (200, "No screenshot: no monitor")
    week = world.call("GET", f"/contracts/{world.website}/blocks", world.cara).json()
    assert [block["capture_note"] for block in week] == ["No screenshot: no monitor"]  # the client's too


FROM_IDLE_TIME = [[0, None, None, 55], [1, None, None, 0], [2, None, None, 31]]


def test_activity_from_idle_time_is_stored_and_answered_without_counts(world: World) -> None:
    start = MONDAY - timedelta(minutes=10)
    body = block_body(world.website, start, activity=FROM_IDLE_TIME, activity_source="idle_time")

    answer = world.put_block(world.ann, uid("wayland"), body)

    assert answer.status_code == 200
    assert (answer.json()["activity_source"], answer.json()["activity"]) == ("idle_time", FROM_IDLE_TIME)
    week = world.call("GET", f"/contracts/{world.website}/blocks", world.cara).json()  # the client's
    assert [(b["activity_source"], b["activity"]) for b in week] == [("idle_time", FROM_IDLE_TIME)]
    stored = world.service.stored_block(uid("wayland"))
    assert (stored.activity_source, stored.activity) == ("idle_time", FROM_IDLE_TIME)


@pytest.mark.parametrize(
    ("activity", "source"),
    [
        ([[0, 12, 30, 55]], "idle_time"),  # counts where there are none
        ([[0, None, 30, 55]], "idle_time"),
        ([[0, None, None, 55]], "input_counts"),  # counted activity without its counts
        ([[0, None, None, 55]], None),  # as an app of before activity sources would mean it
    ],
)
def test_counts_that_do_not_match_the_activity_source_are_refused(
    world: World, activity: list, source: str | None
) -> None:
    fields = {"activity": activity} | ({"activity_source": source} if source else {})
    answer = world.put_block(
        world.ann, uid("block"), block_body(world.website, MONDAY - timedelta(minutes=10), **fields)
    )
    assert answer.status_code == 422
    assert "activity from idle time has null keyboard and mouse counts" in answer.text


def test_the_week_holds_that_weeks_blocks_of_every_device(world: World) -> None:
    world.put_block(world.ann, uid("sunday"), block_body(world.website, LAST_SUNDAY, device_id=uid("laptop")))
    world.put_block(world.ann, uid("monday"), block_body(world.website, MONDAY - timedelta(minutes=30)))

    def week(query: str) -> list[str]:
        answer = world.call("GET", f"/contracts/{world.website}/blocks{query}", world.ann)
        assert answer.status_code == 200
        return [block["id"] for block in answer.json()]

    assert week("?week=2026-11-22") == [uid("sunday")]
    assert week("?week=2026-11-16") == [uid("sunday")]
    assert week("?week=2026-11-29") == [uid("monday")]
    assert week("") == [uid("monday")]  # this week by the service's clock


def test_tombstones_are_shown_to_the_freelancer_only(world: World) -> None:
    start = MONDAY - timedelta(minutes=30)
    world.put_block(world.ann, uid("kept"), block_body(world.website, start))
    world.put_block(
        world.ann, uid("gone"), block_body(world.website, start + timedelta(minutes=10), deleted=True)
    )

    def ids(token: str) -> list[str]:
        return [
            block["id"] for block in world.call("GET", f"/contracts/{world.website}/blocks", token).json()
        ]

    assert ids(world.ann) == [uid("kept"), uid("gone")]
    assert ids(world.cara) == [uid("kept")]


def test_last_week_is_editable_during_the_grace_period(world: World) -> None:
    world.service.clock.advance(timedelta(hours=2, minutes=59).total_seconds())  # Mon 11:59

    assert world.put_block(world.ann, uid("late"), block_body(world.website, LAST_SUNDAY)).status_code == 200


def test_last_week_is_locked_after_the_grace_period(world: World) -> None:
    world.put_block(world.ann, uid("sunday"), block_body(world.website, LAST_SUNDAY, memo="before"))
    world.service.clock.advance(timedelta(hours=3).total_seconds())  # Mon 12:00: locked

    new = world.put_block(
        world.ann, uid("late"), block_body(world.website, LAST_SUNDAY + timedelta(minutes=20))
    )
    edit = world.put_block(
        world.ann, uid("sunday"), block_body(world.website, LAST_SUNDAY, memo="after", updated_at=MONDAY)
    )
    removal = world.put_block(
        world.ann, uid("sunday"), block_body(world.website, LAST_SUNDAY, deleted=True, updated_at=MONDAY)
    )

    for answer in (new, edit, removal):
        assert answer.status_code == 409
        assert "is locked since Mon 23 Nov 12:00" in answer.json()["detail"]
    assert [(block.id, block.memo, block.deleted) for block in world.service.stored_blocks()] == [
        (uid("sunday"), "before", False)
    ]


def test_an_ended_contract_is_view_only(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("block"), block_body(world.website, start))
    world.service.update_contract(world.website, status="ended")

    edit = world.put_block(
        world.ann, uid("block"), block_body(world.website, start, memo="x", updated_at=MONDAY)
    )
    new = world.put_block(world.ann, uid("new"), block_body(world.website, start + timedelta(minutes=10)))

    assert edit.status_code == new.status_code == 409
    assert "“Website” has ended" in new.json()["detail"]
    assert world.call("GET", f"/contracts/{world.website}/blocks", world.cara).status_code == 200


def test_a_paused_contract_takes_no_new_time_but_its_time_can_be_edited(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("block"), block_body(world.website, start))
    world.service.update_contract(world.website, status="paused")

    new = world.put_block(world.ann, uid("new"), block_body(world.website, start + timedelta(minutes=10)))
    edit = world.put_block(
        world.ann, uid("block"), block_body(world.website, start, memo="Fixed", updated_at=MONDAY)
    )

    assert new.status_code == 409
    assert new.json()["detail"] == "The contract “Website” is paused: it takes no new time."
    assert edit.status_code == 200
    assert world.service.stored_block(uid("block")).memo == "Fixed"


def test_a_fixed_price_contract_takes_no_hours(world: World) -> None:
    world.service.update_contract(world.website, kind="fixed")

    for source in ("tracked", "manual"):
        answer = world.put_block(
            world.ann, uid(source), block_body(world.website, MONDAY - timedelta(minutes=30), source=source)
        )
        assert answer.status_code == 409
        assert answer.json()["detail"] == "“Website” is a fixed-price contract: it takes no hours."
    assert world.service.stored_blocks() == []


def test_tracked_time_may_end_at_most_five_minutes_ahead_of_the_services_clock(world: World) -> None:
    near = world.put_block(world.ann, uid("near"), block_body(world.website, MONDAY, minutes=5))
    far = world.put_block(
        world.ann, uid("far"), block_body(world.website, MONDAY + timedelta(minutes=5), minutes=1)
    )

    assert near.status_code == 200
    assert far.status_code == 409
    assert "in the future" in far.json()["detail"]


@pytest.mark.parametrize(
    ("start_offset", "minutes", "message"),
    [
        (-15, 10, "start and end must lie in one 10-minute slot"),
        (-10, 0, "end must be after start"),
    ],
)
def test_a_block_lies_inside_one_slot(world: World, start_offset: int, minutes: int, message: str) -> None:
    body = block_body(world.website, MONDAY + timedelta(minutes=start_offset), minutes=minutes)

    answer = world.put_block(world.ann, uid("block"), body)

    assert answer.status_code == 422
    assert message in answer.json()["detail"]


def test_manual_time_is_added_in_whole_slots(world: World) -> None:
    body = block_body(world.website, MONDAY - timedelta(minutes=20), source="manual", activity=[])

    answer = world.put_block(world.ann, uid("manual"), body)

    assert answer.status_code == 200
    assert answer.json()["source"] == "manual"


@pytest.mark.parametrize(
    ("start_offset", "minutes", "message"),
    [
        (-20, 5, "Manual time is added in 10-minute steps (hh:00, hh:10, …)."),
        (0, 10, "Manual time cannot be added in the future."),
    ],
)
def test_manual_time_rules(world: World, start_offset: int, minutes: int, message: str) -> None:
    start = MONDAY + timedelta(minutes=start_offset)
    body = block_body(world.website, start, minutes, source="manual", updated_at=MONDAY)

    answer = world.put_block(world.ann, uid("manual"), body)

    assert answer.status_code == 409
    assert answer.json()["detail"] == message
    assert world.service.stored_blocks() == []


def test_manual_time_needs_a_contract_that_allows_it(world: World) -> None:
    world.service.update_contract(world.website, manual_time_allowed=False)
    body = block_body(world.website, MONDAY - timedelta(minutes=20), source="manual")

    answer = world.put_block(world.ann, uid("manual"), body)

    assert answer.status_code == 409
    assert answer.json()["detail"] == "The contract “Website” does not allow manual time."


def test_manual_time_may_not_overlap_tracked_time(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(
        world.ann, uid("tracked"), block_body(world.website, start + timedelta(minutes=3), minutes=4)
    )

    answer = world.put_block(world.ann, uid("manual"), block_body(world.logo, start, source="manual"))

    assert answer.status_code == 409
    assert (
        answer.json()["detail"]
        == "This overlaps time already logged on “Website” (Mon 23 Nov 08:43–08:47 UTC)."
    )


def test_time_may_not_overlap_across_contracts(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("website"), block_body(world.website, start, minutes=6))

    answer = world.put_block(
        world.ann, uid("logo"), block_body(world.logo, start + timedelta(minutes=5), minutes=5)
    )

    assert answer.status_code == 409
    assert (
        answer.json()["detail"]
        == "This overlaps time already logged on “Website” (Mon 23 Nov 08:40–08:46 UTC)."
    )
    assert [block.id for block in world.service.stored_blocks()] == [uid("website")]


def test_time_may_not_overlap_across_devices(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("desktop"), block_body(world.website, start, device_id=uid("desktop")))

    answer = world.put_block(
        world.ann, uid("laptop"), block_body(world.website, start, device_id=uid("laptop"))
    )

    assert answer.status_code == 409
    assert "logged on another computer on “Website”" in answer.json()["detail"]


def test_adjacent_blocks_removed_time_and_other_freelancers_do_not_overlap(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("removed"), block_body(world.website, start, deleted=True))
    world.put_block(world.bob, uid("bobs"), block_body(world.bobs, start))

    first = world.put_block(world.ann, uid("first"), block_body(world.website, start, minutes=5))
    second = world.put_block(
        world.ann, uid("second"), block_body(world.logo, start + timedelta(minutes=5), minutes=5)
    )
    again = world.put_block(
        world.ann, uid("first"), block_body(world.website, start, minutes=6, updated_at=MONDAY)
    )

    assert (first.status_code, second.status_code) == (200, 200)
    assert again.status_code == 409  # now it would overlap "second"


def test_blocks_past_the_weekly_limit_are_marked_whatever_the_app_sent(world: World) -> None:
    world.service.update_contract(world.website, weekly_limit_minutes=25)
    start = MONDAY - timedelta(hours=1)

    marks = [
        world.put_block(
            world.ann,
            uid(f"block-{slot}"),
            block_body(world.website, start + slot * timedelta(minutes=10), over_limit=True),
        ).json()["over_limit"]
        for slot in range(4)
    ]

    assert marks == [False, False, True, True]
    logo = world.put_block(world.ann, uid("logo"), block_body(world.logo, start + timedelta(minutes=40)))
    assert logo.json()["over_limit"] is False  # another contract: its own limit (none)


def test_removed_time_frees_the_weekly_limit(world: World) -> None:
    world.service.update_contract(world.website, weekly_limit_minutes=10)
    start = MONDAY - timedelta(hours=1)
    world.put_block(world.ann, uid("first"), block_body(world.website, start))
    world.put_block(
        world.ann, uid("first"), block_body(world.website, start, deleted=True, updated_at=MONDAY)
    )

    second = world.put_block(
        world.ann, uid("second"), block_body(world.website, start + timedelta(minutes=10))
    )

    assert second.json()["over_limit"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("contract_id", "A block cannot move to another contract: remove it and add the time there."),
        ("source", "This block is tracked time: that never changes."),
    ],
)
def test_a_blocks_contract_and_source_never_change(world: World, change: str, message: str) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("block"), block_body(world.website, start))
    changed = {"contract_id": world.logo, "source": "manual"}[change]

    answer = world.put_block(
        world.ann, uid("block"), {**block_body(world.website, start, updated_at=MONDAY), change: changed}
    )

    assert answer.status_code == 409
    assert answer.json()["detail"] == message
    stored = world.service.stored_block(uid("block"))
    assert (stored.contract_id, stored.source) == (world.website, "tracked")


def test_a_tombstone_stays_a_tombstone(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("block"), block_body(world.website, start, deleted=True))

    answer = world.put_block(world.ann, uid("block"), block_body(world.website, start, updated_at=MONDAY))

    assert answer.status_code == 200
    assert answer.json()["deleted"] is True
    assert world.service.stored_block(uid("block")).deleted is True


def test_an_older_write_changes_nothing_and_answers_the_stored_state(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    newer = world.put_block(
        world.ann, uid("block"), block_body(world.website, start, memo="new", updated_at=MONDAY)
    )

    older = world.put_block(world.ann, uid("block"), block_body(world.website, start, memo="old"))

    assert older.status_code == 200
    assert older.json() == newer.json()
    assert world.service.stored_block(uid("block")).memo == "new"


def test_a_replayed_write_answers_the_stored_state_even_once_the_week_is_locked(world: World) -> None:
    body = block_body(world.website, LAST_SUNDAY)
    first = world.put_block(world.ann, uid("block"), body)
    world.service.clock.advance(timedelta(days=2).total_seconds())

    replays = [world.put_block(world.ann, uid("block"), body) for _ in range(3)]

    assert [answer.status_code for answer in replays] == [200, 200, 200]
    assert all(answer.json() == first.json() for answer in replays)
    assert len(world.service.stored_blocks()) == 1


def test_times_are_answered_in_utc(world: World) -> None:
    start = MONDAY - timedelta(minutes=20)
    body = {
        **block_body(world.website, start),
        "start": "2026-11-23T09:40:00+01:00",
        "end": "2026-11-23T09:50:00+01:00",
    }

    answer = world.put_block(world.ann, uid("block"), body)

    assert (answer.json()["start"], answer.json()["end"]) == ("2026-11-23T08:40:00Z", "2026-11-23T08:50:00Z")


def test_a_write_dated_past_the_services_clock_is_refused_and_freezes_nothing(either_world: World) -> None:
    world = either_world
    start = MONDAY - timedelta(minutes=20)
    world.put_block(world.ann, uid("block"), block_body(world.website, start))
    ahead = world.service.clock.now() + CLOCK_TOLERANCE

    def write(memo: str, updated_at: datetime):
        body = block_body(world.website, start, memo=memo, updated_at=updated_at)
        return world.put_block(world.ann, uid("block"), body)

    far = write("far", datetime(2999, 1, 1, tzinfo=UTC))
    late = write("late", ahead + timedelta(seconds=1))
    edit = write("edited", ahead)

    assert (far.status_code, far.json()) == (
        409,
        {
            "detail": "This change is dated 2999-01-01 00:00 UTC, in the future (the service's clock says "
            "2026-11-23 09:00 UTC): check this computer's clock."
        },
    )
    assert late.status_code == 409
    assert edit.status_code == 200  # within the allowance, and not outranked by the refused ones
    assert world.service.stored_block(uid("block")).memo == "edited"
