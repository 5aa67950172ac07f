"""What the events feed brought worth a notification, the offers waiting for the user's answer,
and each workroom's count of unread messages.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workrooms") as batch:
        batch.add_column(sa.Column("unread", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "workroom_news",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_workroom_news_contract_id_contracts"
        ),
        sa.PrimaryKeyConstraint("number", name="pk_workroom_news"),
    )
    op.create_index("ix_workroom_news_notified", "workroom_news", ["notified", "number"])
    op.create_table(
        "offers",
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("contract", sa.JSON(), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", name="pk_offers"),
    )


def downgrade() -> None:
    op.drop_table("offers")
    op.drop_index("ix_workroom_news_notified", "workroom_news")
    op.drop_table("workroom_news")
    with op.batch_alter_table("workrooms") as batch:
        batch.drop_column("unread")
