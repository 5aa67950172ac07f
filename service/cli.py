"""workdiary-service: run the contract service, administer its users and contracts, and delete
the uploaded images no screenshot shows."""

from __future__ import annotations

import argparse
import gc
import getpass
import ipaddress
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from common import logs
from common.money import money_text
from common.states import ContractKind, ContractStatus, Role
from common.timeutil import SystemClock
from common.wire import API_PREFIX
from service import demo, scheduled
from service.admin import AdminError, create_contract, create_user
from service.config import ServiceConfig
from service.database import Database
from service.models import Contract, User
from service.storage import blob_store

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    flags = {"database_url": arguments.database_url, "storage_dir": arguments.storage_dir}
    config = ServiceConfig(**{name: value for name, value in flags.items() if value})
    logs.configure(json_lines=config.log_format == "json")
    logging.getLogger("service").setLevel(logging.INFO)
    try:
        return arguments.command(arguments, config)
    except AdminError as error:
        print(f"workdiary-service: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workdiary-service", description=__doc__)
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL (default: $WORKDIARY_SERVICE_DATABASE_URL or SQLite)"
    )
    parser.add_argument("--storage-dir", type=Path, help="folder of the screenshots' images")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--demo", action="store_true", help="seed the demo data set first")
    serve.add_argument(
        "--forwarded-allow-ips",
        type=_proxies,
        default=(),
        metavar="ADDRESSES",
        help="the reverse proxies whose X-Forwarded-For header names the client, comma-separated "
        "addresses or networks (e.g. 127.0.0.1 or 10.0.0.0/8); by default none: the sign-in limits "
        "count each connecting address",
    )
    serve.add_argument(
        "--no-due-work",
        action="store_true",
        help="do no scheduled work in this process (a cron job or a systemd timer runs due-work)",
    )
    serve.set_defaults(command=_serve)

    user = commands.add_parser("create-user", help="add a user (the password is asked for)")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=list(Role))
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first input line"
    )
    user.set_defaults(command=_create_user)

    contract = commands.add_parser("create-contract", help="add a contract between a freelancer and a client")
    contract.add_argument("--title", required=True)
    contract.add_argument("--freelancer", required=True, metavar="EMAIL")
    contract.add_argument("--client", required=True, metavar="EMAIL")
    contract.add_argument(
        "--kind", choices=[kind.value for kind in ContractKind], default=ContractKind.HOURLY
    )
    contract.add_argument("--rate", type=_money, default=Decimal("45.00"), help="per hour, e.g. 45.00")
    contract.add_argument("--currency", default="USD")
    contract.add_argument("--weekly-limit", type=_hours, metavar="HOURS", help="default: no limit")
    contract.add_argument("--no-manual-time", action="store_true")
    contract.add_argument("--no-screenshots", action="store_true")
    contract.add_argument("--grace-hours", type=int, default=12)
    contract.add_argument(
        "--status", choices=[status.value for status in ContractStatus], default=ContractStatus.ACTIVE
    )
    contract.add_argument("--agency-member", action="store_true", help="the freelancer's agency pays them")
    contract.set_defaults(command=_create_contract)

    commands.add_parser("list-users", help="list the users").set_defaults(command=_list_users)
    commands.add_parser("list-contracts", help="list the contracts").set_defaults(command=_list_contracts)
    commands.add_parser(
        "migrate",
        help="bring the database's schema to the newest revision (with several workers: once, before "
        "the new version's workers start)",
    ).set_defaults(command=_migrate)
    commands.add_parser("demo", help="seed the demo data set (once)").set_defaults(command=_demo)
    commands.add_parser(
        "due-work",
        aliases=["issue-invoices"],
        help="do the scheduled work now, once: the terms of the current week, the invoices of the weeks "
        "whose window closed, the payment of those whose review ended, the expiry of sign-ins, the "
        "deletion of images unused for a day (each service worker does it every minute, unless told "
        "not to; for cron or a systemd timer)",
    ).set_defaults(command=_due_work)
    prune = commands.add_parser(
        "prune-images",
        help="delete uploaded images and files that no screenshot shows and no message attaches",
    )
    prune.add_argument(
        "--older-than-hours",
        type=_positive_hours,
        default=24,
        metavar="HOURS",
        help="only those uploaded this long ago or more (default 24: the app may still attach newer ones)",
    )
    prune.set_defaults(command=_prune_images)
    return parser


def _positive_hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of hours") from None
    if not 0 <= hours < 100_000:
        raise argparse.ArgumentTypeError("give a number of hours of 0 or more")
    return hours


def _proxies(text: str) -> tuple[str, ...]:
    proxies = tuple(item.strip() for item in text.split(",") if item.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"“{proxy}” is not an IP address or network such as 10.0.0.1 or 10.0.0.0/8"
            ) from None
    return proxies


def _money(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"“{text}” is not an amount such as 45.00") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"“{text}” is not an amount such as 45.00")
    return amount


def _hours(text: str) -> int:
    """Hours as whole minutes."""
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of hours") from None
    if not 0 < hours <= 168:
        raise argparse.ArgumentTypeError("a weekly limit lies between 0 and 168 hours")
    return round(hours * 60)


def _database(config: ServiceConfig) -> Database:
    database = Database(config.database_url)
    database.migrate()
    return database


def _migrate(arguments: argparse.Namespace, config: ServiceConfig) -> int:
    _database(config).close()
    return 0


def _serve(arguments: argparse.Namespace, config: ServiceConfig) -> int:
    import uvicorn

    from service.app import create_app

    if arguments.demo:
        _demo(arguments, config)
    config = config.model_copy(
        update={
            "forwarded_allow_ips": arguments.forwarded_allow_ips,
            "due_work_in_process": config.due_work_in_process and not arguments.no_due_work,
        }
    )
    app = create_app(config)
    images = config.storage_dir if config.s3_bucket is None else f"s3://{config.s3_bucket}/{config.s3_prefix}"
    print(
        f"Workdiary contract service on http://{arguments.host}:{arguments.port}{API_PREFIX} "
        f"(docs at {API_PREFIX}/docs); database {config.database_url}, images in {images}",
        flush=True,
    )
    # The ~235,000 objects loaded so far (modules, schemas, routes) live as long as the worker. Left to
    # the collector, each full collection walked them all: 100-200 ms with the worker stopped, every
    # few seconds under load, and the service's slowest answers.
    gc.freeze()
    uvicorn.run(
        app,
        host=arguments.host,
        port=arguments.port,
        log_level="warning",
        log_config=None,  # uvicorn's records through logs.configure's handler, in its format
        **config.server_options(),
    )
    return 0


def _create_user(arguments: argparse.Namespace, config: ServiceConfig) -> int:
    if arguments.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise AdminError("The passwords differ: nothing was created.")
    database = _database(config)
    with database.writing() as session:
        user = create_user(
            session,
            arguments.email,
            arguments.name,
            arguments.role,
            password,
            SystemClock().now(),
            config.password_cost,
        )
        print(f"Created {user.role} {user.email} ({user.id}).")
    return 0


def _create_contract(arguments: argparse.Namespace, config: ServiceConfig) -> int:
    database = _database(config)
    with database.writing() as session:
        contract = create_contract(
            session,
            arguments.freelancer,
            arguments.client,
            SystemClock().now(),
            title=arguments.title,
            kind=ContractKind(arguments.kind),
            status=ContractStatus(arguments.status),
            hourly_rate_cents=int(arguments.rate * 100),
            currency=arguments.currency,
            weekly_limit_minutes=arguments.weekly_limit,
            manual_time_allowed=not arguments.no_manual_time,
            screenshots_enabled=not arguments.no_screenshots,
            grace_hours=arguments.grace_hours,
            agency_member=arguments.agency_member,
        )
        print(f"Created contract “{contract.title}” ({contract.id}).")
    return 0


def _list_users(_arguments: argparse.Namespace, config: ServiceConfig) -> int:
    with _database(config).reading() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            print(f"{user.email}\t{user.role}\t{user.name}\t{user.id}")
    return 0


def _list_contracts(_arguments: argparse.Namespace, config: ServiceConfig) -> int:
    with _database(config).reading() as session:
        for contract in session.scalars(select(Contract).order_by(Contract.started_at, Contract.title)):
            limit = (
                "no limit"
                if contract.weekly_limit_minutes is None
                else f"{contract.weekly_limit_minutes / 60:g} h/week"
            )
            print(
                f"{contract.id}\t{contract.title}\t{contract.freelancer.email} → {contract.client.email}\t"
                f"{contract.kind}\t{contract.status}\t"
                f"{contract.hourly_rate_cents / 100:.2f} {contract.currency}\t{limit}"
            )
    return 0


def _prune_images(arguments: argparse.Namespace, config: ServiceConfig) -> int:
    uploaded_before = SystemClock().now() - timedelta(hours=arguments.older_than_hours)
    deleted = scheduled.prune_blobs(_database(config), blob_store(config), uploaded_before)
    print(f"Deleted {len(deleted)} unused image(s), {sum(deleted.values()) / 1024 / 1024:.1f} MB.")
    return 0


def _due_work(_arguments: argparse.Namespace, config: ServiceConfig) -> int:
    database = _database(config)
    try:
        done = scheduled.run_scheduled_work(database, blob_store(config), config, SystemClock().now())
    finally:
        database.close()
    if done is None:
        print("Another worker is doing the scheduled work now: nothing done here.")
        return 0
    for invoice in done.issued:
        print(
            f"Issued invoice #{invoice.number} ({invoice.contract_id}): {invoice.description}, "
            f"{money_text(invoice.amount_cents, invoice.currency)}."
        )
    for invoice in done.paid:
        print(f"Paid invoice #{invoice.number}: {money_text(invoice.amount_cents, invoice.currency)}.")
    if done.terms_applied:
        print(f"New terms took effect on {len(done.terms_applied)} contract(s).")
    if not (done.issued or done.paid):
        print("No invoice was due: nothing issued or paid.")
    if done.tokens_expired:
        print(f"Forgot {done.tokens_expired} sign-in(s) expired over a week ago.")
    if done.blobs_deleted:
        print(f"Deleted {len(done.blobs_deleted)} unused image(s) and file(s).")
    return 0


def _demo(_arguments: argparse.Namespace, config: ServiceConfig) -> int:
    with _database(config).writing() as session:
        added = demo.seed(session, blob_store(config), SystemClock().now())
    print("Demo data added." if added else "The demo data set is there already: nothing changed.")
    print(demo.sign_in_details())
    return 0
