"""Workdiary's headless time tracker: contracts, tracking and time blocks from a terminal.

For people who track from a terminal and for end-to-end tests. Times are read and shown in the
local time zone (--tz to choose another); a bad argument or a broken rule prints a clear message
and exits non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import select
import signal
import socket
import sys
import threading
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common import logs
from common.contract import contract_label
from common.errors import EnvironmentProblem, RuleViolation, WorkdiaryError
from common.rules import FROM_IDLE_TIME
from common.states import ActivitySource, BlockSource, IdleDecision
from common.timetext import duration_text, local_text
from common.timeutil import SystemClock, local_zone, week_of_date
from tracker import engine as events
from tracker.capture.xrecord import input_fd_of
from tracker.engine import EXIT_TIME_LOST, Tracker, TrackerConfig, trackable_contracts
from tracker.lock import TrackingLock
from tracker.notices import notice
from tracker.paths import default_data_dir
from tracker.settings import load_settings
from tracker.storage import DATABASE_NAME, Database

if TYPE_CHECKING:
    from tracker.diary import BlockView, Diary

log = logging.getLogger(__name__)

EXIT_RULE = 1  # the request was understood but not allowed (or the data is not there)
EXIT_USAGE = 2  # argparse's own code for a malformed command line
NO_CONTRACT_YET = "There is no contract to track yet: add one with 'contract add --title …'."
IDLE_ANSWERS = {
    "keep": IdleDecision.KEEP,
    "discard": IdleDecision.DISCARD,
    "stop": IdleDecision.DISCARD_AND_STOP,
}


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"unknown time zone {name!r}") from error


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from error


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _moment(text: str) -> datetime:
    """An ISO date and time; without an offset it is read in the local (or --tz) zone later."""
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date and time (YYYY-MM-DD HH:MM): {text!r}") from error


JSON_HELP = "print JSON instead of text"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tracker",
        description=__doc__.splitlines()[0],
        epilog="Exit codes: 0 done, 1 refused (a rule, or something that does not exist), 2 a malformed "
        f"command line, {EXIT_TIME_LOST} tracked time could not be saved.",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the folder of the database and screenshots (default: {default_data_dir()})",
    )
    parser.add_argument(
        "--tz", type=_zone, default=None, metavar="ZONE", help="the time zone to read and show times in"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    commands = parser.add_subparsers(dest="command", required=True)

    contract = commands.add_parser("contract", help="local contracts").add_subparsers(
        dest="action", required=True
    )
    add = contract.add_parser("add", help="add a local contract (personal or offline work)")
    add.add_argument("--title", required=True, help="the contract's name")
    add.add_argument("--client", default="", help="the client's name")
    add.add_argument("--rate", type=_decimal, default=Decimal(0), help="the hourly rate (default: 0)")
    add.add_argument("--currency", default="USD", help="the rate's currency (default: USD)")
    add.add_argument(
        "--weekly-limit",
        type=float,
        default=None,
        metavar="HOURS",
        help="hours per work week (default: none)",
    )
    add.add_argument("--no-manual-time", action="store_true", help="forbid manual time on it")
    listing = contract.add_parser("list", help="list the contracts")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)

    track = commands.add_parser("track", help="track in the foreground until Ctrl-C or SIGTERM")
    track.add_argument(
        "--contract", default=None, metavar="ID", help="the contract (needed when there is more than one)"
    )
    track.add_argument("--memo", default="", help="what you are working on")
    track.add_argument(
        "--idle-minutes",
        type=float,
        default=10.0,
        metavar="MINUTES",
        help="minutes without input after which the time is idle (default: 10)",
    )
    track.add_argument(
        "--on-idle",
        choices=sorted(IDLE_ANSWERS),
        default="discard",
        help="what to do with idle time when input returns (default: discard)",
    )
    track.add_argument(
        "--keep-over-limit",
        action="store_true",
        help="keep tracking past the weekly limit (that time is marked over the limit and not billed)",
    )
    track.add_argument("--no-screenshots", action="store_true", help="take no screenshots")
    track.add_argument("--no-input", action="store_true", help="do not count input (no idle detection)")

    status = commands.add_parser("status", help="what is being tracked and today's and this week's time")
    status.add_argument("--json", action="store_true", help=JSON_HELP)

    blocks = commands.add_parser("blocks", help="the time blocks of a work week")
    blocks.add_argument(
        "--week", type=_date, default=None, metavar="DATE", help="any date of the week (default: today)"
    )
    blocks.add_argument("--contract", default=None, metavar="ID", help="only this contract's blocks")
    blocks.add_argument("--json", action="store_true", help=JSON_HELP)

    add_time = commands.add_parser("add-time", help="add manual time in 10-minute steps")
    add_time.add_argument("--contract", required=True, metavar="ID", help="the contract to add it to")
    add_time.add_argument(
        "--start", type=_moment, required=True, metavar="'YYYY-MM-DD HH:MM'", help="where it starts"
    )
    add_time.add_argument(
        "--end", type=_moment, required=True, metavar="'YYYY-MM-DD HH:MM'", help="where it ends"
    )
    add_time.add_argument("--memo", default="", help="what the time was for")

    remove = commands.add_parser("remove", help="remove time blocks (and their screenshots)")
    remove.add_argument("blocks", nargs="+", metavar="BLOCK_ID", help="the blocks' ids (see 'blocks')")

    memo = commands.add_parser("memo", help="change the memo of time blocks")
    memo.add_argument("--text", required=True, help="the new memo")
    memo.add_argument("blocks", nargs="+", metavar="BLOCK_ID", help="the blocks' ids (see 'blocks')")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.verbose)
    zone = args.tz or local_zone()
    data_dir = args.data_dir or default_data_dir()
    try:
        if args.command == "track" and not (data_dir / DATABASE_NAME).exists():
            raise RuleViolation(NO_CONTRACT_YET)  # and no database is made just to say so
        database = Database(data_dir)
        try:
            if args.command == "track":
                return track_command(args, database, zone)
            # Imported here: the tracking process does without the Work Diary (about 1 MB)
            from tracker.diary import Diary

            return COMMANDS[args.command](args, database, Diary(database, zone), zone)
        finally:
            database.close()
    except WorkdiaryError as error:
        print(f"workdiary: {error}", file=sys.stderr)
        return EXIT_RULE
    except BrokenPipeError:  # the reader had enough (``blocks | head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 0


def contract_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    if args.action == "add":
        contract = diary.add_contract(
            args.title,
            now=SystemClock().now(),
            client_name=args.client,
            hourly_rate=args.rate,
            currency=args.currency,
            weekly_limit_hours=args.weekly_limit,
            manual_time_allowed=not args.no_manual_time,
        )
        print(contract.id)
        return 0
    contracts = diary.contracts()
    if args.json:
        print(json.dumps([_contract_json(c) for c in contracts], indent=2))
    for c in [] if args.json else contracts:
        limit = "no limit" if c.weekly_limit_minutes is None else f"{c.weekly_limit_minutes / 60:g} h/week"
        rate = "paid by the agency" if c.agency_member else f"{c.hourly_rate_cents / 100:.2f} {c.currency}/h"
        print(f"{c.id}  {contract_label(c)}  ({rate}, {limit})")
    return 0


def _contract_json(contract) -> dict:
    return {
        "id": contract.id,
        "title": contract.title,
        "client": contract.client_name,
        "kind": contract.kind,
        "status": contract.status,
        # An agency member's rate is the agency's business: the service does not tell it.
        "hourly_rate": None if contract.agency_member else f"{contract.hourly_rate_cents / 100:.2f}",
        "currency": contract.currency,
        "weekly_limit_hours": None
        if contract.weekly_limit_minutes is None
        else contract.weekly_limit_minutes / 60,
        "manual_time_allowed": contract.manual_time_allowed,
    }


def track_command(args, database: Database, zone: tzinfo) -> int:
    contract_id = args.contract or _only_contract(database)
    with TrackingLock(database.data_dir, "python -m tracker track"):
        return _track(args, contract_id, database, zone)


def _track(args, contract_id: str, database: Database, zone: tzinfo) -> int:
    input_source = capturer = None
    settings = load_settings(database)
    if not args.no_input:
        from tracker.capture import make_input

        input_source = make_input(settings)
        try:
            input_source.start()
        except EnvironmentProblem as problem:
            print(
                f"workdiary: {problem} Tracking goes on without activity or idle detection.", file=sys.stderr
            )
            input_source = None
    if not args.no_screenshots:
        from tracker.capture.isolated import isolated_capturer

        capturer = isolated_capturer(settings)
    answer = IDLE_ANSWERS[args.on_idle]
    stop = threading.Event()
    lost: list[events.TimeLost] = []
    session: list[datetime] = []  # when this run's tracking started and stopped

    def report(event: object) -> None:
        told = notice(event, zone)
        if told is not None:
            print(f"workdiary: {told.text}" if told.failure else told.text, file=sys.stderr, flush=True)
        match event:
            case events.IdleQuestion():
                tracker.resolve_idle(answer)
            case events.TrackingStarted(at=at) if not session:
                session.append(at)
            case events.TrackingStopped(at=at):
                session[1:] = [at]
                stop.set()
            case events.TimeLost():
                lost.append(event)

    config = TrackerConfig(
        idle_threshold=TrackerConfig.idle_threshold * (args.idle_minutes / 10),
        keep_tracking_over_limit=args.keep_over_limit,
    )
    clock = SystemClock()
    tracker = Tracker(
        database, clock, input_source=input_source, capturer=capturer, config=config, on_event=report
    )
    for block_id in tracker.recovered:
        print(f"recovered the interrupted block {block_id}", file=sys.stderr)
    wake, waker = socket.socketpair()  # a signal writes to ``waker`` to cut a wait short
    waker.setblocking(False)

    def on_signal(*_) -> None:
        stop.set()
        with contextlib.suppress(OSError):  # closed: the loop is over anyway
            waker.send(b"\0")

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    try:
        tracker.start(contract_id, args.memo)
        while True:
            tracker.tick()
            if stop.is_set():
                break
            input_fd = input_fd_of(input_source)
            _wait_for_next_tick(tracker, clock, input_fd, wake)
    finally:
        tracker.stop()
        tracker.close()
        if input_source:
            input_source.stop()
        wake.close()
        waker.close()
    if len(session) == 2:
        from tracker.diary import Diary  # only now that tracking is over (see main)

        started, stopped = session
        print(_saved_text(Diary(database, zone), contract_id, started, stopped, zone), file=sys.stderr)
    return EXIT_TIME_LOST if lost else 0


def _wait_for_next_tick(
    tracker: Tracker, clock: SystemClock, input_fd: int | None, wake: socket.socket
) -> None:
    """Until the next whole second, so that seconds of activity line up with the clock. After a tick
    without input, and if the input source can be watched (``input_fd``), until the engine is due
    or until input comes: then tick at once without reading it, and wait for the next whole second
    (a second's input is credited to the second it came in). ``wake`` cuts any wait short."""
    if tracker.quiet and input_fd is not None:
        timeout = (tracker.next_due() - clock.now()).total_seconds()
        ready, _, _ = select.select([wake.fileno(), input_fd], [], [], max(timeout, 0))
        if ready != [input_fd]:
            return
        tracker.tick(read_input=False)
    select.select([wake.fileno()], [], [], 1 - clock.now().microsecond / 1e6)


def _only_contract(database: Database) -> str:
    active = trackable_contracts(database)
    if len(active) != 1:
        raise RuleViolation(
            "Choose the contract to track with --contract ID (see 'contract list')."
            if active
            else NO_CONTRACT_YET
        )
    return active[0]


def _saved_text(diary: Diary, contract_id: str, started: datetime, stopped: datetime, zone: tzinfo) -> str:
    """What this run saved: 'saved 0:42:10 on “Website” in 5 blocks, Mon 23 Nov 09:00–09:42'."""
    blocks = diary.blocks_between(started.replace(microsecond=0), stopped + timedelta(seconds=1), contract_id)
    title = diary.contract(contract_id).title
    if not blocks:
        return f"saved no time on “{title}”"
    span = f"{local_text(blocks[0].start, zone)}–{blocks[-1].end.astimezone(zone):%H:%M}"
    seconds = sum(b.seconds for b in blocks)
    return f"saved {duration_text(seconds)} on “{title}” in {_count(len(blocks), 'block')}, {span}"


def status_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    """Each contract's state and its time today and this week, the block being tracked counted
    to now (its tracker saves it every few seconds; one not saved for longer was left open by a
    tracker that is gone, and counts as far as it was saved)."""
    now = SystemClock().now()
    diary.running = diary.open_block_carried_to(now, saved_within=2 * TrackerConfig.save_interval)
    rows: list[dict[str, Any]] = []
    for contract in diary.contracts():
        totals = diary.day_and_week(now, contract.id)
        rows.append(
            {
                "contract": contract.id,
                "title": contract.title,
                "tracking": diary.running is not None and diary.running.contract_id == contract.id,
                "today_seconds": totals.contract_today,
                "week_seconds": totals.contract_week,
                "weekly_limit_hours": None
                if contract.weekly_limit_minutes is None
                else contract.weekly_limit_minutes / 60,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        state = "tracking" if row["tracking"] else "stopped"
        limit = "" if row["weekly_limit_hours"] is None else f" of {row['weekly_limit_hours']:g} h"
        print(
            f"{row['title']}: {state}, today {duration_text(row['today_seconds'])}, "
            f"this week {duration_text(row['week_seconds'])}{limit}"
        )
    if not rows:
        print("no contracts yet: add one with 'contract add --title …'")
    return 0


def blocks_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    day = args.week or SystemClock().now().astimezone(zone).date()
    blocks = diary.week_blocks(day, args.contract)
    if args.json:
        week = week_of_date(day)
        print(
            json.dumps({"week_start": week.isoformat(), "blocks": [_block_json(b) for b in blocks]}, indent=2)
        )
        return 0
    for block in blocks:
        start = block.start.astimezone(zone)
        marks = [
            m
            for m in (
                block.source == BlockSource.MANUAL and "manual",
                block.redacted and "redacted",
                block.over_limit and "over limit",
                block.activity_source == ActivitySource.IDLE_TIME and FROM_IDLE_TIME,
            )
            if m
        ]
        print(
            f"{start:%a %Y-%m-%d %H:%M:%S}–{block.end.astimezone(zone):%H:%M:%S}  {block.id}  "
            f"{block.active_minutes}/{block.minutes_tracked} active  {block.memo}"
            + (f"  [{', '.join(marks)}]" if marks else "")
        )
    print(f"{_count(len(blocks), 'block')}, {_hours(sum(b.seconds for b in blocks))}")
    return 0


def _block_json(block: BlockView) -> dict:
    return {
        "id": block.id,
        "contract_id": block.contract_id,
        "start": block.start.isoformat(),
        "end": block.end.isoformat(),
        "seconds": block.seconds,
        "memo": block.memo,
        "source": block.source,
        "over_limit": block.over_limit,
        "activity": {
            "source": block.activity_source,
            "minutes_tracked": block.minutes_tracked,
            "active_minutes": block.active_minutes,
            "active_share": round(block.active_share, 3),
            "per_minute": [
                {"minute": m, "keyboard": k, "mouse": mo, "active_seconds": a}
                for m, k, mo, a in block.activity
            ],
        },
        "screenshot": None
        if block.screenshot_id is None
        else {"id": block.screenshot_id, "redacted": block.redacted},
        "capture_note": block.capture_note,
    }


def add_time_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    start, end = (m if m.tzinfo else m.replace(tzinfo=zone) for m in (args.start, args.end))
    ids = diary.add_manual_time(
        args.contract, start, end, args.memo, SystemClock().now(), database.device_id()
    )
    print("\n".join(ids))
    return 0


def remove_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    diary.remove_time(args.blocks, SystemClock().now())
    print(f"removed {_count(len(args.blocks), 'block')}")
    return 0


def memo_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    diary.edit_memo(args.blocks, args.text, SystemClock().now())
    print(f"memo changed on {_count(len(args.blocks), 'block')}")
    return 0


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


COMMANDS = {
    "contract": contract_command,
    "status": status_command,
    "blocks": blocks_command,
    "add-time": add_time_command,
    "remove": remove_command,
    "memo": memo_command,
}
