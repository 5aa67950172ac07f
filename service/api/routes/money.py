"""A contract's money: its ledger (weekly invoices, milestone payments, bonuses, refunds), a dispute
of an invoice, a bonus and a refund, the transaction report across contracts (JSON or CSV) and each
entry as a PDF.

Agency members see no money at all: every route here answers them 403, on a contract they work on
as on the report (a contract that is not theirs is 404, as everywhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select
from sqlalchemy.orm import Session, selectinload

from common.money import MAX_AMOUNT_CENTS
from common.states import Action, Role, TransactionStatus, TransactionType
from service.api.deps import (
    JSON_TOO_LARGE,
    MALFORMED,
    SIGNED_OUT,
    BearerToken,
    CurrentUser,
    Service,
    ServiceContext,
    refusals,
)
from service.models import Contract, Transaction, User
from service.schemas import Day, Id, NoNul
from service.workroom import ledger, report
from service.workroom.actions import contract_actions, transaction_actions
from service.workroom.menu import facts_for

ContractId = Annotated[Id, Path()]
TransactionId = Annotated[Id, Path()]
RECENT_DAYS = 30
NO_MONEY = "an agency member's: they see no money"

router = APIRouter(tags=["money"])


class InvoiceLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date = Field(description="a UTC date of the invoice's work week")
    seconds: int = Field(description="its billable seconds")


class TransactionOut(BaseModel):
    """A ledger entry. Amounts are integers in the currency's minor unit (cents)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    number: int = Field(description="the invoice number: the ledger's numbers have no gaps")
    contract_id: str
    created_at: datetime
    type: TransactionType
    status: TransactionStatus
    description: str
    note: str
    amount_cents: int
    currency: str
    review_until: datetime | None = Field(description="an hourly invoice's last moment to dispute it")
    dispute_reason: str | None
    disputed_at: datetime | None
    paid_at: datetime | None
    week_start: datetime | None = Field(description="an hourly invoice's work week (Monday 00:00 UTC)")
    seconds: int | None = Field(description="an hourly invoice's billable seconds")
    hourly_rate_cents: int | None
    lines: list[InvoiceLineOut] = Field(description="an hourly invoice's days")
    actions: list[Action] = Field(description="what the caller may do on it now")


class DisputeIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000, description="why, for the freelancer"), NoNul]


class PaymentIn(BaseModel):
    """A bonus or a refund: an amount in the currency's minor unit (cents), and a note."""

    amount_cents: Annotated[int, Field(gt=0, le=MAX_AMOUNT_CENTS)]
    note: Annotated[str, Field(max_length=2000), NoNul] = ""


class TotalOut(BaseModel):
    type: TransactionType
    currency: str
    count: int
    amount_cents: int


class ReportOut(BaseModel):
    since: date
    until: date
    transactions: list[TransactionOut]
    totals: list[TotalOut] = Field(description="per type and currency")


def transaction_out(entry: Transaction, role: Role, now: datetime) -> TransactionOut:
    fields = {name: getattr(entry, name) for name in TransactionOut.model_fields if name != "actions"}
    return TransactionOut.model_validate(
        {**fields, "actions": transaction_actions(role, entry.type, entry.status, entry.review_until, now)}
    )


CONTRACT_MONEY = {401: SIGNED_OUT, 403: NO_MONEY, 404: "no contract of yours has this id", 422: MALFORMED}


@router.get("/contracts/{contract_id}/transactions", responses=refusals(CONTRACT_MONEY))
def transactions(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    since: Annotated[
        Day | None, Query(description=f"from this UTC date; default: {RECENT_DAYS} days ago")
    ] = None,
    until: Annotated[Day | None, Query(description="to this UTC date, included; default: today")] = None,
    type: Annotated[TransactionType | None, Query(description="only entries of this type")] = None,
) -> list[TransactionOut]:
    """The contract's ledger entries made in a date range (the last 30 days by default), oldest
    first, each with what the caller may do on it."""
    now = context.clock.now()
    with context.database.reading() as session:
        return contract_transactions(session, user, contract_id, *date_range(now, since, until), type, now)


def date_range(now: datetime, since: date | None, until: date | None) -> tuple[date, date]:
    """A report's dates: to today, from 30 days before its end, unless given."""
    until = until or now.date()
    return since or until - timedelta(days=RECENT_DAYS), until


def contract_transactions(
    session: Session,
    user: User,
    contract_id: str,
    since: date,
    until: date,
    kind: TransactionType | None,
    now: datetime,
) -> list[TransactionOut]:
    """A contract's entries made from ``since`` to ``until``, oldest first, each with the user's
    actions on it (the API's answer, and the web's transactions)."""
    contract, role = ledger.money_contract(session, user, contract_id)
    query = report.entries_query([contract.id], since, until, kind)
    entries = session.scalars(query.options(selectinload(Transaction.lines)))
    return [transaction_out(entry, role, now) for entry in entries]


@router.post(
    "/contracts/{contract_id}/transactions/{transaction_id}/dispute",
    responses={
        **refusals(
            {
                **CONTRACT_MONEY,
                403: f"the freelancer's (only the client disputes), or {NO_MONEY}",
                404: "no contract of yours has this id, or no transaction of it this one",
                409: "not an hourly invoice in its review period",
            }
        ),
        **JSON_TOO_LARGE,
    },
)
def dispute(
    contract_id: ContractId,
    transaction_id: TransactionId,
    body: DisputeIn,
    context: Service,
    token: BearerToken,
) -> TransactionOut:
    """The client disputes an hourly invoice until Friday 23:59:59 UTC of the week it was issued in,
    saying why; the freelancer sees the reason. A disputed invoice stays disputed (the parties settle
    it between them). A replay answers the invoice as disputed."""
    now = context.clock.now()
    with context.writing_as(token) as (session, user):
        contract, role = ledger.money_contract(session, user, contract_id)
        invoice = ledger.dispute_invoice(session, contract, role, user, transaction_id, body.reason, now)
        return transaction_out(invoice, role, now)


def _payment_route(who: str, refused: str) -> dict:
    return {
        **refusals(
            {
                **CONTRACT_MONEY,
                403: f"not the {who}'s to give, or {NO_MONEY}",
                409: refused,
            }
        ),
        **JSON_TOO_LARGE,
    }


@router.put(
    "/contracts/{contract_id}/bonuses/{bonus_id}",
    responses=_payment_route(
        "client", "the contract is not active or paused, or the id was used for another entry"
    ),
)
def give_bonus(
    contract_id: ContractId,
    bonus_id: Annotated[Id, Path(description="made by the client: a replay answers the bonus given")],
    body: PaymentIn,
    context: Service,
    token: BearerToken,
) -> TransactionOut:
    """The client gives the freelancer a bonus, paid at once."""
    return _give(
        context, token, contract_id, ledger.BONUS, ledger.Payment(bonus_id, body.amount_cents, body.note)
    )


@router.put(
    "/contracts/{contract_id}/refunds/{refund_id}",
    responses=_payment_route(
        "freelancer",
        "more than the client paid minus earlier refunds (the figure is in the detail), nothing left to "
        "refund, or the id was used for another entry",
    ),
)
def give_refund(
    contract_id: ContractId,
    refund_id: Annotated[Id, Path(description="made by the freelancer: a replay answers the refund given")],
    body: PaymentIn,
    context: Service,
    token: BearerToken,
) -> TransactionOut:
    """The freelancer refunds the client, up to what the client paid on the contract minus earlier
    refunds (also after the contract ended)."""
    return _give(
        context, token, contract_id, ledger.REFUND, ledger.Payment(refund_id, body.amount_cents, body.note)
    )


def _give(
    context: ServiceContext, token: str, contract_id: str, kind: ledger.PaymentKind, payment: ledger.Payment
) -> TransactionOut:
    with context.writing_as(token) as (session, user):
        return give_payment(session, user, contract_id, kind, payment, context.clock.now())


def give_payment(
    session: Session,
    user: User,
    contract_id: str,
    kind: ledger.PaymentKind,
    payment: ledger.Payment,
    now: datetime,
) -> TransactionOut:
    """The user's bonus or refund on one of their contracts, given in their unit of work (the API's
    and the web's)."""
    contract, role = ledger.money_contract(session, user, contract_id)
    allowed = contract_actions(facts_for(session, contract, role, user, now))
    return transaction_out(ledger.give(session, contract, user, role, allowed, kind, payment, now), role, now)


@router.get(
    "/contracts/{contract_id}/transactions/{transaction_id}/invoice.pdf",
    responses={
        **refusals(
            {**CONTRACT_MONEY, 404: "no contract of yours has this id, or no transaction of it this one"}
        ),
        200: {"content": {"application/pdf": {}}, "description": "the entry as a PDF"},
    },
    response_class=Response,
)
def invoice_pdf(
    contract_id: ContractId, transaction_id: TransactionId, context: Service, user: CurrentUser
) -> Response:
    """A ledger entry as a PDF (an hourly invoice with a line per day): number, dates, parties, total."""
    return invoice_pdf_download(context, user, contract_id, transaction_id)


def invoice_pdf_download(
    context: ServiceContext, user: User, contract_id: str, transaction_id: str
) -> Response:
    """One of the user's contract's entries as a PDF download (the API's, and the web's)."""
    with context.database.reading() as session:
        contract, _role = ledger.money_contract(session, user, contract_id)
        entry = ledger.contract_transaction(session, contract, transaction_id)
        content = report.invoice_pdf(entry, contract)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="workdiary-{entry.number}.pdf"'},
    )


@router.get(
    "/transactions/report",
    responses={
        **refusals(
            {
                401: SIGNED_OUT,
                403: NO_MONEY,
                404: "no contract of yours has the id given as contract",
                422: MALFORMED,
            }
        ),
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "the report as JSON, or as CSV with format=csv",
        },
    },
)
def transaction_report(
    context: Service,
    user: CurrentUser,
    since: Annotated[
        Day | None, Query(alias="from", description="from this UTC date; default: 30 days ago")
    ] = None,
    until: Annotated[Day | None, Query(description="to this UTC date, included; default: today")] = None,
    contract: Annotated[Id | None, Query(description="only this contract's entries")] = None,
    type: Annotated[TransactionType | None, Query(description="only entries of this type")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="csv: a download")] = "json",
) -> ReportOut:
    """The entries of the caller's contracts (as client, and as freelancer of those no agency bills)
    made in a date range (none when until is before from), with the totals per type and currency; as
    CSV, streamed, with format=csv."""
    now = context.clock.now()
    since, until = date_range(now, since, until)
    with context.database.reading() as session:
        contracts = report_contracts(session, user, contract)
        if format == "csv":
            return csv_download(context, contracts, since, until, type)  # type: ignore[return-value]
        return report_out(session, user, contracts, since, until, type, now)


def report_contracts(session: Session, user: User, contract_id: str | None) -> list[Contract]:
    """The contracts a report covers: the one asked for, or all those whose money the user sees."""
    if contract_id is not None:
        return [ledger.money_contract(session, user, contract_id)[0]]
    return report.money_contracts(session, user)


def report_out(
    session: Session,
    user: User,
    contracts: list[Contract],
    since: date,
    until: date,
    kind: TransactionType | None,
    now: datetime,
) -> ReportOut:
    """The report of these contracts' entries, with totals (the API's answer, and the web's page)."""
    query = report.entries_query([item.id for item in contracts], since, until, kind)
    roles = {item.id: Role.CLIENT if item.client_id == user.id else Role.FREELANCER for item in contracts}
    entries = session.scalars(query.options(selectinload(Transaction.lines)))
    return ReportOut(
        since=since,
        until=until,
        transactions=[transaction_out(entry, roles[entry.contract_id], now) for entry in entries],
        totals=[TotalOut(**vars(total)) for total in report.totals(session, query)],
    )


def csv_download(
    context: ServiceContext,
    contracts: list[Contract],
    since: date,
    until: date,
    kind: TransactionType | None,
) -> StreamingResponse:
    """The report of these contracts' entries as a CSV download, streamed."""
    titles = {item.id: item.title for item in contracts}
    query = report.entries_query(list(titles), since, until, kind)
    return _csv(context, query, titles, since, until)


def _csv(
    context: ServiceContext,
    query: Select[Transaction],
    titles: dict[str, str],
    since: date,
    until: date,
) -> StreamingResponse:
    def lines() -> Iterator[str]:
        with context.database.reading() as session:
            yield from report.csv_lines(session, query, titles)

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="workdiary-transactions-{since}-{until}.csv"'},
    )
