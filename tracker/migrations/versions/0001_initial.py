"""Contracts, time blocks and screenshots.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("client_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("hourly_rate_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("weekly_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("manual_time_allowed", sa.Boolean(), nullable=False),
        sa.Column("screenshots_enabled", sa.Boolean(), nullable=False),
        sa.Column("grace_hours", sa.Integer(), nullable=False),
        sa.Column("agency_member", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("started_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contracts"),
    )
    op.create_table(
        "blocks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("activity", sa.JSON(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("over_limit", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("capture_note", sa.Text(), nullable=False),
        sa.Column("sync_state", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"], name="fk_blocks_contract_id_contracts"),
        sa.PrimaryKeyConstraint("id", name="pk_blocks"),
    )
    op.create_index("ix_blocks_start", "blocks", ["start"])
    op.create_index("ix_blocks_contract_start", "blocks", ["contract_id", "start"])
    op.create_table(
        "screenshots",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("block_id", sa.String(36), nullable=False),
        sa.Column("taken_at", sa.Integer(), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("sync_state", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(["block_id"], ["blocks.id"], name="fk_screenshots_block_id_blocks"),
        sa.PrimaryKeyConstraint("id", name="pk_screenshots"),
        sa.UniqueConstraint("block_id", name="uq_screenshots_block_id"),
    )
    op.create_table(
        "screenshot_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screenshot_id", sa.String(36), nullable=False),
        sa.Column("monitor", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("thumbnail_path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["screenshot_id"], ["screenshots.id"], name="fk_screenshot_images_screenshot_id_screenshots"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_screenshot_images"),
    )


def downgrade() -> None:
    op.drop_table("screenshot_images")
    op.drop_table("screenshots")
    op.drop_index("ix_blocks_contract_start", "blocks")
    op.drop_index("ix_blocks_start", "blocks")
    op.drop_table("blocks")
    op.drop_table("contracts")
