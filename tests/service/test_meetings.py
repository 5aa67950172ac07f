"""Meetings: either party schedules one, which is posted in the thread, and downloads its invitation
as an iCalendar file that calendars read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from service.models import ContractEvent
from tests.conftest import MONDAY
from tests.helpers.service import API
from tests.service.conftest import ANN, CARA, World, uid, wire_time

START = MONDAY + timedelta(days=1, hours=6)  # Tuesday 15:00 UTC
KICKOFF = {
    "title": "Kick-off",
    "start": "2026-11-24T16:00:00+01:00",
    "duration_minutes": 45,
    "join_url": "https://meet.example.test/abc-defg",
}


def schedule(
    world: World, token: str, name: str = "kickoff", contract_id: str | None = None, **fields: object
):
    return world.call(
        "PUT",
        f"/contracts/{contract_id or world.website}/meetings/{uid(name)}",
        token,
        json={**KICKOFF, **fields},
    )


def test_a_meeting_is_scheduled_and_posted_in_the_thread(world: World) -> None:
    scheduled = schedule(world, world.cara)
    world.service.clock.advance(60)
    replay = schedule(world, world.cara, start=wire_time(START + timedelta(days=1)))

    meeting = {
        "id": uid("kickoff"),
        "title": "Kick-off",
        "start": wire_time(START),
        "duration_minutes": 45,
        "join_url": "https://meet.example.test/abc-defg",
        "created_by_id": scheduled.json()["created_by_id"],
        "invitation": f"{API}/contracts/{world.website}/meetings/{uid('kickoff')}.ics",
    }
    assert scheduled.status_code == replay.status_code == 200
    assert scheduled.json() == replay.json() == meeting
    messages = world.call("GET", f"/contracts/{world.website}/messages", world.ann).json()["messages"]
    assert [
        (message["kind"], message["author_name"], message["body"], message["meeting"]) for message in messages
    ] == [
        (
            "meeting",
            "Cara",
            "Cara scheduled a meeting: Kick-off, Tue 24 Nov 2026 15:00 UTC, 45 minutes.",
            meeting,
        )
    ]
    with world.service.app.state.service.database.reading() as session:
        kinds = [
            event.kind for event in session.scalars(select(ContractEvent).order_by(ContractEvent.number))
        ]
    assert kinds == ["message_posted", "meeting_scheduled"]


def test_the_invitation_is_an_icalendar_event_in_utc(world: World) -> None:
    schedule(world, world.ann)

    answer = world.call("GET", f"/contracts/{world.website}/meetings/{uid('kickoff')}.ics", world.cara)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        answer.headers["Content-Disposition"]
        == "attachment; filename=\"Kick-off.ics\"; filename*=UTF-8''Kick-off.ics"
    )
    calendar = Calendar.from_ical(answer.content)
    assert (str(calendar["VERSION"]), str(calendar["METHOD"])) == ("2.0", "PUBLISH")
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{uid('kickoff')}@workdiary"
    assert event.decoded("DTSTAMP") == MONDAY
    assert event.decoded("DTSTART") == START
    assert b"\r\nDTSTART:20261124T150000Z\r\n" in answer.content  # in UTC (RFC 5545's form 2)
    assert event.decoded("DTEND") == START + timedelta(minutes=45)
    assert str(event["SUMMARY"]) == "Kick-off"
    assert str(event["URL"]) == str(event["LOCATION"]) == "https://meet.example.test/abc-defg"
    assert (str(event["ORGANIZER"]), str(event["ORGANIZER"].params["CN"])) == (f"mailto:{ANN}", "Ann")
    assert (str(event["ATTENDEE"]), str(event["ATTENDEE"].params["CN"])) == (f"mailto:{CARA}", "Cara")


def test_a_meeting_without_a_link_has_none_in_its_invitation(world: World) -> None:
    schedule(world, world.ann, join_url=None, title='Review; "draft", part 2')

    answer = world.call("GET", f"/contracts/{world.website}/meetings/{uid('kickoff')}.ics", world.ann)

    [event] = Calendar.from_ical(answer.content).walk("VEVENT")
    assert "URL" not in event and "LOCATION" not in event
    assert str(event["SUMMARY"]) == 'Review; "draft", part 2'


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"duration_minutes": 4}, "duration_minutes: Input should be greater than or equal to 5."),
        ({"duration_minutes": 481}, "duration_minutes: Input should be less than or equal to 480."),
        ({"join_url": "javascript:alert(1)"}, "join_url: URL scheme should be 'http' or 'https'."),
        ({"join_url": "ftp://meet.example.test/x"}, "join_url: URL scheme should be 'http' or 'https'."),
        ({"start": "2026-11-24T15:00:00"}, "start: Input should have timezone info."),
        ({"title": ""}, "title: String should have at least 1 character."),
    ],
)
def test_a_malformed_meeting_is_refused(world: World, fields: dict, detail: str) -> None:
    refused = schedule(world, world.ann, **fields)

    assert (refused.status_code, refused.json()) == (422, {"detail": detail})


@pytest.mark.parametrize("minutes", [5, 480])
def test_the_shortest_and_longest_meetings_are_taken(world: World, minutes: int) -> None:
    assert schedule(world, world.ann, duration_minutes=minutes).status_code == 200


def test_a_meeting_cannot_start_in_the_past(world: World) -> None:
    refused = schedule(world, world.ann, start=wire_time(MONDAY - timedelta(minutes=1)))

    assert (refused.status_code, refused.json()) == (
        409,
        {"detail": "The meeting would start in the past: choose a later start."},
    )


def test_a_view_only_contract_takes_no_meeting(world: World) -> None:
    world.service.update_contract(world.website, status="ended")

    refused = schedule(world, world.ann)

    assert (refused.status_code, refused.json()) == (
        409,
        {"detail": "The contract is ended: its workroom is view-only."},
    )


def test_a_meeting_id_is_one_meeting_only(world: World) -> None:
    schedule(world, world.ann)

    elsewhere = schedule(world, world.ann, contract_id=world.logo)

    assert (elsewhere.status_code, elsewhere.json()) == (
        409,
        {"detail": f"The meeting id {uid('kickoff')} is taken: make a new one for a new meeting."},
    )


def test_nobody_but_the_parties_schedules_or_downloads_a_meeting(world: World) -> None:
    schedule(world, world.ann)
    invitation = f"/contracts/{world.website}/meetings/{uid('kickoff')}.ics"

    by_bob = [schedule(world, world.bob, "bobs"), world.call("GET", invitation, world.bob)]
    unknown = world.call("GET", f"/contracts/{world.website}/meetings/{uid('never')}.ics", world.ann)
    elsewhere = world.call("GET", f"/contracts/{world.logo}/meetings/{uid('kickoff')}.ics", world.ann)

    not_yours = {"detail": f"There is no contract {world.website} among yours."}
    assert [(answer.status_code, answer.json()) for answer in by_bob] == [(404, not_yours)] * 2
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": f"There is no meeting {uid('never')} on this contract."},
    )
    assert elsewhere.status_code == 404
    assert world.call("GET", invitation, None).status_code == 401


def test_a_meeting_at_the_end_of_a_time_is_still_a_time(world: World) -> None:
    late = datetime(2999, 12, 31, 23, 0, tzinfo=UTC)

    answer = schedule(world, world.ann, start=wire_time(late), duration_minutes=480)

    assert answer.status_code == 200
    ics = world.call("GET", f"/contracts/{world.website}/meetings/{uid('kickoff')}.ics", world.ann)
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert event.decoded("DTEND") == late + timedelta(hours=8)
