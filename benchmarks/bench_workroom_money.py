"""The workroom's money: issuing the weekly invoices of 1,000 hourly contracts at once, and a
client's five-year transaction report as CSV.

Issuing: 1,000 contracts, each with a week of 100 ten-minute blocks (16 h 40 min), whose window has
just closed; one run of the scheduled work (``service.scheduled.run_due_work``) issues the 1,000
invoices, on SQLite and, where installed, PostgreSQL. The report: a client with 10 hourly contracts
invoiced every week for five years (2,600 invoices with their daily lines, and a bonus a month),
asked for as CSV over HTTP from the service on a loopback port.

    python -m benchmarks --only workroom_money
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert

from benchmarks.report import row
from common.states import BlockSource, TransactionStatus, TransactionType
from common.timeutil import WEEK, week_start
from common.wire import API_PREFIX, bearer
from service.admin import create_contract, create_user
from service.database import Database
from service.local import running_service
from service.models import Block, InvoiceLine, Transaction
from service.postgres_cluster import postgres_cluster, server_binaries
from service.scheduled import run_due_work
from tracker.simulation import SimulatedClock

NAME = "workroom_money"
CONTRACTS = 1000
BLOCKS_PER_WEEK = 100
ISSUE_BAR_S = 10.0
REPORT_CONTRACTS, REPORT_YEARS = 10, 5
REPORT_BAR_S = 1.0
PASSWORD_COST = 2**10  # no sign-in is timed
WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)
LOCK = WEEK_START + WEEK + timedelta(hours=12)
FREELANCER, CLIENT = "bench@example.test", "client@example.test"
PASSWORD = "bench-password"


def _people(database: Database, now: datetime) -> None:
    with database.writing() as session:
        create_user(session, FREELANCER, "Bench", "freelancer", PASSWORD, now, PASSWORD_COST)
        create_user(session, CLIENT, "Client", "client", PASSWORD, now, PASSWORD_COST)


def _contracts_with_a_week_of_work(database: Database) -> None:
    """CONTRACTS contracts, each of a freelancer of its own, with a week of blocks (written as rows:
    the service's checks are not what is measured)."""
    _people(database, WEEK_START)
    with database.writing() as session:
        contracts = []
        for number in range(CONTRACTS):
            email = f"bench{number}@example.test"
            create_user(session, email, f"Bench {number}", "freelancer", PASSWORD, WEEK_START, PASSWORD_COST)
            contracts.append(
                create_contract(session, email, CLIENT, WEEK_START - WEEK, title=f"Contract {number}")
            )
        starts = [
            WEEK_START + timedelta(hours=8) + timedelta(minutes=10 * index)
            for index in range(BLOCKS_PER_WEEK)
        ]
        session.execute(
            insert(Block),
            [
                {
                    "id": str(uuid.uuid4()),
                    "contract_id": contract.id,
                    "freelancer_id": contract.freelancer_id,
                    "device_id": "bench",
                    "start": start,
                    "end": start + timedelta(minutes=10),
                    "activity": [],
                    "memo": "",
                    "source": BlockSource.TRACKED,
                    "over_limit": False,
                    "deleted": False,
                    "updated_at": start,
                }
                for contract in contracts
                for start in starts
            ],
        )


def issue_seconds(url: str) -> float:
    database = Database(url)
    database.migrate()
    _contracts_with_a_week_of_work(database)
    started = time.perf_counter()
    done = run_due_work(database, LOCK)
    elapsed = time.perf_counter() - started
    assert len(done.issued) == CONTRACTS, len(done.issued)
    database.close()
    return elapsed


def _five_years_of_invoices(database: Database, now: datetime) -> None:
    _people(database, now)
    first = week_start(now) - WEEK * 52 * REPORT_YEARS
    with database.writing() as session:
        ids = [
            create_contract(session, FREELANCER, CLIENT, first, title=f"Contract {n}").id
            for n in range(REPORT_CONTRACTS)
        ]
    number = 0
    entries, lines = [], []
    for contract_id in ids:
        for week_number in range(52 * REPORT_YEARS):
            week = first + WEEK * week_number
            number += 1
            entry_id = str(uuid.uuid4())
            entries.append(
                {
                    "id": entry_id,
                    "number": number,
                    "contract_id": contract_id,
                    "type": TransactionType.HOURLY,
                    "status": TransactionStatus.PAID,
                    "description": f"Week of {week.day} {week:%b %Y} — 20:00 hrs at $45.00/hr",
                    "note": "",
                    "amount_cents": 90000,
                    "currency": "USD",
                    "created_at": week + WEEK + timedelta(hours=12),
                    "week_start": week,
                    "seconds": 72000,
                    "hourly_rate_cents": 4500,
                    "review_until": week + WEEK + timedelta(days=5),
                    "paid_at": week + WEEK + timedelta(days=5),
                }
            )
            lines += [
                {"transaction_id": entry_id, "day": (week + timedelta(days=day)).date(), "seconds": 14400}
                for day in range(5)
            ]
            if week_number % 4 == 0:
                number += 1
                entries.append(
                    {
                        **entries[-1],
                        "id": str(uuid.uuid4()),
                        "number": number,
                        "type": TransactionType.BONUS,
                        "description": "Bonus from Client",
                        "note": "Thanks",
                        "amount_cents": 5000,
                        "week_start": None,
                        "seconds": None,
                        "hourly_rate_cents": None,
                        "review_until": None,
                    }
                )
    with database.writing() as session:
        session.execute(insert(Transaction), entries)
        session.execute(insert(InvoiceLine), lines)


def report_seconds(folder: Path, url: str) -> tuple[float, int]:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with running_service(
        folder, SimulatedClock(now), url, password_cost=PASSWORD_COST, due_work_every=None
    ) as service:
        _five_years_of_invoices(service.app.state.service.database, now)
        token = service.sign_in(CLIENT, PASSWORD)
        params = {"from": f"{now.year - REPORT_YEARS - 1}-01-01", "format": "csv"}
        address = f"{service.url}{API_PREFIX}/transactions/report"
        requests.get(address, headers=bearer(token), params=params, timeout=30)  # warm
        started = time.perf_counter()
        answer = requests.get(address, headers=bearer(token), params=params, timeout=30)
        elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed, answer.text.count("\n") - 1


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as folder_name, ExitStack() as stack:
        folder = Path(folder_name)
        databases: list[tuple[str, Callable[[str], str]]] = [
            ("SQLite", lambda tag: f"sqlite:///{folder / tag}.sqlite3")
        ]
        if server_binaries() is not None:
            cluster = stack.enter_context(postgres_cluster())
            databases.append(("PostgreSQL", lambda _tag: cluster.create_database()))
        for name, new_database in databases:
            seconds = issue_seconds(new_database("issue"))
            rows.append(row(NAME, f"issue {CONTRACTS:,} weekly invoices, {name}", seconds, "s", ISSUE_BAR_S))
            seconds, entries = report_seconds(folder / f"report-{name}", new_database("report"))
            rows.append(
                row(NAME, f"5-year report as CSV ({entries:,} entries), {name}", seconds, "s", REPORT_BAR_S)
            )
    return rows
