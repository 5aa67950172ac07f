"""The desktop app: ``workdiary [--data-dir DIR] [--minimized] [workdiary://contract/ID]``
(``--self-test``: see ui/self_test.py; ``--install-launcher``: ui/autostart.py).

One instance per user and data directory (a second start brings the first to the front, or hands
it the link to open), and it does not start while ``python -m tracker track`` tracks there
(tracker/lock.py); the tracking engine runs on its own thread behind ``TrackerService`` and reaches
the widgets through queued signals only; the tray and the main window show its status and send it
the user's commands.
Quitting (the menus, SIGTERM at logout, Ctrl-C) stops tracking and saves.

Start-up stays light: the Work Diary, the dialogs, mss and pynput are imported when first needed.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from common import logs
from common.errors import DamagedDatabase, StorageProblem
from common.states import ContractOrigin
from common.timeutil import WEEK, Clock, SystemClock, local_zone
from tracker import engine as events
from tracker.capture import make_input
from tracker.capture.isolated import isolated_capturer
from tracker.capture.portal import GNOME_WILL_ASK, before_the_first_screenshot
from tracker.capture.session import detect_session
from tracker.diary import Diary
from tracker.engine import EXIT_TIME_LOST
from tracker.lock import AlreadyTracking, TrackingLock
from tracker.news import News, take_news, waiting_offers
from tracker.paths import default_data_dir
from tracker.settings import Settings, load_settings, save_settings
from tracker.storage import Database, set_aside
from tracker.workroom import unread_counts
from ui import autostart
from ui.app_dialogs import Dialogs
from ui.garbage import GarbageCollector
from ui.last_screenshot import LastScreenshot
from ui.main_window import MainWindow
from ui.message_boxes import tell
from ui.notifier import Notifier, WorkroomTab
from ui.operations import Context, Operations
from ui.shots import latest_contract_id
from ui.single_instance import AlreadyRunning, CannotListen, SingleInstance
from ui.sync_thread import SignInResult, SyncProgress, SyncService
from ui.theme import APP_NAME, app_icon
from ui.tracking_thread import Status, TrackerService
from ui.tray import Tray
from ui.tray_state import TrayState

log = logging.getLogger(__name__)

FIRST_CONTRACT = "My work"
LINK_SCHEME = "workdiary"  # workdiary://contract/ID opens that contract's workroom
EXIT_CANNOT_START = 1


class Workdiary(QObject):
    """The app's parts wired together: the tracking thread, the sync, the operations, the main
    window, the tray, the other windows (``dialogs``), the notifications and the tray's state.
    The commands of the window and the tray, and what the tracking thread reports, meet here."""

    def __init__(
        self,
        database: Database,
        service: TrackerService,
        sync: SyncService,
        clock: Clock,
        zone: tzinfo,
        settings: Settings,
        *,
        quit_app: Callable[[], None],
        data_dir_arg: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.service = service
        self.sync = sync
        self.clock = clock
        self.zone = zone
        self.settings = settings
        self.quit_app = quit_app
        self.data_dir_arg = data_dir_arg
        self.diary = Diary(database, zone)
        self.status: Status | None = None
        self._told_environment: set[str] = set()
        self._told_still_running = False
        self._asked_screenshot_permission = False
        self._done = False
        self.time_lost: events.TimeLost | None = None

        self.operations = Operations(self.diary, clock.now, self)
        self.operations.use_engine(service.run)
        self.window = MainWindow(zone, clock.now)
        self.tray = Tray(self)
        self.tray_state = TrayState(self.tray, sync.current)
        self.dialogs = Dialogs(
            self.diary, self.operations, clock.now, zone, lambda: self.settings, self.sync, self
        )
        self.notifier = Notifier(self.tray, zone, lambda: self.settings)
        self.last_screenshot = LastScreenshot(
            self.window, self.diary, self.operations, zone, clock.now, self._on_refused
        )
        self._connect()

    @property
    def sync_state(self) -> SyncProgress:
        return self.tray_state.sync

    def _connect(self) -> None:
        service, window, tray, dialogs = self.service, self.window, self.tray, self.dialogs
        service.status.connect(self._on_status)
        service.event.connect(self._on_event)
        service.event.connect(self.sync.engine_event)
        service.refused.connect(self._on_refused)
        service.environment.connect(self._on_environment)
        service.memo_changed.connect(window.set_memo)
        service.finished.connect(self.operations.finish)
        self.operations.changed.connect(self._blocks_changed)
        self.operations.changed.connect(self._read_workrooms)  # a thread marked read
        self.sync.state.connect(self._on_sync_state)
        self.sync.signed_in.connect(self._signed_in)
        dialogs.idle_answered.connect(self.notifier.idle_answered)
        dialogs.idle_answered.connect(service.resolve_idle)
        dialogs.memo_entered.connect(self._memo_entered)

        window.start_requested.connect(service.start)
        window.stop_requested.connect(lambda: service.stop())
        window.memo_applied.connect(service.set_memo)
        window.contract_chosen.connect(tray.select)
        window.contract_chosen.connect(service.choose_contract)
        window.review_requested.connect(self.open_review)
        window.redact_requested.connect(self.last_screenshot.ask_to_redact)
        window.delete_requested.connect(self.last_screenshot.ask_to_delete)
        window.diary_requested.connect(self.open_diary)
        window.workroom_requested.connect(self.dialogs.open_workroom)
        window.offers.accept_requested.connect(self.accept_offer)
        window.offers.decline_requested.connect(self.decline_offer)
        window.settings_requested.connect(self.open_settings)
        window.sync_requested.connect(self.sync.sync_now)
        window.quit_requested.connect(self.quit)
        window.closed.connect(self._window_closed)
        window.shown.connect(service.set_watched)
        window.message_bar.dismissed.connect(self.tray_state.recovered)

        tray.toggle_requested.connect(self.toggle)
        tray.contract_chosen.connect(self._tray_contract_chosen)
        tray.memo_requested.connect(self.edit_memo)
        tray.diary_requested.connect(self.open_diary)
        tray.workroom_chosen.connect(self.dialogs.open_workroom)
        tray.window_requested.connect(self.open_window)
        tray.sync_requested.connect(self.sync.sync_now)
        tray.quit_requested.connect(self.quit)
        tray.message_clicked.connect(self._message_clicked)

    # ----- start-up

    def start(self, minimized: bool = False) -> None:
        """Shows the tray and (unless minimized with a tray to live in) the window."""
        if not self.diary.contracts() and not self.settings.account_email:  # signed in: the service's come
            self.diary.add_contract(FIRST_CONTRACT, now=self.clock.now())
        self.reload_contracts(latest_contract_id(self.diary, self.clock.now() - 2 * WEEK))
        in_tray = self.tray.show()
        self.service.set_watched(False)  # until the window is shown
        if not minimized or not in_tray:
            self.open_window()
        self._on_sync_state(self.sync_state)
        QTimer.singleShot(0, self.last_screenshot.show_latest)  # a moment after the window is up

    def reload_contracts(self, selected: str | None = None) -> None:
        """Re-read the contracts (a new local one, or the ones the service sent)."""
        contracts = self.diary.contracts()
        self.window.set_contracts(contracts, selected)
        chosen = self.window.selected_contract_id()
        self.tray.set_contracts(contracts, chosen)
        if chosen is not None:
            self.service.choose_contract(chosen)

    # ----- commands from the window and the tray

    def toggle(self) -> None:
        if self._tracking():
            self.service.stop()
            return
        contract_id = self.window.selected_contract_id()
        if contract_id is None:
            self._on_refused("There is no contract to track time on.")
            return
        self.service.start(contract_id, self.window.memo())

    def _tracking(self) -> bool:
        return self.status is not None and self.status.tracking

    def _tray_contract_chosen(self, contract_id: str) -> None:
        self.window.select_contract(contract_id)
        self.tray.select(contract_id)
        self.service.choose_contract(contract_id)
        if self._tracking() and self.status.contract_id != contract_id:
            self.service.start(contract_id, self.window.memo())

    def edit_memo(self) -> None:
        self.dialogs.edit_memo(self.window.memo(), self._tracking())

    def _memo_entered(self, memo: str) -> None:
        self.window.set_memo(memo)
        if self._tracking():
            self.service.set_memo(memo)

    def open_window(self) -> None:
        self.window.show()
        self.window.setWindowState(self.window.windowState() & ~self.window.windowState().WindowMinimized)
        self.window.raise_()
        self.window.activateWindow()

    def open_diary(self) -> None:
        try:
            self.dialogs.open_diary(self.window.selected_contract_id())
        except ImportError as error:
            log.warning("the Work Diary cannot be opened: %s", error)
            self.open_window()
            tell(self.window, "Work Diary", f"The Work Diary is not available in this build ({error}).")

    def open_review(self, screenshot_id: str | None) -> None:
        if screenshot_id:
            self.dialogs.open_review(screenshot_id)

    def open_settings(self) -> None:
        self.dialogs.open_settings(self.apply_settings, self)

    def apply_settings(self, settings: Settings) -> None:
        """Save, write or remove the autostart entry, and hand the settings to the tracker. A
        failure (StorageProblem) is raised for the settings dialog to show."""
        if settings.start_at_login != autostart.is_enabled():
            autostart.set_enabled(settings.start_at_login, autostart.app_command(self.data_dir_arg))
        save_settings(self.database, settings)
        self.settings = settings
        self.service.apply_settings(settings)
        self.sync.apply_settings(settings)

    def _blocks_changed(self) -> None:
        """Blocks changed (an edit, or a block closed): the totals and the main window's screenshot
        are read again, and the sync sends the change soon. (The Work Diary re-reads by itself
        after an edit.)"""
        self.service.refresh()
        self.sync.changed()
        self.last_screenshot.read_again()

    # ----- what the tracking thread reports

    def _on_status(self, status: Status) -> None:
        self.status = status
        self.diary.running = status.running
        self.window.show_status(status)
        self.tray.show_status(status)
        self.dialogs.follow_running(status.running)

    def _on_event(self, event: object) -> None:
        match event:
            case events.IdleQuestion():
                self.dialogs.ask_idle(event)
            case events.IdleResolved():
                self.dialogs.idle_resolved()
            case events.ScreenshotTaken():
                self._screenshot_taken(event)
            case events.TrackingStarted(contract_id=contract_id):
                self._live_block_changed()
                self._before_the_first_screenshot(contract_id)
            case events.BlockClosed():
                self._live_block_changed()
            case events.CaptureFailed(message=message) | events.StorageFailed(message=message):
                self._failed(message)
            case _:
                self.notifier.tell(event)

    def _live_block_changed(self) -> None:
        """A block closed (and the next one may have opened), or tracking started: the views show
        it; the sync hears of it from the engine itself."""
        self.service.refresh()
        self.last_screenshot.read_again()
        self.dialogs.block_closed()

    def _before_the_first_screenshot(self, contract_id: str) -> None:
        """Once a run, when tracking a contract with screenshots starts: on GNOME, the question the
        desktop will ask at the first screenshot and what to answer, or that it refused them (the
        permission store is asked off the GUI thread)."""
        contract = self.window.contracts.get(contract_id)
        if self._asked_screenshot_permission or contract is None or not contract.screenshots_enabled:
            return
        self._asked_screenshot_permission = True
        session = detect_session()
        self.operations.read(
            self.window, lambda _context: before_the_first_screenshot(session), self._tell_before_screenshots
        )

    def _tell_before_screenshots(self, text: str) -> None:
        if text and not self.tray.notify(APP_NAME, text, warning=text != GNOME_WILL_ASK):
            self.window.show_environment(text)

    def _screenshot_taken(self, event: events.ScreenshotTaken) -> None:
        facts = self.last_screenshot.taken(event.screenshot_id)
        self.tray_state.recovered()  # a screenshot was written and its block saved: both work again
        if facts is not None:
            self.notifier.screenshot_taken(event, facts)

    def _failed(self, message: str) -> None:
        self.tray_state.failed()
        self.window.show_error(message)
        if self.settings.notifications and not self.window.isVisible():
            self.tray.notify(f"{APP_NAME}: something went wrong", message, warning=True)

    def _on_refused(self, text: str) -> None:
        self.window.show_refusal(text)
        if not self.window.isVisible() and not self.tray.notify(APP_NAME, text, warning=True):
            self.open_window()

    def _on_environment(self, text: str) -> None:
        self.window.show_environment(text)
        if text not in self._told_environment and not self.window.isVisible():
            self._told_environment.add(text)
            self.tray.notify(APP_NAME, text, warning=True)

    def _message_clicked(self, target: object) -> None:
        if isinstance(target, str):
            self.open_review(target)
        elif isinstance(target, WorkroomTab):
            self.dialogs.open_workroom(target.contract_id, target.tab)
        else:
            self.open_window()

    # ----- the workrooms and the offers

    def open_link(self, link: str) -> None:
        """Open what a ``workdiary://contract/ID`` link names (from the web workroom's "Open in the
        app", given on the command line or handed over by a second start)."""
        parts = urlsplit(link)
        contract_id = (
            parts.path.strip("/") if parts.scheme == LINK_SCHEME and parts.netloc == "contract" else ""
        )
        contract = self.window.contracts.get(contract_id)
        if contract is not None and contract.origin == ContractOrigin.SERVICE:
            log.info("opening the workroom of %s", contract_id)
            self.dialogs.open_workroom(contract_id)
            return
        self.open_window()
        if not contract_id:
            text = f"“{link}” is not a link Workdiary opens: it opens workdiary://contract/ID."
        else:
            text = (
                f"The contract {contract_id} is not on this computer. Sign in in Settings with the "
                "account it belongs to and let Workdiary sync, then open the link again."
            )
        tell(self.window, "Cannot open the workroom", text, name="unknown-link")

    def _read_workrooms(self, tell_news: bool = False) -> None:
        """Read the workrooms' unread counts and the offers waiting, and (after a sync pass) take
        the news to tell."""

        def read(context: Context) -> tuple[list[News], dict[str, int], list[dict]]:
            database = context.diary.db
            news = take_news(database) if tell_news else []
            return news, unread_counts(database), waiting_offers(database)

        self.operations.read(self.window, read, self._show_workrooms)

    def _show_workrooms(self, found: tuple[list[News], dict[str, int], list[dict]]) -> None:
        news, unread, offers = found
        self.notifier.workroom_news(news)
        self.window.set_unread(unread)
        self.window.offers.set_offers(offers)
        self.tray.set_workrooms(
            [
                (
                    contract.id,
                    f"{contract.title} ({unread[contract.id]} unread)"
                    if unread[contract.id]
                    else contract.title,
                )
                for contract in self.window.contracts.values()
                if contract.id in unread
            ]
        )

    def accept_offer(self, contract_id: str, proposal: str) -> None:
        self._answer_offer(lambda online: online.client.accept_offer(contract_id, proposal), "accepted")

    def decline_offer(self, contract_id: str) -> None:
        self._answer_offer(lambda online: online.client.decline_offer(contract_id), "declined")

    def _answer_offer(self, send: Callable, what: str) -> None:
        """An answer to an offer needs the service now: sent on the sync thread, then a pass brings
        the contract (or takes the offer away)."""
        panel = self.window.offers

        def sent(contract: dict) -> None:
            panel.show_answer(f"You {what} “{contract['title']}”.")
            self.sync.sync_now()

        def failed(reason: str) -> None:
            panel.show_answer(f"The answer was not sent: {reason} The offer still waits for it.")

        panel.show_answer("")
        self.sync.ask(panel, send, sent, failed)

    # ----- the sync

    def _on_sync_state(self, state: SyncProgress) -> None:
        receipts_before = self.sync_state.receipts
        self.tray_state.sync_changed(state)
        self.window.set_sync_state(state)
        if state.receipts != receipts_before:  # a pass brought contracts or other devices' time
            self.service.refresh()  # the totals
            self.reload_contracts(self.window.selected_contract_id())
            if (window := self.dialogs.diary_shown()) is not None:
                window.refresh()
        if not state.syncing:  # a pass ended: the workroom copies may have news or taken writes
            self.dialogs.refresh_workrooms()
            self._read_workrooms(tell_news=True)

    def sign_in(self, service_url: str, email: str, password: str) -> None:
        self.sync.sign_in(service_url, email, password)

    def _signed_in(self, result: SignInResult) -> None:
        if not result.error:
            self.apply_settings(
                replace(self.settings, service_url=result.service_url, account_email=result.email)
            )

    def sign_out(self) -> None:
        self.sync.sign_out()
        self.apply_settings(replace(self.settings, account_email=""))

    # ----- leaving

    def _window_closed(self) -> None:
        if not self.tray.icon.isVisible():
            self.quit()  # no tray to live in: closing the window is quitting
        elif not self._told_still_running:
            self._told_still_running = True
            self.tray.notify(
                APP_NAME,
                ("Still tracking" if self._tracking() else "Still running")
                + " in the tray. Quit from its menu to stop.",
            )

    def quit(self) -> None:
        """Stop tracking, save, and leave."""
        self.shutdown()
        self.quit_app()

    def shutdown(self) -> None:
        """Finish the edits asked for, stop tracking and save (blocks until the block is
        written); idempotent."""
        if self._done:
            return
        self._done = True
        self.operations.shutdown()
        self.time_lost = self.service.shutdown()
        self.sync.shutdown()
        for signal_, slot in (
            (self.service.status, self._on_status),
            (self.service.event, self._on_event),
            (self.service.refused, self._on_refused),
            (self.service.environment, self._on_environment),
            (self.sync.state, self._on_sync_state),
        ):
            signal_.disconnect(slot)  # what the worker sent last is not for closed windows
        self.tray.hide()
        self.dialogs.close_all()
        self.window.hide()
        if self.time_lost is None:
            log.info("stopped and saved")
            return
        text = self.time_lost.text(self.zone)
        log.error("%s", text)
        box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_NAME}: tracked time was lost", text)
        box.setObjectName("time-lost")
        box.setInformativeText("Free some space on the disk before you track again.")
        box.exec()


# ----- the command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workdiary", description="Workdiary, the desktop time tracker.")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the database lives")
    parser.add_argument("--minimized", action="store_true", help="start in the tray, without the window")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    parser.add_argument(
        "link", nargs="?", help=f"a {LINK_SCHEME}://contract/ID link: opens that contract's workroom"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the display, the database, screenshots, input, the keyring and the service, then exit",
    )
    for action, what in (("install", "add Workdiary to"), ("uninstall", "remove Workdiary from")):
        help_text = f"{what} the Linux menus, then exit"
        parser.add_argument(f"--{action}-launcher", action="store_true", help=help_text)
    return parser


def quit_on_signals(quit: Callable[[], None], parent: QObject) -> None:
    """SIGTERM (logout, kill) and SIGINT (Ctrl-C) stop tracking and save, like Quit. The C-level
    handler writes to a socket that Qt watches, so no timer polls for signals."""
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: None)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, parent)

    def woken() -> None:
        try:
            reader.recv(64)
        except BlockingIOError:
            return
        log.info("signal received: quitting")
        quit()

    notifier.activated.connect(woken)
    parent._signal_sockets = (reader, writer, notifier)  # kept alive with the app


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    logs.configure(args.verbose)
    if args.self_test:  # no window, no instance claim: prints a line per check, exits 1 if one failed
        from ui import self_test

        return self_test.run(args.data_dir)
    if args.install_launcher or args.uninstall_launcher:
        return autostart.main(["--install-launcher" if args.install_launcher else "--uninstall-launcher"])
    # argv[0] names the X11 WM_CLASS instance: "workdiary" however the app was started (not "app.py").
    app = QApplication.instance() or QApplication(["workdiary"])
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName("workdiary")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    GarbageCollector(app)
    data_dir = args.data_dir or default_data_dir()

    instance = SingleInstance(data_dir)
    try:
        instance.claim(args.link)
    except AlreadyRunning:
        log.info("Workdiary is already running for %s: handed it the start", data_dir)
        return 0
    except CannotListen as problem:
        log.warning("cannot listen for a second start (%s); carrying on", problem)

    clock = SystemClock()
    lock = TrackingLock(data_dir, "the Workdiary app")  # held until the process ends
    opened = open_data(data_dir, lock, clock)
    if opened is None:
        return EXIT_CANNOT_START
    database, set_aside_note = opened
    zone = local_zone()
    settings = load_settings(database)
    service = TrackerService(
        database,
        clock,
        settings,
        zone,
        make_input=lambda: make_input(settings),
        make_capturer=isolated_capturer,
        parent=app,
    )
    sync = SyncService(database, clock, settings, parent=app)
    workdiary = Workdiary(
        database,
        service,
        sync,
        clock,
        zone,
        settings,
        quit_app=app.quit,
        data_dir_arg=args.data_dir,
        parent=app,
    )
    instance.activated.connect(
        lambda: (log.info("another start asked for the window"), workdiary.open_window())
    )
    instance.link_opened.connect(workdiary.open_link)
    app.aboutToQuit.connect(workdiary.shutdown)
    quit_on_signals(workdiary.quit, workdiary)
    workdiary.start(minimized=args.minimized)
    if args.link:
        workdiary.open_link(args.link)
    if set_aside_note:
        workdiary.window.show_error(set_aside_note)
    QTimer.singleShot(
        0,
        lambda: log.info(
            "ready in %.2f s (window %s, tray %s)",
            time.perf_counter() - started,
            "shown" if workdiary.window.isVisible() else "hidden",
            "shown" if workdiary.tray.icon.isVisible() else "unavailable",
        ),
    )
    try:
        code = app.exec()
    finally:
        workdiary.shutdown()
        database.close()
        lock.release()
    return EXIT_TIME_LOST if workdiary.time_lost else code


def open_data(data_dir: Path, lock: TrackingLock, clock: Clock) -> tuple[Database, str] | None:
    """The data folder's database, checked whole, and a note for the window; None once the user
    was told why the app cannot start. A damaged database can be set aside (renamed beside it,
    kept as it is) for a new one: the note then says where it went."""
    note = ""
    try:
        lock.acquire()
        while True:
            database = None
            try:
                database = Database(data_dir)
                database.check()  # a damaged page would show only when a query reaches it
                return database, note
            except DamagedDatabase as problem:
                if database is not None:
                    database.close()
                if not cannot_start(str(problem), offer_set_aside=True):
                    break
                kept = set_aside(data_dir, clock.now().astimezone(local_zone()))
                log.warning("the damaged database was set aside as %s", kept)
                note = (
                    f"The damaged database was set aside as {kept}, kept as it was; Workdiary started "
                    "with a new one."
                )
    except (StorageProblem, AlreadyTracking) as problem:
        cannot_start(str(problem))
    except OSError as problem:
        cannot_start(
            f"The data folder {data_dir} cannot be created or opened: {problem.strerror or problem}."
        )
    lock.release()
    return None


def cannot_start(text: str, offer_set_aside: bool = False) -> bool:
    """Says why the app cannot start, and whether the user chose to set the damaged file aside."""
    log.error("cannot start: %s", text)
    box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_NAME} cannot start", text)
    box.setObjectName("cannot-start")
    if not offer_set_aside:
        box.setInformativeText("Nothing was changed. Fix the problem above, then start Workdiary again.")
        box.exec()
        return False
    box.setInformativeText(
        "Nothing was changed. Workdiary can set the damaged file aside (renamed beside it, kept as it is) "
        "and start with a new database; the screenshots stay where they are."
    )
    start_anew = box.addButton("&Set aside and start anew", QMessageBox.ButtonRole.AcceptRole)
    box.setEscapeButton(box.addButton(QMessageBox.StandardButton.Close))
    box.exec()
    return box.clickedButton() is start_anew


if __name__ == "__main__":
    sys.exit(main())
