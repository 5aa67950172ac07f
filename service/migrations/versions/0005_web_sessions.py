"""Browsers' sessions are tokens of their own kind: a session cookie is never taken as an API
token, nor an API token as a session.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=8), nullable=False, server_default="api"))
    with op.batch_alter_table("tokens") as batch:
        batch.alter_column("kind", server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM tokens WHERE kind = 'web'")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("kind")
