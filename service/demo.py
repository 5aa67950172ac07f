"""A demo data set: a freelancer with a few kinds of contracts, their client, and two more people."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.admin import ContractSettings, create_contract, create_user, find_user

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
    (FREELANCER, ContractSettings("Website rebuild", hourly_rate_cents=4500, weekly_limit_minutes=40 * 60)),
    (FREELANCER, ContractSettings("Mobile app QA", hourly_rate_cents=3800, manual_time_allowed=False)),
    (FREELANCER, ContractSettings("Logo design", kind="fixed", hourly_rate_cents=0)),
    (FREELANCER, ContractSettings("Data migration", status="ended", hourly_rate_cents=5000)),
    ("sam@workdiary.test", ContractSettings("Backend API", hourly_rate_cents=6000)),
    ("alex@workdiary.test", ContractSettings("Support desk", hourly_rate_cents=3000, agency_member=True)),
)


def seed(session: Session, now: datetime) -> bool:
    """Add the demo data set unless it is there already; whether it was added."""
    if find_user(session, FREELANCER) is not None:
        return False
    for email, name, role in USERS:
        create_user(session, email, name, role, PASSWORD, now)
    started_at = now - timedelta(days=91)
    for freelancer, settings in CONTRACTS:
        create_contract(session, settings, freelancer, CLIENT, started_at)
    return True


def sign_in_details() -> str:
    return (
        f"Demo sign-in: {FREELANCER} (freelancer) or {CLIENT} (client), password “{PASSWORD}”; "
        f"also {USERS[2][0]} and {USERS[3][0]} (agency member)."
    )
