"""A block keeps the app's note of why it has no usable screenshot (a private app was on screen, the
capture failed…), for the Work Diary to say.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blocks") as batch:
        batch.add_column(sa.Column("capture_note", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("blocks") as batch:
        batch.alter_column("capture_note", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("blocks") as batch:
        batch.drop_column("capture_note")
