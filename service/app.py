"""The contract service as an ASGI application."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import logs
from common.timeutil import Clock, SystemClock
from common.wire import API_PREFIX
from service.api import api_router
from service.api.deps import MB, ServiceContext
from service.config import ServiceConfig
from service.database import Database
from service.errors import Refusal, unreadable_body_message, validation_message
from service.health import router as health_router
from service.scheduled import do_due_work, keep_doing_due_work
from service.storage import blob_store
from service.web import add_web_workroom
from service.web.pages import refusal_page

log = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID = re.compile(r"[\w.:-]{1,64}", re.ASCII)  # one from outside, if it is a plain name


def create_app(config: ServiceConfig, clock: Clock | None = None) -> FastAPI:
    """The service on a migrated database (migrated here if it is not yet)."""
    database = Database(config.database_url, config.database_pool_size)
    database.migrate()
    context = ServiceContext(config, clock or SystemClock(), database, blob_store(config))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stopped = asyncio.Event()
        every = config.due_work_every if config.due_work_in_process else None
        work = None
        if every is not None:
            # The service starts with its due work done.
            await do_due_work(database, context.blobs, config, context.clock)
            work = asyncio.create_task(
                keep_doing_due_work(
                    database, context.blobs, config, context.clock, stopped, every.total_seconds()
                )
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
    app.include_router(health_router)
    app.add_middleware(RequestIds)
    add_web_workroom(app)
    app.exception_handler(Refusal)(_refusal)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(HTTPException)(_http_error)
    return app


class RequestIds:
    """Each request's id in the lines logged while it is answered (``logs.request_id``) and in its
    answer's X-Request-ID: the proxy's, when it sends one (nginx: ``proxy_set_header X-Request-ID
    $request_id``), so that its access log and the workers' lines meet; else a new one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        answering = logs.request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.request_id.reset(answering)


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
