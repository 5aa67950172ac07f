"""The Timesheet tab: the hours summary and the Work Diary as the app shows it (PRODUCT.md sections
2 and 7), a block's own page, its images, and the freelancer's changes of time.

The Diary: a month calendar with a dot under each local date with time; the work week holding the
chosen date (Monday to Sunday UTC, as everywhere: a row per local date it meets, 7 or 8, each with
the time of that week logged on it); the chosen date's blocks, whichever week they belong to, by
local hour, six slots an hour. Dates and times are the viewer's (their profile's time zone).

Images are served by URLs the page signs, verified without the database. A day shows up to 144
thumbnails (a week 1,008); checking each request against the database (``timesheet.may_see_blob``,
as GET /blobs does) would cost a query per image. The page, which has read the blocks and may show
them, signs each image's URL instead: an HMAC of the contract, the image's hash and an expiry, keyed
by the viewer's session token, which lives in the HttpOnly cookie alone. A request is answered only
with that cookie, so a URL copied to another person (or to a browser without the session) gets
nothing, and only until its expiry. What this gives up: a session revoked on the service (signed
out elsewhere) still opens, until the expiry, the images its own pages were shown (its pages are
dead at once); so does a URL of a screenshot removed since, while another screenshot still shows
the same image. The expiry is the end of the next UTC day, so that a day's URLs stay the same and
the browser's cache (private and long: what a hash names never changes; ``ETag`` = the hash)
answers them. For that reason the service serves them itself from an S3 object store too, rather
than redirecting to presigned URLs as other downloads do: a presigned URL changes at each signing
and lives a minute, so the browser would fetch every thumbnail of a day again at each later view.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import UnaryExpression, and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from common.errors import RuleViolation
from common.rules import (
    FROM_IDLE_TIME,
    ContractTerms,
    check_manual_time,
    locked_at,
    meter_bars,
    minutes_with_input,
    why_no_manual_time,
)
from common.states import ActivitySource, BlockSource, ContractStatus
from common.timetext import hm, spoken
from common.timeutil import (
    SLOT,
    WEEK,
    local_day_bounds,
    slot_minutes,
    slot_start,
    to_epoch,
    week_of_date,
    week_start,
)
from common.wire import MAX_MEMO_CHARS, wire_time
from service import timesheet
from service.api.deps import Service, ServiceContext
from service.api.routes.blobs import BlobHash
from service.api.routes.contracts import contract_out
from service.errors import BadContent, Conflict, NotFound
from service.images import stored_image_type
from service.models import Block, Contract, Screenshot
from service.schemas import SHA256_PATTERN, BlockIn, Day, Id
from service.web.money import recent_transactions
from service.web.pages import this_week
from service.web.sessions import SESSION_COOKIE, CheckedForm, SignedInViewer, Viewer, writing_as
from service.web.workroom import ContractId, tab_page, viewer_zone
from service.workroom.access import party_contract
from service.workroom.hours import SECONDS, hours_by_contract

SLOTS_AN_HOUR = 6
DAY_SECONDS = 24 * 3600
IMAGE_MAX_AGE = 365 * DAY_SECONDS  # content-addressed: what a hash names never changes
THUMBNAIL_WIDTH = 160
NO_SCREENSHOT = "No screenshot"
# The device the web's manual time is recorded from (the overlap message names "another computer").
WEB_DEVICE = str(uuid.uuid5(uuid.NAMESPACE_URL, "workdiary:web-workroom"))
router = APIRouter(include_in_schema=False)


# ----- images


def _signature(token: str, contract_id: str, sha256: str, until: int) -> str:
    message = f"image {contract_id} {sha256} {until}".encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ImageSigner:
    """Signs the URLs of one page's images for its viewer (see the module's docstring)."""

    token: str
    contract_id: str
    until: int  # epoch seconds

    @classmethod
    def of(cls, viewer: Viewer, contract_id: str, now: datetime) -> ImageSigner:
        return cls(viewer.session_token, contract_id, (to_epoch(now) // DAY_SECONDS + 2) * DAY_SECONDS)

    def url(self, sha256: str) -> str:
        signature = _signature(self.token, self.contract_id, sha256, self.until)
        return f"/contracts/{self.contract_id}/images/{sha256}?until={self.until}&sig={signature}"


@router.get("/contracts/{contract_id}/images/{sha256}")
def image(
    request: Request,
    contract_id: ContractId,
    sha256: BlobHash,
    context: Service,
    until: Annotated[int, Query()],
    sig: Annotated[str, Query(pattern=SHA256_PATTERN)],
) -> Response:
    """A screenshot's image or thumbnail by a URL its page signed for this browser's session."""
    token = request.cookies.get(SESSION_COOKIE)
    if (
        not token
        or until <= to_epoch(context.clock.now())
        or not hmac.compare_digest(_signature(token, contract_id, sha256, until), sig)
    ):
        raise NotFound(f"There is no image {sha256} among yours.")
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": f"private, max-age={IMAGE_MAX_AGE}, immutable"}
    sent = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in sent or "*" in sent:
        return Response(status_code=304, headers=headers)
    try:
        data = context.blobs.get(sha256)
    except FileNotFoundError as gone:  # its screenshot was removed since the page was shown
        raise NotFound(f"There is no image {sha256} among yours.") from gone
    return Response(data, media_type=stored_image_type(data), headers=headers)


# ----- what the pages show


@dataclass(frozen=True)
class ImageView:
    monitor: int
    url: str
    thumbnail_url: str
    width: int
    height: int

    @property
    def thumbnail_width(self) -> int:
        return THUMBNAIL_WIDTH

    @property
    def thumbnail_height(self) -> int:
        return max(1, round(THUMBNAIL_WIDTH * self.height / self.width))


@dataclass(frozen=True)
class MinuteView:
    time: str  # local hh:mm
    keyboard: int | None  # None: activity from idle time, which counts nothing
    mouse: int | None
    active_seconds: int


@dataclass(frozen=True)
class Mark:
    kind: str  # its CSS class's ending
    text: str

    @property
    def said(self) -> str:
        """In a sentence's middle: its first letter lower-case (not the rest: a note names apps)."""
        return self.text[:1].lower() + self.text[1:]


@dataclass(frozen=True)
class BlockView:
    id: str
    start: datetime  # local
    end: datetime  # local
    memo: str
    capture_note: str  # the app's, on why it took no usable screenshot
    manual: bool
    redacted: bool
    over_limit: bool
    images: list[ImageView]
    # [minute of the slot, keyboard, mouse, active seconds] per minute with input; the counts None
    # with activity from idle time
    activity: list[list[int | None]]
    activity_source: ActivitySource
    tracked_minutes: int  # the minutes of its slot it touches: the meter's denominator
    editable: bool  # by this viewer, now

    @property
    def time_range(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def no_screenshot(self) -> bool:
        return not self.manual and not self.images

    @property
    def active_minutes(self) -> int:
        return minutes_with_input(self.activity)

    @property
    def from_idle_time(self) -> bool:
        return self.activity_source == ActivitySource.IDLE_TIME

    @property
    def bars(self) -> int:
        return meter_bars(self.active_minutes, self.tracked_minutes)

    @property
    def activity_text(self) -> str:
        text = f"{self.active_minutes} of {self.tracked_minutes} minutes active"
        return f"{text} ({FROM_IDLE_TIME})" if self.from_idle_time else text

    @property
    def marks(self) -> list[Mark]:
        named = {
            Mark("manual", "Manual"): self.manual,
            Mark("redacted", "Redacted"): self.redacted,
            Mark("over-limit", "Over limit"): self.over_limit,
            Mark("no-screenshot", self.no_screenshot_text): self.no_screenshot,
        }
        return [mark for mark, shown in named.items() if shown]

    @property
    def no_screenshot_text(self) -> str:
        """The no-screenshot mark's words, with the app's reason where it sent one (its notes
        mostly begin with "No screenshot: " already, which the mark says once)."""
        reason = self.capture_note.removeprefix(f"{NO_SCREENSHOT}: ")
        return f"{NO_SCREENSHOT}: {reason}" if reason else NO_SCREENSHOT

    @property
    def said(self) -> str:
        """What a screen reader says of the block after its time range (shown only to it)."""
        parts = [spoken(self.seconds)]
        if not self.manual:
            parts.append(self.activity_text)
        parts.append(f"memo: {self.memo}" if self.memo else "no memo")
        return "; ".join(parts + [mark.said for mark in self.marks])

    def minutes(self) -> list[MinuteView]:
        """Every minute of its slot the block touches, with its input (none: zeros, the counts
        absent with activity from idle time)."""
        slot = slot_start(self.start).astimezone(self.start.tzinfo)
        first = int((self.start - slot).total_seconds()) // 60
        counted = {  # only the counts may be None
            minute: cast(tuple[int | None, int | None, int], (keyboard, mouse, active))
            for minute, keyboard, mouse, active in self.activity
        }
        no_input = (None, None, 0) if self.from_idle_time else (0, 0, 0)
        return [
            MinuteView(f"{slot + timedelta(minutes=minute):%H:%M}", *counted.get(minute, no_input))
            for minute in range(first, first + self.tracked_minutes)
        ]


def _block_view(block: Block, zone: ZoneInfo, signer: ImageSigner, editable: bool) -> BlockView:
    shot: Screenshot | None = block.screenshot
    manual = block.source == BlockSource.MANUAL
    return BlockView(
        id=block.id,
        start=block.start.astimezone(zone),
        end=block.end.astimezone(zone),
        memo=block.memo,
        capture_note=block.capture_note,
        manual=manual,
        redacted=shot is not None and shot.redacted,
        over_limit=block.over_limit,
        images=[
            ImageView(
                image.monitor,
                signer.url(image.sha256),
                signer.url(image.thumbnail_sha256),
                image.width,
                image.height,
            )
            for image in (shot.images if shot else [])
        ],
        activity=block.activity,
        activity_source=block.activity_source,
        tracked_minutes=0 if manual else slot_minutes(block.start, block.end),
        editable=editable,
    )


@dataclass(frozen=True)
class DayRow:
    day: date
    seconds: int
    partial: bool  # part of this local date belongs to the previous or next work week

    @property
    def total(self) -> str:
        return hm(self.seconds)


@dataclass
class HourRow:
    hour: datetime  # local
    cells: list[list[BlockView]] = field(default_factory=lambda: [[] for _ in range(SLOTS_AN_HOUR)])


def _by_hour(blocks: Iterable[BlockView]) -> list[HourRow]:
    """The local hours with work, each with its six slots (an empty list: no time there)."""
    rows: dict[tuple[datetime, timedelta | None], HourRow] = {}
    for block in blocks:
        hour = block.start.replace(minute=0, second=0, microsecond=0)
        # With its offset: the hour repeated as summer time ends is two rows.
        row = rows.setdefault((hour, hour.utcoffset()), HourRow(hour))
        row.cells[block.start.minute // 10].append(block)
    return list(rows.values())


def _seconds_by_date(
    session: Session,
    contract: Contract,
    dates: list[date],
    zone: ZoneInfo,
    week: datetime | None = None,
) -> dict[date, int]:
    """The time logged on each of the local ``dates`` (consecutive; those without time left out),
    only of the work ``week`` where one is named, in one query however many blocks there are."""
    bounds = [local_day_bounds(day, zone) for day in dates]
    since, until = bounds[0][0], bounds[-1][1]
    if week is not None:
        since, until = max(since, week), min(until, week + WEEK)
    starts = select(
        case(*((Block.start < end, i) for i, (_, end) in enumerate(bounds))).label("day"),
        SECONDS.label("seconds"),
    ).where(
        Block.contract_id == contract.id,
        Block.start >= since,
        Block.start < until,
        Block.deleted.is_(False),
    )
    # Grouped outside: PostgreSQL cannot tell a grouped CASE from the same CASE selected, each with
    # parameters of its own.
    by_day = starts.subquery()
    rows = session.execute(select(by_day.c.day, func.sum(by_day.c.seconds)).group_by(by_day.c.day))
    return {dates[i]: int(seconds) for i, seconds in rows}  # int(): PostgreSQL sums as numeric


def _editable(terms: ContractTerms, moment: datetime, now: datetime) -> bool:
    return terms.status != ContractStatus.ENDED and now < locked_at(terms, moment)


def _timesheet(
    context: ServiceContext, viewer: Viewer, contract_id: str, chosen: date | None
) -> dict[str, Any]:
    now = context.clock.now()
    zone = viewer_zone(viewer.user)
    day = chosen or now.astimezone(zone).date()
    week = week_of_date(day)
    day_start, day_end = local_day_bounds(day, zone)
    week_dates = [week.astimezone(zone).date() + timedelta(days=i) for i in range(8)]
    week_dates = [d for d in week_dates if local_day_bounds(d, zone)[0] < week + WEEK]
    month = calendar.Calendar().monthdatescalendar(day.year, day.month)
    with context.database.reading() as session:
        contract, role = party_contract(session, viewer.user, contract_id)
        terms = ContractTerms.of(contract)
        this_monday = week_start(now)
        hours = {
            name: hours_by_contract(session, [contract.id], since, until)[contract.id]
            for name, since, until in (
                ("this", this_monday, this_monday + WEEK),
                ("last", this_monday - WEEK, this_monday),
                ("all", contract.started_at, this_monday + WEEK),
            )
        }
        week_hours, week_money = this_week(hours["this"], contract, role)
        blocks = timesheet.contract_blocks(session, contract, day_start, day_end)
        dots = set(_seconds_by_date(session, contract, [d for dates in month for d in dates], zone))
        week_seconds = _seconds_by_date(session, contract, week_dates, zone, week)
        freelancer = viewer.user.id == contract.freelancer_id
        signer = ImageSigner.of(viewer, contract.id, now)
        day_blocks = [
            _block_view(block, zone, signer, freelancer and _editable(terms, block.start, now))
            for block in blocks
        ]
        shown = contract_out(session, contract, role, viewer.user, now)
        transactions = recent_transactions(session, viewer.user, contract, role, now)
    days = []
    for local in week_dates:
        start, end = local_day_bounds(local, zone)
        days.append(DayRow(local, week_seconds.get(local, 0), partial=start < week or end > week + WEEK))
    week_editable = _editable(terms, week, now)
    first = date(day.year, day.month, 1)
    return {
        "contract": shown,
        "hours": {name: hm(found.logged) for name, found in hours.items()},
        "week_hours": week_hours,
        "week_money": week_money,
        "day": day,
        "week_start": week,
        "week": WEEK,
        "days": days,
        "week_total": hm(sum(row.seconds for row in days)),
        "month": month,
        "month_first": first,
        "previous_month": (first - timedelta(days=1)).replace(day=1),
        "next_month": (first + timedelta(days=31)).replace(day=1),
        "dots": dots,
        "hours_of_day": _by_hour(day_blocks),
        "day_total": hm(sum(block.seconds for block in day_blocks)),
        "ended": contract.status == ContractStatus.ENDED,
        "lock": locked_at(terms, week),
        "week_editable": week_editable,
        "adds_time": freelancer and week_editable and not why_no_manual_time(terms),
        "any_editable": any(block.editable for block in day_blocks),
        "max_memo": MAX_MEMO_CHARS,
        "transactions": transactions,
    }


@router.get("/contracts/{contract_id}/timesheet", response_class=HTMLResponse)
async def timesheet_tab(
    request: Request,
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    chosen: Annotated[Day | None, Query(alias="date")] = None,
) -> Response:
    data = await run_in_threadpool(_timesheet, context, viewer, contract_id, chosen)
    return tab_page(request, viewer, "timesheet.html", "timesheet", data)


def _neighbour(session: Session, block: Block, later: bool) -> str | None:
    """The id of the contract's live block right after (or before) this one."""
    if later:
        beyond = or_(Block.start > block.start, and_(Block.start == block.start, Block.id > block.id))
        order: list[UnaryExpression[Any]] = [Block.start.asc(), Block.id.asc()]
    else:
        beyond = or_(Block.start < block.start, and_(Block.start == block.start, Block.id < block.id))
        order = [Block.start.desc(), Block.id.desc()]
    return session.scalar(
        select(Block.id)
        .where(Block.contract_id == block.contract_id, Block.deleted.is_(False), beyond)
        .order_by(*order)
        .limit(1)
    )


def _block_page(context: ServiceContext, viewer: Viewer, contract_id: str, block_id: str) -> dict[str, Any]:
    now = context.clock.now()
    zone = viewer_zone(viewer.user)
    with context.database.reading() as session:
        contract, role = party_contract(session, viewer.user, contract_id)
        block = session.get(
            Block, block_id, options=[selectinload(Block.screenshot).selectinload(Screenshot.images)]
        )
        if block is None or block.contract_id != contract.id or block.deleted:
            raise NotFound(f"There is no block {block_id} among yours.")
        view = _block_view(block, zone, ImageSigner.of(viewer, contract.id, now), editable=False)
        return {
            "contract": contract_out(session, contract, role, viewer.user, now),
            "block": view,
            "previous": _neighbour(session, block, later=False),
            "next": _neighbour(session, block, later=True),
        }


@router.get("/contracts/{contract_id}/blocks/{block_id}", response_class=HTMLResponse)
async def block_page(
    request: Request, contract_id: ContractId, block_id: Id, context: Service, viewer: SignedInViewer
) -> Response:
    data = await run_in_threadpool(_block_page, context, viewer, contract_id, block_id)
    return tab_page(request, viewer, "block.html", "timesheet", data)


# ----- the freelancer's changes

Changes = Callable[[Session, Contract, datetime], list[tuple[str, BlockIn]]]


def _change_time(context: ServiceContext, viewer: Viewer, contract_id: str, changes: Changes) -> None:
    """Store each (id, new state) of ``changes(session, contract, now)`` through the service's rules
    (as PUT /blocks/{id} does) as the viewer, in one unit of work: all of them, or none when a rule
    refuses one. Only the contract's freelancer: 403 for its client, 404 for anyone else."""
    with writing_as(context, viewer) as (session, user):
        contract = timesheet.user_contract(session, user, contract_id, writing=True)
        now = context.clock.now()
        unused: set[str] = set()
        states = changes(session, contract, now)
        writes = timesheet.BlockWrites(session, user, states)
        for block_id, sent in states:
            unused |= writes.put(block_id, sent, now, viewer_zone(user))[1]
    context.remove_blobs(unused)


def _changed(
    session: Session, contract: Contract, block_ids: list[str], now: datetime, **change: Any
) -> list[tuple[str, BlockIn]]:
    """The selected blocks of the contract with ``change`` made, dated now (or right after their
    last change, should the app's clock have dated that a little ahead)."""
    if not block_ids:
        raise BadContent("Select the blocks to change first.")
    query = select(Block).where(Block.id.in_(block_ids), Block.contract_id == contract.id)
    found = {block.id: block for block in session.scalars(query)}
    changed = []
    for block_id in dict.fromkeys(block_ids):
        block = found.get(block_id)
        if block is None:
            raise NotFound(f"There is no block {block_id} among yours.")
        state = {
            "contract_id": block.contract_id,
            "device_id": block.device_id,
            "start": wire_time(block.start),
            "end": wire_time(block.end),
            "activity": block.activity,
            "activity_source": block.activity_source,
            "memo": block.memo,
            "capture_note": block.capture_note,
            "source": block.source,
            "deleted": block.deleted,
            "updated_at": wire_time(max(now, block.updated_at + timedelta(seconds=1))),
        }
        changed.append((block.id, BlockIn.model_validate({**state, **change})))
    return changed


def _back_to_day(contract_id: str, day: date) -> Response:
    return RedirectResponse(f"/contracts/{contract_id}/timesheet?date={day.isoformat()}#day", status_code=303)


@router.post("/contracts/{contract_id}/blocks")
async def change_blocks(
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    day: Annotated[Day, Form()],
    change: Annotated[Literal["memo", "remove"], Form()],
    block: Annotated[list[Id], Form(default_factory=list)],
    memo: Annotated[str, Form(max_length=MAX_MEMO_CHARS)] = "",
) -> Response:
    """The selected blocks' memo edited, or their time removed (the button pressed says which)."""
    fields: dict[str, Any] = {"memo": memo.strip()} if change == "memo" else {"deleted": True}

    def changed(session: Session, contract: Contract, now: datetime) -> list[tuple[str, BlockIn]]:
        return _changed(session, contract, block, now, **fields)

    await run_in_threadpool(_change_time, context, viewer, contract_id, changed)
    return _back_to_day(contract_id, day)


def _local_time(day: date, text: str, zone: ZoneInfo) -> datetime:
    try:
        clock = datetime.strptime(text, "%H:%M").time()
    except ValueError as malformed:
        raise BadContent(f"“{text}” is not a time of day (hh:mm).") from malformed
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


@router.post("/contracts/{contract_id}/time")
async def add_time(
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    time_id: Annotated[Id, Form()],
    day: Annotated[Day, Form()],
    start: Annotated[str, Form(max_length=5)],
    end: Annotated[str, Form(max_length=5)],
    memo: Annotated[str, Form(max_length=MAX_MEMO_CHARS)] = "",
) -> Response:
    """Manual time from ``start`` to ``end`` on ``day`` (the viewer's zone; an end at 00:00 is the
    day's end), one block a slot as the app adds it, each with an id made from the form's: a form
    sent twice adds its time once."""
    zone = viewer_zone(viewer.user)
    begins = _local_time(day, start, zone)
    ends = _local_time(day + timedelta(days=1) if end == "00:00" else day, end, zone)

    def added(session: Session, contract: Contract, now: datetime) -> list[tuple[str, BlockIn]]:
        try:
            check_manual_time(ContractTerms.of(contract), begins, ends, now, (), zone)
        except RuleViolation as violation:
            raise Conflict(str(violation)) from violation
        slots = []
        slot = begins
        while slot < ends:
            sent = BlockIn.model_validate(
                {
                    "contract_id": contract.id,
                    "device_id": WEB_DEVICE,
                    "start": wire_time(slot),
                    "end": wire_time(slot + SLOT),
                    "memo": memo.strip(),
                    "source": BlockSource.MANUAL,
                    "updated_at": wire_time(now),
                }
            )
            slots.append((str(uuid.uuid5(uuid.UUID(time_id), slot.isoformat())), sent))
            slot += SLOT
        return slots

    await run_in_threadpool(_change_time, context, viewer, contract_id, added)
    return _back_to_day(contract_id, day)
