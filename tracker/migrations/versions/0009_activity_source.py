"""A block says where its activity came from: counted keyboard and mouse events (every block made
before), or the compositor's idle time (a Wayland session), which gives active seconds only.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blocks") as batch:
        batch.add_column(
            sa.Column("activity_source", sa.String(16), nullable=False, server_default="input_counts")
        )


def downgrade() -> None:
    with op.batch_alter_table("blocks") as batch:
        batch.drop_column("activity_source")
