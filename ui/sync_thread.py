"""The sync inside the app: passes run on their own thread, on a timer, soon after local changes
and on "Sync now"; what they find reaches the widgets as a queued ``SyncProgress`` signal.

A plain daemon thread rather than a QThread: a request to an unreachable service can hang until its
timeout, and quitting the app must never wait for it. Whatever a pass was doing when the process
ends is made good by the next one (the outbox acknowledges only what the service stored).

requests adds some 7 MB to the app's memory: it is imported on the sync thread when first needed,
so an app that is not signed in never loads it. The keyring is reached through a child process
(``sync.isolated_credentials``) for the same reason.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from common.errors import EnvironmentProblem
from common.timeutil import Clock
from sync import isolated_credentials
from sync.errors import Refused, ServiceUnreachable, SignedOut
from sync.outbox import OutboxSummary, summary
from tracker.engine import BlockClosed
from tracker.settings import Settings
from tracker.storage import Database
from ui.operations import Operation, hand_back

log = logging.getLogger(__name__)

PASS_EVERY_S = 60.0
SOON_S = 3.0  # a change waits this long, so that a burst of edits goes in one pass


@dataclass(frozen=True)
class SyncProgress:
    """What the main window and the tray show about the sync."""

    at: datetime
    service_url: str  # "" before the user chose a service
    account: str  # the signed-in email; "" when signed out
    syncing: bool
    last_synced_at: datetime | None
    receipts: int  # how many passes brought new or changed contracts or time, so far
    offline_since: datetime | None  # the first failed pass since the last good one
    problem: str  # why the last pass failed, or what keeps the sync from running
    outbox: OutboxSummary

    @property
    def signed_in(self) -> bool:
        return bool(self.account)


@dataclass(frozen=True)
class Online:
    """What a question to the service works with, on the sync thread."""

    client: Any  # the signed-in sync.client.ServiceClient
    database: Database
    clock: Clock


@dataclass(frozen=True)
class SignInResult:
    service_url: str
    email: str
    error: str  # "" when signed in
    note: str = ""  # what to know besides (the token is kept for this session only)


class SyncService(QObject):
    """The app's handle on the sync. Every method returns at once; results come as signals."""

    state = Signal(object)  # SyncProgress, after every pass and command
    signed_in = Signal(object)  # SignInResult
    # The sync thread is not a Qt thread: it emits these, whose queued connections to this object
    # (in the GUI thread) re-emit the public signals there, so every receiver runs in the GUI thread.
    _state_from_thread = Signal(object)
    _signed_in_from_thread = Signal(object)
    _answered_from_thread = Signal(object)

    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        *,
        tokens: ModuleType = isolated_credentials,
        automatic: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._clock = clock
        self._settings = settings
        self._tokens = tokens  # the token in the keyring: sync.isolated_credentials, or sync.credentials
        self._automatic = automatic  # tests pass False and run every pass with sync_now()
        self._backoff = None  # made at the first failure
        self._requests: queue.Queue[tuple] = queue.Queue()
        self._client = None  # a sync.client.ServiceClient while signed in
        # The counts of what waits come with the sync thread's first state, read off the GUI thread.
        self._current = SyncProgress(
            clock.now(), settings.service_url, "", False, None, 0, None, "", OutboxSummary()
        )
        self._state_from_thread.connect(self._relay_state, Qt.ConnectionType.QueuedConnection)
        self._signed_in_from_thread.connect(self.signed_in, Qt.ConnectionType.QueuedConnection)
        self._answered_from_thread.connect(hand_back, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()

    # ----- commands (any thread)

    def sync_now(self) -> None:
        self._requests.put(("pass",))

    def changed(self) -> None:
        """Local time changed: sync soon (unless the service is unreachable and backing off)."""
        self._requests.put(("soon",))

    def engine_event(self, event: object) -> None:
        """The tracking engine's events: a block it closed is sent soon."""
        if isinstance(event, BlockClosed):
            self.changed()

    def ask(
        self,
        owner: QObject,
        question: Callable[[Online], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        """Ask the service now, for what the local copy does not hold (a report, a file, older
        messages): ``question`` runs on the sync thread, between passes, with the signed-in client;
        ``done`` gets its answer in the GUI thread, or ``failed`` the reason there is none."""
        self._requests.put(("ask", Operation(owner, question, done, failed, edits=False)))

    def sign_in(self, service_url: str, email: str, password: str) -> None:
        self._requests.put(("sign_in", service_url, email, password))

    def sign_out(self) -> None:
        self._requests.put(("sign_out",))

    def apply_settings(self, settings: Settings) -> None:
        self._requests.put(("settings", settings))

    def shutdown(self, wait_s: float = 2.0) -> None:
        """Stop passing; a request in flight is left to its timeout (the thread is a daemon)."""
        self._requests.put(("stop",))
        self._thread.join(wait_s)

    @property
    def current(self) -> SyncProgress:
        return self._current

    # ----- the sync thread

    @property
    def _hold(self) -> timedelta:
        return timedelta(minutes=self._settings.hold_minutes)

    def _run(self) -> None:
        self._connect_saved_account()
        next_pass: float | None = time.monotonic()
        while True:
            if not self._automatic:
                next_pass = None
            timeout = None if next_pass is None else max(0.0, next_pass - time.monotonic())
            try:
                request = self._requests.get(timeout=timeout)
            except queue.Empty:
                request = ("pass",)
            kind, *args = request
            if kind == "stop":
                return
            if kind == "soon":
                if self._client is not None and self._current.offline_since is None:
                    soon = time.monotonic() + SOON_S
                    next_pass = soon if next_pass is None else min(next_pass, soon)
                self._publish()  # the counts of what waits
                continue
            if kind == "ask":
                self._answer(args[0])
                continue
            if kind == "pass":
                delay = self._pass()
            elif kind == "sign_in":
                delay = self._sign_in(*args)
            elif kind == "sign_out":
                delay = self._sign_out()
            else:
                self._settings = args[0]
                self._publish()
                continue
            next_pass = time.monotonic() + delay

    def _connect_saved_account(self) -> None:
        url, email = self._settings.service_url, self._settings.account_email
        problem = ""
        if url and email:
            try:
                token = self._tokens.load_token(url)
            except EnvironmentProblem as missing:
                token, problem = None, f"{missing} Sign in again in Settings to sync this session."
            if token:
                from sync.client import ServiceClient

                self._client = ServiceClient(url, token)
            elif not problem:
                problem = "Sign in again in Settings to sync."
        self._publish(account=email if self._client else "", problem=problem)

    def _pass(self) -> float:
        if self._client is None:
            self._publish()
            return PASS_EVERY_S
        from sync.worker import Backoff, Syncer

        self._publish(syncing=True)
        report = Syncer(self._database, self._client, self._clock, self._hold).run_once()
        now = self._clock.now()
        if report.signed_out:
            self._forget_token()
            self._publish(
                account="",
                problem="The contract service signed this computer out. Sign in again in Settings to sync.",
            )
            return PASS_EVERY_S
        if report.error:
            offline_since = self._current.offline_since or now
            self._publish(offline_since=offline_since, problem=report.error)
            self._backoff = self._backoff or Backoff()
            return self._backoff.failed()
        if self._backoff:
            self._backoff.succeeded()
        receipts = self._current.receipts + bool(report.changed_contracts or report.changed_blocks)
        self._publish(last_synced_at=now, receipts=receipts, offline_since=None, problem="")
        return PASS_EVERY_S

    def _answer(self, question: Operation) -> None:
        if self._client is None:
            question.error = "Sign in to the contract service in Settings first."
        else:
            question.run(Online(self._client, self._database, self._clock))
        self._answered_from_thread.emit(question)

    def _sign_in(self, url: str, email: str, password: str) -> float:
        from sync.client import ServiceClient

        client = ServiceClient(url)
        try:
            signed = client.sign_in(email, password, socket.gethostname())
        except (ServiceUnreachable, Refused, SignedOut) as error:
            self._signed_in_from_thread.emit(SignInResult(url, email, str(error)))
            return PASS_EVERY_S
        self._client = ServiceClient(url, signed.token)
        self._settings = replace(self._settings, service_url=url, account_email=email)
        note = ""
        try:
            self._tokens.save_token(url, signed.token)
        except EnvironmentProblem as missing:  # kept in memory only: never in plain text on disk
            note = f"{missing} You are signed in until Workdiary quits."
        self._publish(account=email, problem=note, offline_since=None)
        self._signed_in_from_thread.emit(SignInResult(url, email, "", note))
        return self._pass()

    def _sign_out(self) -> float:
        if self._client is not None:
            try:
                self._client.sign_out()
            except (ServiceUnreachable, Refused, SignedOut) as error:  # the token is forgotten here anyway
                log.info("the service did not hear the sign-out: %s", error)
        self._forget_token()
        self._publish(account="", problem="", offline_since=None)
        return PASS_EVERY_S

    def _forget_token(self) -> None:
        self._client = None
        with contextlib.suppress(EnvironmentProblem):  # nothing was stored where there is no keyring
            self._tokens.delete_token(self._settings.service_url)

    def _publish(self, **changes) -> None:
        now = self._clock.now()
        fresh = {
            "at": now,
            "service_url": self._settings.service_url,
            "syncing": False,
            "outbox": summary(self._database, now, self._hold),
        }
        self._current = replace(self._current, **(fresh | changes))
        self._state_from_thread.emit(self._current)

    def _relay_state(self, state: SyncProgress) -> None:
        self.state.emit(state)
