"""The headless command line over the tracking core: ``python -m tracker --data-dir DIR …``.

For people who track from a terminal and for end-to-end tests. Times are read and shown in the
local time zone (``--tz`` to choose another); a bad argument or a broken rule prints a clear
message and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker import engine as events
from tracker import logs
from tracker.diary import BlockView, Diary
from tracker.engine import DISCARD, DISCARD_AND_STOP, KEEP, Tracker, TrackerConfig
from tracker.errors import EnvironmentProblem, RuleViolation, WorkdiaryError
from tracker.paths import default_data_dir
from tracker.settings import load_settings
from tracker.storage import Database
from tracker.timeutil import SystemClock, local_text, local_zone, week_of_date

log = logging.getLogger(__name__)

EXIT_RULE = 1  # the request was understood but not allowed (or the data is not there)
EXIT_USAGE = 2  # argparse's own code for a malformed command line
IDLE_ANSWERS = {"keep": KEEP, "discard": DISCARD, "stop": DISCARD_AND_STOP}


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tracker", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="where the database lives")
    parser.add_argument("--tz", type=_zone, default=None, help="time zone to read and show times in")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    contract = commands.add_parser("contract", help="local contracts").add_subparsers(
        dest="action", required=True
    )
    add = contract.add_parser("add", help="add a local contract (personal or offline work)")
    add.add_argument("--title", required=True)
    add.add_argument("--client", default="")
    add.add_argument("--rate", type=_decimal, default=Decimal(0), help="hourly rate")
    add.add_argument("--currency", default="USD")
    add.add_argument("--weekly-limit", type=float, default=None, metavar="HOURS")
    add.add_argument("--no-manual-time", action="store_true", help="forbid manual time")
    listing = contract.add_parser("list", help="list contracts")
    listing.add_argument("--json", action="store_true")

    track = commands.add_parser("track", help="track in the foreground until Ctrl-C or SIGTERM")
    track.add_argument("--contract", default=None, help="needed when there is more than one contract")
    track.add_argument("--memo", default="")
    track.add_argument("--idle-minutes", type=float, default=10.0, help="idle threshold")
    track.add_argument(
        "--on-idle", choices=sorted(IDLE_ANSWERS), default="discard", help="the answer when input returns"
    )
    track.add_argument("--keep-over-limit", action="store_true", help="keep tracking past the weekly limit")
    track.add_argument("--no-screenshots", action="store_true")
    track.add_argument("--no-input", action="store_true", help="do not count input (no idle detection)")

    status = commands.add_parser("status", help="what is being tracked and today's and this week's time")
    status.add_argument("--json", action="store_true")

    blocks = commands.add_parser("blocks", help="the time blocks of a work week")
    blocks.add_argument("--week", type=_date, default=None, metavar="DATE", help="any date of the week")
    blocks.add_argument("--contract", default=None)
    blocks.add_argument("--json", action="store_true")

    add_time = commands.add_parser("add-time", help="add manual time in 10-minute steps")
    add_time.add_argument("--contract", required=True)
    add_time.add_argument("--start", type=_moment, required=True, metavar="'YYYY-MM-DD HH:MM'")
    add_time.add_argument("--end", type=_moment, required=True, metavar="'YYYY-MM-DD HH:MM'")
    add_time.add_argument("--memo", default="")

    remove = commands.add_parser("remove", help="remove time blocks")
    remove.add_argument("blocks", nargs="+", metavar="BLOCK_ID")

    memo = commands.add_parser("memo", help="change the memo of time blocks")
    memo.add_argument("--text", required=True)
    memo.add_argument("blocks", nargs="+", metavar="BLOCK_ID")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.verbose)
    zone = args.tz or local_zone()
    try:
        database = Database(args.data_dir or default_data_dir())
        try:
            return COMMANDS[args.command](args, database, Diary(database, zone), zone)
        finally:
            database.close()
    except WorkdiaryError as error:
        print(f"workdiary: {error}", file=sys.stderr)
        return EXIT_RULE


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
        rate = f"{c.hourly_rate_cents / 100:.2f} {c.currency}/h"
        print(f"{c.id}  {c.title}  ({c.client_name or 'no client'}, {rate}, {limit}, {c.status})")
    return 0


def _contract_json(contract) -> dict:
    return {
        "id": contract.id,
        "title": contract.title,
        "client": contract.client_name,
        "kind": contract.kind,
        "status": contract.status,
        "hourly_rate": f"{contract.hourly_rate_cents / 100:.2f}",
        "currency": contract.currency,
        "weekly_limit_hours": None
        if contract.weekly_limit_minutes is None
        else contract.weekly_limit_minutes / 60,
        "manual_time_allowed": contract.manual_time_allowed,
    }


def track_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    input_source = capturer = None
    if not args.no_input:
        from tracker.capture.input import PynputInputSource

        input_source = PynputInputSource()
        try:
            input_source.start()
        except EnvironmentProblem as problem:
            print(
                f"workdiary: {problem} Tracking goes on without activity or idle detection.", file=sys.stderr
            )
            input_source = None
    if not args.no_screenshots:
        from tracker.capture.isolated import IsolatedCapturer

        capturer = IsolatedCapturer(private_apps=load_settings(database).private_apps)
    answer = IDLE_ANSWERS[args.on_idle]
    stop = threading.Event()

    def report(event: object) -> None:
        message = _describe(event, zone)
        if message:
            print(message, file=sys.stderr, flush=True)
        if isinstance(event, events.IdleQuestion):
            tracker.resolve_idle(answer)
        if isinstance(event, events.TrackingStopped):
            stop.set()

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
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        tracker.start(args.contract or _only_contract(diary), args.memo)
        while not stop.is_set():
            tracker.tick()
            # wake on the next whole second so that seconds of activity line up with the clock
            stop.wait(1 - clock.now().microsecond / 1e6)
    finally:
        tracker.stop()
        if input_source:
            input_source.stop()
    return 0


def _only_contract(diary: Diary) -> str:
    active = [c for c in diary.contracts() if c.status == "active" and c.kind == "hourly"]
    if len(active) != 1:
        raise RuleViolation(
            "Choose the contract to track with --contract ID (see 'contract list')."
            if active
            else "There is no contract to track yet: add one with 'contract add --title …'."
        )
    return active[0].id


def _describe(event: object, zone: tzinfo) -> str:
    match event:
        case events.TrackingStarted(at=at):
            return f"tracking since {local_text(at, zone)}"
        case events.TrackingStopped(at=at, reason=reason):
            return f"stopped at {local_text(at, zone)} ({reason})"
        case events.IdleStarted(since=since):
            return f"idle since {local_text(since, zone)}"
        case events.ClockJump(since=since, until=until):
            return (
                "sleep or clock change: nothing counted from "
                f"{local_text(since, zone)} to {local_text(until, zone)}"
            )
        case events.LimitWarning(remaining=remaining):
            return f"weekly limit: {remaining.total_seconds() / 60:.0f} min left"
        case events.LimitReached(at=at):
            return f"weekly limit reached at {local_text(at, zone)}"
        case events.ScreenshotTaken(note=note):
            return "screenshot taken" + (f": {note}" if note else "")
        case events.CaptureFailed(message=message):
            return f"no screenshot: {message}"
        case events.ScreenshotSkipped(private_app=app):
            return f"no screenshot: {app} was on screen (a private app)"
    return ""


def status_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    """Each contract's state and its time today and this week, the block being tracked counted
    to now (its tracker saves it every few seconds; one not saved for longer was left open by a
    tracker that is gone, and counts as far as it was saved)."""
    now = SystemClock().now()
    diary.running = diary.open_block_carried_to(now, saved_within=2 * TrackerConfig.save_interval)
    rows = []
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
            f"{row['title']}: {state}, today {_duration(row['today_seconds'])}, "
            f"this week {_duration(row['week_seconds'])}{limit}"
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
                block.source == "manual" and "manual",
                block.redacted and "redacted",
                block.over_limit and "over limit",
            )
            if m
        ]
        print(
            f"{start:%a %Y-%m-%d %H:%M:%S}–{block.end.astimezone(zone):%H:%M:%S}  {block.id}  "
            f"{block.active_minutes}/{block.minutes_tracked} active  {block.memo}"
            + (f"  [{', '.join(marks)}]" if marks else "")
        )
    print(f"{len(blocks)} blocks, {_hours(sum(b.seconds for b in blocks))}")
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
    print(f"removed {len(args.blocks)} block(s)")
    return 0


def memo_command(args, database: Database, diary: Diary, zone: tzinfo) -> int:
    diary.edit_memo(args.blocks, args.text, SystemClock().now())
    print(f"memo changed on {len(args.blocks)} block(s)")
    return 0


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


def _duration(seconds: int) -> str:
    """To the second: the running block counts live."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


COMMANDS = {
    "contract": contract_command,
    "track": track_command,
    "status": status_command,
    "blocks": blocks_command,
    "add-time": add_time_command,
    "remove": remove_command,
    "memo": memo_command,
}
