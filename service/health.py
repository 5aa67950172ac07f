"""Whether this worker answers (``/healthz``) and whether it can serve (``/readyz``: its database at
the newest migration, its blob store reachable), for a load balancer or an orchestrator. Both are
open to anyone and cheap: they tell nothing but that."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service import migrations
from service.api.deps import ServiceContext

log = logging.getLogger(__name__)
CHECK_SECONDS = 5  # a check not answered by then counts as not ready

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class NotReady(BaseModel):
    status: Literal["not ready"] = "not ready"
    reason: str = Field(description="what does not answer (the log says why)")


@router.get("/healthz")
async def healthz() -> Health:
    """The worker answers."""
    return Health()


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": NotReady, "description": "not ready, and why"}},
)
async def readyz(request: Request) -> Response:
    """The worker can serve: its database answers and is at the newest migration, and its blob
    store answers."""
    context: ServiceContext = request.app.state.service
    reason = await _failed_check(context)
    if reason is not None:
        return JSONResponse(NotReady(reason=reason).model_dump(), status_code=503)
    return JSONResponse(Health().model_dump())


async def _failed_check(context: ServiceContext) -> str | None:
    try:
        revision = await asyncio.wait_for(run_in_threadpool(context.database.revision), CHECK_SECONDS)
    except TimeoutError:
        return f"the database did not answer within {CHECK_SECONDS} s"
    except Exception:
        log.warning("not ready: the database does not answer", exc_info=True)
        return "the database does not answer"
    if revision != migrations.HEAD:
        return f"the database is at revision {revision}, not {migrations.HEAD}: migrate it"
    try:
        await asyncio.wait_for(run_in_threadpool(context.blobs.check), CHECK_SECONDS)
    except TimeoutError:
        return f"the blob store did not answer within {CHECK_SECONDS} s"
    except Exception:
        log.warning("not ready: the blob store does not answer", exc_info=True)
        return "the blob store does not answer"
    return None
