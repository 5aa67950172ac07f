"""Who uploaded each image: the right to attach it. And no block dated in the future any more.

An image shown by a screenshot already is taken to have been uploaded by the freelancer of that
screenshot's block (the only one who could attach it), at the image's upload time. An image no
screenshot shows has no uploader: whoever attaches it uploads it again (as the app does).

Revision ID: 0002
Revises: 0001
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_uploads",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_image_uploads_sha256_blobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_image_uploads_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "sha256", name=op.f("pk_image_uploads")),
    )
    op.create_index(op.f("ix_image_uploads_sha256"), "image_uploads", ["sha256"])
    op.execute(
        """
        INSERT INTO image_uploads (user_id, sha256, uploaded_at)
        SELECT shown.freelancer_id, blobs.sha256, blobs.created_at
        FROM (
            SELECT blocks.freelancer_id, screenshot_images.sha256 AS sha256
            FROM screenshot_images
            JOIN screenshots ON screenshots.id = screenshot_images.screenshot_id
            JOIN blocks ON blocks.id = screenshots.block_id
            UNION
            SELECT blocks.freelancer_id, screenshot_images.thumbnail_sha256
            FROM screenshot_images
            JOIN screenshots ON screenshots.id = screenshot_images.screenshot_id
            JOIN blocks ON blocks.id = screenshots.block_id
        ) AS shown
        JOIN blobs ON blobs.sha256 = shown.sha256
        """
    )
    now = int(time.time())
    op.execute(sa.text("UPDATE blocks SET updated_at = :now WHERE updated_at > :now").bindparams(now=now))


def downgrade() -> None:
    op.drop_index(op.f("ix_image_uploads_sha256"), table_name="image_uploads")
    op.drop_table("image_uploads")
