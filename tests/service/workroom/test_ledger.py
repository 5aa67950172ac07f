"""The ledger's invoice numbers have no gaps, and a refund is bounded by what the client paid."""

from __future__ import annotations

import uuid

from common.states import TransactionStatus, TransactionType
from service.models import Transaction
from service.workroom.ledger import add_transaction, refundable_cents
from tests.service.conftest import World


def entry(
    world: World, contract_id: str, kind: TransactionType, status: TransactionStatus, cents: int
) -> int:
    with world.service.database.writing() as session:
        return add_transaction(
            session,
            Transaction(
                id=str(uuid.uuid4()),
                contract_id=contract_id,
                type=kind,
                status=status,
                description=kind,
                amount_cents=cents,
                currency="USD",
                created_at=world.service.clock.now(),
            ),
        ).number


def refundable(world: World, contract_id: str) -> int:
    with world.service.database.reading() as session:
        return refundable_cents(session, contract_id)


def test_numbers_follow_each_other_across_contracts(world: World) -> None:
    numbers = [
        entry(world, world.website, TransactionType.HOURLY, TransactionStatus.PENDING, 100),
        entry(world, world.bobs, TransactionType.BONUS, TransactionStatus.PAID, 200),
        entry(world, world.website, TransactionType.REFUND, TransactionStatus.PAID, 50),
    ]

    assert numbers == [1, 2, 3]


def test_what_may_be_refunded_is_what_was_paid_minus_refunds(world: World) -> None:
    entry(world, world.website, TransactionType.HOURLY, TransactionStatus.PAID, 10_000)
    entry(world, world.website, TransactionType.HOURLY, TransactionStatus.PENDING, 7_000)  # not paid yet
    entry(world, world.website, TransactionType.HOURLY, TransactionStatus.DISPUTED, 3_000)
    entry(
        world, world.website, TransactionType.MILESTONE, TransactionStatus.REFUNDED, 2_000
    )  # paid, then refunded
    entry(world, world.website, TransactionType.BONUS, TransactionStatus.PAID, 500)
    entry(world, world.website, TransactionType.REFUND, TransactionStatus.PAID, 2_000)
    entry(world, world.logo, TransactionType.BONUS, TransactionStatus.PAID, 900)

    assert refundable(world, world.website) == 10_000 + 2_000 + 500 - 2_000
    assert refundable(world, world.logo) == 900
    assert refundable(world, world.bobs) == 0
