"""Meetings: a party schedules one (title, start, duration, an optional join link); it is posted in
the thread as a meeting message, and downloadable as an iCalendar invitation (RFC 5545)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import EventKind, MessageKind
from common.wire import MEETING_MINUTES
from service.errors import Conflict, NotFound
from service.models import Contract, Meeting, User
from service.workroom.events import record_event
from service.workroom.thread import post_message, require_writable

MIN_MINUTES, MAX_MINUTES = MEETING_MINUTES
PRODUCT_ID = "-//Workdiary//Contract workroom//EN"


def schedule(
    session: Session,
    contract: Contract,
    by: User,
    meeting_id: str,
    title: str,
    start: datetime,
    duration_minutes: int,
    join_url: str | None,
    now: datetime,
) -> Meeting:
    """Schedule the meeting ``meeting_id`` and post it in the thread; a replay answers the meeting
    as first scheduled (a new time is a new meeting)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is not None:
        if meeting.contract_id != contract.id:
            raise Conflict(f"The meeting id {meeting_id} is taken: make a new one for a new meeting.")
        return meeting
    require_writable(contract)
    if start < now:
        raise Conflict("The meeting would start in the past: choose a later start.")
    line = (
        f"{by.name} scheduled a meeting: {title}, {start:%a %d %b %Y %H:%M} UTC, {duration_minutes} minutes."
    )
    message, _ = post_message(session, contract, by, str(uuid.uuid4()), MessageKind.MEETING, line, [], now)
    meeting = Meeting(
        id=meeting_id,
        contract_id=contract.id,
        message_number=message.number,
        title=title,
        start=start,
        duration_minutes=duration_minutes,
        join_url=join_url,
        created_by_id=by.id,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    # The meeting's message is its line in the thread.
    record_event(
        session,
        contract,
        by,
        EventKind.MEETING_SCHEDULED,
        now,
        None,
        meeting_id=meeting_id,
        title=title,
        start=start.isoformat(),
    )
    return meeting


def contract_meeting(session: Session, contract: Contract, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.contract_id != contract.id:
        raise NotFound(f"There is no meeting {meeting_id} on this contract.")
    return meeting


def meetings_of_messages(session: Session, numbers: Sequence[int]) -> dict[int, Meeting]:
    """The meetings posted as these messages, by message number."""
    if not numbers:
        return {}
    return {
        meeting.message_number: meeting
        for meeting in session.scalars(select(Meeting).where(Meeting.message_number.in_(numbers)))
    }


def invitation(meeting: Meeting, contract: Contract) -> bytes:
    """The meeting as an iCalendar file: organized by whoever scheduled it, the other party invited."""
    organizer, attendee = (
        (contract.client, contract.freelancer)
        if meeting.created_by_id == contract.client_id
        else (contract.freelancer, contract.client)
    )
    event = Event()
    event.add("uid", f"{meeting.id}@workdiary")
    event.add("dtstamp", meeting.created_at)
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    event.add("description", f"Contract: {contract.title}")
    if meeting.join_url:
        event.add("url", meeting.join_url)
        event.add("location", meeting.join_url)
    event.add("organizer", _address(organizer))
    event.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT"))
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()


def _address(user: User, **parameters: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.name)
    for name, value in parameters.items():
        address.params[name] = vText(value)
    return address
