"""Screenshots' images: uploaded by their SHA-256, downloaded by the people of their contract."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from service import formdata, timesheet
from service.api.deps import MB, SIGNED_OUT, CurrentUser, Service, ServiceContext, Uploader, refusals
from service.errors import BadContent, LengthRequired, NotFound, Refusal, TooLarge, UnsupportedMedia
from service.images import EXTENSIONS, is_image
from service.models import FILE_TYPE, Base, Blob, BlobCheck, BlobUpload, User
from service.schemas import SHA256_PATTERN, BlobNotStored, BlobOut, BlobResults, BlobStored

IMAGE_TYPES = tuple(EXTENSIONS)
INSERTS: dict[str, Callable[[type[Base]], sqlite.Insert | postgresql.Insert]] = {  # with on_conflict_do_*
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
BlobHash = Annotated[str, Path(pattern=SHA256_PATTERN, description="the image's lower-case hex SHA-256")]

router = APIRouter()


UPLOAD_REFUSALS = refusals(
    {
        401: SIGNED_OUT,
        403: "a client's: clients upload no screenshots",
        413: "the image is over 5 MB",
        415: "not a JPEG or WebP image, or not the one its Content-Type names",
    }
)


PRESIGNED: dict[int | str, dict[str, Any]] = {
    307: {
        "description": "with an S3 object store: the download at a presigned URL (Location), valid for "
        "a minute by default; follow it without the Authorization header"
    }
}


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
    await run_in_threadpool(
        store_blobs, context, user, {sha256: _new_image(context, sha256, data, content_type)}
    )
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
    images: dict[str, NewBlob] = {}
    for part in parts:
        try:
            if part.name is None or not re.fullmatch(SHA256_PATTERN, part.name):
                raise BadContent("Name each part by its image's SHA-256 (in lower-case hex).")
            content_type = _image_type(part.content_type)
            _check_image(part.name, content_type, part.data, limit)
        except Refusal as refusal:
            results.append(BlobNotStored(sha256=part.name, status=refusal.status, detail=refusal.detail))
        else:
            images[part.name] = _new_image(context, part.name, part.data, content_type)
            results.append(BlobStored(sha256=part.name))
    if images:
        store_blobs(context, user, images)
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


def _new_image(context: ServiceContext, sha256: str, data: bytearray, content_type: str) -> NewBlob:
    return NewBlob(len(data), content_type, partial(context.blobs.put, sha256, bytes(data)))


def _check_image(sha256: str, content_type: str, data: bytearray, limit: int) -> None:
    if len(data) > limit:
        raise _image_too_large(limit)
    if not is_image(bytes(data), content_type):
        raise UnsupportedMedia(f"The upload is not a {content_type.removeprefix('image/').upper()} image.")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BadContent("The image's SHA-256 is not the one it was sent under: the upload was damaged.")


@dataclass(frozen=True)
class NewBlob:
    """A checked blob to store: ``write`` (again) puts its bytes in the blob store."""

    size: int
    content_type: str
    write: Callable[[], None]


def store_blobs(context: ServiceContext, user: User, blobs: Mapping[str, NewBlob]) -> None:
    """Store the checked blobs that are not stored yet, files first (a row always has its file),
    then, in one transaction, their rows and the user's right to attach each of them."""
    with context.database.reading() as session:
        stored = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(blobs))))
    for sha256, blob in blobs.items():
        if sha256 not in stored:
            blob.write()
    now = context.clock.now()
    with context.database.writing() as session:
        # Locked, so that no removal deletes them before this commits; one deleted since it was
        # read above has lost its file too, which is written again.
        present = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(blobs)).with_for_update()))
        for sha256 in stored - present:
            blobs[sha256].write()
        insert = INSERTS[session.get_bind().dialect.name]
        rows = insert(Blob)
        # A concurrent upload may have stored some of them since: they are the same bytes. A blob
        # first uploaded as a file and checked as an image since takes the image's type.
        session.execute(
            rows.on_conflict_do_update(
                index_elements=[Blob.sha256],
                set_={"content_type": rows.excluded.content_type},
                where=Blob.content_type == FILE_TYPE,
            ),
            [
                {"sha256": sha256, "size": blob.size, "content_type": blob.content_type, "created_at": now}
                for sha256, blob in blobs.items()
            ],
        )
        uploads = insert(BlobUpload)
        session.execute(
            uploads.on_conflict_do_update(
                index_elements=[BlobUpload.user_id, BlobUpload.sha256],
                set_={"uploaded_at": uploads.excluded.uploaded_at},
            ),
            [{"user_id": user.id, "sha256": sha256, "uploaded_at": now} for sha256 in blobs],
        )
        checks = insert(BlobCheck)
        session.execute(
            checks.on_conflict_do_update(
                index_elements=[BlobCheck.sha256], set_={"uploaded_at": checks.excluded.uploaded_at}
            ),
            [{"sha256": sha256, "uploaded_at": now} for sha256 in blobs],
        )


@router.get(
    "/blobs/{sha256}",
    tags=["blobs"],
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in IMAGE_TYPES}, "description": "the image"},
        **PRESIGNED,
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
    inert: its exact type, never sniffed, as a download (from an object store: by a redirect)."""
    with context.database.reading() as session:
        blob = session.get(Blob, sha256)
        if blob is None or not timesheet.may_see_blob(session, user, sha256):
            raise NotFound(f"There is no image {sha256} among yours.")
        content_type = blob.content_type
    disposition = f'attachment; filename="{sha256}.{EXTENSIONS[content_type]}"'
    redirect = presigned_redirect(context, sha256, content_type, disposition)
    if redirect is not None:
        return redirect
    headers = {
        "Cache-Control": "private",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": disposition,
    }
    return Response(context.blobs.get(sha256), media_type=content_type, headers=headers)


def presigned_redirect(
    context: ServiceContext, sha256: str, content_type: str, disposition: str
) -> RedirectResponse | None:
    """A redirect to a short-lived URL of the blob where the store gives one (an S3 bucket), which
    answers it with this type and disposition; None: the service serves the blob itself. Called
    once the reader is known to be allowed it."""
    url = context.blobs.download_url(sha256, content_type, disposition)
    if url is None:
        return None
    # no-store: until it expires, the URL opens the blob to whoever has it.
    return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
