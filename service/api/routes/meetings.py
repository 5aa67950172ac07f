"""Meetings of a contract: scheduled by either party, posted in the thread, invitations to download."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy.orm import Session

from common.wire import API_PREFIX
from service.api.deps import (
    MALFORMED,
    SIGNED_OUT,
    BearerToken,
    CurrentUser,
    Service,
    SignedInBeforeBody,
    refusals,
)
from service.api.routes.contracts import ContractId, contract_write_refusals
from service.api.routes.files import content_disposition
from service.models import Contract, Meeting, User
from service.schemas import MAX_JSON_BYTES, Id, NoNul, UTCTime
from service.workroom import meetings
from service.workroom.access import party_contract

MeetingId = Annotated[Id, Path()]
CALENDAR_TYPE = "text/calendar"


class MeetingIn(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200), NoNul]
    start: UTCTime
    duration_minutes: Annotated[int, Field(ge=meetings.MIN_MINUTES, le=meetings.MAX_MINUTES)]
    join_url: Annotated[
        HttpUrl | None, Field(max_length=2000, description="an http(s) link to join the call")
    ] = None


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    start: datetime
    duration_minutes: int
    join_url: str | None
    created_by_id: str
    invitation: str = Field(description="the path of its .ics")


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.id,
        title=meeting.title,
        start=meeting.start,
        duration_minutes=meeting.duration_minutes,
        join_url=meeting.join_url,
        created_by_id=meeting.created_by_id,
        invitation=f"{API_PREFIX}/contracts/{meeting.contract_id}/meetings/{meeting.id}.ics",
    )


router = APIRouter()
writes = APIRouter(route_class=SignedInBeforeBody)


@writes.put(
    "/contracts/{contract_id}/meetings/{meeting_id}",
    tags=["meetings"],
    max_body_size=MAX_JSON_BYTES,
    responses=contract_write_refusals(
        "the contract is ended, declined or withdrawn (view-only); the start is past; "
        "or the id is another contract's meeting's",
        malformed=MALFORMED + ", a duration out of 5–480 minutes, a link that is not http(s)",
    ),
)
def schedule(
    contract_id: ContractId, meeting_id: MeetingId, body: MeetingIn, context: Service, token: BearerToken
) -> MeetingOut:
    """Schedule a meeting under an id you make: posted in the thread as a meeting message, with
    its invitation. A replay answers the meeting as first scheduled; a new time is a new meeting."""
    with context.writing_as(token) as (session, user):
        contract, _ = party_contract(session, user, contract_id)
        return meeting_out(schedule_as_asked(session, contract, user, meeting_id, body, context.clock.now()))


def schedule_as_asked(
    session: Session, contract: Contract, by: User, meeting_id: str, asked: MeetingIn, now: datetime
) -> Meeting:
    """``meetings.schedule`` of a checked ``MeetingIn`` (the API's and the web's)."""
    join_url = None if asked.join_url is None else str(asked.join_url)
    return meetings.schedule(
        session, contract, by, meeting_id, asked.title, asked.start, asked.duration_minutes, join_url, now
    )


@router.get(
    "/contracts/{contract_id}/meetings/{meeting_id}.ics",
    tags=["meetings"],
    response_class=Response,
    responses={
        200: {"content": {CALENDAR_TYPE: {"schema": {"type": "string"}}}, "description": "the invitation"},
        **refusals({401: SIGNED_OUT, 404: "no meeting of a contract of yours has this id", 422: MALFORMED}),
    },
)
def invitation(
    contract_id: ContractId, meeting_id: MeetingId, context: Service, user: CurrentUser
) -> Response:
    """The meeting as an iCalendar (RFC 5545) invitation, to add to a calendar."""
    with context.database.reading() as session:
        contract, _ = party_contract(session, user, contract_id)
        meeting = meetings.contract_meeting(session, contract, meeting_id)
        ics = meetings.invitation(meeting, contract)
        name = f"{meeting.title}.ics"
    headers = {"Content-Disposition": content_disposition(name), "Cache-Control": "private"}
    return Response(ics, media_type=CALENDAR_TYPE, headers=headers)


router.include_router(writes)
