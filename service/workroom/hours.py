"""Hours on contracts: the seconds of time that counts (tracked and manual, not removed) in a range."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from service.models import Block

SECONDS = type_coerce(Block.end, BigInteger) - type_coerce(Block.start, BigInteger)


def seconds_by_contract(
    session: Session, contract_ids: Collection[str], since: datetime, until: datetime
) -> dict[str, int]:
    """The seconds logged on each contract by blocks starting in [since, until); 0 for none."""
    rows = session.execute(
        select(Block.contract_id, func.sum(SECONDS))
        .where(
            Block.contract_id.in_(contract_ids),
            Block.start >= since,
            Block.start < until,
            Block.deleted.is_(False),
        )
        .group_by(Block.contract_id)
    )
    found = {contract_id: int(seconds) for contract_id, seconds in rows}
    return {contract_id: found.get(contract_id, 0) for contract_id in contract_ids}
