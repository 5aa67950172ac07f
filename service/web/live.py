"""Live updates of the workroom's pages: the viewer's events feed (the API's long poll, ``GET
/api/v1/events``) on the session cookie, so that a page's script never holds an API token.
``static/live.js`` asks it and adds what changed to the page."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from service.api.deps import Service
from service.api.routes import events
from service.web.sessions import SignedInViewer

DISCONNECT_CHECK_SECONDS = 1.0  # how often a waiting poll looks whether its page is still there
router = APIRouter(include_in_schema=False)


@router.get("/live")
async def live(
    request: Request,
    context: Service,
    viewer: SignedInViewer,
    after: Annotated[int | None, Query(ge=0)] = None,
    wait: Annotated[int, Query(ge=0, le=events.MAX_WAIT_SECONDS)] = 0,
) -> Response:
    """The feed after the cursor ``after`` (omitted: the cursor of now), waiting up to ``wait``
    seconds for news; a poll whose page has gone is given up (a closed tab holds no worker)."""
    feed = asyncio.ensure_future(events.events(context, viewer.user, after, wait))
    while not (await asyncio.wait({feed}, timeout=DISCONNECT_CHECK_SECONDS))[0]:
        if await request.is_disconnected():
            feed.cancel()
            return Response(status_code=204)
    return JSONResponse(feed.result().model_dump(mode="json"), headers={"Cache-Control": "no-store"})
