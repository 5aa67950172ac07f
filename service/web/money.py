"""The web workroom's money: a contract's transactions (the last 30 days on the Timesheet tab, and
their own page), each entry as a PDF, the View Transaction Report across the viewer's contracts
with its CSV, and amounts typed into forms read as integer cents. All of it through the API's own
helpers (``service.api.routes.money``): an agency member is refused here as there (403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from common.money import MAX_AMOUNT_CENTS, typed_cents
from common.states import Role, TransactionType
from service.api.deps import Service
from service.api.routes.contracts import contract_out
from service.api.routes.money import (
    TransactionOut,
    contract_transactions,
    csv_download,
    date_range,
    invoice_pdf_download,
    report_contracts,
    report_out,
)
from service.models import Contract, User
from service.schemas import Day, Id
from service.web.pages import templates
from service.web.sessions import SignedInViewer
from service.web.workroom import ContractId, tab_page
from service.workroom import report
from service.workroom.access import party_contract, sees_money

router = APIRouter(include_in_schema=False)
templates.env.globals["figure"] = report.amount_figure


def form_error(field: str, message: str) -> RequestValidationError:
    """A form's field refused, told as the rules' refusals are: a page with the message (422)."""
    return RequestValidationError([{"loc": (field,), "msg": message, "type": "value_error"}])


def parse_cents(text: str, field: str, currency: str, least: int = 1, most: int = MAX_AMOUNT_CENTS) -> int:
    """An amount as a person types it in integer cents (``common.money.typed_cents``); ``field``
    names it in the refusal."""
    try:
        return typed_cents(text, currency, least, most)
    except ValueError as wrong:
        raise form_error(field, str(wrong)) from None


def recent_transactions(
    session: Session, user: User, contract: Contract, role: Role, now: datetime
) -> list[TransactionOut] | None:
    """The contract's entries of the last 30 days for the Timesheet tab's partial
    (timesheet_money.html, which takes them as ``transactions``); None for an agency member, who
    sees no money."""
    if not sees_money(role):
        return None
    return contract_transactions(session, user, contract.id, *date_range(now, None, None), None, now)


@router.get("/contracts/{contract_id}/transactions", response_class=HTMLResponse)
async def transactions(
    request: Request, contract_id: ContractId, context: Service, viewer: SignedInViewer
) -> Response:
    def read() -> dict[str, Any]:
        now = context.clock.now()
        with context.database.reading() as session:
            contract, role = party_contract(session, viewer.user, contract_id)
            since, until = contract.offered_at.date(), now.date()
            return {
                "contract": contract_out(session, contract, role, viewer.user, now),
                "transactions": contract_transactions(
                    session, viewer.user, contract_id, since, until, None, now
                ),
                "transactions_title": "All transactions",
            }

    return tab_page(request, viewer, "transactions.html", "transactions", await run_in_threadpool(read))


@router.get("/contracts/{contract_id}/transactions/{transaction_id}/invoice.pdf")
async def invoice_pdf(
    contract_id: ContractId,
    transaction_id: Annotated[Id, Path()],
    context: Service,
    viewer: SignedInViewer,
) -> Response:
    return await run_in_threadpool(invoice_pdf_download, context, viewer.user, contract_id, transaction_id)


@dataclass(frozen=True)
class ReportFilters:
    """The report's dates (UTC, both included; the last 30 days unless given), contract and type."""

    since: date
    until: date
    contract: str | None
    type: TransactionType | None

    def query(self) -> str:
        """The filters as the report's links carry them."""
        given = {"contract": self.contract, "type": self.type}
        return urlencode({"from": self.since, "until": self.until} | {k: v for k, v in given.items() if v})


def report_filters(
    context: Service,
    since: Annotated[Day | None, Query(alias="from")] = None,
    until: Annotated[Day | None, Query()] = None,
    contract: Annotated[Id | None, Query()] = None,
    type: Annotated[TransactionType | None, Query()] = None,
) -> ReportFilters:
    return ReportFilters(*date_range(context.clock.now(), since, until), contract, type)


Filters = Annotated[ReportFilters, Depends(report_filters)]


@router.get("/report", response_class=HTMLResponse)
async def transaction_report(
    request: Request, context: Service, viewer: SignedInViewer, filters: Filters
) -> Response:
    def read() -> dict[str, Any]:
        now = context.clock.now()
        with context.database.reading() as session:
            mine = report.money_contracts(session, viewer.user)
            chosen = report_contracts(session, viewer.user, filters.contract)
            return {
                "report": report_out(
                    session, viewer.user, chosen, filters.since, filters.until, filters.type, now
                ),
                "contracts": mine,
                "titles": {item.id: item.title for item in mine},
                "filters": filters,
                "types": list(TransactionType),
            }

    return templates.TemplateResponse(
        request, "report.html", {"viewer": viewer, **await run_in_threadpool(read)}
    )


@router.get("/report.csv")
async def transaction_report_csv(context: Service, viewer: SignedInViewer, filters: Filters) -> Response:
    def read() -> Response:
        with context.database.reading() as session:
            chosen = report_contracts(session, viewer.user, filters.contract)
            return csv_download(context, chosen, filters.since, filters.until, filters.type)

    return await run_in_threadpool(read)
