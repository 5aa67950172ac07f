"""The tracking engine: turns ticks of a clock and input counts (or the compositor's idle time) into
time blocks.

Driven by ``tick()`` once a second (a Qt timer in the app, a loop in the command line; while no
input comes the loop may tick less often, up to ``next_due``, and wakes on input), with
everything it depends on passed in: the clock, the random source, the input source, the screen
capturer and the database. It never sleeps and never reads the system clock itself, so tests run a
whole simulated day in milliseconds.

Tracking time is counted up to ``_position``, the instant the open block ends at. A block never
crosses a slot boundary; the weekly limit may split a block inside a slot.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, cast

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from common.errors import EnvironmentProblem, NotFound, RuleViolation, StorageProblem
from common.rules import ContractTerms, check_memo, is_trackable, why_not_trackable
from common.states import ActivitySource, BlockSource, IdleDecision, StopReason, SyncState
from common.timetext import duration_text, local_text
from common.timeutil import SLOT, WEEK, Clock, slot_minutes, slot_start, week_start
from tracker.capture import ActivityInput, IdleTimeSource, InputSource, ScreenCapturer
from tracker.logged import LIVE, Running, logged_seconds
from tracker.storage import Database
from tracker.tables import (
    ActivitySummary,
    Minute,
    activity_columns,
    blocks,
    contracts,
    screenshot_images,
    screenshots,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackerConfig:
    idle_threshold: timedelta = timedelta(minutes=10)
    # How long the idle question waits for an answer before it discards the idle time and stops.
    idle_answer_timeout: timedelta = timedelta(minutes=10)
    # The open block is written at least this often: a hard kill loses no more than this.
    save_interval: timedelta = timedelta(seconds=5)
    limit_warning: timedelta = timedelta(minutes=30)
    keep_tracking_over_limit: bool = False
    # A disagreement between the wall clock and the monotonic clock above this means the machine
    # slept or the clock was changed.
    clock_tolerance: timedelta = timedelta(seconds=5)


# Events the engine reports to whoever drives it (the app turns them into Qt signals).
@dataclass(frozen=True)
class TrackingStarted:
    contract_id: str
    at: datetime


@dataclass(frozen=True)
class TrackingStopped:
    contract_id: str
    at: datetime
    reason: StopReason


@dataclass(frozen=True)
class IdleStarted:
    since: datetime


@dataclass(frozen=True)
class IdleQuestion:
    """Input came back after idle time: ask whether to keep it, discard it, or discard and stop."""

    since: datetime
    returned_at: datetime


@dataclass(frozen=True)
class IdleResolved:
    decision: IdleDecision
    since: datetime
    until: datetime


@dataclass(frozen=True)
class ClockJump:
    """The machine slept or its clock was changed: nothing between ``since`` and ``until``
    was counted."""

    since: datetime
    until: datetime


@dataclass(frozen=True)
class LimitWarning:
    remaining: timedelta


@dataclass(frozen=True)
class LimitReached:
    at: datetime
    tracking_goes_on: bool  # marked over the limit (the contract's setting), or tracking stops


@dataclass(frozen=True)
class BlockClosed:
    """A tracked block ended (its slot is over, tracking stopped, or it was cut): it is final
    for the sync to send, and views re-read."""

    block_id: str


@dataclass(frozen=True)
class ScreenshotTaken:
    screenshot_id: str
    block_id: str
    note: str


@dataclass(frozen=True)
class CaptureFailed:
    message: str


@dataclass(frozen=True)
class ScreenshotSkipped:
    """No screenshot this slot: an app on the private-apps list was on screen."""

    block_id: str
    private_app: str


@dataclass(frozen=True)
class StorageFailed:
    """Saving failed (a full disk…): the time goes on being counted in memory and saved again."""

    message: str


@dataclass(frozen=True)
class StorageRecovered:
    """Saving works again: everything kept in memory since StorageFailed is saved."""


@dataclass(frozen=True)
class LostTime:
    contract_id: str
    start: datetime
    end: datetime


EXIT_TIME_LOST = 3  # the exit code of a process (the app, the command line) that lost tracked time


@dataclass(frozen=True)
class TimeLost:
    """The tracker closed with tracked time it could not save, even on a last try (``close``)."""

    spans: tuple[LostTime, ...]
    message: str  # why it could not be saved

    def text(self, zone: tzinfo | None = None) -> str:
        """'0:00:42 of tracked time could not be saved and is lost (Mon 23 Nov 09:00:05–09:00:47): …'"""
        seconds = sum(int((span.end - span.start).total_seconds()) for span in self.spans)
        times = ", ".join(
            f"{local_text(span.start, zone)}:{span.start.astimezone(zone):%S}–"
            f"{span.end.astimezone(zone):%H:%M:%S}"
            for span in self.spans
        )
        return (
            f"{duration_text(seconds)} of tracked time could not be saved and is lost ({times}): "
            f"{self.message} The time saved before is kept."
        )


# Built once: the open block is saved every few seconds all day long.
_UPSERT_BLOCK = sqlite_insert(blocks).on_conflict_do_update(
    index_elements=["id"],
    set_={
        name: sqlite_insert(blocks).excluded[name]
        for name in (
            "end",
            "activity",
            "active_minutes",
            "active_seconds",
            "memo",
            "is_open",
            "over_limit",
            "capture_note",
            "updated_at",
        )
    },
)


@dataclass(frozen=True)
class LiveBlock:
    id: str
    start: datetime
    end: datetime
    active_minutes: int
    minutes_tracked: int
    activity_source: ActivitySource


@dataclass
class _OpenBlock:
    id: str
    contract_id: str
    memo: str
    slot: datetime
    start: datetime
    end: datetime
    over_limit: bool
    activity_source: ActivitySource
    minutes: dict[int, list[int]] = field(default_factory=dict)  # minute → [keys, mouse, active s]
    capture_note: str = ""
    saved_end: datetime | None = None  # where the database has it end; None: not written yet

    def activity(self) -> list[Minute]:
        if self.activity_source == ActivitySource.IDLE_TIME:  # nothing was counted: absent, not 0
            return [[minute, None, None, seconds] for minute, (*_, seconds) in sorted(self.minutes.items())]
        return [[minute, *counts] for minute, counts in sorted(self.minutes.items())]


@dataclass
class _Session:
    contract_id: str
    screenshots_enabled: bool  # the contract's terms
    limit_seconds: float | None
    memo: str
    started_at: datetime
    week: datetime
    week_seconds: float  # billable time on this contract in ``week`` (not over the limit)
    over_limit: bool
    warned: bool = False


@dataclass
class _Idle:
    since: datetime
    returned_at: datetime | None = None


def trackable_contracts(database: Database) -> list[str]:
    """The ids of the contracts that time can be tracked on."""
    with database.transaction() as connection:
        rows = connection.execute(select(contracts).order_by(contracts.c.title))
        return [contract.id for contract in rows if is_trackable(contract)]


class Tracker:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        input_source: ActivityInput | None = None,  # None: activity unknown, so no idle detection
        capturer: ScreenCapturer | None = None,
        screen_locked: Callable[[], bool] | None = None,  # None: as the idle-time source says, if any
        rng: random.Random | None = None,
        config: TrackerConfig | None = None,
        on_event: Callable[[object], None] = lambda event: None,
    ) -> None:
        self.db = database
        self.clock = clock
        self.input = input_source
        # decided once: a check against a runtime Protocol walks its members on every call
        self._idle_time = input_source if isinstance(input_source, IdleTimeSource) else None
        self.activity_source = ActivitySource.IDLE_TIME if self._idle_time else ActivitySource.INPUT_COUNTS
        self.capturer = capturer
        if screen_locked is None and self._idle_time:
            screen_locked = self._idle_time.screen_locked
        self.screen_locked = screen_locked or (lambda: False)
        self.rng = rng or random.Random()
        self.config = config or TrackerConfig()
        self.on_event = on_event
        self.device_id = database.device_id()
        self._session: _Session | None = None
        self._block: _OpenBlock | None = None
        self._position: datetime | None = None  # tracked up to here; None while not counting
        self._resume_at: datetime | None = None  # after the clock went back: count from here
        self._idle: _Idle | None = None
        self._saved_at: datetime | None = None
        self._shot_slot: datetime | None = None
        self._shot_at: datetime | None = None
        self._counts = (0, 0)
        self._had_input = False  # at the last tick
        self._storage_failure: str | None = None  # what the last failed save said, until all is saved
        self._unsaved: list[_OpenBlock] = []
        self._last_input: datetime | None = None
        self._last_wall = clock.now()
        self._last_mono = clock.monotonic()
        self.recovered = self._recover()

    # ----- state the app shows

    @property
    def tracking(self) -> bool:
        return self._session is not None

    @property
    def contract_id(self) -> str | None:
        return self._session.contract_id if self._session else None

    @property
    def memo(self) -> str:
        return self._session.memo if self._session else ""

    @property
    def idle_since(self) -> datetime | None:
        return self._idle.since if self._idle else None

    @property
    def session_started(self) -> datetime | None:
        return self._session.started_at if self._session else None

    @property
    def live_block(self) -> LiveBlock | None:
        """The block being tracked, for the live activity meter."""
        block = self._block
        if block is None:
            return None
        active = ActivitySummary.of(block.activity()).active_minutes
        return LiveBlock(
            block.id,
            block.start,
            block.end,
            active,
            slot_minutes(block.start, block.end),
            block.activity_source,
        )

    @property
    def running(self) -> Running | None:
        """The block being tracked as far as it has got, for totals that count it to the second."""
        block = self._block
        if block is None:
            return None
        return Running(block.id, block.contract_id, block.start, block.end, block.over_limit)

    # ----- commands

    def start(self, contract_id: str, memo: str = "") -> None:
        """Start tracking on a contract; if tracking another one, switch to it."""
        check_memo(memo)
        with self.db.transaction() as connection:
            contract = connection.execute(
                select(contracts).where(contracts.c.id == contract_id)
            ).one_or_none()
        if contract is None:
            raise NotFound(f"There is no contract {contract_id!r}.")
        if reason := why_not_trackable(ContractTerms.of(contract)):
            raise RuleViolation(reason)
        now = self.clock.now()
        if self._session:
            self.stop()
        week_seconds = self._billable_seconds(contract.id, week_start(now))
        limit = None if contract.weekly_limit_minutes is None else contract.weekly_limit_minutes * 60.0
        over = limit is not None and week_seconds >= limit
        if limit is not None and over and not self.config.keep_tracking_over_limit:
            raise RuleViolation(
                f"The weekly limit of {limit / 3600:g} h on “{contract.title}” "
                "is reached: tracking resumes next work week."
            )
        self._session = _Session(
            contract.id, contract.screenshots_enabled, limit, memo, now, week_start(now), week_seconds, over
        )
        self._position = now if self._resume_at is None or now >= self._resume_at else None
        self._last_input = now
        self._idle = None
        self._input_since_last_tick()  # input before the start is not this session's
        self._emit(TrackingStarted(contract.id, now))

    def stop(self, reason: StopReason = StopReason.USER) -> None:
        """``reason`` may come as its plain string (through a Qt signal)."""
        if self._session is None:
            return
        now = self.clock.now()
        keys, mouse, had_input = self._input_since_last_tick()
        if self._idle is None and self._position is not None:
            self._advance(now, keys, mouse, had_input)
        self._end_session(now if self._idle is None else self._idle.since, StopReason(reason))

    def cut(self) -> None:
        """Close the open block where tracking is now; tracking goes on in a new block. (Its
        screenshot is being deleted, and its time with it.)"""
        if self._block is not None:
            self._close_block()

    def set_memo(self, memo: str) -> None:
        """The memo stamped on the blocks tracked from now on, the open one included."""
        check_memo(memo)
        if self._session is None:
            return
        self._session.memo = memo
        if self._block:
            self._block.memo = memo
            self._save_block(self._block, is_open=True)

    def resolve_idle(self, decision: IdleDecision) -> None:
        """The user's answer to the idle question (or the engine's own, when unanswered); it may
        come as its plain string (through a Qt signal)."""
        decision = IdleDecision(decision)
        if self._idle is None or self._session is None:
            return
        now = self.clock.now()
        idle = self._idle
        self._idle = None
        self._emit(IdleResolved(decision, idle.since, now))
        if decision == IdleDecision.DISCARD_AND_STOP:
            self._end_session(idle.since, StopReason.IDLE)
            return
        if decision == IdleDecision.KEEP:
            self._position = idle.since
        else:
            self._position = idle.returned_at or now
        self._last_input = now
        self._advance(now, 0, 0, False, capture=False)

    # ----- the clock

    def tick(self, read_input: bool = True) -> None:
        """Count the time since the last tick and the input that came in it. A caller woken by the
        first input after a quiet while ticks at once with ``read_input=False`` and then on the
        next whole second, so that the input is credited to the second it came in, as with a
        tick every second."""
        now, mono = self.clock.now(), self.clock.monotonic()
        wall_step = (now - self._last_wall).total_seconds()
        mono_step = mono - self._last_mono
        self._last_wall, self._last_mono = now, mono
        keys, mouse, had_input = self._input_since_last_tick() if read_input else (0, 0, False)
        self._had_input = had_input
        if self._session is None:
            if self._unsaved:
                self._save_unsaved()
            return
        if abs(wall_step - mono_step) > self.config.clock_tolerance.total_seconds():
            self._clock_jumped(now)
            return
        locked = self.screen_locked()
        had_input = had_input and not locked
        if self._idle is not None:
            self._tick_idle(now, had_input)
            return
        last_input = self._last_input
        assert last_input is not None  # set when tracking starts
        if had_input:
            self._last_input = now
        elif locked or (self.input is not None and now - last_input >= self.config.idle_threshold):
            self._go_idle(last_input)
            return
        if self._position is None:  # the clock was set back: wait until it passes what we have
            if self._resume_at is not None and now < self._resume_at:
                return
            self._position, self._resume_at = now, None
            return
        self._advance(now, keys, mouse, had_input)

    @property
    def quiet(self) -> bool:
        """No input came in the last tick."""
        return not self._had_input

    def next_due(self) -> datetime:
        """The latest moment for the next tick while no input comes: the open block's next save
        (so a hard kill loses no more than it would with a tick every second) or its slot's
        screenshot moment, whichever is sooner. Whatever else falls due in between (the slot's
        end, the idle threshold, the weekly limit) is counted then exactly as it would have been."""
        due = self._last_wall + self.config.save_interval
        shot_at = self._shot_at  # (one not taken stays set while tracking is idle or paused)
        return shot_at if shot_at is not None and self._last_wall < shot_at < due else due

    # ----- internals

    def _input_since_last_tick(self) -> tuple[int, int, bool]:
        """Keyboard and mouse events since the last tick, and whether there was any input (from the
        compositor's idle time, which counts nothing, only that)."""
        source = self.input
        if source is None:
            return 0, 0, False
        if self._idle_time:
            return 0, 0, self._idle_time.input_since_last_read()
        counts = cast(InputSource, source).counts()
        keys, mouse = counts[0] - self._counts[0], counts[1] - self._counts[1]
        self._counts = counts
        return keys, mouse, bool(keys or mouse)

    def _advance(self, to: datetime, keys: int, mouse: int, active: bool, capture: bool = True) -> None:
        """Count tracked time from ``_position`` up to ``to``: extend, close and open blocks at slot
        boundaries and at the weekly limit, and take the slot's screenshot when its moment passes.
        The interval's input is credited to the minute it started in."""
        session = self._session
        assert session is not None and self._position is not None
        credit = (keys, mouse, 1 if active else 0)
        while self._session is not None and self._position < to:
            if self._block is None:
                self._open_block(self._position)
            block = self._block
            assert block is not None
            stop_at = min(block.slot + SLOT, to)
            limit_at = self._limit_moment()
            if limit_at is not None and limit_at < stop_at:
                stop_at = limit_at
            if any(credit):
                minute = int((self._position - block.slot).total_seconds()) // 60
                counts = block.minutes.setdefault(minute, [0, 0, 0])
                for i, value in enumerate(credit):
                    counts[i] += value
                counts[2] = min(counts[2], 60)
                credit = (0, 0, 0)
            if not block.over_limit:
                session.week_seconds += (stop_at - self._position).total_seconds()
            block.end = self._position = stop_at
            if (
                capture
                and self._shot_at is not None
                and self._shot_slot == block.slot
                and self._shot_at <= stop_at
            ):
                self._take_screenshot(block)
            self._check_limit_warning()
            if stop_at == limit_at:
                self._limit_reached(stop_at)
            elif stop_at == block.slot + SLOT:
                self._close_block()
        if self._block and self._saved_at and to - self._saved_at >= self.config.save_interval:
            self._save_unsaved()
            self._save_block(self._block, is_open=True)

    def _open_block(self, at: datetime) -> None:
        session = self._session
        assert session is not None
        if week_start(at) != session.week:
            self._new_week(at)
        slot = slot_start(at)
        self._block = _OpenBlock(
            str(uuid.uuid4()),
            session.contract_id,
            session.memo,
            slot,
            at,
            at,
            session.over_limit,
            self.activity_source,
        )
        if not self.capturer or not session.screenshots_enabled:
            self._shot_slot = self._shot_at = None
        elif self._shot_slot != slot:
            remaining = (slot + SLOT - at).total_seconds()
            self._shot_slot = slot
            self._shot_at = at + timedelta(seconds=self.rng.uniform(0, remaining))
        self._save_block(self._block, is_open=True)

    def _save_block(self, block: _OpenBlock, is_open: bool) -> bool:
        """Write the whole block (an upsert): a save that failed is made good by the next one."""
        row = {
            "id": block.id,
            "contract_id": block.contract_id,
            "device_id": self.device_id,
            "start": block.start,
            "end": block.end,
            **activity_columns(block.activity()),
            "activity_source": block.activity_source,
            "memo": block.memo,
            "source": BlockSource.TRACKED,
            "is_open": is_open,
            "over_limit": block.over_limit,
            "deleted": False,
            "capture_note": block.capture_note,
            "sync_state": SyncState.PENDING,
            "updated_at": block.end,
        }
        if not self._write(_UPSERT_BLOCK, row):
            return False
        self._saved_at = block.saved_end = block.end
        if self._storage_failure and not [b for b in self._unsaved if b is not block]:
            self._storage_failure = None
            self._emit(StorageRecovered())
        return True

    def _close_block(self) -> None:
        block, self._block = self._block, None
        if block is None:
            return
        if block.end == block.start:
            self._write(delete(blocks).where(blocks.c.id == block.id))
        elif not self._save_block(block, is_open=False):
            self._unsaved.append(block)
        self._emit(BlockClosed(block.id))

    def _save_unsaved(self) -> None:
        """Closed blocks that a storage failure kept in memory, written once it is over."""
        while self._unsaved and self._save_block(self._unsaved[0], is_open=False):
            self._unsaved.pop(0)

    def close(self) -> None:
        """The process is ending: stop, and try once more to save what storage failures kept in
        memory. What still cannot be saved is reported (TimeLost: exactly what, and why), and its
        blocks are closed in the database where they were last saved: none is left open."""
        self.stop(StopReason.QUIT)
        self._save_unsaved()
        if not self._unsaved:
            return
        lost = tuple(
            LostTime(b.contract_id, b.saved_end or b.start, b.end)
            for b in self._unsaved
            if b.end > (b.saved_end or b.start)
        )
        written = [b.id for b in self._unsaved if b.saved_end is not None]
        # a change in place needs no room, so it goes through on a full disk
        if written and not self._write(update(blocks).where(blocks.c.id.in_(written)).values(is_open=False)):
            log.error("the blocks %s stay open until the next start closes them", written)
        self._unsaved.clear()
        self._emit(TimeLost(lost, self._storage_failure or "saving failed"))

    def _end_session(self, at: datetime, reason: StopReason) -> None:
        session = self._session
        assert session is not None
        if self._block:
            self._close_block()
        self._save_unsaved()
        self._session = None
        self._position = None
        self._idle = None
        self._emit(TrackingStopped(session.contract_id, at, reason))

    def _limit_moment(self) -> datetime | None:
        session = self._session
        assert session is not None and self._position is not None
        limit = session.limit_seconds
        if limit is None or session.over_limit:
            return None
        moment = self._position + timedelta(seconds=limit - session.week_seconds)
        return moment if moment < session.week + WEEK else None  # from then on, the next week's limit

    def _check_limit_warning(self) -> None:
        session = self._session
        assert session is not None
        limit = session.limit_seconds
        if limit is None or session.warned or session.over_limit:
            return
        remaining = limit - session.week_seconds
        if remaining <= self.config.limit_warning.total_seconds():
            session.warned = True
            self._emit(LimitWarning(timedelta(seconds=max(remaining, 0))))

    def _limit_reached(self, at: datetime) -> None:
        session = self._session
        assert session is not None
        self._emit(LimitReached(at, self.config.keep_tracking_over_limit))
        self._close_block()
        if self.config.keep_tracking_over_limit:
            session.over_limit = True
        else:
            self._end_session(at, StopReason.LIMIT)

    def _new_week(self, at: datetime) -> None:
        session = self._session
        assert session is not None
        session.week = week_start(at)
        session.week_seconds = self._billable_seconds(session.contract_id, session.week)
        session.over_limit = False
        session.warned = False

    def _billable_seconds(self, contract_id: str, week: datetime) -> float:
        return float(logged_seconds(self.db, contract_id, week, week + WEEK, billable_only=True))

    def _go_idle(self, since: datetime) -> None:
        """No input for the idle threshold: the time since the last input is idle. Take it back
        from the blocks already counted; it is counted again only if the user keeps it."""
        self._idle = _Idle(since)
        self._close_block()
        self._retract(since)
        self._position = None
        self._emit(IdleStarted(since))

    def _tick_idle(self, now: datetime, had_input: bool) -> None:
        idle = self._idle
        assert idle is not None
        if idle.returned_at is None:
            if had_input:
                idle.returned_at = now
                self._emit(IdleQuestion(idle.since, now))
        elif now - idle.returned_at >= self.config.idle_answer_timeout:
            self.resolve_idle(IdleDecision.DISCARD_AND_STOP)

    def _retract(self, since: datetime) -> None:
        """Remove this device's tracked time after ``since``: later blocks become tombstones and
        the block holding ``since`` is cut there, both to be sent again (the service may have
        them already, even a block still marked pending: it may have been sent before an edit)."""
        tracked_since = select(blocks.c.id, blocks.c.start, blocks.c.activity).where(
            blocks.c.device_id == self.device_id,
            blocks.c.source == BlockSource.TRACKED,
            LIVE,
            blocks.c.end > since,
        )
        to_send = {"is_open": False, "sync_state": SyncState.PENDING, "updated_at": self.clock.now()}
        discarded: list[Row[str, str]] = []
        with self.db.transaction() as connection:
            for block in connection.execute(tracked_since).all():
                if block.start >= since:
                    discarded += self._discard_screenshot(connection, block.id)
                    change: dict[str, object] = {"deleted": True}
                else:
                    cut_minute = int((since - slot_start(block.start)).total_seconds()) // 60
                    kept = [m for m in block.activity if cast(int, m[0]) <= cut_minute]
                    discarded += self._discard_screenshot(connection, block.id, taken_after=since)
                    change = {"end": since, **activity_columns(kept)}
                connection.execute(update(blocks).where(blocks.c.id == block.id).values(**to_send, **change))
        self.db.remove_screenshot_files(discarded)
        if self._session:
            self._session.week_seconds = self._billable_seconds(self._session.contract_id, self._session.week)

    @staticmethod
    def _discard_screenshot(
        connection: Connection, block_id: str, taken_after: datetime | None = None
    ) -> list[Row[str, str]]:
        """Delete the block's screenshot (if taken after ``taken_after``): its images' paths."""
        shot = select(screenshots.c.id).where(screenshots.c.block_id == block_id)
        if taken_after is not None:
            shot = shot.where(screenshots.c.taken_at > taken_after)
        shot_id = connection.execute(shot).scalar()
        if shot_id is None:
            return []
        of_shot = screenshot_images.c.screenshot_id == shot_id
        paths = select(screenshot_images.c.path, screenshot_images.c.thumbnail_path).where(of_shot)
        images = list(connection.execute(paths).all())
        connection.execute(delete(screenshot_images).where(of_shot))
        connection.execute(delete(screenshots).where(screenshots.c.id == shot_id))
        return images

    def _clock_jumped(self, now: datetime) -> None:
        """Sleep, suspend or a clock change: close the block where the jump began, count nothing
        of the jump, and carry on from now (never before time already counted)."""
        since = self._position or now
        if self._idle is not None:
            self.resolve_idle(IdleDecision.DISCARD_AND_STOP)
            self._emit(ClockJump(since, now))
            return
        if self._position is not None:
            self._close_block()
        self._emit(ClockJump(since, now))
        if now >= since:
            self._position = now
            self._last_input = now
        else:
            self._position, self._resume_at = None, since

    def _take_screenshot(self, block: _OpenBlock) -> None:
        """Capture the screen for the open block. Any failure leaves the time tracked, no stray
        files, and a note on the block saying why it has no screenshot."""
        self._shot_at = None
        assert self.capturer is not None
        taken_at = self._position
        assert taken_at is not None  # a screenshot is taken at the tracked position
        shot_id = str(uuid.uuid4())
        try:
            folder = self.db.screenshot_folder(taken_at)
            capture = self.capturer.capture(folder, shot_id)
        except OSError as error:
            return self._capture_failed(block, StorageProblem(f"Could not write the screenshot: {error}"))
        except (EnvironmentProblem, StorageProblem) as problem:
            return self._capture_failed(block, problem)
        if capture.private_app:
            block.capture_note = f"No screenshot: {capture.private_app} was on screen (a private app)."
            return self._emit(ScreenshotSkipped(block.id, capture.private_app))
        if not capture.images:
            return self._capture_failed(block, capture.note)
        images: list[dict[str, Any]] = [
            {
                "screenshot_id": shot_id,
                "monitor": image.monitor,
                "path": str(image.path.relative_to(self.db.data_dir)),
                "thumbnail_path": str(image.thumbnail_path.relative_to(self.db.data_dir)),
                "sha256": image.sha256,
                "size_bytes": image.size_bytes,
                "width": image.width,
                "height": image.height,
            }
            for image in capture.images
        ]
        try:
            if not self._save_block(block, is_open=True):  # the screenshot row refers to it
                raise StorageProblem("Could not save the time block the screenshot belongs to.")
            with self.db.transaction() as connection:
                shot = {"id": shot_id, "block_id": block.id, "taken_at": taken_at}
                connection.execute(insert(screenshots), shot)
                connection.execute(insert(screenshot_images), images)
        except StorageProblem as problem:
            self.db.remove_screenshot_files((image["path"], image["thumbnail_path"]) for image in images)
            return self._capture_failed(block, problem)
        block.capture_note = capture.note
        self._emit(ScreenshotTaken(shot_id, block.id, capture.note))

    def _capture_failed(self, block: _OpenBlock, problem: Exception | str) -> None:
        block.capture_note = f"No screenshot: {problem}"
        self._emit(CaptureFailed(str(problem)))

    def _recover(self) -> list[str]:
        """Close the blocks a killed process left open, at the time they were last saved."""
        left_open = (blocks.c.device_id == self.device_id, blocks.c.is_open.is_(True))
        with self.db.transaction() as connection:
            found = connection.execute(
                select(blocks.c.id, blocks.c.start, blocks.c.end).where(*left_open)
            ).all()
            empty = [block.id for block in found if block.end == block.start]
            connection.execute(delete(blocks).where(blocks.c.id.in_(empty)))
            connection.execute(update(blocks).where(*left_open).values(is_open=False))
        recovered = [block.id for block in found if block.end > block.start]
        for block_id in recovered:
            log.info("recovered interrupted block %s", block_id)
        return recovered

    def _write(self, statement, parameters: dict | None = None) -> bool:
        """Run one write. A storage failure (a full disk…) is reported at once, and again only
        after everything was saved in between; tracking goes on: the open block and closed ones
        that could not be written stay in memory, and the next save writes them whole."""
        try:
            self.db.write(statement, parameters)
        except StorageProblem as problem:
            if self._storage_failure is None:
                self._emit(StorageFailed(str(problem)))
            self._storage_failure = str(problem)
            return False
        return True

    def _emit(self, event: object) -> None:
        log.debug("%s", event)
        self.on_event(event)
