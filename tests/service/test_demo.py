"""The demo data set: a believable workroom on every contract, made through the service's own rules,
and what the app shows as the other computer's work."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import requests
from sqlalchemy import func, select

from common.states import ContractStatus, MessageKind, MilestoneStatus, RequestStatus, TransactionStatus
from common.timeutil import week_start
from common.wire import bearer
from service import demo
from service.models import (
    Attachment,
    Block,
    Contract,
    Feedback,
    Meeting,
    Message,
    Milestone,
    MilestoneRequest,
    Todo,
    Transaction,
)
from tests.helpers.service import LocalService, running_service
from tracker.simulation import SimulatedClock

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday afternoon


@pytest.fixture
def seeded(tmp_path) -> LocalService:
    with running_service(tmp_path, SimulatedClock(NOW)) as service:
        with service.database.writing() as session:
            assert demo.seed(session, service._context.blobs, NOW)
        with service.database.writing() as session:
            assert not demo.seed(session, service._context.blobs, NOW)  # once
        yield service


def contract(service: LocalService, title: str) -> Contract:
    with service.database.reading() as session:
        return session.scalars(select(Contract).where(Contract.title == title)).one()


def test_every_status_of_a_contract_is_there(seeded: LocalService) -> None:
    with seeded.database.reading() as session:
        statuses = Counter(session.scalars(select(Contract.status)))

    assert set(statuses) == set(ContractStatus)


def test_the_other_computer_logged_weekday_afternoons_on_qa_until_an_hour_ago(seeded: LocalService) -> None:
    qa = contract(seeded, "Mobile app QA")
    with seeded.database.reading() as session:
        blocks = list(session.scalars(select(Block).where(Block.contract_id == qa.id).order_by(Block.start)))

    this_week = [b for b in blocks if b.start >= week_start(NOW)]
    assert {b.device_id for b in blocks} == {"demo-laptop"}
    assert all(first.end <= second.start for first, second in pairwise(blocks))
    assert {b.start.hour for b in this_week} <= {13, 14, 15}
    assert {b.start.weekday() for b in blocks} == {0, 1, 2, 3, 4}
    assert this_week[-1].end <= NOW - timedelta(hours=1)
    assert this_week[-1].start.date() == NOW.date()


def test_past_weeks_are_invoiced_and_paid_with_a_dispute_a_bonus_and_a_refund(seeded: LocalService) -> None:
    with seeded.database.reading() as session:
        entries = list(session.scalars(select(Transaction).order_by(Transaction.number)))

    kinds = Counter((entry.type, entry.status) for entry in entries)
    assert kinds[("hourly", TransactionStatus.PAID)] >= 20
    assert kinds[("hourly", TransactionStatus.DISPUTED)] == 1
    assert kinds[("bonus", TransactionStatus.PAID)] == 1
    assert kinds[("refund", TransactionStatus.REFUNDED)] == 1
    assert kinds[("milestone", TransactionStatus.PAID)] == 1
    assert [entry.number for entry in entries] == list(range(1, len(entries) + 1))


def test_the_fixed_price_contract_has_a_milestone_in_each_state_and_a_request(seeded: LocalService) -> None:
    logo = contract(seeded, "Logo design")
    with seeded.database.reading() as session:
        states = set(session.scalars(select(Milestone.status).where(Milestone.contract_id == logo.id)))
        requests = list(
            session.scalars(select(MilestoneRequest.status).where(MilestoneRequest.contract_id == logo.id))
        )

    assert states == set(MilestoneStatus)
    assert requests == [RequestStatus.PENDING]


def test_the_website_thread_has_files_a_meeting_and_to_dos(seeded: LocalService) -> None:
    website = contract(seeded, "Website rebuild")
    with seeded.database.reading() as session:
        kinds = Counter(session.scalars(select(Message.kind).where(Message.contract_id == website.id)))
        files = list(session.scalars(select(Attachment.name).where(Attachment.contract_id == website.id)))
        meeting = session.scalars(select(Meeting).where(Meeting.contract_id == website.id)).one()
        todos = [todo.done for todo in session.scalars(select(Todo).where(Todo.contract_id == website.id))]

    assert kinds[MessageKind.TEXT] == 7 and kinds[MessageKind.MEETING] == 1 and kinds[MessageKind.SYSTEM] >= 2
    assert sorted(files) == ["Site requirements.md", "sitemap.csv"]
    assert meeting.start > NOW and meeting.join_url
    assert sorted(todos) == [False, False, True, True]
    assert seeded.blob_files() >= {a for a in seeded.stored_blob_hashes()}


def test_the_ended_contract_has_both_sides_feedback(seeded: LocalService) -> None:
    migration = contract(seeded, "Data migration")
    with seeded.database.reading() as session:
        ratings = list(session.scalars(select(Feedback.rating).where(Feedback.contract_id == migration.id)))

    assert migration.status == ContractStatus.ENDED
    assert ratings == [5, 5]


@pytest.mark.parametrize("email", [demo.FREELANCER, demo.CLIENT, demo.ALEX])
def test_each_demo_user_reads_every_workroom_of_theirs(seeded: LocalService, email: str) -> None:
    token = seeded.sign_in(email)
    contracts = requests.get(f"{seeded.api}/contracts", headers=bearer(token), timeout=10).json()
    for each in contracts:
        for path in ("", "/messages", "/files", "/todos", "/blocks"):
            answer = requests.get(
                f"{seeded.api}/contracts/{each['id']}{path}", headers=bearer(token), timeout=10
            )
            assert answer.status_code == 200, (each["title"], path, answer.text)
    assert contracts


def test_the_other_computer_leaves_this_computers_demo_weeks_free_on_the_website(
    seeded: LocalService,
) -> None:
    """``make run`` logs this week's (on a Monday morning: last week's) mornings on “Website
    rebuild” here: the other computer's time there must not overlap them."""
    website = contract(seeded, "Website rebuild")
    with seeded.database.reading() as session:
        latest = session.scalar(select(func.max(Block.start)).where(Block.contract_id == website.id))

    assert latest is not None and latest < week_start(NOW) - timedelta(days=7)


def test_each_thread_reads_in_the_order_things_happened(seeded: LocalService) -> None:
    with seeded.database.reading() as session:
        rows = session.execute(select(Message.contract_id, Message.created_at).order_by(Message.number)).all()

    for contract_id in {contract_id for contract_id, _ in rows}:
        times = [created for each, created in rows if each == contract_id]
        assert times == sorted(times)
