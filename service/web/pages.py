"""The web workroom's pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from common.money import billed_cents, money_text
from common.states import ContractKind, ContractStatus, Role, TokenKind
from common.timetext import hm
from common.timeutil import WEEK, week_start
from service import auth, timesheet
from service.api.deps import Service, ServiceContext
from service.api.routes.auth import checked_time_zone
from service.models import Contract, User
from service.web.sessions import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CheckedForm,
    FormRefused,
    SignedInViewer,
    SignInNeeded,
    check_csrf,
    csrf_token,
    safe_next,
    set_cookie,
    sign_in_secret,
    sign_in_url,
)
from service.workroom import thread
from service.workroom.access import party_role, sees_money
from service.workroom.hours import Hours, hours_by_contract

SIGN_IN_FORM_SECONDS = 3600  # how long a sign-in page's form stays good
UNCHOSEN_ZONE = "UTC"  # a new user's time zone (User.time_zone's default): see adopt_browser_zone
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def money_markup(cents: int, currency: str) -> Markup:
    """An amount as its text (``money_text``), marked up with its cents and currency so that
    static/locale.js writes it again in the viewer's own locale."""
    return Markup('<data class="money" value="{}" data-currency="{}">{}</data>').format(
        cents, currency, money_text(cents, currency)
    )


templates.env.globals["money"] = money_markup
router = APIRouter(include_in_schema=False)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return _sign_in_form(request, safe_next(next))


def _sign_in_form(
    request: Request, back_to: str, error: str = "", email: str = "", status: int = 200
) -> Response:
    secret = sign_in_secret(request)
    response = templates.TemplateResponse(
        request,
        "sign_in.html",
        {"csrf": csrf_token(secret), "next": back_to, "error": error, "email": email},
        status_code=status,
    )
    set_cookie(request, response, SIGN_IN_COOKIE, secret, SIGN_IN_FORM_SECONDS)
    return response


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    context: Service,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    time_zone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    check_csrf(request.cookies.get(SIGN_IN_COOKIE), csrf)
    back_to = safe_next(next)
    address = request.client.host if request.client else "unknown"
    browser = request.headers.get("user-agent", "")[:80]
    try:
        issued = await run_in_threadpool(
            auth.sign_in,
            context.database,
            context.config,
            email,
            password,
            f"Web: {browser}",
            address,
            context.clock.now(),
            TokenKind.WEB,
        )
    except auth.SignInRefused as refused:
        status = 401 if refused.retry_after_seconds is None else 429
        return _sign_in_form(request, back_to, str(refused), email, status)
    await run_in_threadpool(adopt_browser_zone, context, issued.user, time_zone)
    response = RedirectResponse(back_to, status_code=303)
    lifetime = int(context.config.web_session_lifetime.total_seconds())
    set_cookie(request, response, SESSION_COOKIE, issued.token, lifetime)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


def adopt_browser_zone(context: ServiceContext, user: User, browser_zone: str) -> None:
    """Take the zone of the browser signed in from (the sign-in form's, filled by static/locale.js)
    for a user who never chose one.

    Never chosen is the default zone, "UTC". The profile page offers UTC as "Etc/UTC" (the same
    zone under its canonical name), so that a user who chose UTC keeps it: only the default itself
    gives way to a browser's zone."""
    if user.time_zone != UNCHOSEN_ZONE or browser_zone in ("", UNCHOSEN_ZONE):
        return
    try:
        checked_time_zone(browser_zone)
    except ValueError:
        return
    with context.database.writing() as session:
        stored = session.get(User, user.id)
        if stored is not None and stored.time_zone == UNCHOSEN_ZONE:
            stored.time_zone = browser_zone


@router.post("/sign-out")
def sign_out(context: Service, viewer: SignedInViewer, _form: CheckedForm) -> Response:
    with context.database.writing() as session:
        auth.revoke(session, viewer.session_token, context.clock.now())
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@dataclass(frozen=True)
class ContractRow:
    id: str
    title: str
    status: ContractStatus
    other_party: str
    role: Role
    week_hours: str
    week_money: str | None  # None where the viewer sees no money
    offered_by_viewer: bool  # an open offer is the viewer's to withdraw, else to accept or decline
    unread: int  # the other party's messages the viewer has not read


STATUS_FILTERS = ("all", *ContractStatus)


@router.get("/", response_class=HTMLResponse)
async def contracts(
    request: Request,
    context: Service,
    viewer: SignedInViewer,
    status: Annotated[str, Query(max_length=16)] = "all",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    rows = await run_in_threadpool(_contract_rows, context, viewer.user)
    shown = [
        row
        for row in rows
        if (status == "all" or row.status == status)
        and (not q.strip() or q.strip().casefold() in f"{row.title} {row.other_party}".casefold())
    ]
    return templates.TemplateResponse(
        request,
        "contracts.html",
        {
            "viewer": viewer,
            "rows": shown,
            "count": len(rows),
            "status": status if status in STATUS_FILTERS else "all",
            "statuses": STATUS_FILTERS,
            "q": q,
        },
    )


def this_week(hours: Hours, contract: Contract, role: Role) -> tuple[str, str | None]:
    """This week's hours, and its earnings (billable time at the rate) where the viewer sees money."""
    money = None
    if sees_money(role) and contract.kind == ContractKind.HOURLY:
        money = money_markup(billed_cents(hours.billable, contract.hourly_rate_cents), contract.currency)
    return hm(hours.logged), money


def _contract_rows(context: ServiceContext, user: User) -> list[ContractRow]:
    now = context.clock.now()
    monday = week_start(now)
    with context.database.reading() as session:
        contracts = timesheet.user_contracts(session, user)
        hours = hours_by_contract(session, [c.id for c in contracts], monday, monday + WEEK)
        unread = thread.unread_by_contract(session, user, [c.id for c in contracts])
        rows = []
        for contract in contracts:
            role = party_role(contract, user)  # user_contracts holds only the user's
            week_hours, week_money = this_week(hours[contract.id], contract, role)
            other = contract.freelancer if role == Role.CLIENT else contract.client
            rows.append(
                ContractRow(
                    id=contract.id,
                    title=contract.title,
                    status=contract.status,
                    other_party=other.name,
                    role=role,
                    week_hours=week_hours,
                    week_money=week_money,
                    offered_by_viewer=contract.offered_by_id == user.id,
                    unread=unread.get(contract.id, 0),
                )
            )
    return rows


def sign_in_needed(_request: Request, needed: SignInNeeded) -> Response:
    return RedirectResponse(sign_in_url(needed.back_to), status_code=303)


def form_refused(request: Request, refused: FormRefused) -> Response:
    return templates.TemplateResponse(request, "refused.html", {"message": str(refused)}, status_code=403)


def refusal_page(request: Request, message: str, status: int) -> Response:
    """A page's refusal (no such contract among yours, a rule's "not now", a malformed form) in
    words, as a page."""
    return templates.TemplateResponse(request, "refused.html", {"message": message}, status_code=status)
