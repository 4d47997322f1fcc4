"""An office's outbox, newest first

Revision ID: 0006_outbox_index
Revises: 0005_scheduling
"""

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


def downgrade() -> None:
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_emails_organisation_id")
