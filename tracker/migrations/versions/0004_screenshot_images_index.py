"""An index from a screenshot to its images (thumbnails of a day, redaction, deletion).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_screenshot_images_screenshot_id", "screenshot_images", ["screenshot_id"])


def downgrade() -> None:
    op.drop_index("ix_screenshot_images_screenshot_id", "screenshot_images")
