"""An index to find a week's screenshots by time (the Work Diary's week query).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_screenshots_taken_at", "screenshots", ["taken_at", "deleted", "block_id", "id", "redacted"]
    )


def downgrade() -> None:
    op.drop_index("ix_screenshots_taken_at", "screenshots")
