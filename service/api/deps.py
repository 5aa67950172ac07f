"""What the routes share: the service's context, the signed-in user and the OpenAPI refusals
they answer."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from common.states import FREELANCER_ROLES
from common.timeutil import Clock
from service import auth
from service.config import ServiceConfig
from service.database import Database
from service.errors import Forbidden, Unauthenticated
from service.models import User
from service.schemas import MAX_JSON_BYTES, Problem
from service.storage import BlobStore

MB = 1024 * 1024


@dataclass(frozen=True)
class ServiceContext:
    config: ServiceConfig
    clock: Clock
    database: Database
    blobs: BlobStore

    @contextmanager
    def writing_as(self, token: str) -> Iterator[tuple[Session, User]]:
        """A unit of work that writes, as the token's user: authenticated in the same transaction,
        holding the user's write lock (``auth.authenticate``)."""
        with self.database.writing() as session:
            yield session, signed_in(session, token, self.clock.now(), lock=True)

    def remove_blobs(self, hashes: set[str]) -> None:
        """Called once the database no longer knows them: a failure leaves a file, never a dangling row."""
        for sha256 in hashes:
            self.blobs.delete(sha256)


# Dependencies that do no I/O are coroutines: FastAPI runs a plain function's in a worker thread,
# and each such hop cost about a millisecond of a write's time.
async def service(request: Request) -> ServiceContext:
    return request.app.state.service


bearer = HTTPBearer(auto_error=False, description="the token answered by POST /auth/sign-in")
Service = Annotated[ServiceContext, Depends(service)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def bearer_token(credentials: Credentials) -> str:
    if credentials is None:
        raise Unauthenticated("Sign in first: this needs a token (Authorization: Bearer …).")
    return credentials.credentials


def signed_in(session: Session, token: str, now: datetime, lock: bool = False) -> User:
    try:
        return auth.authenticate(session, token, now, lock)
    except auth.InvalidToken as invalid:
        raise Unauthenticated(str(invalid)) from invalid


def current_user(context: Service, token: Annotated[str, Depends(bearer_token)]) -> User:
    with context.database.reading() as session:
        return signed_in(session, token, context.clock.now())


CurrentUser = Annotated[User, Depends(current_user)]


async def uploader(user: CurrentUser) -> User:
    if user.role not in FREELANCER_ROLES:
        raise Forbidden("Only freelancers upload screenshots.")
    return user


Uploader = Annotated[User, Depends(uploader)]
# Writes authenticate once more in their own transaction (ServiceContext.writing_as), holding the
# user's write lock.
BearerToken = Annotated[str, Depends(bearer_token)]


def refusals(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """A route's refusals as its OpenAPI description gives them: each a Problem, and when."""
    return {status: {"model": Problem, "description": when} for status, when in described.items()}


SIGNED_OUT = "no token, or one that is unknown, expired or signed out (`WWW-Authenticate: Bearer`)"
MALFORMED = "malformed: not JSON, a field of the wrong type or out of its bounds, an id that is no UUID"
# A JSON body over MAX_JSON_BYTES: Starlette refuses it in plain text when its Content-Length says
# so, the service in its own words when its streamed bytes pass the limit.
JSON_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {
        "model": Problem,
        "description": f"the body is over {MAX_JSON_BYTES // MB} MB",
        "content": {"text/plain": {"schema": {"type": "string", "example": "Content Too Large"}}},
    }
}
WRITE_REFUSALS = {
    **refusals({401: SIGNED_OUT, 403: "a client's: clients write no time", 422: MALFORMED}),
    **JSON_TOO_LARGE,
}


def one_write_refusals(not_found: str, refused: str) -> dict[int | str, dict[str, Any]]:
    """A single write's refusals: a batch's, and its own 404 and 409 (a batch answers those per item)."""
    return {**WRITE_REFUSALS, **refusals({404: not_found, 409: refused})}


class SignedInBeforeBody(APIRoute):
    """A route whose body is read only once its token is known good (FastAPI reads and parses a
    body before it resolves any dependency): nobody but a signed-in user makes the service read one."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def signed_in_first(request: Request) -> Response:
            token = await bearer_token(await bearer(request))
            await run_in_threadpool(current_user, await service(request), token)
            return await handle(request)

        return signed_in_first
