"""Users, tokens, contracts, blocks, screenshots and blobs.

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
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_address_at", "sign_in_failures", ["address", "attempted_at"])
    op.create_index("ix_sign_in_failures_email_at", "sign_in_failures", ["email", "attempted_at"])
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("freelancer_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hourly_rate_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("weekly_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("manual_time_allowed", sa.Boolean(), nullable=False),
        sa.Column("screenshots_enabled", sa.Boolean(), nullable=False),
        sa.Column("grace_hours", sa.Integer(), nullable=False),
        sa.Column("agency_member", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_contracts_client_id_users")),
        sa.ForeignKeyConstraint(
            ["freelancer_id"], ["users.id"], name=op.f("fk_contracts_freelancer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    op.create_index(op.f("ix_contracts_client_id"), "contracts", ["client_id"])
    op.create_index(op.f("ix_contracts_freelancer_id"), "contracts", ["freelancer_id"])
    op.create_table(
        "tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("device_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_tokens")),
    )
    op.create_index(op.f("ix_tokens_user_id"), "tokens", ["user_id"])
    op.create_table(
        "blocks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("freelancer_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("end", sa.BigInteger(), nullable=False),
        sa.Column("activity", sa.JSON(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("over_limit", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_blocks_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(["freelancer_id"], ["users.id"], name=op.f("fk_blocks_freelancer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
    )
    op.create_index("ix_blocks_contract_start", "blocks", ["contract_id", "start"])
    op.create_index("ix_blocks_freelancer_start", "blocks", ["freelancer_id", "start"])
    op.create_table(
        "screenshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("block_id", sa.String(length=36), nullable=False),
        sa.Column("taken_at", sa.BigInteger(), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["block_id"], ["blocks.id"], name=op.f("fk_screenshots_block_id_blocks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenshots")),
        sa.UniqueConstraint("block_id", name=op.f("uq_screenshots_block_id")),
    )
    op.create_table(
        "screenshot_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screenshot_id", sa.String(length=36), nullable=False),
        sa.Column("monitor", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("thumbnail_sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["screenshot_id"], ["screenshots.id"], name=op.f("fk_screenshot_images_screenshot_id_screenshots")
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name=op.f("fk_screenshot_images_sha256_blobs")),
        sa.ForeignKeyConstraint(
            ["thumbnail_sha256"], ["blobs.sha256"], name=op.f("fk_screenshot_images_thumbnail_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenshot_images")),
    )
    op.create_index(op.f("ix_screenshot_images_screenshot_id"), "screenshot_images", ["screenshot_id"])
    op.create_index(op.f("ix_screenshot_images_sha256"), "screenshot_images", ["sha256"])
    op.create_index(op.f("ix_screenshot_images_thumbnail_sha256"), "screenshot_images", ["thumbnail_sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_screenshot_images_thumbnail_sha256"), table_name="screenshot_images")
    op.drop_index(op.f("ix_screenshot_images_sha256"), table_name="screenshot_images")
    op.drop_index(op.f("ix_screenshot_images_screenshot_id"), table_name="screenshot_images")
    op.drop_table("screenshot_images")
    op.drop_table("screenshots")
    op.drop_index("ix_blocks_freelancer_start", table_name="blocks")
    op.drop_index("ix_blocks_contract_start", table_name="blocks")
    op.drop_table("blocks")
    op.drop_index(op.f("ix_tokens_user_id"), table_name="tokens")
    op.drop_table("tokens")
    op.drop_index(op.f("ix_contracts_freelancer_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_client_id"), table_name="contracts")
    op.drop_table("contracts")
    op.drop_table("users")
    op.drop_index("ix_sign_in_failures_email_at", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_address_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_table("blobs")
