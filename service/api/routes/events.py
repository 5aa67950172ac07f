"""The events feed: what changed on the user's contracts, for the app's notifications and the web's
live updates. A long poll: an answer comes at once when there is news after the cursor, else when
news arrives or the wait is over. Every worker reads the same database, so any of them answers."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from common.states import EventKind
from service.api.deps import MALFORMED, SIGNED_OUT, CurrentUser, Service, ServiceContext, refusals
from service.models import ContractEvent, User
from service.workroom.events import FEED_PAGE, events_after

MAX_WAIT_SECONDS = 25  # under the usual proxies' 30 s idle timeout
POLL_SECONDS = 0.5  # how often a waiting request looks again

router = APIRouter()


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int = Field(description="its place in the feed: the cursor to ask after")
    contract_id: str
    kind: EventKind
    actor_id: str | None = Field(description="who made the change; null: the service (an invoice issued…)")
    data: dict[str, Any] = Field(
        description="what it is about (ids, amounts); `line`: the sentence for people"
    )
    created_at: datetime


class Feed(BaseModel):
    events: list[EventOut] = Field(description=f"oldest first, at most {FEED_PAGE}")
    cursor: int = Field(description="ask with after=cursor for what comes next")


@router.get("/events", tags=["events"], responses=refusals({401: SIGNED_OUT, 422: MALFORMED}))
async def events(
    context: Service,
    user: CurrentUser,
    after: Annotated[
        int | None,
        Query(ge=0, description="the cursor of the last answer; omitted: from now on (no past events)"),
    ] = None,
    wait: Annotated[
        int, Query(ge=0, le=MAX_WAIT_SECONDS, description="seconds to wait for news when there is none yet")
    ] = 0,
) -> Feed:
    """The changes on your contracts after the cursor: new messages, offers and status changes,
    milestone decisions, invoices issued, disputed or paid (money only where you see money)."""
    if after is None:
        return Feed(events=[], cursor=await run_in_threadpool(_latest, context))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        found = await run_in_threadpool(_read, context, user, after)
        if found or loop.time() >= deadline:
            break
        await asyncio.sleep(min(POLL_SECONDS, deadline - loop.time()))
    cursor = found[-1].number if found else after
    return Feed(events=[EventOut.model_validate(event) for event in found], cursor=cursor)


def _read(context: ServiceContext, user: User, after: int) -> list[ContractEvent]:
    with context.database.reading() as session:
        return events_after(session, user, after)


def _latest(context: ServiceContext) -> int:
    with context.database.reading() as session:
        return session.scalar(select(func.coalesce(func.max(ContractEvent.number), 0))) or 0
