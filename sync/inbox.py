"""What a pass brings back: the service's contracts, and the blocks the user's other devices made.

The answers are checked field by field as they are stored (``wire.field_of``).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from common.contract import read_terms
from common.states import (
    AGREED_STATUSES,
    FREELANCER_ROLES,
    Action,
    ActivitySource,
    BlockSource,
    ContractOrigin,
    ContractStatus,
    SyncState,
)
from common.wire import field_of, parse_wire_time
from tracker import tables
from tracker.storage import Database
from tracker.tables import activity_columns

_BLOCK_FIELDS = {
    "id": str,
    "contract_id": str,
    "device_id": str,
    "memo": str,
    "capture_note": str,
    "source": str,
    "over_limit": bool,
    "deleted": bool,
}
_PULLED_CHANGES = (
    "start",
    "end",
    "activity",
    "active_minutes",
    "active_seconds",
    "memo",
    "capture_note",
    "over_limit",
    "deleted",
    "updated_at",
)


def freelance_contracts(contracts: list[dict]) -> list[dict]:
    """The contracts the user works on, as a freelancer or an agency member (not those they hired
    for as a client, nor offers, which hold no time): time is tracked on these only."""
    return [
        contract
        for contract in contracts
        if field_of(contract, "role", str) in FREELANCER_ROLES
        and field_of(contract, "status", str) in AGREED_STATUSES
    ]


def store_contracts(database: Database, contracts: list[dict]) -> int:
    """Add or update the service's contracts, with the same ids; how many were new or changed. A
    contract the service no longer lists keeps its row, with the status the service last gave it."""
    table = tables.contracts
    changed = 0
    with database.transaction() as connection:
        for contract in contracts:
            values = read_terms(contract) | {
                "client_name": field_of(contract, "client_name", str),
                "origin": ContractOrigin.SERVICE,
            }
            contract_id = field_of(contract, "id", str)
            stored = connection.execute(
                select(*(table.c[name] for name in values)).where(table.c.id == contract_id)
            ).first()
            if stored is None or stored._asdict() != values:
                insert = sqlite_insert(table).values(id=contract_id, **values)
                connection.execute(insert.on_conflict_do_update(index_elements=["id"], set_=values))
                changed += 1
    return changed


def store_offers(database: Database, contracts: list[dict]) -> None:
    """Keep the offers waiting for the user's answer: a new one is to be told, one told stays told,
    and one answered or withdrawn (elsewhere too) goes."""
    offers = {
        field_of(contract, "id", str): contract
        for contract in contracts
        if field_of(contract, "status", str) == ContractStatus.OFFERED
        and Action.ACCEPT_OFFER in field_of(contract, "actions", list)
    }
    with database.transaction() as connection:
        connection.execute(delete(tables.offers).where(tables.offers.c.contract_id.not_in(list(offers))))
        if offers:
            rows = [
                {"contract_id": contract_id, "contract": contract, "notified": False}
                for contract_id, contract in offers.items()
            ]
            insert = sqlite_insert(tables.offers)
            # One already held keeps whether it was told.
            upsert = insert.on_conflict_do_update(
                index_elements=["contract_id"], set_={"contract": insert.excluded.contract}
            )
            connection.execute(upsert, rows)


def store_other_devices_blocks(database: Database, device_id: str, blocks: list[dict]) -> int:
    """Store the blocks of other devices as synced (tombstones included); this device's own rows,
    and rows changed here and not yet sent, are never touched. Returns how many were new or changed."""
    rows = []
    for block in blocks:
        row = {name: field_of(block, name, kind) for name, kind in _BLOCK_FIELDS.items()}
        row["source"] = BlockSource(row["source"])
        if row["device_id"] == device_id:
            continue
        for name in ("start", "end", "updated_at"):
            row[name] = parse_wire_time(field_of(block, name, str))
        row |= activity_columns(field_of(block, "activity", list))
        # A service of before activity sources sends none: its blocks' activity is counted events.
        row["activity_source"] = ActivitySource(block.get("activity_source", ActivitySource.INPUT_COUNTS))
        rows.append(row | {"is_open": False, "sync_state": SyncState.SYNCED, "sync_error": ""})
    if rows:
        table = tables.blocks
        insert = sqlite_insert(table)
        upsert = insert.on_conflict_do_update(
            index_elements=["id"],
            set_={name: insert.excluded[name] for name in _PULLED_CHANGES},
            where=(table.c.device_id != device_id)
            & (table.c.sync_state == SyncState.SYNCED)
            & (table.c.updated_at != insert.excluded.updated_at),  # else it holds this version already
        )
        with database.transaction() as connection:
            return connection.execute(upsert, rows).rowcount
    return 0
