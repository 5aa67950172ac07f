"""Activity packed as integers (10 bytes a minute) instead of JSON, with the summary the Work
Diary reads (minutes with input, active seconds) in columns of their own; the contract index
covers the all-time totals.

Revision ID: 0006
Revises: 0005
"""

import json
import struct

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As of this revision: minute of the slot, keyboard events, mouse events, active seconds.
_MINUTE = struct.Struct("<BIIB")


def upgrade() -> None:
    with op.batch_alter_table("blocks") as batch:
        batch.add_column(sa.Column("active_minutes", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("active_seconds", sa.Integer(), nullable=False, server_default="0"))
        batch.alter_column("activity", type_=sa.LargeBinary(), existing_type=sa.JSON())
        batch.drop_index("ix_blocks_contract_start")
        batch.create_index("ix_blocks_contract_start", ["contract_id", "start", "end", "deleted"])
    rows = []
    for rowid, text in op.get_bind().exec_driver_sql("SELECT rowid, activity FROM blocks"):
        minutes = json.loads(text)
        packed = b"".join(_MINUTE.pack(*minute) for minute in minutes)
        active_minutes = sum(1 for _, keys, mouse, _ in minutes if keys or mouse)
        rows.append((packed, active_minutes, sum(minute[3] for minute in minutes), rowid))
    _update(rows, "activity = ?, active_minutes = ?, active_seconds = ?")


def downgrade() -> None:
    rows = [
        (json.dumps([list(minute) for minute in _MINUTE.iter_unpack(packed)]), rowid)
        for rowid, packed in op.get_bind().exec_driver_sql("SELECT rowid, activity FROM blocks")
    ]
    _update(rows, "activity = ?")
    with op.batch_alter_table("blocks") as batch:
        batch.drop_index("ix_blocks_contract_start")
        batch.create_index("ix_blocks_contract_start", ["contract_id", "start"])
        batch.alter_column("activity", type_=sa.JSON(), existing_type=sa.LargeBinary())
        batch.drop_column("active_seconds")
        batch.drop_column("active_minutes")


def _update(rows: list[tuple], assignments: str) -> None:
    if rows:  # executemany takes no empty list
        op.get_bind().exec_driver_sql(f"UPDATE blocks SET {assignments} WHERE rowid = ?", rows)
