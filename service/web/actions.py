"""The "…" menu's actions in the browser: each one a confirmation page saying in plain words what
will happen, with the form the action needs (``GET /contracts/{id}/actions/{action}``), and its
POST, which does it through the same rules as the API's routes (``service.workroom``: life,
milestones, ledger, feedback, each refusing what is not on the viewer's menu now) and answers 303
back to the workroom, where the result shows. A form carries the ids of what it makes, so that
sending it twice does it once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from common.actions import ACTION_LABELS, WHAT_HAPPENS
from common.money import money_text
from common.states import Action, ContractKind, MessageKind, RequestStatus, Role, TransactionType
from service.api.deps import Service, ServiceContext
from service.api.routes.contracts import contract_out
from service.api.routes.milestones import MilestoneOut, RequestOut
from service.api.routes.money import DisputeIn, PaymentIn, contract_transactions, date_range, give_payment
from service.models import Contract, User
from service.schemas import Id
from service.web.messages import kept_uploads
from service.web.money import form_error, parse_cents
from service.web.sessions import CheckedForm, SignedInViewer, Viewer, writing_as
from service.web.timeline import timeline
from service.web.workroom import ContractId, tab_page
from service.workroom import feedback, ledger, life, milestones, terms, thread
from service.workroom.access import party_contract
from service.workroom.actions import require

router = APIRouter(include_in_schema=False)
ActionName = Annotated[Action, Path()]
Form = dict[str, str]
WEEK_MINUTES = 7 * 24 * 60

# The actions on one milestone, request or invoice: the page lets the viewer choose which.
_ON_MILESTONE = (
    Action.FUND_MILESTONE,
    Action.SUBMIT_WORK,
    Action.APPROVE_MILESTONE,
    Action.REQUEST_CHANGES,
    Action.REQUEST_MILESTONE,
)
# Where the result shows, after the workroom's path ("": the Overview).
_LANDS_ON = {
    Action.GIVE_BONUS: "/transactions",
    Action.GIVE_REFUND: "/transactions",
    Action.DISPUTE_INVOICE: "/transactions",
    Action.LEAVE_FEEDBACK: "/details",
    Action.CHANGE_TERMS: "/details",
}


@dataclass(frozen=True)
class Choice:
    """A milestone, request or invoice the action may be about."""

    id: str
    label: str


def _confirmation(
    context: ServiceContext, user: User, contract_id: str, action: Action, target: str | None
) -> dict[str, Any]:
    now = context.clock.now()
    with context.database.reading() as session:
        contract, role = party_contract(session, user, contract_id)
        shown = contract_out(session, contract, role, user, now)
        require(action, role, shown.actions)
        other = contract.freelancer if role == Role.CLIENT else contract.client
        refundable = ledger.refundable_cents(session, contract.id) if action == Action.GIVE_REFUND else 0
        return {
            "contract": shown,
            "action": action,
            "label": ACTION_LABELS[action],
            "what": WHAT_HAPPENS[action].format(
                other=other.name,
                next_week=f"{terms.next_week(now):%A %d %B %Y}",
                refund=money_text(refundable, contract.currency),
            ),
            "refundable": refundable,
            "other": other,
            "choices": _choices(session, contract, role, user, action, shown.actions, now),
            "target": target,
            # The hourly terms a change starts from: next week's where changed already, else today's.
            "terms": (hourly := shown.pending_terms or contract),
            "limit": _limit_text(hourly.weekly_limit_minutes),
            "today": now.date(),
        }


def _choices(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    action: Action,
    menu: list[Action],
    now: datetime,
) -> list[Choice]:
    """The milestones, requests or invoices the action may be about now."""
    if action in (*_ON_MILESTONE, Action.DECIDE_MILESTONE_REQUEST):
        shown = timeline(session, contract, role, menu)
        found = shown["milestone_requests" if action == Action.DECIDE_MILESTONE_REQUEST else "milestones"]
        return [
            Choice(item.id, _milestone_words(item, contract.currency))
            for item in found
            if action in item.actions
        ]
    if action == Action.DISPUTE_INVOICE:
        # An invoice is disputable for days after it is issued: the recent ones hold all that may be.
        recent = date_range(now, None, None)
        invoices = contract_transactions(session, user, contract.id, *recent, TransactionType.HOURLY, now)
        return [
            Choice(i.id, f"#{i.number} {i.description} — {money_text(i.amount_cents, i.currency)}")
            for i in invoices
            if action in i.actions
        ]
    return []


def _milestone_words(item: MilestoneOut | RequestOut, currency: str) -> str:
    """A milestone or a request as a choice: its title, amount (where the viewer sees money) and due date."""
    words = [item.title]
    if item.amount_cents is not None:
        words.append(money_text(item.amount_cents, currency))
    if item.due_date is not None:
        words.append(f"due {item.due_date:%d %b %Y}")
    return " — ".join(words)


@router.get("/contracts/{contract_id}/actions/{action}", response_class=HTMLResponse)
async def confirmation(
    request: Request,
    contract_id: ContractId,
    action: ActionName,
    context: Service,
    viewer: SignedInViewer,
    target: str | None = None,
) -> Response:
    data = await run_in_threadpool(_confirmation, context, viewer.user, contract_id, action, target)
    return tab_page(request, viewer, "action.html", "", data)


@router.post("/contracts/{contract_id}/actions/{action}")
async def act(
    request: Request,
    contract_id: ContractId,
    action: ActionName,
    context: Service,
    viewer: SignedInViewer,
    form: CheckedForm,
) -> Response:
    do = _DO[action]
    if action == Action.SUBMIT_WORK:  # with the work's files, kept first as a message's are
        files = await kept_uploads(request, context, viewer.user, contract_id)
        do = _on_milestone(milestones.submit, partial(_submission, files=files))
    lands_on = await run_in_threadpool(_act, context, viewer, contract_id, action, do, form)
    return RedirectResponse(f"{lands_on}?done={action}", status_code=303)


def _act(
    context: ServiceContext, viewer: Viewer, contract_id: str, action: Action, do: Do, form: Form
) -> str:
    """Do the action as the viewer, in a unit of work holding their write lock and the contract's
    row; the page its result shows on."""
    with writing_as(context, viewer) as (session, user):
        contract, role = party_contract(session, user, contract_id)
        made = do(session, contract, role, user, form, context.clock.now())
        return f"/contracts/{made or contract.id}{_LANDS_ON.get(action, '')}"


# An action's doing: (session, contract, role, user, form, now) → the id of a contract it made.
Do = Callable[[Session, Contract, Role, User, Form, datetime], str | None]


Model = TypeVar("Model", bound=BaseModel)
_ID = TypeAdapter(Id)


def _model(model: type[Model], **fields: Any) -> Model:
    """The rules' own input model from a form's fields: what they refuse is told as a page (422)."""
    try:
        return model.model_validate(fields)
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from invalid


def _chosen(form: Form, name: str, what: str) -> str:
    """The id of the ``what`` the form names (chosen, or made by the page for what it makes)."""
    chosen = form.get(name, "").strip()
    if not chosen:
        raise form_error(what, f"choose the {what}")
    try:
        return _ID.validate_python(chosen)
    except ValidationError:
        raise form_error(what, f"there is no {what} {chosen!r}: reload the page") from None


def _text(form: Form, name: str) -> str:
    return form.get(name, "").strip()


def _optional(form: Form, name: str) -> str | None:
    return form.get(name, "").strip() or None


def _status_change(action: Action) -> Do:
    def do(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
        life.change_status(session, contract, role, user, action, now)

    return do


def _end(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
    """End the contract; a reason given is posted in the thread after the end's own line, as the
    viewer's message."""
    life.change_status(session, contract, role, user, Action.END_CONTRACT, now)
    if reason := _text(form, "reason"):
        message_id = _chosen(form, "message_id", "message")
        thread.post_message(session, contract, user, message_id, MessageKind.TEXT, reason, (), now)


def _accept(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
    rate = _optional(form, "hourly_rate")
    answer = _model(
        life.AcceptIn,
        proposal=_text(form, "proposal"),
        hourly_rate_cents=None if rate is None else parse_cents(rate, "rate", contract.currency, least=0),
    )
    life.accept(session, contract, role, user, answer, now)


def _weekly_limit_minutes(form: Form) -> int | None:
    """The weekly limit typed as hours or hours:minutes (blank: no limit), in minutes."""
    typed = _text(form, "weekly_limit_hours")
    if not typed:
        return None
    found = re.fullmatch(r"(\d{1,3})(?::([0-5]\d))?", typed)
    if found is None:
        raise form_error("weekly limit", "type hours, or hours:minutes, such as 40 or 12:30")
    minutes = int(found[1]) * 60 + int(found[2] or 0)
    if minutes > WEEK_MINUTES:
        raise form_error("weekly limit", "a week has 168 hours")
    return minutes


def _limit_text(minutes: int | None) -> str:
    """A weekly limit as the form takes it back: "40", "12:30"; blank for none."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}" if rest else str(hours)


def _change_terms(
    session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime
) -> None:
    sent = _model(
        life.TermsIn,
        hourly_rate_cents=parse_cents(form.get("hourly_rate", ""), "rate", contract.currency, least=0),
        weekly_limit_minutes=_weekly_limit_minutes(form),
        manual_time_allowed="manual_time_allowed" in form,
    )
    life.change_terms(session, contract, role, user, sent, now)


def _draft(form: Form, contract: Contract) -> dict[str, Any]:
    """A milestone's title, amount and due date as typed."""
    return {
        "title": _text(form, "title"),
        "amount_cents": parse_cents(form.get("amount", ""), "amount", contract.currency),
        "due_date": _optional(form, "due_date"),
    }


def _add_milestone(
    session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime
) -> None:
    drafted = _model(life.MilestoneDraft, **_draft(form, contract), description=_text(form, "description"))
    milestone_id = _chosen(form, "milestone_id", "milestone")
    milestones.add(session, contract, role, user, milestone_id, drafted, now)


def _on_milestone(change: Callable[..., object], sent: Callable[[Form], BaseModel] | None = None) -> Do:
    def do(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
        milestone = milestones.milestone_of(session, contract, _chosen(form, "target", "milestone"))
        change(session, contract, role, user, milestone, *([sent(form)] if sent else []), now)

    return do


def _submission(form: Form, files: Sequence[thread.FileRef] = ()) -> BaseModel:
    return _model(
        milestones.SubmissionIn,
        message_id=form.get("message_id"),
        text=_text(form, "text"),
        files=[milestones.FileIn(sha256=f.sha256, name=f.name, content_type=f.content_type) for f in files],
    )


def _changes(form: Form) -> BaseModel:
    return _model(milestones.ChangesIn, message_id=form.get("message_id"), text=_text(form, "text"))


def _request_milestone(
    session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime
) -> None:
    sent = _model(
        milestones.RequestIn,
        milestone_id=_optional(form, "target"),
        **_draft(form, contract),
        note=_text(form, "note"),
    )
    milestones.make_request(session, contract, role, user, _chosen(form, "request_id", "request"), sent, now)


def _decide(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
    request = milestones.request_of(session, contract, _chosen(form, "target", "request"))
    decision = _model(_Decision, decision=form.get("decision")).decision
    milestones.decide(session, contract, role, user, request, decision, now)


class _Decision(BaseModel):
    decision: RequestStatus


def _payment(kind: ledger.PaymentKind) -> Do:
    def do(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
        sent = _model(
            PaymentIn,
            amount_cents=parse_cents(form.get("amount", ""), "amount", contract.currency),
            note=_text(form, "note"),
        )
        payment = ledger.Payment(_chosen(form, "payment_id", "payment"), sent.amount_cents, sent.note)
        give_payment(session, user, contract.id, kind, payment, now)

    return do


def _dispute(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> None:
    reason = _model(DisputeIn, reason=_text(form, "reason")).reason
    ledger.money_contract(session, user, contract.id)  # an agency member is refused, as by the API
    ledger.dispute_invoice(session, contract, role, user, _chosen(form, "target", "invoice"), reason, now)


def _feedback(
    session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime
) -> None:
    sent = _model(feedback.FeedbackIn, rating=form.get("rating"), comment=_text(form, "comment"))
    feedback.leave(session, contract, role, user, sent, now)


def _propose(session: Session, contract: Contract, role: Role, user: User, form: Form, now: datetime) -> str:
    """The freelancer's proposal of a new contract to this one's client: the new contract's id."""
    life.require_now(session, contract, role, user, Action.PROPOSE_CONTRACT, now)
    fixed = form.get("kind") == ContractKind.FIXED
    offer = _model(
        life.OfferIn,
        email=contract.client.email,
        title=_text(form, "title"),
        description=_text(form, "description"),
        proposal=_text(form, "proposal"),
        kind=form.get("kind"),
        started_at=f"{_text(form, 'start')}T00:00:00Z",
        currency=contract.currency,
        hourly_rate_cents=0
        if fixed
        else parse_cents(form.get("hourly_rate", ""), "rate", contract.currency, least=0),
        weekly_limit_minutes=None if fixed else _weekly_limit_minutes(form),
        manual_time_allowed="manual_time_allowed" in form,
        screenshots_enabled="screenshots_enabled" in form,
        milestones=[
            {
                "id": form.get("milestone_id"),
                "title": _text(form, "milestone_title"),
                "amount_cents": parse_cents(form.get("milestone_amount", ""), "amount", contract.currency),
                "due_date": _optional(form, "milestone_due_date"),
            }
        ]
        if fixed
        else [],
    )
    return life.make_offer(session, user, _chosen(form, "contract_id", "contract"), offer, now).id


_DO: dict[Action, Do] = {
    Action.ACCEPT_OFFER: _accept,
    **{
        action: _status_change(action)
        for action in (Action.DECLINE_OFFER, Action.WITHDRAW_OFFER, Action.PAUSE, Action.RESUME)
    },
    Action.END_CONTRACT: _end,
    Action.CHANGE_TERMS: _change_terms,
    Action.ADD_MILESTONE: _add_milestone,
    Action.FUND_MILESTONE: _on_milestone(milestones.fund),
    Action.SUBMIT_WORK: _on_milestone(milestones.submit, _submission),
    Action.APPROVE_MILESTONE: _on_milestone(milestones.approve),
    Action.REQUEST_CHANGES: _on_milestone(milestones.request_changes, _changes),
    Action.REQUEST_MILESTONE: _request_milestone,
    Action.DECIDE_MILESTONE_REQUEST: _decide,
    Action.GIVE_BONUS: _payment(ledger.BONUS),
    Action.GIVE_REFUND: _payment(ledger.REFUND),
    Action.DISPUTE_INVOICE: _dispute,
    Action.LEAVE_FEEDBACK: _feedback,
    Action.PROPOSE_CONTRACT: _propose,
}
