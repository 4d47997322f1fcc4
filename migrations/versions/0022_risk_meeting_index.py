"""Partial indexes where nearly every row has no value: appointments by risk review, e-mails
by notification task

Nearly every appointment has no risk review, and nearly every e-mail is an invite with no
notification task. SQLite's planner statistics count those NULLs as one value, so after ANALYZE
a full index looked as if each review (or task) matched every row: the risk lists scanned all
appointments for the meetings booked (20 ms at 100,000 appointments), and the delivery sweep
would scan the whole outbox for each batch of tasks. The partial indexes hold only the rows
that have one.

Revision ID: 0022_risk_meeting_index
Revises: 0021_risk_meetings
Create Date: 2026-12-06 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_risk_meeting_index"
down_revision = "0021_risk_meetings"
branch_labels = None
depends_on = None

#: (table, index, column)
PARTIAL = (
    ("appointments", "ix_appointments_risk_review_id", "risk_review_id"),
    ("outbound_emails", "ix_outbound_emails_task_id", "task_id"),
)


def upgrade() -> None:
    for table, index, column in PARTIAL:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(index, table_name=table)
        op.create_index(
            index, table, [column], unique=False, postgresql_where=where, sqlite_where=where
        )


def downgrade() -> None:
    for table, index, column in PARTIAL:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, [column], unique=False)
