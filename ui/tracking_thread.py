"""The tracking engine inside the app: on a worker thread, ticked by a Qt timer there, talking to
the widgets only through queued signals. The UI's operations that may concern the block being
tracked (ui/operations.py) run here too, with the engine.

The engine's own calls (SQLite writes, pynput counts, a screenshot's grab and encoding) never run
on the GUI thread, so a slow disk or a screenshot never freezes a window.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from PySide6.QtCore import QMetaObject, QObject, QSocketNotifier, Qt, QThread, QTimer, Signal, Slot

from common.errors import EnvironmentProblem, WorkdiaryError
from common.states import IdleDecision, StopReason
from common.timeutil import Clock
from tracker.capture import ActivityInput, ScreenCapturer
from tracker.capture.xrecord import input_fd_of
from tracker.diary import DayAndWeek, Diary
from tracker.engine import LiveBlock, TimeLost, Tracker
from tracker.logged import Running
from tracker.settings import Settings
from tracker.storage import Database
from ui.operations import Context, Operation

log = logging.getLogger(__name__)

TICK_MS = 1000
TOTALS_EVERY_TICKS = 60  # the totals are read from the database again this often at least


@dataclass(frozen=True)
class Status:
    """What the main window and the tray show, sent once a second."""

    at: datetime  # the engine's clock when this was read
    tracking: bool
    contract_id: str | None
    memo: str
    session_started: datetime | None
    live: LiveBlock | None
    running: Running | None  # the block being tracked, as far as it has got
    idle_since: datetime | None
    # The totals count the running block to the second. "contract": the one tracked, or when
    # not tracking the one chosen in the window.
    today_seconds: int  # every contract, the user's local date
    week_seconds: int  # every contract, this work week
    contract_today_seconds: int
    contract_week_seconds: int
    week_limit_seconds: int | None  # the contract's


class _Worker(QObject):
    """The engine on the tracking thread; its signals are TrackerService's (which relays them)."""

    status = Signal(object)
    event = Signal(object)
    refused = Signal(str)
    environment = Signal(str)
    memo_changed = Signal(str)
    finished = Signal(object)

    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        zone: tzinfo,
        make_input: Callable[[], ActivityInput] | None,
        make_capturer: Callable[[Settings], ScreenCapturer] | None,
        tick_ms: int | None,
        rng: random.Random | None,
    ) -> None:
        super().__init__()
        self._database = database
        self._clock = clock
        self._settings = settings
        self._zone = zone
        self._make_input = make_input
        self._make_capturer = make_capturer
        self._tick_ms = tick_ms
        self._rng = rng
        self._tracker: Tracker | None = None
        self._diary = Diary(database, zone)
        self._input: ActivityInput | None = None
        self._timer: QTimer | None = None
        self._watched = True  # a window shows the status's seconds: tick once a second
        self._rest = QTimer(self)  # while resting: until the engine is due
        self._rest.setSingleShot(True)
        self._rest.timeout.connect(self._rested)
        self._input_waiting: QSocketNotifier | None = None  # while resting: the first input
        self._contract_id: str | None = None
        # The totals as last read, with what they were read for; in between, the running block's
        # growth is added (a read costs about a millisecond on a full week: not every second).
        self._totals: DayAndWeek = DayAndWeek(0, 0, 0, 0)
        self._totals_read_for: tuple | None = None
        self._totals_running: Running | None = None
        self._limit: int | None = None
        self._ticks = 0
        self._events: list[object] = []
        self.time_lost: TimeLost | None = None  # what could not be saved when tracking ended (``finish``)

    @Slot()
    def begin(self) -> None:
        """Runs on the worker thread once it starts: everything the engine touches is made here."""
        if self._make_input:
            self._input = self._make_input()
            try:
                self._input.start()
            except EnvironmentProblem as problem:
                self._input = None
                self.environment.emit(f"{problem} Time is tracked without activity or idle detection.")
        self._tracker = Tracker(
            self._database,
            self._clock,
            input_source=self._input,
            capturer=self._make_capturer(self._settings) if self._make_capturer else None,
            config=self._settings.tracker_config(),
            on_event=self._on_event,
            rng=self._rng,
        )
        if self._tick_ms is not None:
            self._timer = QTimer(self)
            self._timer.setInterval(self._tick_ms)
            self._timer.timeout.connect(self.tick)
            self._timer.start()
        self._publish()

    @Slot()
    def tick(self) -> None:
        self._tracker.tick()
        self._ticks += 1
        self._publish(read_totals=self._ticks % TOTALS_EVERY_TICKS == 0)
        self._rest_while_quiet()

    @Slot(bool)
    def watch(self, watched: bool) -> None:
        self._watched = watched
        if watched and self.resting:
            self._rested()

    @property
    def resting(self) -> bool:
        return self._input_waiting is not None

    def _rest_while_quiet(self) -> None:
        """While no input comes and no window shows the seconds, tick only when the engine is due
        (its next save or screenshot) or at the first input, as the headless tracker does: the
        ticks once a second were most of the app's CPU with no input. The engine counts the time
        exactly the same (see ``Tracker.next_due``)."""
        fd = input_fd_of(self._input)
        if self._watched or fd is None or self._timer is None or not self._tracker.quiet:
            return
        self._timer.stop()
        self._input_waiting = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
        self._input_waiting.activated.connect(self._input_came)
        due = (self._tracker.next_due() - self._clock.now()).total_seconds()
        self._rest.start(max(int(due * 1000), 0))

    def _stop_resting(self) -> None:
        if self._input_waiting is None:
            return
        self._rest.stop()
        self._input_waiting.setEnabled(False)
        self._input_waiting.deleteLater()
        self._input_waiting = None
        if self._timer is not None:
            self._timer.start()

    @Slot()
    def _input_came(self) -> None:
        """Tick at once without reading the input: the next tick, a second later, counts it in
        the second it came in."""
        self._stop_resting()
        self._tracker.tick(read_input=False)
        self._publish(read_totals=False)

    @Slot()
    def _rested(self) -> None:
        self._stop_resting()
        self.tick()

    @Slot(str, str)
    def start(self, contract_id: str, memo: str) -> None:
        self._command(lambda: self._tracker.start(contract_id, memo))

    @Slot(str)
    def stop(self, reason: str) -> None:
        self._command(lambda: self._tracker.stop(reason))

    @Slot(str)
    def set_memo(self, memo: str) -> None:
        self._command(lambda: self._tracker.set_memo(memo))

    @Slot(str)
    def choose_contract(self, contract_id: str) -> None:
        """The contract whose totals are sent while not tracking (the one chosen in the window;
        while tracking, the tracked one's are: a switch is on its way)."""
        if not self._tracker.tracking:
            self._contract_id = contract_id
            self._publish()

    @Slot(str)
    def resolve_idle(self, decision: str) -> None:
        self._command(lambda: self._tracker.resolve_idle(decision))

    @Slot(object)
    def run(self, operation: Operation) -> None:
        """An operation of the UI's that may concern the block being tracked (ui/operations.py)."""
        memo = self._tracker.memo
        operation.run(Context(self._diary, self._clock.now(), self._tracker))
        if self._tracker.memo != memo:
            self.memo_changed.emit(self._tracker.memo)
        self._publish()
        self.finished.emit(operation)

    @Slot()
    def refresh(self) -> None:
        self._publish()

    @Slot(object)
    def apply_settings(self, settings: Settings) -> None:
        self._settings = settings
        self._tracker.config = settings.tracker_config()
        if self._make_capturer:
            self._tracker.capturer = self._make_capturer(settings)

    @Slot()
    def finish(self) -> None:
        """Stop tracking cleanly (the open block is saved) and let go of the input devices."""
        self._stop_resting()
        if self._timer:
            self._timer.stop()
        if self._tracker:
            self._tracker.close()
        if self._input:
            self._input.stop()
        self._send_events()

    def _command(self, action: Callable[[], None]) -> None:
        self._stop_resting()  # the user is at the computer
        try:
            action()
        except WorkdiaryError as error:
            self.refused.emit(str(error))
        self._publish()

    def _on_event(self, event: object) -> None:
        if isinstance(event, TimeLost):
            self.time_lost = event
        self._events.append(event)

    def _send_events(self) -> None:
        """The events of a tick or command, sent once it is done: a view that re-reads on one (a
        block closed) finds the blocks as the engine left them (the next block opened)."""
        events, self._events = self._events, []
        for event in events:
            self.event.emit(event)

    def _publish(self, read_totals: bool = True) -> None:
        """The status, with the totals counting the running block to the second. They are read
        again after every command and refresh, for a new block, contract or day, and every
        TOTALS_EVERY_TICKS ticks (edits made elsewhere); in between, the block's growth is added."""
        self._send_events()
        tracker = self._tracker
        self._contract_id = tracker.contract_id or self._contract_id
        running = self._diary.running = tracker.running
        now = self._clock.now()
        today = now.astimezone(self._zone).date()
        read_for = (running.id if running else None, self._contract_id, today)
        if read_totals or read_for != self._totals_read_for:
            self._totals = self._diary.day_and_week(now, self._contract_id)
            self._totals_read_for, self._totals_running = read_for, running
            minutes = (
                self._diary.contract(self._contract_id).weekly_limit_minutes if self._contract_id else None
            )
            self._limit = None if minutes is None else minutes * 60
        totals = self._totals
        if running is not None:
            totals = totals.grown(
                running.seconds - self._totals_running.seconds,
                on_contract=running.contract_id == self._contract_id,
                today=running.start.astimezone(self._zone).date() == today,
            )
        self.status.emit(
            Status(
                at=now,
                tracking=tracker.tracking,
                contract_id=self._contract_id,
                memo=tracker.memo,
                session_started=tracker.session_started,
                live=tracker.live_block,
                running=self._diary.running,
                idle_since=tracker.idle_since,
                today_seconds=totals.today,
                week_seconds=totals.week,
                contract_today_seconds=totals.contract_today,
                contract_week_seconds=totals.contract_week,
                week_limit_seconds=self._limit,
            )
        )


class TrackerService(QObject):
    """The app's handle on the engine. Commands are queued to the worker thread; what happens
    comes back as signals in the GUI thread.

    Signals:
        status(Status): what the window and the tray show, once a second and after a command;
            every few seconds while no window shows it and no input comes (``set_watched``).
        event(object): the engine's events (tracker.engine dataclasses), each once the tick or
            command that made it is done.
        refused(str): a command the rules refused, with the reason.
        environment(str): input or screen capture unavailable, and what to do.
        memo_changed(str): the current memo, when an operation changed it (a memo given in the
            Work Diary to the block being tracked).
        finished(Operation): an operation run by ``run``, for ``Operations.finish``.
    """

    status = Signal(object)
    event = Signal(object)
    refused = Signal(str)
    environment = Signal(str)
    memo_changed = Signal(str)
    finished = Signal(object)

    _start = Signal(str, str)
    _stop = Signal(str)
    _memo = Signal(str)
    _idle = Signal(str)
    _choose = Signal(str)
    _settings = Signal(object)
    _tick = Signal()
    _run = Signal(object)
    _refresh = Signal()
    _watch = Signal(bool)

    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        zone: tzinfo,
        *,
        make_input: Callable[[], ActivityInput] | None = None,
        make_capturer: Callable[[Settings], ScreenCapturer] | None = None,
        tick_ms: int | None = TICK_MS,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("tracker")
        self._worker = _Worker(database, clock, settings, zone, make_input, make_capturer, tick_ms, rng)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.begin)
        for outgoing, incoming in (
            (self._worker.status, self.status),
            (self._worker.event, self.event),
            (self._worker.refused, self.refused),
            (self._worker.environment, self.environment),
            (self._worker.memo_changed, self.memo_changed),
            (self._worker.finished, self.finished),
        ):
            outgoing.connect(incoming)
        for request, slot in (
            (self._start, self._worker.start),
            (self._stop, self._worker.stop),
            (self._memo, self._worker.set_memo),
            (self._idle, self._worker.resolve_idle),
            (self._choose, self._worker.choose_contract),
            (self._settings, self._worker.apply_settings),
            (self._tick, self._worker.tick),
            (self._run, self._worker.run),
            (self._refresh, self._worker.refresh),
            (self._watch, self._worker.watch),
        ):
            request.connect(slot)
        self._thread.start()

    def start(self, contract_id: str, memo: str = "") -> None:
        self._start.emit(contract_id, memo)

    def stop(self, reason: StopReason = StopReason.USER) -> None:
        self._stop.emit(reason)

    def set_memo(self, memo: str) -> None:
        self._memo.emit(memo)

    def resolve_idle(self, decision: IdleDecision) -> None:
        self._idle.emit(decision)

    def choose_contract(self, contract_id: str) -> None:
        """Send the totals of this contract while not tracking."""
        self._choose.emit(contract_id)

    def apply_settings(self, settings: Settings) -> None:
        self._settings.emit(settings)

    def run(self, operation: Operation) -> None:
        """Run an operation on the engine's thread, with the engine (``finished`` when done)."""
        self._run.emit(operation)

    def refresh(self) -> None:
        """Re-read today's and this week's totals now (blocks were edited outside the engine)."""
        self._refresh.emit()

    def tick(self) -> None:
        """One tick now (tests drive a fake clock with it; the app's timer ticks by itself)."""
        self._tick.emit()

    def set_watched(self, watched: bool) -> None:
        """Whether a window shows the status (its seconds): if not, and no input comes, the engine
        ticks only when it is due, and the status comes then (every few seconds)."""
        self._watch.emit(watched)

    @property
    def resting(self) -> bool:
        """Waiting for input or for the engine to be due, rather than ticking once a second."""
        return self._worker.resting

    def shutdown(self) -> TimeLost | None:
        """Stop tracking and save, then end the worker thread. Blocks until done; returns the
        tracked time that could not be saved (a full disk), if any."""
        if self._thread.isRunning():
            QMetaObject.invokeMethod(self._worker, "finish", Qt.ConnectionType.BlockingQueuedConnection)
            self._thread.quit()
            self._thread.wait()
        return self._worker.time_lost
