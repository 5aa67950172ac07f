"""A freelancer's writes of time: blocks and their screenshots, one by one or in batches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path
from pydantic import BaseModel, ValidationError
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
    return _apply_each(
        context,
        token,
        body.blocks,
        BlockItem,
        lambda session, user, item, now: timesheet.put_block(session, user, item.id, item, now),
    )


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
