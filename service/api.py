"""The routes of /api/v1 (see docs/sync.md)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from common.contract import CONTRACT_TERMS
from common.timeutil import Clock
from common.wire import API_PREFIX
from service import auth, formdata, timesheet
from service.config import ServiceConfig
from service.database import Database
from service.errors import (
    BadContent,
    Forbidden,
    LengthRequired,
    NotFound,
    Refusal,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    UnsupportedMedia,
    validation_message,
)
from service.images import EXTENSIONS, is_image
from service.models import FREELANCER_ROLES, Base, Blob, Block, Contract, ImageUpload, User
from service.schemas import (
    MAX_JSON_BYTES,
    SHA256_PATTERN,
    BlobNotStored,
    BlobOut,
    BlobResults,
    BlobStored,
    BlockIn,
    BlockItem,
    BlockOut,
    BlocksIn,
    ContractOut,
    Day,
    Id,
    NotStored,
    Problem,
    Results,
    ScreenshotIn,
    ScreenshotItem,
    ScreenshotsIn,
    SignedIn,
    SignIn,
    Stored,
    UserOut,
)
from service.storage import BlobStore

IMAGE_TYPES = tuple(EXTENSIONS)
MB = 1024 * 1024
INSERTS: dict[str, Callable[[type[Base]], sqlite.Insert | postgresql.Insert]] = {  # with on_conflict_do_*
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


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
ContractId = Annotated[Id, Path()]
BlockId = Annotated[Id, Path()]
BlobHash = Annotated[str, Path(pattern=SHA256_PATTERN, description="the image's lower-case hex SHA-256")]


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


router = APIRouter(prefix=API_PREFIX)
writes = APIRouter(prefix=API_PREFIX, route_class=SignedInBeforeBody)


SIGN_IN_REFUSALS: dict[int | str, dict[str, Any]] = {
    **refusals({401: "the email or the password is wrong", 422: MALFORMED}),
    429: {
        "model": Problem,
        "description": "too many failed sign-ins from this address, or for this account from it",
        "headers": {"Retry-After": {"description": "the seconds to wait", "schema": {"type": "integer"}}},
    },
    **JSON_TOO_LARGE,
}


@router.post("/auth/sign-in", tags=["auth"], responses=SIGN_IN_REFUSALS, max_body_size=MAX_JSON_BYTES)
def sign_in(request: Request, body: SignIn, context: Service) -> SignedIn:
    # The peer's address, or the one a trusted proxy forwarded (serve --forwarded-allow-ips).
    address = request.client.host if request.client else "unknown"
    try:
        issued = auth.sign_in(
            context.database,
            context.config,
            body.email,
            body.password,
            body.device_name,
            address,
            context.clock.now(),
        )
    except auth.SignInRefused as refused:
        if refused.retry_after_seconds is not None:
            raise TooManyAttempts(str(refused), refused.retry_after_seconds) from refused
        raise Unauthenticated(str(refused)) from refused
    return SignedIn(
        token=issued.token, expires_at=issued.expires_at, user=UserOut.model_validate(issued.user)
    )


@router.post("/auth/sign-out", status_code=204, tags=["auth"], responses=refusals({401: SIGNED_OUT}))
def sign_out(context: Service, token: Annotated[str, Depends(bearer_token)]) -> Response:
    with context.database.writing() as session:
        auth.revoke(session, token, context.clock.now())
    return Response(status_code=204)


@router.get("/me", tags=["auth"], responses=refusals({401: SIGNED_OUT}))
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/contracts", tags=["contracts"], responses=refusals({401: SIGNED_OUT}))
def contracts(context: Service, user: CurrentUser) -> list[ContractOut]:
    with context.database.reading() as session:
        return [_contract_out(contract, user) for contract in timesheet.user_contracts(session, user)]


CONTRACT_REFUSALS = refusals({401: SIGNED_OUT, 404: "no contract of yours has this id", 422: MALFORMED})


@router.get("/contracts/{contract_id}", tags=["contracts"], responses=CONTRACT_REFUSALS)
def contract(contract_id: ContractId, context: Service, user: CurrentUser) -> ContractOut:
    with context.database.reading() as session:
        return _contract_out(timesheet.user_contract(session, user, contract_id), user)


def _contract_out(contract: Contract, user: User) -> ContractOut:
    return ContractOut(
        id=contract.id,
        client_name=contract.client.name,
        freelancer_name=contract.freelancer.name,
        role="freelancer" if contract.freelancer_id == user.id else "client",
        **{name: getattr(contract, name) for name in CONTRACT_TERMS},
    )


@router.get("/contracts/{contract_id}/blocks", tags=["blocks"], responses=CONTRACT_REFUSALS)
def contract_blocks(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    week: Annotated[Day | None, Query(description="a date of the UTC work week; default: this week")] = None,
) -> list[BlockOut]:
    day = week or context.clock.now().date()
    with context.database.reading() as session:
        return [
            BlockOut.model_validate(block) for block in timesheet.week_blocks(session, user, contract_id, day)
        ]


@writes.put(
    "/blocks/{block_id}",
    tags=["blocks"],
    max_body_size=MAX_JSON_BYTES,
    responses=one_write_refusals(
        not_found="no contract of yours has its contract_id, or the block is on one that is not yours",
        refused="a rule of the contract refuses it (locked week, manual time, overlap, …)",
    ),
)
def put_block(block_id: BlockId, body: BlockIn, context: Service, token: BearerToken) -> BlockOut:
    with context.writing_as(token) as (session, user):
        block, unused_blobs = timesheet.put_block(session, user, block_id, body, context.clock.now())
        answer = BlockOut.model_validate(block)
    context.remove_blobs(unused_blobs)
    return answer


@writes.put("/blocks", tags=["blocks"], responses=WRITE_REFUSALS, max_body_size=MAX_JSON_BYTES)
def put_blocks(body: BlocksIn, context: Service, token: BearerToken) -> Results:
    """Upsert up to 200 blocks, each exactly as PUT /blocks/{id} would and on its own (a refused or
    malformed one is answered in its result, the others are stored); the results in order."""
    return _apply_each(
        context,
        token,
        body.blocks,
        BlockItem,
        lambda session, user, item, now: timesheet.put_block(session, user, item.id, item, now),
    )


@writes.put(
    "/blocks/{block_id}/screenshot",
    tags=["blocks"],
    max_body_size=MAX_JSON_BYTES,
    responses=one_write_refusals(
        not_found="no block of yours has this id",
        refused="a rule refuses it, or its images were not uploaded (by you) first",
    ),
)
def put_screenshot(block_id: BlockId, body: ScreenshotIn, context: Service, token: BearerToken) -> BlockOut:
    with context.writing_as(token) as (session, user):
        block, unused_blobs = timesheet.put_screenshot(session, user, block_id, body, context.clock.now())
        answer = BlockOut.model_validate(block)
    context.remove_blobs(unused_blobs)
    return answer


@writes.put("/screenshots", tags=["blocks"], responses=WRITE_REFUSALS, max_body_size=MAX_JSON_BYTES)
def put_screenshots(body: ScreenshotsIn, context: Service, token: BearerToken) -> Results:
    """Attach up to 200 screenshots, each exactly as PUT /blocks/{block_id}/screenshot would and on
    its own (as PUT /blocks does); the results in order, each with its screenshot's id."""
    return _apply_each(
        context,
        token,
        body.screenshots,
        ScreenshotItem,
        lambda session, user, item, now: timesheet.put_screenshot(session, user, item.block_id, item, now),
    )


Item = TypeVar("Item", bound=BaseModel)
Write = Callable[[Session, User, Item, datetime], tuple[Block, set[str]]]


def _apply_each(
    context: ServiceContext, token: str, items: list[dict], schema: type[Item], write: Write[Item]
) -> Results:
    """Each item checked, then written in a savepoint of one transaction: one commit for the batch,
    and a refused item undoes nothing of the others."""
    results: list[Stored | NotStored] = []
    unused_blobs: set[str] = set()
    with context.writing_as(token) as (session, user):
        if user.role not in FREELANCER_ROLES:
            raise Forbidden("Only freelancers write time: clients see it read-only.")
        now = context.clock.now()
        # Held until the batch is done: the session keeps only the objects referenced elsewhere, and
        # without this every item would read its contract again.
        _contracts = timesheet.user_contracts(session, user)
        for raw in items:
            item_id = raw["id"] if isinstance(raw.get("id"), str) else None
            try:
                item = schema.model_validate(raw)
            except ValidationError as error:
                results.append(NotStored(id=item_id, status=422, detail=validation_message(error.errors())))
                continue
            try:
                with session.begin_nested():
                    block, unused = write(session, user, item, now)
                    results.append(Stored(id=item_id, block=BlockOut.model_validate(block)))
            except Refusal as refusal:
                results.append(NotStored(id=item_id, status=refusal.status, detail=refusal.detail))
            else:
                unused_blobs |= unused
    context.remove_blobs(unused_blobs)
    return Results(results=results)


UPLOAD_REFUSALS = refusals(
    {
        401: SIGNED_OUT,
        403: "a client's: clients upload no screenshots",
        413: "the image is over 5 MB",
        415: "not a JPEG or WebP image, or not the one its Content-Type names",
    }
)


@router.put(
    "/blobs/{sha256}",
    tags=["blobs"],
    responses={
        **UPLOAD_REFUSALS,
        **refusals(
            {
                400: "its bytes do not have the SHA-256 they were sent under",
                422: "the path's SHA-256 is not 64 lower-case hex digits",
            }
        ),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in IMAGE_TYPES},
        }
    },
)
async def put_blob(sha256: BlobHash, request: Request, context: Service, user: Uploader) -> BlobOut:
    """Upload an image (≤ 5 MB) under its SHA-256; uploading it again answers 200 as well. It is
    yours to attach to your screenshots from then on (until no screenshot shows it)."""
    content_type = _image_type(request.headers.get("content-type", ""))
    limit = context.config.max_blob_bytes
    data = await _body(request, limit, _image_too_large(limit))
    _check_image(sha256, content_type, data, limit)
    await run_in_threadpool(_store_blobs, context, user, {sha256: (bytes(data), content_type)})
    return BlobOut(sha256=sha256, size=len(data), content_type=content_type)


@router.put(
    "/blobs",
    tags=["blobs"],
    responses={
        **UPLOAD_REFUSALS,
        **refusals(
            {
                400: "the multipart/form-data body cannot be read (cut short, a malformed boundary)",
                411: "no Content-Length",
                413: "too many images, or too many bytes, in one request",
                415: "not multipart/form-data",
            }
        ),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "format": "binary"},
                        "description": "one part per image, named by its SHA-256",
                    }
                }
            },
        }
    },
)
async def put_blobs(request: Request, context: Service, user: Uploader) -> BlobResults:
    """Upload several images in one multipart/form-data request (see docs/sync.md), each part named
    by its image's SHA-256 and checked as PUT /blobs/{sha256} checks it; the results in order."""
    try:
        boundary = formdata.boundary(request.headers.get("content-type", ""))
    except formdata.Malformed as error:
        raise _unreadable(error) from error
    if boundary is None:
        raise UnsupportedMedia("Send the images as multipart/form-data, one part per image.")
    if "content-length" not in request.headers:
        raise LengthRequired("Send the upload with its Content-Length.")
    most, limit = context.config.max_upload_images, context.config.max_upload_bytes
    too_large = TooLarge(f"Send at most {most} images and {limit // MB} MB in one upload.")
    body = await _body(request, limit, too_large)
    try:
        parts = formdata.split(body, boundary, most)
    except formdata.TooManyParts as error:
        raise too_large from error
    except formdata.Malformed as error:
        raise _unreadable(error) from error
    return await run_in_threadpool(_store_parts, context, user, parts)


def _unreadable(error: formdata.Malformed) -> BadContent:
    return BadContent(f"The multipart/form-data body cannot be read: {error}.")


def _store_parts(context: ServiceContext, user: User, parts: list[formdata.Part]) -> BlobResults:
    limit = context.config.max_blob_bytes
    results: list[BlobStored | BlobNotStored] = []
    images: dict[str, tuple[bytes, str]] = {}
    for part in parts:
        try:
            if part.name is None or not re.fullmatch(SHA256_PATTERN, part.name):
                raise BadContent("Name each part by its image's SHA-256 (in lower-case hex).")
            content_type = _image_type(part.content_type)
            _check_image(part.name, content_type, part.data, limit)
        except Refusal as refusal:
            results.append(BlobNotStored(sha256=part.name, status=refusal.status, detail=refusal.detail))
        else:
            images[part.name] = (bytes(part.data), content_type)
            results.append(BlobStored(sha256=part.name))
    if images:
        _store_blobs(context, user, images)
    return BlobResults(results=results)


async def _body(request: Request, limit: int, too_large: TooLarge) -> bytearray:
    """The request's body, refused as soon as its length says or its bytes show it is over ``limit``."""
    if int(request.headers.get("content-length") or 0) > limit:
        raise too_large
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise too_large
    return data


def _image_type(content_type: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in IMAGE_TYPES:
        raise UnsupportedMedia("Send the image as Content-Type image/jpeg or image/webp.")
    return media_type


def _image_too_large(limit: int) -> TooLarge:
    return TooLarge(f"The image is larger than {limit // MB} MB.")


def _check_image(sha256: str, content_type: str, data: bytearray, limit: int) -> None:
    if len(data) > limit:
        raise _image_too_large(limit)
    if not is_image(bytes(data), content_type):
        raise UnsupportedMedia(f"The upload is not a {content_type.removeprefix('image/').upper()} image.")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BadContent("The image's SHA-256 is not the one it was sent under: the upload was damaged.")


def _store_blobs(context: ServiceContext, user: User, images: dict[str, tuple[bytes, str]]) -> None:
    """Store the checked images that are not stored yet, files first (a row always has its file),
    then, in one transaction, their rows and the user's right to attach each of them."""
    with context.database.reading() as session:
        stored = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(images))))
    for sha256, (data, _) in images.items():
        if sha256 not in stored:
            context.blobs.put(sha256, data)
    now = context.clock.now()
    with context.database.writing() as session:
        # Locked, so that no removal deletes them before this commits; one deleted since it was
        # read above has lost its file too, which is written again.
        present = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(images)).with_for_update()))
        for sha256 in stored - present:
            context.blobs.put(sha256, images[sha256][0])
        insert = INSERTS[session.get_bind().dialect.name]
        new = [
            {"sha256": sha256, "size": len(data), "content_type": content_type, "created_at": now}
            for sha256, (data, content_type) in images.items()
            if sha256 not in present
        ]
        if new:  # a concurrent upload may have stored some of them since: they are the same images
            session.execute(insert(Blob).on_conflict_do_nothing(), new)
        uploads = insert(ImageUpload)
        session.execute(
            uploads.on_conflict_do_update(
                index_elements=[ImageUpload.user_id, ImageUpload.sha256],
                set_={"uploaded_at": uploads.excluded.uploaded_at},
            ),
            [{"user_id": user.id, "sha256": sha256, "uploaded_at": now} for sha256 in images],
        )


@router.get(
    "/blobs/{sha256}",
    tags=["blobs"],
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in IMAGE_TYPES}, "description": "the image"},
        **refusals(
            {
                401: SIGNED_OUT,
                404: "no screenshot of a contract you are on shows this image",
                422: "the path's SHA-256 is not 64 lower-case hex digits",
            }
        ),
    },
)
def get_blob(sha256: BlobHash, context: Service, user: CurrentUser) -> Response:
    """An image, to the people of a contract whose live block's screenshot shows it. Served as
    inert: its exact type, never sniffed, as a download."""
    with context.database.reading() as session:
        blob = session.get(Blob, sha256)
        if blob is None or not timesheet.may_see_blob(session, user, sha256):
            raise NotFound(f"There is no image {sha256} among yours.")
        content_type = blob.content_type
    extension = EXTENSIONS[content_type]
    headers = {
        "Cache-Control": "private",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="{sha256}.{extension}"',
    }
    return Response(context.blobs.get(sha256), media_type=content_type, headers=headers)
