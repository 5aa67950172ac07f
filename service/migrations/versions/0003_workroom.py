"""The contract workroom: offers and the terms over time, to-dos, the thread with its files and
meetings, milestones, the ledger, feedback and the contracts' events. Images' uploaders become
blobs' uploaders (attachments are blobs too).

Contracts already made were offered by their client and accepted when they started; each gets its
first terms from its start's work week. Users get an empty title and UTC as their zone.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RowNumber = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WEEK = 7 * 86400  # seconds
FIRST_MONDAY = 4 * 86400  # 1970-01-05: every Monday 00:00 UTC is this plus whole weeks


def _foreign_key(table: str, column: str, target: str, **options: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"), **options
    )


def _contract_and_user(table: str, user_column: str, nullable: bool = False) -> list:
    return [
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column(user_column, sa.String(length=36), nullable=nullable),
        _foreign_key(table, "contract_id", "contracts.id"),
        _foreign_key(table, user_column, "users.id"),
    ]


def _rename_uploads(old: str, new: str) -> None:
    """The uploaders' table under its new name, with its constraints and index named for it."""
    op.rename_table(old, new)
    with op.batch_alter_table(new) as batch:
        batch.drop_constraint(f"fk_{old}_sha256_blobs", type_="foreignkey")
        batch.drop_constraint(f"fk_{old}_user_id_users", type_="foreignkey")
        batch.drop_constraint(f"pk_{old}", type_="primary")
        batch.drop_index(f"ix_{old}_sha256")
        batch.create_primary_key(f"pk_{new}", ["user_id", "sha256"])
        batch.create_foreign_key(
            f"fk_{new}_sha256_blobs", "blobs", ["sha256"], ["sha256"], ondelete="CASCADE"
        )
        batch.create_foreign_key(f"fk_{new}_user_id_users", "users", ["user_id"], ["id"])
        batch.create_index(f"ix_{new}_sha256", ["sha256"])


def upgrade() -> None:
    _rename_uploads("image_uploads", "blob_uploads")
    with op.batch_alter_table("blobs") as batch:
        batch.alter_column(
            "content_type",
            existing_type=sa.String(length=32),
            type_=sa.String(length=127),
            existing_nullable=False,
        )

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"))
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("proposal", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("offered_by_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("offered_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("answered_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE contracts SET offered_by_id = client_id, offered_at = started_at, answered_at = started_at"
    )
    with op.batch_alter_table("contracts") as batch:
        batch.alter_column("offered_by_id", existing_type=sa.String(length=36), nullable=False)
        batch.alter_column("offered_at", existing_type=sa.BigInteger(), nullable=False)
        batch.create_foreign_key("fk_contracts_offered_by_id_users", "users", ["offered_by_id"], ["id"])
    for table, column in (
        ("users", "title"),
        ("users", "time_zone"),
        ("contracts", "description"),
        ("contracts", "proposal"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, server_default=None)

    op.create_table(
        "term_changes",
        sa.Column("id", RowNumber, nullable=False),
        *_contract_and_user("term_changes", "made_by_id"),
        sa.Column("effective_from", sa.BigInteger(), nullable=False),
        sa.Column("hourly_rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("weekly_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("manual_time_allowed", sa.Boolean(), nullable=False),
        sa.Column("made_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term_changes")),
        sa.UniqueConstraint("contract_id", "effective_from", name=op.f("uq_term_changes_contract_id")),
    )
    op.execute(
        f"""
        INSERT INTO term_changes (contract_id, made_by_id, effective_from, hourly_rate_cents,
                                  weekly_limit_minutes, manual_time_allowed, made_at)
        SELECT id, client_id,
               started_at - ((started_at - {FIRST_MONDAY}) % {WEEK} + {WEEK}) % {WEEK},
               hourly_rate_cents, weekly_limit_minutes, manual_time_allowed, started_at
        FROM contracts
        """
    )
    op.create_table(
        "todos",
        sa.Column("id", sa.String(length=36), nullable=False),
        *_contract_and_user("todos", "created_by_id"),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todos")),
    )
    op.create_index("ix_todos_contract_position", "todos", ["contract_id", "position"])
    op.create_table(
        "messages",
        sa.Column("number", RowNumber, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        *_contract_and_user("messages", "author_id", nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("money", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_messages")),
        sa.UniqueConstraint("id", name=op.f("uq_messages_id")),
    )
    op.create_index("ix_messages_contract_number", "messages", ["contract_id", "number"])
    op.create_index("ix_messages_contract_author_number", "messages", ["contract_id", "author_id", "number"])
    op.create_table(
        "attachments",
        sa.Column("id", RowNumber, nullable=False),
        sa.Column("message_number", RowNumber, nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        _foreign_key("attachments", "contract_id", "contracts.id"),
        _foreign_key("attachments", "message_number", "messages.number"),
        _foreign_key("attachments", "sha256", "blobs.sha256"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_contract_id", "attachments", ["contract_id", "id"])
    op.create_index(op.f("ix_attachments_message_number"), "attachments", ["message_number"])
    op.create_index(op.f("ix_attachments_sha256"), "attachments", ["sha256"])
    op.create_table(
        "message_reads",
        *_contract_and_user("message_reads", "user_id"),
        sa.Column("last_read_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "user_id", name=op.f("pk_message_reads")),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=36), nullable=False),
        *_contract_and_user("meetings", "created_by_id"),
        sa.Column("message_number", RowNumber, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("join_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _foreign_key("meetings", "message_number", "messages.number"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_contract_id"), "meetings", ["contract_id"])
    op.create_table(
        "milestones",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("submission_number", RowNumber, nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        _foreign_key("milestones", "contract_id", "contracts.id"),
        _foreign_key("milestones", "submission_number", "messages.number"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    op.create_index("ix_milestones_contract_position", "milestones", ["contract_id", "position"])
    op.create_table(
        "milestone_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        *_contract_and_user("milestone_requests", "requested_by_id"),
        sa.Column("milestone_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        _foreign_key("milestone_requests", "milestone_id", "milestones.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_requests")),
    )
    op.create_index(op.f("ix_milestone_requests_contract_id"), "milestone_requests", ["contract_id"])
    op.create_table(
        "transactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        *_contract_and_user("transactions", "created_by_id", nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("week_start", sa.BigInteger(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("hourly_rate_cents", sa.BigInteger(), nullable=True),
        sa.Column("milestone_id", sa.String(length=36), nullable=True),
        sa.Column("review_until", sa.BigInteger(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("disputed_at", sa.BigInteger(), nullable=True),
        sa.Column("paid_at", sa.BigInteger(), nullable=True),
        _foreign_key("transactions", "milestone_id", "milestones.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("contract_id", "week_start", name=op.f("uq_transactions_contract_id")),
        sa.UniqueConstraint("milestone_id", name=op.f("uq_transactions_milestone_id")),
        sa.UniqueConstraint("number", name=op.f("uq_transactions_number")),
    )
    op.create_index("ix_transactions_contract_created", "transactions", ["contract_id", "created_at"])
    op.create_index("ix_transactions_created", "transactions", ["created_at"])
    op.create_table(
        "invoice_lines",
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        _foreign_key("invoice_lines", "transaction_id", "transactions.id"),
        sa.PrimaryKeyConstraint("transaction_id", "day", name=op.f("pk_invoice_lines")),
    )
    op.create_table(
        "feedback",
        *_contract_and_user("feedback", "author_id"),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "author_id", name=op.f("pk_feedback")),
    )
    op.create_table(
        "contract_events",
        sa.Column("number", RowNumber, nullable=False),
        *_contract_and_user("contract_events", "actor_id", nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("money", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_contract_events")),
    )
    op.create_index("ix_contract_events_contract_number", "contract_events", ["contract_id", "number"])


def downgrade() -> None:
    for table in (
        "contract_events",
        "feedback",
        "invoice_lines",
        "transactions",
        "milestone_requests",
        "milestones",
        "meetings",
        "message_reads",
        "attachments",
        "messages",
        "todos",
        "term_changes",
    ):
        op.drop_table(table)
    with op.batch_alter_table("contracts") as batch:
        batch.drop_constraint("fk_contracts_offered_by_id_users", type_="foreignkey")
        for column in ("ended_at", "answered_at", "offered_at", "offered_by_id", "proposal", "description"):
            batch.drop_column(column)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("title")
    with op.batch_alter_table("blobs") as batch:
        batch.alter_column(
            "content_type",
            existing_type=sa.String(length=127),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
    _rename_uploads("blob_uploads", "image_uploads")
