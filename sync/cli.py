"""The sync from a terminal: ``python -m sync --data-dir DIR {sign-in, sign-out, status, run}``.

``run`` makes one pass (``--watch``: keeps going, backing off while the service is unreachable,
until Ctrl-C or SIGTERM). It is safe to kill at any moment: the next run finishes the job, with
nothing lost and nothing sent twice. The token is kept in the OS keyring; ``WORKDIARY_TOKEN``, when
set, is used instead.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import socket
import sys
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from common import logs
from common.errors import WorkdiaryError
from common.timetext import local_text
from common.timeutil import SystemClock
from sync import credentials
from sync.address import service_url_problem
from sync.client import ServiceClient
from sync.errors import NoKeyring, SignedOut
from sync.outbox import summary
from sync.worker import Backoff, Syncer, SyncReport
from tracker.cli import EXIT_RULE
from tracker.paths import default_data_dir
from tracker.settings import Settings, load_settings, save_settings
from tracker.storage import Database

log = logging.getLogger(__name__)

WATCH_EVERY = timedelta(minutes=1)  # between passes that went through


def _service_url(text: str) -> str:
    problem = service_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text.rstrip("/")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="where the database lives")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    sign_in = commands.add_parser("sign-in", help="sign in to a contract service")
    sign_in.add_argument("--service", type=_service_url, required=True, metavar="URL")
    sign_in.add_argument("--email", required=True)
    sign_in.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sign_in.add_argument(
        "--print-token",
        action="store_true",
        help="print the token instead of keeping it in the keyring (for WORKDIARY_TOKEN)",
    )
    commands.add_parser("sign-out", help="revoke the token and forget it")
    commands.add_parser("status", help="what waits to be sent, and what the service refused")
    run = commands.add_parser("run", help="sync now")
    run.add_argument("--watch", action="store_true", help="keep syncing until Ctrl-C or SIGTERM")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.verbose)
    try:
        database = Database(args.data_dir or default_data_dir())
        try:
            return COMMANDS[args.command](args, database, load_settings(database))
        finally:
            database.close()
    except NoKeyring as problem:
        print(
            f"workdiary: {problem} In a terminal or CI, set WORKDIARY_TOKEN instead "
            "(sign-in --print-token prints one).",
            file=sys.stderr,
        )
        return EXIT_RULE
    except WorkdiaryError as error:
        print(f"workdiary: {error}", file=sys.stderr)
        return EXIT_RULE


def sign_in_command(args, database: Database, settings: Settings) -> int:
    if not args.print_token:
        credentials.check_keyring()  # before a token is made that could not be kept
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    signed = ServiceClient(args.service).sign_in(args.email, password, socket.gethostname())
    if args.print_token:
        print(signed.token)
    else:
        credentials.save_token(args.service, signed.token)
        print(f"signed in to {args.service} as {args.email} until {local_text(signed.expires_at)}")
    save_settings(database, replace(settings, service_url=args.service, account_email=args.email))
    return 0


def sign_out_command(args, database: Database, settings: Settings) -> int:
    url = settings.service_url
    if not url:
        print("not signed in")
        return 0
    try:
        ServiceClient(url, credentials.load_token(url)).sign_out()
    except WorkdiaryError as problem:  # the token is forgotten here anyway
        print(f"workdiary: the service did not hear the sign-out: {problem}", file=sys.stderr)
    credentials.delete_token(url)
    save_settings(database, replace(settings, account_email=""))
    print(f"signed out of {url}")
    return 0


def status_command(args, database: Database, settings: Settings) -> int:
    if settings.account_email:
        print(f"signed in to {settings.service_url} as {settings.account_email}")
    else:
        print("not signed in: time is kept on this computer only")
    waiting = summary(database, SystemClock().now(), timedelta(minutes=settings.hold_minutes))
    print(f"{waiting.pending_blocks} time block(s) and {waiting.pending_screenshots} screenshot(s) to send")
    for item in waiting.rejected:
        print(
            f"refused: the {item.kind} of {local_text(item.start)} on “{item.contract_title}”: {item.reason}"
        )
    return 0


def run_command(args, database: Database, settings: Settings) -> int:
    if not settings.service_url:
        raise SignedOut("Not signed in to a contract service: sign in first (python -m sync sign-in …).")
    client = ServiceClient(settings.service_url, credentials.load_token(settings.service_url))
    syncer = Syncer(database, client, SystemClock(), timedelta(minutes=settings.hold_minutes))
    if not args.watch:
        return _print_report(syncer.run_once())
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    backoff = Backoff()
    while not stop.is_set():
        report = syncer.run_once()
        _print_report(report)
        if report.signed_out:
            return EXIT_RULE
        if report.error:
            stop.wait(backoff.failed())
        else:
            backoff.succeeded()
            stop.wait(WATCH_EVERY.total_seconds())
    return 0


def _print_report(report: SyncReport) -> int:
    print(
        f"sent {report.sent_blocks} time block(s) and {report.sent_screenshots} screenshot(s); "
        f"received {report.changed_contracts} new or changed contract(s) and {report.changed_blocks} "
        "time block(s) from other devices",
        flush=True,
    )
    for rejection in report.rejected:
        print(f"refused: {rejection}", flush=True)
    if report.error:
        print(f"workdiary: {report.error}", file=sys.stderr, flush=True)
        return EXIT_RULE
    return 0


COMMANDS = {
    "sign-in": sign_in_command,
    "sign-out": sign_out_command,
    "status": status_command,
    "run": run_command,
}
