"""Appointments indexed by case and start, for a case's next appointment

The dashboard's "My cases" sorts every case on a person's desk by its next hearing or
appointment. The index of appointments by case alone made each probe read all of the case's
appointments to find the first one ahead; by case and start it reads one.

Revision ID: 0028_appointments_case_start
Revises: 0027_pending_approvals_index
Create Date: 2026-12-06 23:30:00.000000
"""

from alembic import op

revision = "0028_appointments_case_start"
down_revision = "0027_pending_approvals_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_appointments_case_start", "appointments", ["case_id", "start_dt"])
    op.drop_index("ix_appointments_case_id", table_name="appointments")


def downgrade() -> None:
    op.create_index("ix_appointments_case_id", "appointments", ["case_id"])
    op.drop_index("ix_appointments_case_start", table_name="appointments")
