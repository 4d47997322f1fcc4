"""Indexes: an office's outbox, newest first; appointments flagged for rescheduling

Revision ID: 0006_outbox_index
Revises: 0005_scheduling
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_index"
down_revision = "0005_scheduling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbound_emails_organisation_id", ["organisation_id", "id"], unique=False
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointments_needs_reschedule",
            ["id"],
            unique=False,
            postgresql_where=sa.text("needs_reschedule"),
            sqlite_where=sa.text("needs_reschedule"),
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_needs_reschedule")
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_emails_organisation_id")
