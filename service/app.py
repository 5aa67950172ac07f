"""The contract service as an ASGI application."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY

from common.timeutil import Clock, SystemClock
from common.wire import API_PREFIX
from service.api import api_router
from service.api.deps import MB, ServiceContext
from service.config import ServiceConfig
from service.database import Database
from service.errors import Refusal, unreadable_body_message, validation_message
from service.scheduled import do_due_work, keep_doing_due_work
from service.storage import blob_store
from service.web import add_web_workroom
from service.web.pages import refusal_page

log = logging.getLogger(__name__)


def create_app(config: ServiceConfig, clock: Clock | None = None) -> FastAPI:
    """The service on a migrated database (migrated here if it is not yet)."""
    database = Database(config.database_url)
    database.migrate()
    context = ServiceContext(config, clock or SystemClock(), database, blob_store(config))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stopped = asyncio.Event()
        every = config.due_work_every
        work = None
        if every is not None:
            fee = config.service_fee_percent
            await do_due_work(database, context.clock, fee)  # the service starts with its due work done
            work = asyncio.create_task(
                keep_doing_due_work(database, context.clock, stopped, every.total_seconds(), fee)
            )
        yield
        stopped.set()
        if work is not None:
            await work
        database.close()

    app = FastAPI(
        title="Workdiary contract service",
        version="1",
        description="Contracts and the time freelancers log on them. See docs/sync.md.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = context
    app.include_router(api_router)
    add_web_workroom(app)
    app.exception_handler(Refusal)(_refusal)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(HTTPException)(_http_error)
    return app


def _refusal(request: Request, refusal: Refusal) -> Response:
    if not request.url.path.startswith(API_PREFIX):  # a web page's
        return refusal_page(request, refusal.detail, refusal.status)
    return JSONResponse({"detail": refusal.detail}, status_code=refusal.status, headers=refusal.headers)


def _invalid_request(request: Request, error: RequestValidationError) -> Response:
    if not request.url.path.startswith(API_PREFIX):
        return refusal_page(request, validation_message(error.errors()), 422)
    return JSONResponse({"detail": validation_message(error.errors())}, status_code=422)


def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    detail = error.detail
    if error.status_code == 404 and detail == "Not Found":
        detail = f"There is no {request.url.path} here: the API is described at {API_PREFIX}/docs."
    elif error.status_code == 400 and detail == "There was an error parsing the body":
        # FastAPI's answer to a JSON body it cannot decode (not UTF-8, nested past the recursion
        # limit): malformed, as any JSON that cannot be read.
        return JSONResponse({"detail": unreadable_body_message(error.__cause__)}, status_code=422)
    elif error.status_code == 405:
        detail = f"{request.url.path} does not take {request.method}: see {API_PREFIX}/docs."
    elif error.status_code == 413 and detail == "Content Too Large":  # a route's max_body_size
        limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY, 0)
        detail = f"The request body is larger than {limit // MB} MB: send fewer items in one request."
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)
