"""The app's database read (rows whose columns are attributes: ``block.memo``) or changed behind the
app's back in a test, through Core as the app does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Integer, Row, Table, select, type_coerce, update

from tracker.storage import Database
from tracker.tables import blocks, contracts


def read_rows(database: Database, query: Executable) -> list[Row[Any]]:
    with database.engine.connect() as connection:
        return list(connection.execute(query))


def live_blocks(database: Database) -> list[Row[Any]]:
    """The blocks not removed, in time order, with their length (``block.seconds``)."""
    seconds = type_coerce(blocks.c.end, Integer) - type_coerce(blocks.c.start, Integer)
    query = select(blocks, seconds.label("seconds")).where(blocks.c.deleted.is_(False))
    return read_rows(database, query.order_by(blocks.c.start))


def row_by_id(database: Database, table: Table, row_id: str) -> Row[Any]:
    (row,) = read_rows(database, select(table).where(table.c.id == row_id))
    return row


def change_contract(database: Database, contract_id: str, **values: object) -> None:
    database.write(update(contracts).where(contracts.c.id == contract_id).values(**values))
