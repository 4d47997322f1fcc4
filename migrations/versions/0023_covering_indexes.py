"""Covering indexes for need to know on lists of other rows

The supervisor's due list counted the office's open tasks by walking every open task in the
country and reading each one's row (for its witness) and its witness's wide row (for the
office): 6.5 ms at 100,000 witnesses. The open tasks' index now carries the witness, and an
index of witnesses by id carries their office, so the walk reads indexes alone (1 ms).

Revision ID: 0023_covering_indexes
Revises: 0022_risk_meeting_index
Create Date: 2026-12-06 21:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_covering_indexes"
down_revision = "0022_risk_meeting_index"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.drop_index("ix_notification_tasks_open_due", table_name="notification_tasks")
    op.create_index(
        "ix_notification_tasks_open_due",
        "notification_tasks",
        ["due_dt", "witness_id"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index("ix_witnesses_id_organisation", "witnesses", ["id", "organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_witnesses_id_organisation", table_name="witnesses")
    op.drop_index("ix_notification_tasks_open_due", table_name="notification_tasks")
    op.create_index(
        "ix_notification_tasks_open_due",
        "notification_tasks",
        ["due_dt"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
