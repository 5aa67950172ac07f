"""Contracts, blocks and screenshots as their users may see and change them, under the contract's
rules: the same ``common.rules`` that the app applies before it sends anything."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from common.errors import RuleViolation
from common.rules import ContractTerms, check_editable, check_manual_time
from common.states import BlockSource, ContractKind, ContractStatus
from common.timetext import local_text
from common.timeutil import SLOT, WEEK, slot_start, week_of_date, week_start
from service.errors import Conflict, Forbidden, NotFound
from service.images import EXTENSIONS
from service.models import (
    Attachment,
    Blob,
    BlobCheck,
    BlobUpload,
    Block,
    Contract,
    Screenshot,
    ScreenshotImage,
    User,
)
from service.schemas import BlockIn, ImageIn, ScreenshotIn
from service.workroom.hours import BILLABLE, SECONDS

# How far past the service's clock a tracked block may end, or a write be dated: the app's clock
# may run a little fast.
CLOCK_TOLERANCE = timedelta(minutes=5)
PRUNE_BATCH = 5_000  # blobs looked at by one prune, the longest unused first; the rest wait for the next


def user_contracts(session: Session, user: User) -> list[Contract]:
    return list(
        session.scalars(
            select(Contract)
            .where(or_(Contract.freelancer_id == user.id, Contract.client_id == user.id))
            .options(selectinload(Contract.freelancer), selectinload(Contract.client))
            .order_by(Contract.started_at, Contract.title, Contract.id)
        )
    )


def user_contract(session: Session, user: User, contract_id: str, writing: bool = False) -> Contract:
    """The contract if the user is on it; 404 for anyone else (as for a contract that does not
    exist, so that ids cannot be probed), 403 for its client when writing."""
    contract = session.get(Contract, contract_id)
    if contract is None or user.id not in (contract.freelancer_id, contract.client_id):
        raise NotFound(f"There is no contract {contract_id} among yours.")
    if writing and user.id != contract.freelancer_id:
        raise Forbidden("Only the contract's freelancer can change its time: clients see it read-only.")
    return contract


def _block_contract(session: Session, user: User, block: Block) -> Contract:
    """The contract of a stored block, for writing; 404 naming the block (never its contract) for
    anyone not on that contract."""
    try:
        return user_contract(session, user, block.contract_id, writing=True)
    except NotFound as not_theirs:
        raise NotFound(f"There is no block {block.id} among yours.") from not_theirs


def week_blocks(session: Session, user: User, contract_id: str, day: date) -> list[Block]:
    """The blocks of the work week holding ``day``: every device's; tombstones for the freelancer only."""
    contract = user_contract(session, user, contract_id)
    monday = week_of_date(day)
    return contract_blocks(
        session, contract, monday, monday + WEEK, removed=user.id == contract.freelancer_id
    )


def contract_blocks(
    session: Session, contract: Contract, since: datetime, until: datetime, removed: bool = False
) -> list[Block]:
    """The contract's blocks starting in [since, until) in time order, with their screenshots and
    images, in three queries however many there are; removed ones (tombstones) only if asked."""
    query = (
        select(Block)
        .where(Block.contract_id == contract.id, Block.start >= since, Block.start < until)
        .options(selectinload(Block.screenshot).selectinload(Screenshot.images))
        .order_by(Block.start, Block.id)
    )
    if not removed:
        query = query.where(Block.deleted.is_(False))
    return list(session.scalars(query))


def put_block(
    session: Session, user: User, block_id: str, sent: BlockIn, now: datetime, zone: tzinfo = UTC
) -> tuple[Block, set[str]]:
    """Store the block's new state if the rules allow it: ``BlockWrites.put`` for one block."""
    return BlockWrites(session, user, [(block_id, sent)]).put(block_id, sent, now, zone)


class BlockWrites:
    """A user's writes of blocks in one unit of work. What their rules read (the blocks written, the
    user's live blocks in the same slots, a week's billed time) is read once for all of them, not
    once for each: a page of blocks costs a few queries, and its new blocks are inserted together.
    A write that a rule refuses raises before it changes anything. The caller holds the user's
    write lock (``auth.authenticate``)."""

    def __init__(self, session: Session, user: User, states: Iterable[tuple[str, BlockIn]]) -> None:
        self._session, self._user = session, user
        states = list(states)
        self._stored = {
            block.id: block
            for block in session.scalars(
                select(Block)
                .where(Block.id.in_({block_id for block_id, _ in states}))
                .options(selectinload(Block.screenshot).selectinload(Screenshot.images))
            )
        }
        # Held until the writes are done: the session keeps only the objects referenced elsewhere, and
        # without this every write would read its contract again.
        contract_ids = {sent.contract_id for _, sent in states} | {
            b.contract_id for b in self._stored.values()
        }
        self._contracts = list(session.scalars(select(Contract).where(Contract.id.in_(contract_ids))))
        # Every block lies in one slot: only a block of the same slot can overlap.
        self._live_by_slot: dict[datetime, list[Block]] = defaultdict(list)
        runs = _slot_runs({slot_start(sent.start) for _, sent in states})
        if runs:
            live = select(Block).where(
                Block.freelancer_id == user.id,
                Block.deleted.is_(False),
                or_(*((Block.start >= first) & (Block.start < last + SLOT) for first, last in runs)),
            )
            for block in session.scalars(live):
                self._live_by_slot[slot_start(block.start)].append(block)
        self._billed: dict[tuple[str, datetime], int] = {}  # seconds, by contract and week, once read

    def put(self, block_id: str, sent: BlockIn, now: datetime, zone: tzinfo = UTC) -> tuple[Block, set[str]]:
        """Store the block's new state if the rules allow it; the block as stored and the blobs that
        no screenshot shows any more (to remove from the blob store once committed). The rules'
        messages say their times in ``zone``."""
        stored = self._stored.get(block_id)
        if stored is None:
            contract = user_contract(self._session, self._user, sent.contract_id, writing=True)
        else:
            contract = _block_contract(self._session, self._user, stored)
        if sent.updated_at > now + CLOCK_TOLERANCE:
            # Refused rather than taken: a write dated in the future would outrank every later one.
            raise Conflict(
                f"This change is dated {sent.updated_at:%Y-%m-%d %H:%M} UTC, in the future (the service's "
                f"clock says {now:%Y-%m-%d %H:%M} UTC): check this computer's clock."
            )
        if stored is not None:
            if stored.deleted or sent.updated_at <= stored.updated_at:
                return stored, set()  # a replay, an older write, or a change to a tombstone: nothing to do
            if sent.contract_id != stored.contract_id:
                raise Conflict("A block cannot move to another contract: remove it and add the time there.")
            if sent.source != stored.source:
                raise Conflict(f"This block is {stored.source} time: that never changes.")
        _check_rules(contract, stored, sent, now, zone)
        # Live blocks never overlap, so a live block keeping its time cannot overlap anything.
        if not sent.deleted and (stored is None or (stored.start, stored.end) != (sent.start, sent.end)):
            self._check_overlap(block_id, sent)
        over_limit = not sent.deleted and self._over_limit(contract, stored, sent)
        if stored is None:
            # device_id stays the device that made the block, whichever device edits it later.
            stored = Block(
                id=block_id,
                contract_id=contract.id,
                freelancer_id=contract.freelancer_id,
                device_id=sent.device_id,
                source=sent.source,
                screenshot=None,  # known, so that answering it asks the database nothing
            )
            self._session.add(stored)
            self._stored[block_id] = stored
        else:
            self._forget(stored)
        stored.start, stored.end = sent.start, sent.end
        stored.activity = [list(minute) for minute in sent.activity]
        stored.activity_source = sent.activity_source
        stored.memo = sent.memo
        stored.capture_note = sent.capture_note
        stored.deleted = sent.deleted
        stored.updated_at = sent.updated_at
        stored.over_limit = over_limit
        self._remember(stored)
        # A block cut to end before its screenshot (that time was idle and discarded) loses it, as on the app.
        shot = stored.screenshot
        if sent.deleted or (shot is not None and shot.taken_at > sent.end):
            return stored, drop_screenshot(self._session, stored)
        return stored, set()

    def _check_overlap(self, block_id: str, sent: BlockIn) -> None:
        overlapping = [
            block
            for block in self._live_by_slot[slot_start(sent.start)]
            if block.id != block_id and block.start < sent.end and block.end > sent.start
        ]
        if overlapping:
            block = min(overlapping, key=lambda block: block.start)  # the same, in whatever order read
            where = " on another computer" if block.device_id != sent.device_id else ""
            title = self._session.get_one(Contract, block.contract_id).title  # block may be new
            raise Conflict(
                f"This overlaps time already logged{where} on “{title}” "
                f"({local_text(block.start, UTC)}–{block.end:%H:%M} UTC)."
            )

    def _over_limit(self, contract: Contract, stored: Block | None, sent: BlockIn) -> bool:
        """Past the weekly limit once the week's billed time of the contract's other blocks is
        counted (as the app marks them)."""
        if contract.weekly_limit_minutes is None:
            return False
        monday = week_start(sent.start)
        week = (contract.id, monday)
        if week not in self._billed:
            billed = self._session.execute(
                select(func.coalesce(func.sum(SECONDS), 0)).where(
                    Block.contract_id == contract.id,
                    Block.start >= monday,
                    Block.start < monday + WEEK,
                    BILLABLE,
                )
            ).scalar_one()
            self._billed[week] = int(billed)  # int(): PostgreSQL sums big integers as numeric.
        others = self._billed[week] - (_billed_seconds(stored) if stored and _week(stored) == week else 0)
        return others + (sent.end - sent.start).total_seconds() > contract.weekly_limit_minutes * 60

    def _forget(self, block: Block) -> None:
        """Take a stored block out of what the rules read, before it changes."""
        if block in (slot := self._live_by_slot[slot_start(block.start)]):
            slot.remove(block)
        if _week(block) in self._billed:
            self._billed[_week(block)] -= _billed_seconds(block)

    def _remember(self, block: Block) -> None:
        if not block.deleted:
            self._live_by_slot[slot_start(block.start)].append(block)
        if _week(block) in self._billed:
            self._billed[_week(block)] += _billed_seconds(block)


def _slot_runs(slots: set[datetime]) -> list[tuple[datetime, datetime]]:
    """The slots as runs of consecutive ones: (the first slot, the last)."""
    runs: list[tuple[datetime, datetime]] = []
    for slot in sorted(slots):
        if runs and slot - runs[-1][1] == SLOT:
            runs[-1] = (runs[-1][0], slot)
        else:
            runs.append((slot, slot))
    return runs


def _week(block: Block) -> tuple[str, datetime]:
    return block.contract_id, week_start(block.start)


def _billed_seconds(block: Block) -> int:
    return 0 if block.deleted or block.over_limit else block.seconds


def _check_rules(
    contract: Contract, stored: Block | None, sent: BlockIn, now: datetime, zone: tzinfo
) -> None:
    terms = ContractTerms.of(contract)
    try:
        for start in {sent.start, stored.start} if stored else {sent.start}:
            check_editable(terms, start, now, zone)
        if sent.deleted:
            return
        if contract.kind != ContractKind.HOURLY:
            raise RuleViolation(f"“{contract.title}” is a fixed-price contract: it takes no hours.")
        if stored is None and contract.status != ContractStatus.ACTIVE:  # paused, or an offer
            raise RuleViolation(
                f"The contract “{contract.title}” is {contract.status}: it takes no new time."
            )
        if sent.source == BlockSource.MANUAL:
            if stored is None or (stored.start, stored.end) != (sent.start, sent.end):
                check_manual_time(terms, sent.start, sent.end, now, (), zone)
        elif sent.end > now + CLOCK_TOLERANCE:
            raise RuleViolation(
                f"This block ends at {local_text(sent.end, UTC)} UTC, in the future (the service's clock "
                f"says {local_text(now, UTC)} UTC): check this computer's clock."
            )
    except RuleViolation as violation:
        raise Conflict(str(violation)) from violation


class ScreenshotWrites:
    """A user's writes of screenshots in one unit of work (``put_screenshot`` each), their contracts
    read once for all of them."""

    def __init__(self, session: Session, user: User) -> None:
        self._session, self._user = session, user
        # Held until the writes are done: the session keeps only the objects referenced elsewhere, and
        # without this every write would read its contract again.
        self._contracts = user_contracts(session, user)

    def put(self, block_id: str, sent: ScreenshotIn, now: datetime) -> tuple[Block, set[str]]:
        return put_screenshot(self._session, self._user, block_id, sent, now)


def put_screenshot(
    session: Session, user: User, block_id: str, sent: ScreenshotIn, now: datetime
) -> tuple[Block, set[str]]:
    """Attach or replace the block's screenshot; the block as stored and the blobs no longer shown.
    The caller holds the user's write lock (``auth.authenticate``)."""
    block = session.get(Block, block_id, options=[joinedload(Block.screenshot)])
    if block is None:
        raise NotFound(f"There is no block {block_id} among yours.")
    contract = _block_contract(session, user, block)
    stored = block.screenshot
    if (
        stored is not None
        and stored.id == sent.id
        and (_same(stored, sent) or (stored.redacted and not sent.redacted))
    ):
        return block, set()  # a replay, or the screenshot as it was before it was redacted
    _check_screenshot_rules(session, user, contract, block, sent, now)
    unused = set()
    if stored is not None and stored.id != sent.id:
        unused = _image_blobs(stored)
        block.screenshot = None
        session.flush()
    if block.screenshot is None:
        block.screenshot = Screenshot(id=sent.id, block_id=block.id)
    shot = block.screenshot
    unused |= _image_blobs(shot)
    shot.taken_at = sent.taken_at
    shot.redacted = sent.redacted
    shot.images = [ScreenshotImage(**image.model_dump()) for image in sent.images]
    session.flush()
    return block, _delete_unused_blobs(session, unused)


def _check_screenshot_rules(
    session: Session, user: User, contract: Contract, block: Block, sent: ScreenshotIn, now: datetime
) -> None:
    if block.deleted:
        raise Conflict("This block was removed: its screenshot is not kept.")
    if block.source == BlockSource.MANUAL:
        raise Conflict("Manual time has no screenshots.")
    if not contract.screenshots_enabled:
        raise Conflict(f"The contract “{contract.title}” takes no screenshots.")
    try:
        check_editable(ContractTerms.of(contract), block.start, now, UTC)
    except RuleViolation as violation:
        raise Conflict(str(violation)) from violation
    if not block.start <= sent.taken_at <= block.end:  # screenshots come only from tracked time
        raise Conflict(
            f"The screenshot was taken at {sent.taken_at:%H:%M:%S} UTC, outside its block's time "
            f"({local_text(block.start, UTC)}:{block.start:%S} to {block.end:%H:%M:%S} UTC)."
        )
    owner = session.get(Screenshot, sent.id)
    if owner is not None and owner.block_id != block.id:
        raise Conflict(f"The screenshot id {sent.id} belongs to another block.")
    needed = {image.sha256 for image in sent.images} | {image.thumbnail_sha256 for image in sent.images}
    # Only images this user uploaded (as images: a file uploaded for a message is none until checked
    # as one): another's are answered exactly as images nobody uploaded. Locked, so that a removal
    # elsewhere cannot delete them before this screenshot is committed.
    present = set(
        session.scalars(
            select(Blob.sha256)
            .join(BlobUpload, BlobUpload.sha256 == Blob.sha256)
            .where(Blob.sha256.in_(needed), BlobUpload.user_id == user.id, Blob.content_type.in_(EXTENSIONS))
            .with_for_update(of=Blob)
        )
    )
    if missing := sorted(needed - present):
        raise Conflict(f"Upload the images first (PUT /blobs/…): {', '.join(missing)} not received yet.")


def _same(stored: Screenshot, sent: ScreenshotIn) -> bool:
    return (
        stored.taken_at == sent.taken_at
        and stored.redacted == sent.redacted
        and [ImageIn.model_validate(image) for image in stored.images] == sent.images
    )


def drop_screenshot(session: Session, block: Block) -> set[str]:
    """Remove the block's screenshot; the blobs it leaves unused (already removed from the database)."""
    if block.screenshot is None:
        return set()
    unused = _image_blobs(block.screenshot)
    block.screenshot = None
    session.flush()
    return _delete_unused_blobs(session, unused)


def _image_blobs(shot: Screenshot) -> set[str]:
    return {sha for image in shot.images for sha in (image.sha256, image.thumbnail_sha256)}


def _delete_unused_blobs(session: Session, candidates: set[str]) -> set[str]:
    if not candidates:
        return set()
    return set(
        session.scalars(delete(Blob).where(Blob.sha256.in_(candidates), _unused()).returning(Blob.sha256))
    )


def delete_unshown_blobs(session: Session, uploaded_before: datetime) -> dict[str, int]:
    """Delete the images and files no screenshot shows and no message attaches that nobody uploaded
    since `uploaded_before` (uploads come first, and their use next: a newer one may be on its way);
    their sizes by hash. The app uploads a screenshot's images again right before attaching them.
    Only the blobs whose check is due are looked at (``BlobCheck``), PRUNE_BATCH at a time."""
    due = session.scalars(
        select(BlobCheck.sha256)
        .where(BlobCheck.uploaded_at < uploaded_before)
        .order_by(BlobCheck.uploaded_at)
        .limit(PRUNE_BATCH)
    ).all()
    if not due:
        return {}
    # Locked first, then checked again by a statement of its own: a screenshot attaching one of
    # them meanwhile (it locks the images it needs) has committed by then, and its image is kept.
    # One that it still holds keeps its check, for the next run.
    held = session.scalars(
        select(Blob.sha256).where(Blob.sha256.in_(due)).with_for_update(skip_locked=True)
    ).all()
    uploaded_since = exists().where(
        BlobUpload.sha256 == Blob.sha256, BlobUpload.uploaded_at >= uploaded_before
    )
    deleted = (
        delete(Blob)
        .where(Blob.sha256.in_(held), ~uploaded_since, _unused())
        .returning(Blob.sha256, Blob.size)
    )
    sizes = {sha256: size for sha256, size in session.execute(deleted)}
    gone = ~exists().where(Blob.sha256 == BlobCheck.sha256)
    session.execute(delete(BlobCheck).where(BlobCheck.sha256.in_(due), or_(BlobCheck.sha256.in_(held), gone)))
    return sizes


def _unused():
    """Neither shown by a screenshot nor attached to a message."""
    shown = or_(ScreenshotImage.sha256 == Blob.sha256, ScreenshotImage.thumbnail_sha256 == Blob.sha256)
    return ~exists().where(shown) & ~exists().where(Attachment.sha256 == Blob.sha256)


def may_see_blob(session: Session, user: User, sha256: str) -> bool:
    """Whether a live block the user may see shows this image (or thumbnail)."""
    shown = session.scalar(
        select(ScreenshotImage.id)
        .join(Screenshot)
        .join(Block)
        .join(Contract, Block.contract_id == Contract.id)
        .where(
            or_(ScreenshotImage.sha256 == sha256, ScreenshotImage.thumbnail_sha256 == sha256),
            Block.deleted.is_(False),
            or_(Contract.freelancer_id == user.id, Contract.client_id == user.id),
        )
        .limit(1)
    )
    return shown is not None
