"""The Work Diary over the local database: what it shows, and the edits the rules allow.

Shared by the app's Work Diary and the command line. Reads are plain SQL rows (a week of 1,008
blocks loads in a few milliseconds) and each total is one aggregate query; edits go through
``common.rules``.

The block being tracked is in the database as of its last save (every few seconds). A ``Diary``
told where it has got since (``Diary.running``: the engine's own block in the app, the database's
open block carried to now in another process) counts it that far in every read and total.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Exists,
    Integer,
    Row,
    Select,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from common.errors import NotFound, RuleViolation
from common.rules import ContractTerms, check_editable, check_manual_time, check_memo
from common.states import ActivitySource, BlockSource, ContractKind, SyncState
from common.timeutil import (
    SLOT,
    WEEK,
    from_epoch,
    local_day_bounds,
    local_zone,
    slot_minutes,
    slot_start,
    to_epoch,
    week_of_date,
    week_start,
)
from tracker.logged import LIVE, Running, logged_seconds
from tracker.storage import Database
from tracker.tables import (
    ContractRow,
    ImageRow,
    Minute,
    activity_columns,
    blocks,
    contracts,
    screenshot_images,
    screenshots,
    settings,
    unpack_activity,
)


class BlockView(NamedTuple):
    """A block as the Work Diary shows it. A week holds up to 1,008 of them, so it is a plain
    tuple of stored values; times and the per-minute activity are decoded when asked for."""

    id: str
    contract_id: str
    start_epoch: int
    end_epoch: int
    memo: str
    source: BlockSource
    over_limit: bool
    capture_note: str
    active_minutes: int  # minutes with keyboard or mouse input
    active_seconds: int
    packed_activity: bytes
    activity_source: ActivitySource
    is_open: bool  # being tracked right now: not editable until it closes
    screenshot_id: str | None = None
    redacted: bool = False

    @property
    def start(self) -> datetime:
        return from_epoch(self.start_epoch)

    @property
    def end(self) -> datetime:
        return from_epoch(self.end_epoch)

    @property
    def seconds(self) -> int:
        return self.end_epoch - self.start_epoch

    @property
    def activity(self) -> list[Minute]:
        """Per minute with input: [minute of the slot, keyboard events, mouse events, active s]
        (the counts None for activity from idle time)."""
        return unpack_activity(self.packed_activity)

    @property
    def minutes_tracked(self) -> int:
        """The minutes of the slot this block touches (the meter's denominator)."""
        return slot_minutes(self.start, self.end)

    @property
    def active_share(self) -> float:
        """The share of the block's seconds that saw input."""
        return self.active_seconds / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class DayTotal:
    day: date
    seconds: int
    partial: bool  # part of this local date belongs to the previous or next work week


@dataclass(frozen=True)
class Totals:
    this_week: int
    last_week: int
    since_start: int
    billable_this_week: int  # this week's time not over the weekly limit
    hourly_rate_cents: int | None  # None for agency members: their agency pays them
    currency: str

    @property
    def week_earnings(self) -> Decimal | None:
        if self.hourly_rate_cents is None:
            return None
        return (Decimal(self.hourly_rate_cents) * self.billable_this_week / 360000).quantize(Decimal("0.01"))

    def grown(self, seconds: int, billable: bool) -> Totals:
        """These totals after ``seconds`` more of this week's time (the running block going on)."""
        return replace(
            self,
            this_week=self.this_week + seconds,
            since_start=self.since_start + seconds,
            billable_this_week=self.billable_this_week + (seconds if billable else 0),
        )


@dataclass(frozen=True)
class DayAndWeek:
    """Today's (the user's local date) and this work week's time, on one contract and on all."""

    today: int
    week: int
    contract_today: int
    contract_week: int

    def grown(self, seconds: int, on_contract: bool, today: bool) -> DayAndWeek:
        """These totals after ``seconds`` more of the running block they count already (its start
        was on the local date they call today, or not)."""
        day = seconds if today else 0
        return DayAndWeek(
            self.today + day,
            self.week + seconds,
            self.contract_today + (day if on_contract else 0),
            self.contract_week + (seconds if on_contract else 0),
        )


@cache
def _block_queries(by_contract: bool) -> tuple[str, str]:
    """The Work Diary's hot reads as SQL, built once: a range of blocks, and their screenshots.

    A screenshot is taken inside its block, so a range query on the screenshots' own covering
    index finds them, much cheaper than a join on the blocks' UUIDs. They run on the driver's
    cursor with epoch parameters: SQLAlchemy's row objects would cost about a third of a week's
    read (1,008 blocks), and ``blocks_between`` makes the values its types would.
    """
    block_query = (
        select(
            blocks.c.id,
            blocks.c.contract_id,
            blocks.c.start,
            blocks.c.end,
            blocks.c.memo,
            blocks.c.source,
            blocks.c.over_limit,
            blocks.c.capture_note,
            blocks.c.active_minutes,
            blocks.c.active_seconds,
            blocks.c.activity,
            blocks.c.activity_source,
            blocks.c.is_open,
        )
        .where(blocks.c.start >= bindparam("start"), blocks.c.start < bindparam("end"), LIVE)
        .order_by(blocks.c.start)
    )
    if by_contract:
        block_query = block_query.where(blocks.c.contract_id == bindparam("contract_id"))
    screenshot_query = select(screenshots.c.block_id, screenshots.c.id, screenshots.c.redacted).where(
        screenshots.c.taken_at >= bindparam("start"),
        screenshots.c.taken_at <= bindparam("shots_end"),
        screenshots.c.deleted.is_(False),
    )
    dialect = SQLiteDialect_pysqlite(paramstyle="named")
    return str(block_query.compile(dialect=dialect)), str(screenshot_query.compile(dialect=dialect))


# A value they do not know raises.
_SOURCES = {source.value: source for source in BlockSource}
_ACTIVITY_SOURCES = {source.value: source for source in ActivitySource}
_NO_SCREENSHOT = (None, False)


@cache
def _logged_days_query(days: int, by_contract: bool) -> Select:
    """Whether each of ``days`` local dates (from ``start{i}`` to ``end{i}``) has time: an index
    lookup a date that stops at its first block. Built once for each length of month."""

    def logged(i: int) -> Exists:
        query = select(blocks.c.id).where(
            blocks.c.start >= bindparam(f"start{i}"), blocks.c.start < bindparam(f"end{i}"), LIVE
        )
        if by_contract:
            query = query.where(blocks.c.contract_id == bindparam("contract_id"))
        return exists(query)

    return select(*(logged(i) for i in range(days)))


def _seconds(running: Running | None) -> ColumnElement[int]:
    """A block's seconds in SQL, the running block's as far as it has got."""
    saved = type_coerce(blocks.c.end, Integer) - type_coerce(blocks.c.start, Integer)
    if running is None:
        return saved
    so_far = to_epoch(running.end) - type_coerce(blocks.c.start, Integer)
    return case((blocks.c.id == running.id, so_far), else_=saved)


class Diary:
    def __init__(self, database: Database, zone: tzinfo | None = None) -> None:
        self.db = database
        self.zone = zone or local_zone()
        # The block being tracked, as far as it has got: every read and total counts it that far.
        self.running: Running | None = None

    # ----- contracts

    def add_contract(
        self,
        title: str,
        *,
        now: datetime,
        client_name: str = "",
        hourly_rate: Decimal = Decimal(0),
        currency: str = "USD",
        weekly_limit_hours: float | None = None,
        manual_time_allowed: bool = True,
        kind: ContractKind = ContractKind.HOURLY,
        grace_hours: int = 12,
        agency_member: bool = False,
    ) -> ContractRow:
        """A local contract, for personal or offline work."""
        if not title.strip():
            raise RuleViolation("A contract needs a title.")
        if hourly_rate < 0 or (weekly_limit_hours is not None and weekly_limit_hours <= 0):
            raise RuleViolation("The rate cannot be negative and a weekly limit must be above zero.")
        contract_id = f"local-{uuid.uuid4().hex[:12]}"
        made = insert(contracts).values(
            id=contract_id,
            title=title.strip(),
            client_name=client_name,
            kind=kind,
            hourly_rate_cents=int(hourly_rate * 100),
            currency=currency.upper(),
            weekly_limit_minutes=None if weekly_limit_hours is None else round(weekly_limit_hours * 60),
            manual_time_allowed=manual_time_allowed,
            grace_hours=grace_hours,
            agency_member=agency_member,
            started_at=now,
        )
        with self.db.transaction() as connection:
            connection.execute(made)
            return _contract(connection, contract_id)

    def contracts(self) -> list[ContractRow]:
        with self.db.transaction() as connection:
            return list(connection.execute(select(contracts).order_by(contracts.c.title)))

    def contract(self, contract_id: str) -> ContractRow:
        with self.db.transaction() as connection:
            return _contract(connection, contract_id)

    # ----- reads

    def contracts_being_tracked(self) -> set[str]:
        """Contracts with an open block: a tracker is running (or was killed and not restarted)."""
        with self.db.engine.connect() as connection:
            return set(connection.scalars(select(blocks.c.contract_id).where(blocks.c.is_open.is_(True))))

    def open_block_carried_to(self, now: datetime, saved_within: timedelta) -> Running | None:
        """For a process other than the tracker's: the open block of this device that was saved
        within ``saved_within`` of ``now`` (its tracker is alive: it saves every few seconds),
        carried to ``now`` (at most its slot's end). An open block saved longer ago was left by a
        tracker that stopped without closing it: it counts as far as it was saved. It only reads:
        ``status`` must not write into a database it may find damaged."""
        this_device = select(settings.c.value).where(settings.c.key == "device_id").scalar_subquery()
        query = (
            select(blocks.c.id, blocks.c.contract_id, blocks.c.start, blocks.c.end, blocks.c.over_limit)
            .where(blocks.c.is_open.is_(True), blocks.c.device_id == this_device, LIVE)
            .order_by(blocks.c.end.desc())
            .limit(1)
        )
        with self.db.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or now - row.end > saved_within or now < row.end:
            return None
        end = min(now, slot_start(row.start) + SLOT)
        return Running(row.id, row.contract_id, row.start, end, row.over_limit)

    def blocks_between(
        self, start: datetime, end: datetime, contract_id: str | None = None
    ) -> list[BlockView]:
        """Live blocks starting in [start, end), in time order, with their screenshots."""
        block_query, screenshot_query = _block_queries(contract_id is not None)
        parameters = {
            "start": to_epoch(start),
            "end": to_epoch(end),
            "shots_end": to_epoch(end + SLOT),
            "contract_id": contract_id,
        }
        make_view = partial(tuple.__new__, BlockView)  # the tuple as it is, without NamedTuple's call
        with self.db.driver_cursor() as cursor:
            shot_of = {
                block_id: (shot_id, redacted == 1)
                for block_id, shot_id, redacted in cursor.execute(screenshot_query, parameters)
            }
            views = [
                make_view(
                    (
                        block_id,
                        contract,
                        begins,
                        ends,
                        memo,
                        _SOURCES[source],
                        over_limit == 1,
                        note,
                        active_minutes,
                        active_seconds,
                        activity,
                        _ACTIVITY_SOURCES[activity_source],
                        is_open == 1,
                        *shot_of.get(block_id, _NO_SCREENSHOT),
                    )
                )
                for (
                    block_id,
                    contract,
                    begins,
                    ends,
                    memo,
                    source,
                    over_limit,
                    note,
                    active_minutes,
                    active_seconds,
                    activity,
                    activity_source,
                    is_open,
                ) in cursor.execute(block_query, parameters)
            ]
        running = self.running
        if running is None or not start <= running.start < end:
            return views
        return [running.applied_to(view) for view in views]

    def week_blocks(self, day: date, contract_id: str | None = None) -> list[BlockView]:
        week = week_of_date(day)
        return self.blocks_between(week, week + WEEK, contract_id)

    def day_blocks(self, day: date, contract_id: str | None = None) -> list[BlockView]:
        """The blocks of a local calendar date, whichever work week they belong to."""
        return self.blocks_between(*local_day_bounds(day, self.zone), contract_id)

    def week_dates(self, day: date) -> list[date]:
        """The local dates that meet the work week holding ``day`` (UTC Monday to Sunday): 7, or
        8 where the zone is not UTC. Computed, not read."""
        week = week_of_date(day)
        first = week.astimezone(self.zone).date()
        last = (week + WEEK - timedelta(seconds=1)).astimezone(self.zone).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def week_days(self, day: date, contract_id: str | None = None) -> list[DayTotal]:
        """A row per local date that meets the work week holding ``day`` (``week_dates``), with
        the time of that week logged on it."""
        week = week_of_date(day)
        days = self.week_dates(day)
        bounds = [local_day_bounds(local, self.zone) for local in days]
        day_index = case(
            *((blocks.c.start < end, i) for i, (_, end) in enumerate(bounds[:-1])), else_=len(days) - 1
        )
        query = (
            select(day_index, func.sum(_seconds(self.running)))
            .where(blocks.c.start >= week, blocks.c.start < week + WEEK, LIVE)
            .group_by(day_index)
        )
        if contract_id is not None:
            query = query.where(blocks.c.contract_id == contract_id)
        with self.db.engine.connect() as connection:
            totals: dict[int, int] = dict(connection.execute(query).all())
        return [
            DayTotal(local, totals.get(i, 0), partial=start < week or end > week + WEEK)
            for i, (local, (start, end)) in enumerate(zip(days, bounds, strict=True))
        ]

    def month_days(self, year: int, month: int, contract_id: str | None = None) -> set[date]:
        """The local dates of a month with logged time: the calendar's blue dots."""
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        days = [first + timedelta(days=i) for i in range((following - first).days)]
        parameters: dict[str, object] = {"contract_id": contract_id}
        for i, day in enumerate(days):
            parameters[f"start{i}"], parameters[f"end{i}"] = local_day_bounds(day, self.zone)
        query = _logged_days_query(len(days), contract_id is not None)
        with self.db.engine.connect() as connection:
            found = connection.execute(query, parameters).one()
        return {day for day, logged in zip(days, found, strict=True) if logged}

    def totals(self, contract_id: str, now: datetime) -> Totals:
        contract = self.contract(contract_id)  # NotFound for an unknown contract
        seconds = self._seconds_by_contract(now, contract_id, self.running)
        return self._totals(contract, *seconds.get(contract_id, (0,) * 4))

    def totals_by_contract(self, now: datetime, contract_id: str | None = None) -> dict[str, Totals]:
        """This week's, last week's and all-time totals of every contract with time (or one)."""
        return self.totals_and_running(now, contract_id)[0]

    def totals_and_running(
        self, now: datetime, contract_id: str | None = None
    ) -> tuple[dict[str, Totals], Running | None]:
        """``totals_by_contract``, and the running block as far as they count it: a view that
        counts it on from there (``Totals.grown``) needs that, and ``running`` moves on meanwhile."""
        running = self.running
        seconds = self._seconds_by_contract(now, contract_id, running)
        by_id = {contract.id: contract for contract in self.contracts()}
        return {key: self._totals(by_id[key], *values) for key, values in seconds.items()}, running

    def _seconds_by_contract(
        self, now: datetime, contract_id: str | None, running: Running | None
    ) -> dict[str, list[int]]:
        """Each contract's [this week, last week, all time, billable this week] in seconds, from one
        query: the time of these two weeks (the running block's too) from their range of rows, the
        rest of all time from the contract index alone (it reads no row of the table)."""
        week = week_start(now)
        saved, seconds = _seconds(None), _seconds(running)
        this_week = blocks.c.start >= week

        def total(condition):
            return func.sum(case((condition, seconds), else_=0))

        recent = select(
            blocks.c.contract_id,
            total(this_week),
            total(~this_week),
            func.sum(seconds),
            total(this_week & blocks.c.over_limit.is_(False)),
        ).where(blocks.c.start >= week - WEEK, blocks.c.start < week + WEEK)  # bounded: read by start
        rest = select(blocks.c.contract_id, literal(0), literal(0), func.sum(saved), literal(0)).where(
            or_(blocks.c.start < week - WEEK, blocks.c.start >= week + WEEK)
        )
        parts = [part.where(LIVE).group_by(blocks.c.contract_id) for part in (recent, rest)]
        if contract_id is not None:
            parts = [part.where(blocks.c.contract_id == contract_id) for part in parts]
        totals: dict[str, list[int]] = {}
        with self.db.engine.connect() as connection:
            for key, *values in connection.execute(union_all(*parts)):
                totals[key] = [a + b for a, b in zip(totals.get(key, (0,) * 4), values, strict=True)]
        return totals

    @staticmethod
    def _totals(
        contract: ContractRow, this_week: int, last_week: int, since_start: int, billable: int
    ) -> Totals:
        rate = None if contract.agency_member else contract.hourly_rate_cents
        return Totals(this_week, last_week, since_start, billable, rate, contract.currency)

    def day_and_week(self, now: datetime, contract_id: str | None) -> DayAndWeek:
        """Today's and this work week's time, on ``contract_id`` and on all contracts, in one
        aggregate over an index range (about a millisecond on a full week)."""
        week = week_start(now)
        day_start, day_end = local_day_bounds(now.astimezone(self.zone).date(), self.zone)
        seconds = _seconds(self.running)
        today = (blocks.c.start >= day_start) & (blocks.c.start < day_end)
        this_week = (blocks.c.start >= week) & (blocks.c.start < week + WEEK)
        mine = blocks.c.contract_id == contract_id

        def total(condition):
            return func.coalesce(func.sum(case((condition, seconds), else_=0)), 0)

        query = select(total(today), total(this_week), total(today & mine), total(this_week & mine)).where(
            blocks.c.start >= min(week, day_start), blocks.c.start < max(week + WEEK, day_end), LIVE
        )
        with self.db.engine.connect() as connection:
            return DayAndWeek(*(int(value) for value in connection.execute(query).one()))

    # ----- edits

    def add_manual_time(
        self, contract_id: str, start: datetime, end: datetime, memo: str, now: datetime, device_id: str
    ) -> list[str]:
        """Add manual time [start, end) as one block per slot; returns the new block ids. Slots past
        the weekly limit are marked over the limit (not billed)."""
        check_memo(memo)
        with self.db.transaction() as connection:
            contract = _contract(connection, contract_id)
            existing = connection.execute(
                select(blocks.c.start, blocks.c.end, contracts.c.title)
                .join(contracts)
                .where(LIVE, blocks.c.start < end, blocks.c.end > start)
            ).all()
            check_manual_time(ContractTerms.of(contract), start, end, now, existing, self.zone)
            limit = None if contract.weekly_limit_minutes is None else contract.weekly_limit_minutes * 60
            billable: dict[datetime, int] = {}
            new_blocks: list[dict[str, Any]] = []
            slot = start
            while slot < end:
                week = week_start(slot)
                if week not in billable:
                    billable[week] = logged_seconds(
                        self.db, contract_id, week, week + WEEK, billable_only=True
                    )
                over_limit = limit is not None and billable[week] + SLOT.total_seconds() > limit
                billable[week] += 0 if over_limit else int(SLOT.total_seconds())
                new_blocks.append(
                    {
                        "id": str(uuid.uuid4()),
                        "contract_id": contract_id,
                        "device_id": device_id,
                        "start": slot,
                        "end": slot + SLOT,
                        **activity_columns([]),
                        "memo": memo,
                        "source": BlockSource.MANUAL,
                        "over_limit": over_limit,
                        "sync_state": SyncState.PENDING,
                        "updated_at": now,
                    }
                )
                slot += SLOT
            if new_blocks:
                connection.execute(insert(blocks), new_blocks)
        return [block["id"] for block in new_blocks]

    def remove_time(self, block_ids: Iterable[str], now: datetime) -> None:
        """Remove blocks (and their screenshots). They stay as tombstones for the sync."""
        with self.db.transaction() as connection:
            removed = [
                self._remove(connection, block, now)
                for block in self._editable_blocks(connection, block_ids, now)
            ]
        self.db.remove_screenshot_files(image for images in removed for image in images)

    def edit_memo(self, block_ids: Iterable[str], memo: str, now: datetime) -> None:
        check_memo(memo)
        with self.db.transaction() as connection:
            edited = [block.id for block in self._editable_blocks(connection, block_ids, now)]
            connection.execute(
                update(blocks)
                .where(blocks.c.id.in_(edited))
                .values(memo=memo, updated_at=now, sync_state=SyncState.PENDING)
            )

    def delete_screenshot(self, screenshot_id: str, now: datetime) -> None:
        """Delete a screenshot; its block's time goes with it, as clients expect."""
        with self.db.transaction() as connection:
            shot = _screenshot(connection, screenshot_id)
            (block,) = self._editable_blocks(connection, [shot.block_id], now)
            removed = self._remove(connection, block, now)
        self.db.remove_screenshot_files(removed)

    def redact_screenshot(
        self, screenshot_id: str, now: datetime, monitor: int | None = None, region=None
    ) -> None:
        """Blur a screenshot irreversibly, all of it or ``region`` (x, y, w, h) of one monitor's
        image; the block keeps its time and is marked redacted."""
        from tracker.capture import imaging  # Qt's image codecs, loaded only when needed

        with self.db.transaction() as connection:
            shot = _screenshot(connection, screenshot_id)
            (block,) = self._editable_blocks(connection, [shot.block_id], now, open_allowed=True)
            for image in images_of(connection, screenshot_id):
                if monitor is None or image.monitor == monitor:
                    sha256, size_bytes = imaging.redact(
                        self.db.data_dir / image.path,
                        self.db.data_dir / image.thumbnail_path,
                        region if monitor is not None else None,
                    )
                    connection.execute(
                        update(screenshot_images)
                        .where(screenshot_images.c.id == image.id)
                        .values(sha256=sha256, size_bytes=size_bytes)
                    )
            connection.execute(
                update(screenshots)
                .where(screenshots.c.id == screenshot_id)
                .values(redacted=True, sync_state=SyncState.PENDING)
            )
            connection.execute(
                update(blocks)
                .where(blocks.c.id == block.id)
                .values(updated_at=now, sync_state=SyncState.PENDING)
            )

    def thumbnail_paths(self, screenshot_ids: list[str]) -> dict[str, Path]:
        """The thumbnail file of each screenshot (its first monitor's), in one query."""
        query = (
            select(screenshot_images.c.screenshot_id, screenshot_images.c.thumbnail_path)
            .where(screenshot_images.c.screenshot_id.in_(screenshot_ids))
            .order_by(screenshot_images.c.screenshot_id, screenshot_images.c.monitor)
        )
        paths: dict[str, Path] = {}
        with self.db.engine.connect() as connection:
            for screenshot_id, relative in connection.execute(query):
                paths.setdefault(screenshot_id, self.db.data_dir / relative)
        return paths

    def block_of_screenshot(self, screenshot_id: str) -> str:
        with self.db.transaction() as connection:
            return _screenshot(connection, screenshot_id).block_id

    def screenshot_images(self, screenshot_id: str) -> list[ImageRow]:
        with self.db.transaction() as connection:
            _screenshot(connection, screenshot_id)
            return images_of(connection, screenshot_id)

    # ----- internals

    def _editable_blocks(
        self, connection: Connection, block_ids: Iterable[str], now: datetime, open_allowed: bool = False
    ) -> list[Row[Any]]:
        """The blocks, all checked against the editable window before any is changed. A block
        being tracked is refused unless ``open_allowed`` (redaction rewrites only image files,
        which the engine never touches)."""
        editable = []
        for block_id in block_ids:
            block = connection.execute(select(blocks).where(blocks.c.id == block_id)).first()
            if block is None or block.deleted:
                raise NotFound(f"There is no time block {block_id!r}.")
            if block.is_open and not open_allowed:
                raise RuleViolation("This block is being tracked right now: stop tracking to change it.")
            terms = ContractTerms.of(_contract(connection, block.contract_id))
            check_editable(terms, block.start, now, self.zone)
            editable.append(block)
        return editable

    @staticmethod
    def _remove(connection: Connection, block: Row[Any], now: datetime) -> list[tuple[str, str]]:
        """Mark the block and its screenshot removed; returns the screenshot's files, to be
        removed once this is committed."""
        connection.execute(
            update(blocks)
            .where(blocks.c.id == block.id)
            .values(deleted=True, updated_at=now, sync_state=SyncState.PENDING)
        )
        live_shot = select(screenshots.c.id).where(
            screenshots.c.block_id == block.id, screenshots.c.deleted.is_(False)
        )
        shot = connection.execute(live_shot).first()
        if shot is None:
            return []
        connection.execute(
            update(screenshots)
            .where(screenshots.c.id == shot.id)
            .values(deleted=True, sync_state=SyncState.PENDING)
        )
        return [(image.path, image.thumbnail_path) for image in images_of(connection, shot.id)]


def _contract(connection: Connection, contract_id: str) -> ContractRow:
    contract = connection.execute(select(contracts).where(contracts.c.id == contract_id)).first()
    if contract is None:
        raise NotFound(f"There is no contract {contract_id!r}.")
    return contract


def _screenshot(connection: Connection, screenshot_id: str) -> Row[Any]:
    shot = connection.execute(select(screenshots).where(screenshots.c.id == screenshot_id)).first()
    if shot is None or shot.deleted:
        raise NotFound(f"There is no screenshot {screenshot_id!r}.")
    return shot


def images_of(connection: Connection, screenshot_id: str) -> list[ImageRow]:
    """A screenshot's image of each monitor, in the monitors' order."""
    query = (
        select(screenshot_images)
        .where(screenshot_images.c.screenshot_id == screenshot_id)
        .order_by(screenshot_images.c.monitor)
    )
    return list(connection.execute(query))
