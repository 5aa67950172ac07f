"""The "…" menu as data, walked over the whole matrix: role × status × kind × dates × facts. For each
cell the contract's answered ``actions`` must be this test's own reading of PRODUCT.md section 7,
and every action's endpoint must answer 2xx when on the menu, 403 when the role never may, 409 when
not now. A cell is built afresh after each call that changed it."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import requests
from sqlalchemy.orm import Session

from common.states import (
    Action,
    ContractStatus,
    MilestoneStatus,
    RequestStatus,
    TransactionStatus,
    TransactionType,
)
from service.models import Contract, Feedback, Milestone, MilestoneRequest, Transaction
from service.workroom.ledger import add_transaction
from tests.service.conftest import ANN, World

MIA = "mia@example.test"  # an agency member
A = Action

# What each role may ever do (PRODUCT.md section 7, "Actions menu"): anything else is 403.
ROLE_MAY = {
    "client": {
        A.ACCEPT_OFFER, A.DECLINE_OFFER, A.WITHDRAW_OFFER, A.PAUSE, A.RESUME, A.CHANGE_TERMS,
        A.ADD_MILESTONE, A.FUND_MILESTONE, A.APPROVE_MILESTONE, A.REQUEST_CHANGES,
        A.DECIDE_MILESTONE_REQUEST, A.GIVE_BONUS, A.DISPUTE_INVOICE, A.END_CONTRACT, A.LEAVE_FEEDBACK,
    },
    "freelancer": {
        A.ACCEPT_OFFER, A.DECLINE_OFFER, A.WITHDRAW_OFFER, A.PROPOSE_CONTRACT, A.GIVE_REFUND,
        A.SUBMIT_WORK, A.REQUEST_MILESTONE, A.END_CONTRACT, A.LEAVE_FEEDBACK,
    },
    "agency_member": {A.ACCEPT_OFFER, A.DECLINE_OFFER, A.WITHDRAW_OFFER, A.SUBMIT_WORK, A.LEAVE_FEEDBACK},
}  # fmt: skip


@dataclass(frozen=True)
class Cell:
    role: str
    status: ContractStatus
    kind: str
    fact: str  # see FACTS
    late: bool = False  # an ended contract after its 14 days of feedback


# The facts of a cell beyond its status: each is one row or state put in place.
HOURLY_FACTS = ["none", "refundable", "invoice_in_review", "proposed_by_freelancer", "feedback_left"]
FIXED_FACTS = [*MilestoneStatus, "request_pending", "refundable", "feedback_left"]
MONEY_FACTS = ("refundable", "invoice_in_review")
AGREED = (ContractStatus.ACTIVE, ContractStatus.PAUSED, ContractStatus.ENDED)


def cells() -> list[Cell]:
    found = []
    for role, status in itertools.product(ROLE_MAY, ContractStatus):
        for kind, facts in (("hourly", HOURLY_FACTS), ("fixed", FIXED_FACTS)):
            for fact in facts:
                if fact == "feedback_left" and status != ContractStatus.ENDED:
                    continue
                if fact == "proposed_by_freelancer" and status != ContractStatus.OFFERED:
                    continue
                if fact in MONEY_FACTS and status not in AGREED:
                    continue  # an offer never had money
                for late in (False, True) if status == ContractStatus.ENDED else (False,):
                    found.append(Cell(role, status, kind, fact, late))
    return found


def expected(cell: Cell) -> set[Action]:
    """The menu, read off PRODUCT.md section 7 independently of service.workroom.actions."""
    role, status, fixed, fact = cell.role, cell.status, cell.kind == "fixed", cell.fact
    live = status in (ContractStatus.ACTIVE, ContractStatus.PAUSED)
    menu: set[Action] = set()
    if status == ContractStatus.OFFERED:
        offered_by = "freelancer" if fact == "proposed_by_freelancer" else "client"
        if (role == "client") == (offered_by == "client"):
            return {A.WITHDRAW_OFFER}
        return {A.ACCEPT_OFFER, A.DECLINE_OFFER}
    if status == ContractStatus.ENDED and not cell.late and fact != "feedback_left":
        menu.add(A.LEAVE_FEEDBACK)
    if role == "client":
        if fact == "invoice_in_review":  # in its review period, even after the end
            menu.add(A.DISPUTE_INVOICE)
        if live:
            menu |= {A.GIVE_BONUS, A.END_CONTRACT}
            menu.add(A.PAUSE if status == ContractStatus.ACTIVE else A.RESUME)
            if not fixed:
                menu.add(A.CHANGE_TERMS)
        if status == ContractStatus.ACTIVE and fixed:
            menu.add(A.ADD_MILESTONE)
            menu |= {
                MilestoneStatus.PROPOSED: {A.FUND_MILESTONE},
                MilestoneStatus.SUBMITTED: {A.APPROVE_MILESTONE, A.REQUEST_CHANGES},
                "request_pending": {A.DECIDE_MILESTONE_REQUEST},
            }.get(fact, set())
    if role == "freelancer" and (live or status == ContractStatus.ENDED):
        menu.add(A.PROPOSE_CONTRACT)
        if live:
            menu.add(A.END_CONTRACT)
        if fact == "refundable":
            menu.add(A.GIVE_REFUND)
        if status == ContractStatus.ACTIVE and fixed:
            menu.add(A.REQUEST_MILESTONE)
    submittable = fact in (MilestoneStatus.FUNDED, MilestoneStatus.CHANGES_REQUESTED)
    if role != "client" and status == ContractStatus.ACTIVE and fixed and submittable:
        menu.add(A.SUBMIT_WORK)
    return menu


@dataclass
class Built:
    contract: str
    milestone: str | None
    request: str | None
    invoice: str | None  # an hourly invoice in its review period
    client: str  # the client's email (each cell has its own client, so that proposals depend on it)
    tokens: dict[str, str]


class Matrix:
    def __init__(self, world: World) -> None:
        self.world = world
        self.database = world.service.app.state.service.database
        self.count = itertools.count()
        world.service.add_user(MIA, "agency_member")
        self.mia = world.service.sign_in(MIA)

    def build(self, cell: Cell) -> Built:
        number = next(self.count)
        client = f"client-{number}@example.test"
        self.world.service.add_user(client, "client")
        freelancer = MIA if cell.role == "agency_member" else ANN
        contract_id = self.world.service.add_contract(
            f"Cell {number}",
            freelancer,
            client,
            status=cell.status,
            kind=cell.kind,
            agency_member=cell.role == "agency_member",
        )
        milestone = request = invoice = None
        now = self.world.service.clock.now()
        with self.database.writing() as session:
            contract = session.get(Contract, contract_id)
            if cell.status == ContractStatus.ENDED:
                contract.ended_at = now - timedelta(days=15 if cell.late else 1)
            if cell.fact == "proposed_by_freelancer":
                contract.offered_by_id = contract.freelancer_id
            if cell.kind == "fixed":
                milestone = str(uuid.uuid4())
                in_state = cell.fact if cell.fact in list(MilestoneStatus) else MilestoneStatus.PAID
                session.add(_milestone(contract, milestone, in_state, now))
                request = str(uuid.uuid4())
                pending = cell.fact == "request_pending"
                session.add(
                    _request(
                        contract, request, RequestStatus.PENDING if pending else RequestStatus.DECLINED, now
                    )
                )
            if cell.fact == "refundable":
                _transaction(session, contract, TransactionType.BONUS, TransactionStatus.PAID, now)
            if cell.fact == "invoice_in_review":
                invoice = _transaction(
                    session, contract, TransactionType.HOURLY, TransactionStatus.PENDING, now
                )
            if cell.fact == "feedback_left":
                viewer = contract.client_id if cell.role == "client" else contract.freelancer_id
                session.add(
                    Feedback(contract_id=contract_id, author_id=viewer, rating=4, comment="", created_at=now)
                )
        tokens = {
            "client": self.world.service.sign_in(client),
            "freelancer": self.world.ann,
            "agency_member": self.mia,
        }
        return Built(contract_id, milestone, request, invoice, client, tokens)


def _milestone(contract: Contract, milestone_id: str, status: str, now) -> Milestone:
    return Milestone(
        id=milestone_id, contract_id=contract.id, position=0, title="M", amount_cents=100,
        status=status, created_at=now, updated_at=now,
    )  # fmt: skip


def _request(contract: Contract, request_id: str, status: RequestStatus, now) -> MilestoneRequest:
    return MilestoneRequest(
        id=request_id, contract_id=contract.id, milestone_id=None, title="More", amount_cents=5,
        status=status, requested_by_id=contract.freelancer_id, created_at=now,
    )  # fmt: skip


def _transaction(
    session: Session, contract: Contract, kind: TransactionType, status: TransactionStatus, now
) -> str:
    return add_transaction(
        session,
        Transaction(
            id=str(uuid.uuid4()), contract_id=contract.id, type=kind, status=status, description="x",
            amount_cents=1000, currency="USD", created_at=now, created_by_id=None,
            review_until=now + timedelta(days=2) if status == TransactionStatus.PENDING else None,
        ),
    ).id  # fmt: skip


Call = Callable[[World, Built, str], requests.Response | None]


def _new() -> str:
    return str(uuid.uuid4())


def _post(path: str, body: dict | None = None) -> Call:
    return lambda world, built, token: world.call(
        "POST", f"/contracts/{built.contract}{path}", token, json=body
    )


def _on_milestone(what: str, body: Callable[[], dict] | None = None) -> Call:
    def call(world: World, built: Built, token: str) -> requests.Response | None:
        if built.milestone is None:
            return None  # an hourly contract has no milestone to act on
        path = f"/contracts/{built.contract}/milestones/{built.milestone}/{what}"
        return world.call("POST", path, token, json=body() if body else None)

    return call


def _decide(world: World, built: Built, token: str) -> requests.Response | None:
    if built.request is None:
        return None
    return world.call("POST", f"/contracts/{built.contract}/milestone-requests/{built.request}/accept", token)


def _propose(world: World, built: Built, token: str) -> requests.Response | None:
    if token == built.tokens["client"]:
        return None  # a client's PUT /contracts/{id} is an offer, which clients always may make
    body = {
        "email": built.client,
        "title": "More",
        "started_at": "2026-12-01T00:00:00Z",
        "hourly_rate_cents": 1,
    }
    return world.call("PUT", f"/contracts/{_new()}", token, json=body)


ENDPOINTS: dict[Action, Call] = {
    A.ACCEPT_OFFER: _post("/accept", {}),
    A.DECLINE_OFFER: _post("/decline"),
    A.WITHDRAW_OFFER: _post("/withdraw"),
    A.PAUSE: _post("/pause"),
    A.RESUME: _post("/resume"),
    A.END_CONTRACT: _post("/end"),
    A.CHANGE_TERMS: lambda world, built, token: world.call(
        "PUT", f"/contracts/{built.contract}/terms", token, json={"weekly_limit_minutes": 61}
    ),
    A.ADD_MILESTONE: lambda world, built, token: world.call(
        "PUT",
        f"/contracts/{built.contract}/milestones/{_new()}",
        token,
        json={"title": "N", "amount_cents": 1},
    ),
    A.FUND_MILESTONE: _on_milestone("fund"),
    A.APPROVE_MILESTONE: _on_milestone("approve"),
    A.REQUEST_CHANGES: _on_milestone("request-changes", lambda: {"message_id": _new(), "text": "More."}),
    A.SUBMIT_WORK: _on_milestone("submit", lambda: {"message_id": _new(), "text": "Done."}),
    A.DECIDE_MILESTONE_REQUEST: _decide,
    A.REQUEST_MILESTONE: lambda world, built, token: world.call(
        "PUT",
        f"/contracts/{built.contract}/milestone-requests/{_new()}",
        token,
        json={"title": "N", "amount_cents": 1},
    ),
    A.PROPOSE_CONTRACT: _propose,
    A.LEAVE_FEEDBACK: lambda world, built, token: world.call(
        "PUT",
        f"/contracts/{built.contract}/feedback",
        token,
        json={"rating": 5, "comment": "From the matrix."},
    ),
}


def _dispute(world: World, built: Built, token: str) -> requests.Response | None:
    if built.invoice is None:
        return None  # nothing to dispute
    path = f"/contracts/{built.contract}/transactions/{built.invoice}/dispute"
    return world.call("POST", path, token, json={"reason": "Friday was a holiday."})


def _pay(what: str) -> Call:
    return lambda world, built, token: world.call(
        "PUT",
        f"/contracts/{built.contract}/{what}/{_new()}",
        token,
        json={"amount_cents": 100, "note": "Thanks"},
    )


ENDPOINTS |= {A.GIVE_BONUS: _pay("bonuses"), A.GIVE_REFUND: _pay("refunds"), A.DISPUTE_INVOICE: _dispute}


def test_every_action_has_its_endpoint_in_the_matrix() -> None:
    assert set(ENDPOINTS) == set(Action)


def test_the_menu_and_every_endpoint_over_the_whole_matrix(world: World) -> None:
    matrix = Matrix(world)
    mismatches: list[str] = []
    calls = 0
    for cell in cells():
        built = matrix.build(cell)
        token = built.tokens[cell.role]
        answered = world.call("GET", f"/contracts/{built.contract}", token).json()["actions"]
        menu = expected(cell)
        if answered != [action for action in Action if action in menu]:
            mismatches.append(f"{cell}: answered {answered}, expected {sorted(menu)}")
        for action, call in ENDPOINTS.items():
            answer = call(world, built, token)
            if answer is None:
                continue
            calls += 1
            want = "2xx" if action in menu else "403" if action not in ROLE_MAY[cell.role] else "409"
            got = "2xx" if answer.ok else str(answer.status_code)
            if got != want:
                mismatches.append(f"{cell} {action}: {got} ({answer.text[:120]}), expected {want}")
            if answer.ok:
                built = matrix.build(cell)  # the call changed the cell: the next one starts afresh
                token = built.tokens[cell.role]
    assert not mismatches, "\n".join(mismatches[:40])
    assert calls > 2000  # the whole matrix was walked
