"""The sync outbox: why the service refused an item, and indexes to find what waits to be sent.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("blocks", "screenshots"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("sync_error", sa.Text(), nullable=False, server_default=""))
    op.create_index("ix_blocks_sync_state", "blocks", ["sync_state", "start"])
    op.create_index("ix_screenshots_sync_state", "screenshots", ["sync_state", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_screenshots_sync_state", "screenshots")
    op.drop_index("ix_blocks_sync_state", "blocks")
    for table in ("screenshots", "blocks"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sync_error")
