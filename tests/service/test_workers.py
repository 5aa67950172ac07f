"""The service as several real worker processes on one PostgreSQL database: scheduled work done once
when every worker does it at once, and nothing a request needs kept in one worker's memory (sign-ins,
web sessions, the sign-in limits, revocations)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import make_url, select

from common.timeutil import WEEK, SystemClock, week_start
from common.wire import bearer
from service.database import Database
from service.local import free_port, wait_until_answering
from service.models import Transaction
from service.postgres_cluster import PostgresCluster
from tests.helpers.service import API, PASSWORD, running_service
from tests.service.conftest import ANN, CARA, World, make_world
from tests.service.test_scheduled import work
from tests.service.web.test_sessions import browser_signed_in_at
from tracker.simulation import SimulatedClock

# The workers run on the system's clock: work two weeks before it is in a week long locked.
WORKED_WEEK = week_start(SystemClock().now()) - 2 * WEEK
CONTRACTS = 4


class Workers:
    """Real ``workdiary-service serve`` processes on one database and one blob folder, started
    together (each does its due work as it starts, before it answers)."""

    def __init__(self, database_url: str, storage_dir: Path, count: int) -> None:
        self.urls = [f"http://127.0.0.1:{free_port()}" for _ in range(count)]
        locations = ["--database-url", database_url, "--storage-dir", str(storage_dir)]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "service", *locations, "serve", "--port", url.rsplit(":", 1)[1]]
            )
            for url in self.urls
        ]

    def wait(self) -> None:
        for process, url in zip(self.processes, self.urls, strict=True):
            wait_until_answering(process, url)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


@pytest.fixture
def seeded(tmp_path: Path, postgres: PostgresCluster) -> tuple[str, World]:
    """A PostgreSQL database with the test world and half an hour of work on each of its contracts in
    a locked week, not invoiced yet; seeded by a service in this process, stopped before the test."""
    url = postgres.create_database()
    with running_service(tmp_path / "seed", SimulatedClock(WORKED_WEEK), url) as seeder:
        world = make_world(seeder)
        contracts = [world.website, world.logo] + [
            seeder.add_contract(f"Site {index}", ANN, CARA) for index in range(CONTRACTS - 2)
        ]
        for slot, contract in enumerate(contracts):
            work(world, contract, WORKED_WEEK, first_slot=3 * slot)
    return url, world


@pytest.fixture
def workers(tmp_path: Path, seeded: tuple[str, World]) -> Iterator[Workers]:
    running = Workers(seeded[0], tmp_path / "blobs", 2)
    try:
        running.wait()
        yield running
    finally:
        running.stop()


def test_two_workers_starting_together_issue_each_invoice_once_numbered_without_gaps(
    workers: Workers, seeded: tuple[str, World]
) -> None:
    database = Database(seeded[0])
    try:
        with database.reading() as session:
            rows = session.execute(
                select(Transaction.contract_id, Transaction.week_start, Transaction.number)
            ).all()
    finally:
        database.close()

    assert len({contract for contract, _week, _number in rows}) == CONTRACTS
    assert {week for _contract, week, _number in rows} == {WORKED_WEEK}
    assert sorted(number for _contract, _week, number in rows) == list(range(1, CONTRACTS + 1))


def test_a_sign_in_on_one_worker_holds_on_the_other(workers: Workers) -> None:
    first, second = workers.urls

    signed_in = requests.post(
        f"{first}{API}/auth/sign-in",
        json={"email": ANN, "password": PASSWORD, "device_name": "Desk"},
        timeout=30,
    )
    me = requests.get(f"{second}{API}/me", headers=bearer(signed_in.json()["token"]), timeout=10)

    assert me.status_code == 200, me.text
    assert me.json()["email"] == ANN


def test_a_web_session_begun_on_one_worker_holds_on_the_other(workers: Workers) -> None:
    first, second = workers.urls
    browser = browser_signed_in_at(first)  # its cookies go to both: they differ by port alone

    contracts = browser.get(f"{second}/", allow_redirects=False, timeout=10)

    assert contracts.status_code == 200
    assert "Website" in contracts.text


def test_failed_sign_ins_on_both_workers_count_towards_one_limit(workers: Workers) -> None:
    def sign_in(url: str, password: str) -> requests.Response:
        body = {"email": ANN, "password": password, "device_name": "Desk"}
        return requests.post(f"{url}{API}/auth/sign-in", json=body, timeout=30)

    first, second = workers.urls
    failures = [sign_in(url, "wrong") for url in (first, second, first, second, first)]
    limited = [sign_in(url, PASSWORD) for url in (second, first)]

    assert [answer.status_code for answer in failures] == [401] * 5
    assert [answer.status_code for answer in limited] == [429, 429]


def test_a_token_signed_out_on_one_worker_is_refused_by_the_other_at_once(
    workers: Workers, seeded: tuple[str, World]
) -> None:
    first, second = workers.urls
    token = seeded[1].cara

    signed_out = requests.post(f"{first}{API}/auth/sign-out", headers=bearer(token), timeout=10)
    refused = requests.get(f"{second}{API}/me", headers=bearer(token), timeout=10)

    assert signed_out.status_code == 204
    assert refused.status_code == 401


def test_a_worker_keeps_its_pool_of_connections_and_no_more_however_many_requests_come_at_once(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    """Requests beyond the pool wait for a connection: PostgreSQL sees the same few sessions all
    along, not a new server process for each request over the pool (55 for these 60 requests when
    the pool opened more connections and closed them after use)."""
    database_url = postgres.create_database()
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    seen: set[int] = set()
    with (
        running_service(tmp_path, SimulatedClock(WORKED_WEEK), database_url, database_pool_size=2) as service,
        psycopg.connect(conninfo) as watcher,
        ThreadPoolExecutor(max_workers=12) as pool,
    ):
        world = make_world(service)
        burst = watcher.execute("SELECT clock_timestamp()").fetchone()[0]
        calls = [pool.submit(world.call, "GET", "/contracts", world.ann) for _ in range(60)]
        while not all(call.done() for call in calls):
            seen |= _sessions_since(watcher, burst)
        statuses = [call.result().status_code for call in calls]

    assert statuses == [200] * 60
    assert len(seen) <= 2  # the pool's, opened as the burst came


def _sessions_since(watcher: psycopg.Connection, moment: datetime) -> set[int]:
    """The server processes of the database's sessions begun since ``moment``, by their pids."""
    rows = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_start > %s",
        (moment,),
    ).fetchall()
    watcher.commit()  # pg_stat_activity is read once per transaction
    return {pid for (pid,) in rows}
