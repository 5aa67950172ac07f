"""A freelancer's writes of time: blocks and their screenshots, one by one or in batches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path
from pydantic import ValidationError
from sqlalchemy.orm import Session

from common.states import FREELANCER_ROLES
from service import timesheet
from service.api.deps import (
    WRITE_REFUSALS,
    BearerToken,
    Service,
    ServiceContext,
    SignedInBeforeBody,
    one_write_refusals,
)
from service.errors import Forbidden, Refusal, validation_message
from service.models import Block, User
from service.schemas import (
    MAX_JSON_BYTES,
    BlockIn,
    BlockItem,
    BlockOut,
    BlocksIn,
    Id,
    NotStored,
    Results,
    ScreenshotIn,
    ScreenshotItem,
    ScreenshotsIn,
    Stored,
)

BlockId = Annotated[Id, Path()]

router = APIRouter(route_class=SignedInBeforeBody)


@router.put(
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


@router.put("/blocks", tags=["blocks"], responses=WRITE_REFUSALS, max_body_size=MAX_JSON_BYTES)
def put_blocks(body: BlocksIn, context: Service, token: BearerToken) -> Results:
    """Upsert up to 200 blocks, each exactly as PUT /blocks/{id} would and on its own (a refused or
    malformed one is answered in its result, the others are stored); the results in order."""

    def writer(session: Session, user: User, items: list[BlockItem]) -> Write[BlockItem]:
        writes = timesheet.BlockWrites(session, user, [(item.id, item) for item in items])
        return lambda item, now: writes.put(item.id, item, now)

    return _apply_each(context, token, body.blocks, BlockItem, writer)


@router.put(
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


@router.put("/screenshots", tags=["blocks"], responses=WRITE_REFUSALS, max_body_size=MAX_JSON_BYTES)
def put_screenshots(body: ScreenshotsIn, context: Service, token: BearerToken) -> Results:
    """Attach up to 200 screenshots, each exactly as PUT /blocks/{block_id}/screenshot would and on
    its own (as PUT /blocks does); the results in order, each with its screenshot's id."""

    def writer(session: Session, user: User, _items: list[ScreenshotItem]) -> Write[ScreenshotItem]:
        writes = timesheet.ScreenshotWrites(session, user)
        return lambda item, now: writes.put(item.block_id, item, now)

    return _apply_each(context, token, body.screenshots, ScreenshotItem, writer)


Item = TypeVar("Item", BlockItem, ScreenshotItem)
Write = Callable[[Item, datetime], tuple[Block, set[str]]]
Writer = Callable[[Session, User, list[Item]], Write[Item]]


def _apply_each(
    context: ServiceContext, token: str, items: list[dict], schema: type[Item], writer: Writer[Item]
) -> Results:
    """Each item checked, then written, in one transaction: one commit for the batch. A write refuses
    before it changes anything, so a refused item undoes nothing of the others."""
    checked: list[Item | NotStored] = []
    for raw in items:
        try:
            checked.append(schema.model_validate(raw))
        except ValidationError as error:
            item_id = raw["id"] if isinstance(raw.get("id"), str) else None
            checked.append(NotStored(id=item_id, status=422, detail=validation_message(error.errors())))
    results: list[Stored | NotStored] = []
    unused_blobs: set[str] = set()
    with context.writing_as(token) as (session, user):
        if user.role not in FREELANCER_ROLES:
            raise Forbidden("Only freelancers write time: clients see it read-only.")
        now = context.clock.now()
        write = writer(session, user, [item for item in checked if not isinstance(item, NotStored)])
        for item in checked:
            if isinstance(item, NotStored):
                results.append(item)
                continue
            try:
                block, unused = write(item, now)
            except Refusal as refusal:
                results.append(NotStored(id=item.id, status=refusal.status, detail=refusal.detail))
            else:
                results.append(Stored(id=item.id, block=BlockOut.model_validate(block)))
                unused_blobs |= unused
    context.remove_blobs(unused_blobs)
    return Results(results=results)
