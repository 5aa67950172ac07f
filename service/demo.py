"""A demo data set: a freelancer with a few kinds of contracts, their client, two more people, and
the freelancer's afternoons of the last two weeks on “Mobile app QA”, logged on another computer
(which the app shows beside its own; ``make run`` logs the mornings on “Website rebuild” on this
computer, with screenshots: tracker/demo/week.py)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from common.states import BlockSource, ContractKind, ContractStatus
from common.timeutil import SLOT, WEEK, week_start
from service.admin import create_contract, create_user, find_user
from service.models import Block

PASSWORD = "demo-password"
FREELANCER = "demo@workdiary.test"
CLIENT = "client@workdiary.test"
USERS = (
    (FREELANCER, "Dana Demo", "freelancer"),
    (CLIENT, "Acme Corp", "client"),
    ("sam@workdiary.test", "Sam Second", "freelancer"),
    ("alex@workdiary.test", "Alex Agency", "agency_member"),
)
CONTRACTS = (
    (FREELANCER, {"title": "Website rebuild", "hourly_rate_cents": 4500, "weekly_limit_minutes": 40 * 60}),
    (FREELANCER, {"title": "Mobile app QA", "hourly_rate_cents": 3800, "manual_time_allowed": False}),
    (FREELANCER, {"title": "Logo design", "kind": ContractKind.FIXED, "hourly_rate_cents": 0}),
    (FREELANCER, {"title": "Data migration", "status": ContractStatus.ENDED, "hourly_rate_cents": 5000}),
    ("sam@workdiary.test", {"title": "Backend API", "hourly_rate_cents": 6000}),
    ("alex@workdiary.test", {"title": "Support desk", "hourly_rate_cents": 3000, "agency_member": True}),
)


def seed(session: Session, now: datetime) -> bool:
    """Add the demo data set unless it is there already; whether it was added."""
    if find_user(session, FREELANCER) is not None:
        return False
    for email, name, role in USERS:
        create_user(session, email, name, role, PASSWORD, now)
    started_at = now - timedelta(days=91)
    contracts = [
        create_contract(session, freelancer, CLIENT, started_at, **terms) for freelancer, terms in CONTRACTS
    ]
    session.flush()
    qa = contracts[1]
    session.add_all(laptop_blocks(qa.id, qa.freelancer_id, "Regression pass, release 2.4", now))
    return True


def laptop_blocks(contract_id: str, freelancer_id: str, memo: str, now: datetime) -> list[Block]:
    """Afternoons (13:00 UTC on) of last week's and this week's weekdays, up to an hour ago,
    tracked on "demo-laptop"."""
    rng = random.Random(contract_id)
    blocks: list[Block] = []
    last_week = week_start(now) - WEEK
    for day in [*range(5), *range(7, 12)]:
        first = last_week + timedelta(days=day, hours=13)
        for start in (first + n * SLOT for n in range(rng.randrange(12, 19))):
            if start + SLOT > now - timedelta(hours=1):
                return blocks
            activity = [
                [m, rng.randrange(20, 200), rng.randrange(50, 400), rng.randrange(30, 61)] for m in range(10)
            ]
            blocks.append(
                Block(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    contract_id=contract_id,
                    freelancer_id=freelancer_id,
                    device_id="demo-laptop",
                    start=start,
                    end=start + SLOT,
                    activity=activity,
                    memo=memo,
                    source=BlockSource.TRACKED,
                    over_limit=False,
                    deleted=False,
                    updated_at=start + SLOT,
                )
            )
    return blocks


def sign_in_details() -> str:
    return (
        f"Demo sign-in: {FREELANCER} (freelancer) or {CLIENT} (client), password “{PASSWORD}”; "
        f"also {USERS[2][0]} and {USERS[3][0]} (agency member)."
    )
