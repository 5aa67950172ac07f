"""The service's scheduled work: every minute inside the service (its loop, awaited here on a fake
clock), at its start, on demand from the command line, and by two workers at once on PostgreSQL
without a second invoice or a gap in the numbers."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from common.states import EventKind, TransactionType
from common.timeutil import WEEK, SystemClock, week_start
from service import cli, scheduled
from service.database import Database
from service.local import LocalService
from service.models import Contract, ContractEvent, SignInFailure, Token, Transaction, User
from service.scheduled import (
    EXPIRED_TOKENS_KEPT,
    DueWork,
    keep_doing_due_work,
    run_due_work,
    run_scheduled_work,
)
from service.workroom.access import party_contract
from service.workroom.invoices import issue_week_invoice
from service.workroom.terms import record_terms
from tests.helpers.service import running_service
from tests.service.conftest import ANN, CARA, World, block_body, make_world, uid
from tracker.simulation import SimulatedClock

WEEK_OF_23_NOV = datetime(2026, 11, 23, tzinfo=UTC)
LOCK = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def work(world: World, contract: str, week: datetime, blocks: int = 3, first_slot: int = 0) -> None:
    """``blocks`` ten-minute blocks on the week's Tuesday morning from 09:00 plus ``first_slot`` slots."""
    tuesday = week + timedelta(days=1, hours=9)
    world.service.clock.set_wall(tuesday + timedelta(hours=2))  # type: ignore[attr-defined]
    token = world.service.sign_in(ANN)  # valid then
    for index in range(blocks):
        start = tuesday + timedelta(minutes=10 * (first_slot + index))
        answer = world.put_block(token, uid(f"{contract} {start}"), block_body(contract, start))
        assert answer.status_code == 200, answer.text


def database(service: LocalService) -> Database:
    return service.app.state.service.database


class MinuteByMinute(SimulatedClock):
    """A fake clock that moves a minute each time it is read, and says stop once past ``until``."""

    def __init__(self, start: datetime, until: datetime, stopped: asyncio.Event) -> None:
        super().__init__(start)
        self.until = until
        self.stopped = stopped

    def now(self) -> datetime:
        moment = super().now()
        self.advance(60)
        if moment >= self.until:
            self.stopped.set()
        return moment


def test_the_loop_issues_the_invoice_at_the_first_minute_the_week_is_locked(world: World) -> None:
    work(world, world.website, WEEK_OF_23_NOV)

    async def loop() -> None:
        stopped = asyncio.Event()
        clock = MinuteByMinute(LOCK - timedelta(minutes=3), LOCK + timedelta(minutes=2), stopped)
        context = world.service.app.state.service
        await keep_doing_due_work(
            context.database, context.blobs, context.config, clock, stopped, every_seconds=0
        )

    asyncio.run(loop())

    with database(world.service).reading() as session:
        [invoice] = session.scalars(select(Transaction)).all()
    assert invoice.created_at == LOCK


def test_the_service_does_its_due_work_when_it_starts(world: World, tmp_path: Path) -> None:
    work(world, world.website, WEEK_OF_23_NOV)
    url = world.service.config.database_url

    with (
        running_service(
            tmp_path / "again", SimulatedClock(LOCK), url, due_work_every=timedelta(minutes=1)
        ) as again,
        database(again).reading() as session,
    ):
        [invoice] = session.scalars(select(Transaction)).all()
    assert invoice.week_start == WEEK_OF_23_NOV


def test_the_command_line_issues_the_due_invoices_and_says_which(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line runs on the system's clock: the work is two weeks before it, always locked.
    week = week_start(SystemClock().now()) - 2 * WEEK
    work(world, world.logo, week)
    url = world.service.config.database_url

    assert cli.main(["--database-url", url, "issue-invoices"]) == 0
    first = capsys.readouterr().out
    assert cli.main(["--database-url", url, "issue-invoices"]) == 0
    again = capsys.readouterr().out

    description = f"Week of {week.day} {week:%b %Y} — 0:30 hrs at $45.00/hr"
    assert first == f"Issued invoice #1 ({world.logo}): {description}, $22.50.\n"
    assert again == "No invoice was due: nothing issued or paid.\n"


def test_terms_changed_for_this_week_take_effect_when_it_begins(world: World) -> None:
    with database(world.service).writing() as session:
        contract = session.get_one(Contract, world.bobs)
        cara = session.scalars(select(User).where(User.email == CARA)).one()
        record_terms(session, contract, WEEK_OF_23_NOV + WEEK, cara, WEEK_OF_23_NOV, hourly_rate_cents=9900)

    before = run_due_work(database(world.service), WEEK_OF_23_NOV + WEEK - timedelta(seconds=1))
    after = run_due_work(database(world.service), WEEK_OF_23_NOV + WEEK)

    assert (before.terms_applied, after.terms_applied) == ([], [world.bobs])
    with database(world.service).reading() as session:
        assert session.get_one(Contract, world.bobs).hourly_rate_cents == 9900


def test_two_issuers_racing_on_postgresql_make_one_invoice_per_week_numbered_without_gaps(
    postgres_service: LocalService,
) -> None:
    world = make_world(postgres_service)
    contracts = [world.website, world.logo] + [
        postgres_service.add_contract(f"Race {index}", ANN, CARA) for index in range(4)
    ]
    weeks = [WEEK_OF_23_NOV - WEEK * index for index in range(3)]
    for slot, contract in enumerate(contracts):
        for week in weeks:
            work(world, contract, week, blocks=1, first_slot=slot)
    db = database(postgres_service)
    barrier = threading.Barrier(2)
    issued: list[list[Transaction]] = [[], []]
    failures: list[BaseException] = []

    def same_week(slot: int) -> None:
        """Both issue the oldest week at the same moment, each in a unit of work of its own (weeks
        are issued in order: see invoices.due_invoices)."""
        try:
            with db.writing() as session:
                contract = session.get_one(Contract, world.website)
                barrier.wait()
                invoice = issue_week_invoice(session, contract, weeks[-1], LOCK)
                issued[slot] += [invoice] if invoice else []
        except BaseException as failure:  # told by the test's assertion
            failures.append(failure)

    def everything(slot: int) -> None:
        try:
            barrier.wait()
            issued[slot] += run_due_work(db, LOCK).issued
        except BaseException as failure:
            failures.append(failure)

    for target in (same_week, everything):
        threads = [threading.Thread(target=target, args=(slot,)) for slot in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []

    with db.reading() as session:
        rows = session.execute(
            select(Transaction.contract_id, Transaction.week_start, Transaction.number)
        ).all()
        issued_events = session.scalar(
            select(func.count())
            .select_from(ContractEvent)
            .where(ContractEvent.kind == EventKind.INVOICE_ISSUED)
        )
        types = set(session.scalars(select(Transaction.type)))
    assert sorted((contract, week) for contract, week, _number in rows) == sorted(
        (contract, week) for contract in contracts for week in weeks
    )
    assert sorted(number for _contract, _week, number in rows) == list(
        range(1, len(contracts) * len(weeks) + 1)
    )
    assert issued_events == len(rows) == len(issued[0]) + len(issued[1])
    assert types == {TransactionType.HOURLY}


def test_a_contract_whose_invoice_fails_holds_no_other_back(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for slot, contract in enumerate((world.website, world.logo)):
        work(world, contract, WEEK_OF_23_NOV, blocks=1, first_slot=slot)

    def failing_for_logo(session, contract: Contract, week: datetime, now: datetime):
        if contract.id == world.logo:
            raise RuntimeError("a broken contract")
        return issue_week_invoice(session, contract, week, now)

    monkeypatch.setattr(scheduled, "issue_week_invoice", failing_for_logo)
    issued = run_due_work(database(world.service), LOCK).issued

    assert [invoice.contract_id for invoice in issued] == [world.website]
    assert f"the invoices of contract {world.logo} could not be issued" in caplog.text
    monkeypatch.undo()
    assert [invoice.contract_id for invoice in run_due_work(database(world.service), LOCK).issued] == [
        world.logo
    ]


def test_a_contract_a_request_holds_is_invoiced_and_paid_at_the_next_run_on_postgresql(
    postgres_service: LocalService,
) -> None:
    """The scheduled work never waits for a request's contract (it would hold the invoice numbers
    meanwhile, which the request may need): it leaves that contract to its next run."""
    world = make_world(postgres_service)
    for slot, contract in enumerate((world.website, world.logo)):
        work(world, contract, WEEK_OF_23_NOV, blocks=1, first_slot=slot)
    reviewed = LOCK + timedelta(days=5)

    def held_while_due(moment: datetime) -> DueWork:
        """One run while a request of Cara's on the website contract is under way."""
        with database(postgres_service).writing() as session:
            cara = session.scalars(select(User).where(User.email == CARA)).one()
            party_contract(session, cara, world.website)
            return run_due_work(database(postgres_service), moment)

    def contracts(invoices: list[Transaction]) -> list[str]:
        return [invoice.contract_id for invoice in invoices]

    assert contracts(held_while_due(LOCK).issued) == [world.logo]
    assert contracts(run_due_work(database(postgres_service), LOCK).issued) == [world.website]
    assert contracts(held_while_due(reviewed).paid) == [world.logo]
    assert contracts(run_due_work(database(postgres_service), reviewed).paid) == [world.website]


def test_a_worker_skips_the_scheduled_work_while_another_does_it_on_postgresql(
    postgres_service: LocalService, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_world(postgres_service)
    work(world, world.website, WEEK_OF_23_NOV)
    context = postgres_service.app.state.service
    url = postgres_service.config.database_url

    with context.database.one_at_a_time("the scheduled work") as mine:
        skipped = run_scheduled_work(context.database, context.blobs, context.config, LOCK)
        assert cli.main(["--database-url", url, "due-work"]) == 0
    done = run_scheduled_work(context.database, context.blobs, context.config, LOCK)

    assert mine
    assert skipped is None
    assert capsys.readouterr().out == "Another worker is doing the scheduled work now: nothing done here.\n"
    assert done is not None
    assert [invoice.week_start for invoice in done.issued] == [WEEK_OF_23_NOV]


def test_the_scheduled_work_forgets_sign_ins_a_week_after_they_expire_and_failures_past_the_window(
    world: World,
) -> None:
    context = world.service.app.state.service
    signed_in_at = world.service.clock.now()
    failed = requests.post(
        f"{world.service.api}/auth/sign-in",
        json={"email": ANN, "password": "wrong", "device_name": "Desk"},
        timeout=10,
    )
    expiry = signed_in_at + context.config.token_lifetime

    def remaining(now: datetime) -> tuple[int, int]:
        run_scheduled_work(context.database, context.blobs, context.config, now)
        with context.database.reading() as session:
            tokens = session.scalar(select(func.count()).select_from(Token))
            failures = session.scalar(select(func.count()).select_from(SignInFailure))
        return tokens or 0, failures or 0

    assert failed.status_code == 401
    assert remaining(signed_in_at) == (3, 1)
    assert remaining(signed_in_at + context.config.sign_in_window) == (3, 0)
    assert remaining(expiry + EXPIRED_TOKENS_KEPT - timedelta(seconds=1)) == (3, 0)
    assert remaining(expiry + EXPIRED_TOKENS_KEPT) == (0, 0)
