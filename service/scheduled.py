"""The service's scheduled work: bring contracts to the terms of the current week, issue the invoices
of the weeks whose window closed, pay those whose review ended undisputed, forget the sign-ins long
expired and the failed sign-ins past the rate limit's window, and delete the images nothing shows.
It runs every minute inside each service worker (``keep_doing_due_work``, started by the app, unless
``due_work_in_process`` is off) and on demand (``workdiary-service due-work``, for cron or a systemd
timer). On PostgreSQL one worker at a time does a run (an advisory lock; the others skip theirs); each
step is idempotent besides, and each contract's invoices are issued in a transaction of their own.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from common.states import ContractKind
from common.timeutil import Clock
from service.config import ServiceConfig
from service.database import Database
from service.models import Contract, SignInFailure, Token, Transaction
from service.storage import BlobStore
from service.timesheet import delete_unshown_blobs
from service.workroom.access import hold_free_contracts
from service.workroom.actions import LIVE
from service.workroom.invoices import due_invoices, issue_week_invoice, settle_reviewed_invoices
from service.workroom.terms import apply_due_terms

log = logging.getLogger(__name__)
# Contracts whose due invoices are issued in one unit of work: fewer round trips, and the numbering
# lock (and SQLite's write lock) held for a fraction of a second at a time.
ISSUE_BATCH = 100
# An expired token is kept this long, so that its device hears "expired" rather than "unknown".
EXPIRED_TOKENS_KEPT = timedelta(days=7)
# An image or file is deleted this long after its last upload when nothing shows or attaches it: the
# app uploads a screenshot's images again right before attaching them.
UNUSED_BLOBS_KEPT = timedelta(hours=24)


@dataclass
class DueWork:
    """What one run did."""

    terms_applied: list[str] = field(default_factory=list)  # contract ids
    issued: list[Transaction] = field(default_factory=list)
    paid: list[Transaction] = field(default_factory=list)
    tokens_expired: int = 0
    blobs_deleted: dict[str, int] = field(default_factory=dict)  # sizes by hash


def run_scheduled_work(
    database: Database, blobs: BlobStore, config: ServiceConfig, now: datetime
) -> DueWork | None:
    """Everything due at ``now``; None when another worker is doing it (PostgreSQL)."""
    with database.one_at_a_time("the scheduled work") as mine:
        if not mine:
            return None
        done = run_due_work(database, now, config.service_fee_percent)
        with database.writing() as session:
            expired = delete(Token).where(Token.expires_at <= now - EXPIRED_TOKENS_KEPT)
            done.tokens_expired = len(session.scalars(expired.returning(Token.token_sha256)).all())
            session.execute(
                delete(SignInFailure).where(SignInFailure.attempted_at <= now - config.sign_in_window)
            )
        done.blobs_deleted = prune_blobs(database, blobs, now - UNUSED_BLOBS_KEPT)
        return done


def prune_blobs(database: Database, blobs: BlobStore, uploaded_before: datetime) -> dict[str, int]:
    """Delete the images and files nothing shows or attaches, last uploaded before ``uploaded_before``:
    their sizes by hash."""
    with database.writing() as session:
        deleted = delete_unshown_blobs(session, uploaded_before)
    for sha256 in deleted:  # once the database no longer knows them: a failure leaves a file
        blobs.delete(sha256)
    return deleted


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
    """Issue these weeks' invoices of these contracts in one unit of work (which looks again); a
    contract that another unit of work holds (a request under way) is left for the next run."""
    with database.writing() as session:
        contracts = hold_free_contracts(session, due)
        issued = [
            issue_week_invoice(session, contract, week, now)
            for contract in contracts
            for week in due[contract.id]
        ]
    return [invoice for invoice in issued if invoice is not None]


async def do_due_work(database: Database, blobs: BlobStore, config: ServiceConfig, clock: Clock) -> None:
    """Run the scheduled work now, off the event loop; a failure is logged, and the next run tries
    again."""
    try:
        await asyncio.to_thread(run_scheduled_work, database, blobs, config, clock.now())
    except Exception:
        log.exception("the scheduled work failed; it runs again at the next minute")


async def keep_doing_due_work(
    database: Database,
    blobs: BlobStore,
    config: ServiceConfig,
    clock: Clock,
    stopped: asyncio.Event,
    every_seconds: float,
) -> None:
    """Run the due work every ``every_seconds`` until ``stopped`` is set (a run under way is finished
    first, so that the database is never closed under it)."""
    while True:
        with suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), every_seconds)
        if stopped.is_set():
            return
        await do_due_work(database, blobs, config, clock)
