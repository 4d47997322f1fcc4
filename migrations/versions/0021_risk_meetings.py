"""Risk review meetings: an appointment names the risk review it serves

Revision ID: 0021_risk_meetings
Revises: 0020_risk
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_risk_meetings"
down_revision = "0020_risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risk_review_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_appointments_risk_review_id"), ["risk_review_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_appointments_risk_review_id_risk_reviews"),
            "risk_reviews",
            ["risk_review_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appointments_risk_review_id_risk_reviews"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_appointments_risk_review_id"))
        batch_op.drop_column("risk_review_id")
