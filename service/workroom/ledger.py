"""The ledger: entries appended with gap-free invoice numbers; what the client paid on a contract,
and what the freelancer may still refund; bonuses, refunds and disputes; amounts in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from common.money import money_text
from common.states import Action, EventKind, Role, TransactionStatus, TransactionType
from service.errors import Conflict, Forbidden, NotFound
from service.models import Contract, Transaction, User
from service.workroom.access import party_contract, sees_money
from service.workroom.actions import require, transaction_actions
from service.workroom.events import record_event

NUMBERING_LOCK = 0x776F726B64696172  # "workdiar": the PostgreSQL advisory lock of invoice numbering
PAID_TO_FREELANCER = (TransactionType.HOURLY, TransactionType.MILESTONE, TransactionType.BONUS)
# An entry refunded (in part or whole) was paid all the same: its refunds are entries of their own.
PAID = (TransactionStatus.PAID, TransactionStatus.REFUNDED)


def refundable_cents(session: Session, contract_id: str) -> int:
    """What the client paid on the contract (invoices, milestones and bonuses paid) minus earlier refunds."""
    paid = case(
        (
            Transaction.type.in_(PAID_TO_FREELANCER) & Transaction.status.in_(PAID),
            Transaction.amount_cents,
        ),
        (Transaction.type == TransactionType.REFUND, -Transaction.amount_cents),
        else_=0,
    )
    total = session.scalar(
        select(func.coalesce(func.sum(paid), 0)).where(Transaction.contract_id == contract_id)
    )
    return int(total or 0)


def add_transaction(session: Session, transaction: Transaction) -> Transaction:
    """Append an entry to the ledger with the next invoice number: numbers have no gaps, because
    they are taken one writer at a time (SQLite's writers are one at a time already; PostgreSQL's
    wait for a lock held until their transaction ends, so a rolled-back one frees its number)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(NUMBERING_LOCK)))
    transaction.number = (session.scalar(select(func.max(Transaction.number))) or 0) + 1
    session.add(transaction)
    session.flush()
    return transaction


def money_contract(session: Session, user: User, contract_id: str) -> tuple[Contract, Role]:
    """The contract and the user's role on it, for anything about money: 404 for non-parties, 403
    for its agency member, who sees no money at all (the agency handles the contract's money)."""
    contract, role = party_contract(session, user, contract_id)
    if not sees_money(role):
        raise Forbidden(
            "An agency member sees no money: the contract's invoices and transactions are the agency's."
        )
    return contract, role


def contract_transaction(
    session: Session, contract: Contract, transaction_id: str, lock: bool = False
) -> Transaction:
    """One of the contract's entries; ``lock``: its row held until the end of the unit of work (on
    PostgreSQL), so that nothing else changes its status in between."""
    transaction = session.get(Transaction, transaction_id, with_for_update=lock)
    if transaction is None or transaction.contract_id != contract.id:
        raise NotFound(f"There is no transaction {transaction_id} on this contract.")
    return transaction


def dispute_invoice(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    transaction_id: str,
    reason: str,
    now: datetime,
) -> Transaction:
    """The client disputes an hourly invoice in its review period, saying why (the freelancer sees
    the reason). A disputed invoice stays disputed: the parties settle it between them. A replay
    answers the invoice as disputed."""
    invoice = contract_transaction(session, contract, transaction_id, lock=True)
    if invoice.status == TransactionStatus.DISPUTED and role == Role.CLIENT:
        return invoice
    allowed = transaction_actions(role, invoice.type, invoice.status, invoice.review_until, now)
    why_not = (
        f"Invoice #{invoice.number} cannot be disputed: only an hourly invoice in its review period can, "
        f"and this one is {invoice.status}"
        + (
            f" (its review ended {invoice.review_until:%a %d %b %Y %H:%M} UTC)."
            if invoice.review_until
            else "."
        )
    )
    require(Action.DISPUTE_INVOICE, role, allowed, why_not)
    invoice.status = TransactionStatus.DISPUTED
    invoice.dispute_reason = reason
    invoice.disputed_at = now
    record_event(
        session,
        contract,
        user,
        EventKind.INVOICE_DISPUTED,
        now,
        f"{user.name} disputed invoice #{invoice.number} "
        f"({money_text(invoice.amount_cents, invoice.currency)}): “{reason}”",
        money=True,
        transaction_id=invoice.id,
        number=invoice.number,
    )
    return invoice


@dataclass(frozen=True)
class Payment:
    """A bonus or a refund as its giver sends it: the id they made (a replay sends it again), the
    amount and a note."""

    id: str
    amount_cents: int
    note: str


@dataclass(frozen=True)
class PaymentKind:
    """What makes a bonus a bonus and a refund a refund. The texts are formatted with the giver's
    ``name``, the ``amount`` and the contract's ``title`` and ``status``."""

    type: TransactionType
    action: Action
    status: TransactionStatus  # the entry's, once given
    event: EventKind
    description: str
    line: str
    why_not: str  # when the action is not the giver's now


BONUS = PaymentKind(
    TransactionType.BONUS,
    Action.GIVE_BONUS,
    TransactionStatus.PAID,
    EventKind.BONUS_GIVEN,
    "Bonus from {name}",
    "{name} gave a bonus of {amount}",
    "“{title}” is {status}: it takes no bonus now.",
)
REFUND = PaymentKind(
    TransactionType.REFUND,
    Action.GIVE_REFUND,
    TransactionStatus.REFUNDED,
    EventKind.REFUND_GIVEN,
    "Refund from {name}",
    "{name} refunded {amount}",
    "Nothing is left to refund on “{title}”: the client paid nothing not refunded yet.",
)


def give(
    session: Session,
    contract: Contract,
    user: User,
    role: Role,
    allowed: list[Action],
    kind: PaymentKind,
    payment: Payment,
    now: datetime,
) -> Transaction:
    """The client gives a bonus, or the freelancer a refund of up to what the client paid on the
    contract minus earlier refunds; paid at once. ``allowed``: the contract's actions for the giver
    now. A replay answers the entry as given; the id of another entry is refused. The caller holds
    the giver's write lock (``auth.authenticate``): a contract's refunds, and a giver's replays, come
    one at a time."""
    entry = session.get(Transaction, payment.id)
    given = (contract.id, user.id, kind.type, payment.amount_cents, payment.note)
    if entry is not None and (
        (entry.contract_id, entry.created_by_id, entry.type, entry.amount_cents, entry.note) == given
    ):
        return entry
    require(kind.action, role, allowed, kind.why_not.format(title=contract.title, status=contract.status))
    if entry is not None:
        raise Conflict(
            f"The id {payment.id} is taken by another entry: make a new one for a new {kind.type}."
        )
    if kind.type == TransactionType.REFUND:
        refundable = refundable_cents(session, contract.id)
        if payment.amount_cents > refundable:
            raise Conflict(
                f"You can refund at most {money_text(refundable, contract.currency)} on “{contract.title}”: "
                f"what the client paid minus earlier refunds, not "
                f"{money_text(payment.amount_cents, contract.currency)}."
            )
    entry = add_transaction(
        session,
        Transaction(
            id=payment.id,
            contract_id=contract.id,
            type=kind.type,
            status=kind.status,
            description=kind.description.format(name=user.name),
            note=payment.note,
            amount_cents=payment.amount_cents,
            currency=contract.currency,
            created_at=now,
            created_by_id=user.id,
            paid_at=now,
        ),
    )
    line = kind.line.format(name=user.name, amount=money_text(payment.amount_cents, contract.currency))
    record_event(
        session,
        contract,
        user,
        kind.event,
        now,
        line + (f": “{payment.note}”" if payment.note else "."),
        money=True,
        transaction_id=entry.id,
        number=entry.number,
        amount_cents=payment.amount_cents,
    )
    return entry
