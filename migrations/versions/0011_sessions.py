"""sessions: a per-user session version, raised to end every session of the user at once

Revision ID: 0011_sessions
Revises: 0010_discretion
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_sessions"
down_revision = "0010_discretion"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions signed in before this carry no version: they end, and everyone signs in again.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
