"""The workroom of each service contract, copied for offline use, and the outbox of what the
freelancer writes in it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workrooms",
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("todos", sa.JSON(), nullable=False),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("milestone_requests", sa.JSON(), nullable=False),
        sa.Column("transactions", sa.JSON(), nullable=True),
        sa.Column("recent_files", sa.JSON(), nullable=False),
        sa.Column("older_messages", sa.Integer(), nullable=True),
        sa.Column("events_cursor", sa.Integer(), nullable=False),
        sa.Column("fresh_at", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"], name="fk_workrooms_contract_id_contracts"),
        sa.PrimaryKeyConstraint("contract_id", name="pk_workrooms"),
    )
    op.create_table(
        "workroom_messages",
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("meeting", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["workrooms.contract_id"], name="fk_workroom_messages_contract_id_workrooms"
        ),
        sa.PrimaryKeyConstraint("contract_id", "number", name="pk_workroom_messages"),
    )
    op.create_table(
        "workroom_writes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("milestone_id", sa.String(36), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("written_at", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(8), nullable=False),
        sa.Column("sync_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_workroom_writes_contract_id_contracts"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_workroom_writes"),
    )
    op.create_index("ix_workroom_writes_contract_id", "workroom_writes", ["contract_id", "sync_state"])


def downgrade() -> None:
    op.drop_index("ix_workroom_writes_contract_id", "workroom_writes")
    op.drop_table("workroom_writes")
    op.drop_table("workroom_messages")
    op.drop_table("workrooms")
