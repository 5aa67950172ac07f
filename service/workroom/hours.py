"""Hours on contracts, as every part of the service counts them: a block's seconds, the time that
counts (not removed) and the time billed (not removed, not over the weekly limit)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, case, func, select, type_coerce
from sqlalchemy.orm import Session

from service.models import Block

SECONDS = type_coerce(Block.end, BigInteger) - type_coerce(Block.start, BigInteger)
BILLABLE = Block.deleted.is_(False) & Block.over_limit.is_(False)


@dataclass(frozen=True)
class Hours:
    logged: int  # seconds of time not removed
    billable: int  # of which not over the weekly limit


def hours_by_contract(
    session: Session, contract_ids: Collection[str], since: datetime, until: datetime
) -> dict[str, Hours]:
    """The hours of each contract by blocks starting in [since, until); none: 0."""
    rows = session.execute(
        select(
            Block.contract_id,
            func.sum(SECONDS),
            func.sum(case((Block.over_limit.is_(False), SECONDS), else_=0)),
        )
        .where(
            Block.contract_id.in_(contract_ids),
            Block.start >= since,
            Block.start < until,
            Block.deleted.is_(False),
        )
        .group_by(Block.contract_id)
    )
    # int(): PostgreSQL sums big integers as numeric.
    found = {contract_id: Hours(int(logged), int(billable)) for contract_id, logged, billable in rows}
    return {contract_id: found.get(contract_id, Hours(0, 0)) for contract_id in contract_ids}
