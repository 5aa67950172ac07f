"""The UI's one path to the local database: every edit (memo, removed or added time, a redaction,
a deletion) and the Work Diary's reads run here as operations, off the GUI thread, one at a time
and in the order asked.

An operation is a callable given a ``Context`` (the Diary and the moment it runs). An edit that
may touch the block being tracked (a memo, a screenshot's deletion) asks for the engine: it then
runs on the tracking thread, which owns the engine, with ``context.tracker`` set; the others run
on this module's own thread. Both write through their own SQLAlchemy connections to SQLite in WAL
mode with a busy timeout, as the sync thread does.

When an edit succeeds, ``changed`` is emitted once and every open view re-reads; then the view
that asked is handed the result (``done``) or, should the rules or the disk refuse, the reason
(``failed``), unless it was closed meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from common.errors import WorkdiaryError
from tracker.diary import Diary
from tracker.engine import Tracker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """What an operation works with."""

    diary: Diary
    now: datetime
    tracker: Tracker | None  # the engine, for an operation that asked for it (on the tracking thread)


Action = Callable[[Context], Any]


class Operation:
    """One asked-for read or edit, and what came of it (filled on the thread that ran it)."""

    def __init__(
        self,
        owner: QObject,
        action: Action,
        done: Callable[[Any], None] | None,
        failed: Callable[[str], None] | None,
        *,
        edits: bool,
    ) -> None:
        self.owner = owner
        self.action = action
        self.done = done
        self.failed = failed
        self.edits = edits
        self.result: Any = None
        self.error: str | None = None

    def run(self, context: Any) -> None:  # a Context, or the sync thread's Online
        try:
            self.result = self.action(context)
        except WorkdiaryError as error:
            self.error = str(error)
        except Exception as error:  # reported to the view that asked, not lost on a worker thread
            log.exception("operation failed")
            self.error = f"Something went wrong: {error}"


class Operations(QObject):
    """Runs the UI's reads and edits of the local database off the GUI thread.

    Signals:
        changed(): an edit succeeded; every open view re-reads (once per edit).
    """

    changed = Signal()
    # The operations thread is a Python thread, as the sync's is: it emits this, whose queued
    # connection brings each operation back to ``finish`` in the GUI thread.
    _finished_from_thread = Signal(object)

    def __init__(self, diary: Diary, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._diary = diary
        self._now = now
        self._run_on_engine: Callable[[Operation], None] | None = None
        self._queue: queue.Queue[Operation | None] = queue.Queue()
        self._thread: threading.Thread | None = None  # started with the first operation
        self._finished_from_thread.connect(self.finish, Qt.ConnectionType.QueuedConnection)

    def use_engine(self, run_on_engine: Callable[[Operation], None]) -> None:
        """Where operations that ask for the engine run (the tracking thread); it hands each one
        back to ``finish``. Without it they run here with no engine, like the others."""
        self._run_on_engine = run_on_engine

    def edit(
        self,
        owner: QObject,
        action: Action,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
        *,
        engine: bool = False,
    ) -> None:
        """Change the database; ``engine``: the change may concern the block being tracked."""
        operation = Operation(owner, action, done, failed, edits=True)
        if engine and self._run_on_engine is not None:
            self._run_on_engine(operation)
        else:
            self._run(operation)

    def read(self, owner: QObject, query: Action, done: Callable[[Any], None]) -> None:
        self._run(Operation(owner, query, done, None, edits=False))

    def after_those_asked(self, owner: QObject, then: Callable[[], None]) -> None:
        """Call ``then`` once every operation asked so far has finished and been handed back
        (they run in order): e.g. when a window shows what it asked to read."""
        self.read(owner, lambda context: None, lambda _nothing: then())

    def _run(self, operation: Operation) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="operations", daemon=True)
            self._thread.start()
        self._queue.put(operation)

    def _work(self) -> None:
        while (operation := self._queue.get()) is not None:
            operation.run(Context(self._diary, self._now(), None))
            self._finished_from_thread.emit(operation)

    @Slot(object)
    def finish(self, operation: Operation) -> None:
        """In the GUI thread, once an operation has run."""
        if operation.edits and operation.error is None:
            self.changed.emit()
        hand_back(operation)

    def shutdown(self) -> None:
        """Let the operations asked for finish, then end the thread (blocks until done)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


def hand_back(operation: Operation) -> None:
    """In the GUI thread: the result, or the reason it failed, to the view that asked, unless it
    was closed meanwhile. Then the operation lets go of its callbacks and result here: they may hold
    the last reference to a window, and the worker thread drops the operation itself last. A Qt
    object destroyed there takes Qt's signal lock, then waits for the GIL, which the GUI thread may
    hold while it waits for that lock: the app would hang."""
    try:
        if not shiboken6.isValid(operation.owner):
            return
        if operation.error is None:
            if operation.done is not None:
                operation.done(operation.result)
        elif operation.failed is not None:
            operation.failed(operation.error)
        else:
            log.warning("operation refused: %s", operation.error)
    finally:
        operation.owner = operation.action = operation.done = operation.failed = operation.result = None


# ----- the edits that may concern the block being tracked (run with ``engine=True``)


def delete_screenshot(screenshot_id: str) -> Action:
    """Delete a screenshot and its block's time. A block being tracked is cut first, and
    tracking goes on in a new block."""

    def action(context: Context) -> None:
        tracker = context.tracker
        live = tracker.live_block if tracker is not None else None
        if live is not None and live.id == context.diary.block_of_screenshot(screenshot_id):
            tracker.cut()
        context.diary.delete_screenshot(screenshot_id, context.now)

    return action


def edit_memo(block_ids: list[str], memo: str) -> Action:
    """Give blocks a memo. The block being tracked takes it as the current memo (it goes on to
    the next blocks); one that closed meanwhile is edited as a closed one."""

    def action(context: Context) -> None:
        running = context.tracker.running if context.tracker is not None else None
        closed = [block_id for block_id in block_ids if running is None or block_id != running.id]
        context.diary.edit_memo(closed, memo, context.now)
        if len(closed) < len(block_ids):
            context.tracker.set_memo(memo)

    return action
