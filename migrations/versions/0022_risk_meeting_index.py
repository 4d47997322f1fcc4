"""The index of appointments by risk review only over those that have one

Nearly every appointment has no risk review. SQLite's planner statistics count those NULLs as
one value, so after ANALYZE the full index looked as if each review matched every appointment,
and the risk lists scanned the whole table for the meetings booked (20 ms at 100,000
appointments). A partial index holds only the risk review meetings.

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

WHERE = sa.text("risk_review_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_appointments_risk_review_id", table_name="appointments")
    op.create_index(
        "ix_appointments_risk_review_id",
        "appointments",
        ["risk_review_id"],
        unique=False,
        postgresql_where=WHERE,
        sqlite_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_appointments_risk_review_id", table_name="appointments")
    op.create_index("ix_appointments_risk_review_id", "appointments", ["risk_review_id"])
