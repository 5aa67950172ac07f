"""The service's scheduled work: bring contracts to the terms of the current week, issue the invoices
of the weeks whose window closed, and pay those whose review ended undisputed. It runs every minute
inside the service (``keep_doing_due_work``, started by the app) and on demand
(``workdiary-service issue-invoices``); several service processes may run it at once: each step is
idempotent, and each contract's invoices are issued in a transaction of their own.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from common.states import ContractKind
from common.timeutil import Clock
from service.database import Database
from service.models import Contract, Transaction
from service.workroom.actions import LIVE
from service.workroom.invoices import due_invoices, issue_week_invoice, settle_reviewed_invoices
from service.workroom.terms import apply_due_terms

log = logging.getLogger(__name__)
# Contracts whose due invoices are issued in one unit of work: fewer round trips, and the numbering
# lock (and SQLite's write lock) held for a fraction of a second at a time.
ISSUE_BATCH = 100


@dataclass
class DueWork:
    """What one run did."""

    terms_applied: list[str] = field(default_factory=list)  # contract ids
    issued: list[Transaction] = field(default_factory=list)
    paid: list[Transaction] = field(default_factory=list)


def run_due_work(database: Database, now: datetime, fee_percent: Decimal | None = None) -> DueWork:
    """Bring live contracts to the current week's terms, issue the due invoices, pay those whose
    review ended (entering the operator's fee, ``fee_percent`` of each, where there is one)."""
    done = DueWork()
    with database.writing() as session:
        live = session.scalars(
            select(Contract).where(Contract.kind == ContractKind.HOURLY, Contract.status.in_(LIVE))
        )
        done.terms_applied = [contract.id for contract in live if apply_due_terms(session, contract, now)]
    # What is due is read without the write lock, then issued a batch of contracts at a time.
    with database.reading() as session:
        due = due_invoices(session, now)
    contract_ids = list(due)
    for first in range(0, len(contract_ids), ISSUE_BATCH):
        batch = {contract_id: due[contract_id] for contract_id in contract_ids[first : first + ISSUE_BATCH]}
        try:
            done.issued += _issue(database, batch, now)
        except Exception:
            # One contract's failure must not hold the others' invoices back: each alone, then.
            log.exception("issuing the invoices of %d contracts at once failed: one by one now", len(batch))
            for contract_id, weeks in batch.items():
                try:
                    done.issued += _issue(database, {contract_id: weeks}, now)
                except Exception:
                    log.exception("the invoices of contract %s could not be issued", contract_id)
    with database.writing() as session:
        done.paid = settle_reviewed_invoices(session, now, fee_percent)
    return done


def _issue(database: Database, due: dict[str, list[datetime]], now: datetime) -> list[Transaction]:
    """Issue these weeks' invoices of these contracts in one unit of work (which looks again)."""
    with database.writing() as session:
        contracts = session.scalars(select(Contract).where(Contract.id.in_(due))).all()
        issued = [
            issue_week_invoice(session, contract, week, now)
            for contract in contracts
            for week in due[contract.id]
        ]
    return [invoice for invoice in issued if invoice is not None]


async def do_due_work(database: Database, clock: Clock, fee_percent: Decimal | None) -> None:
    """Run the due work now, off the event loop; a failure is logged, and the next run tries again."""
    try:
        await asyncio.to_thread(run_due_work, database, clock.now(), fee_percent)
    except Exception:
        log.exception("the scheduled work failed; it runs again at the next minute")


async def keep_doing_due_work(
    database: Database,
    clock: Clock,
    stopped: asyncio.Event,
    every_seconds: float,
    fee_percent: Decimal | None = None,
) -> None:
    """Run the due work every ``every_seconds`` until ``stopped`` is set (a run under way is finished
    first, so that the database is never closed under it)."""
    while True:
        with suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), every_seconds)
        if stopped.is_set():
            return
        await do_due_work(database, clock, fee_percent)
