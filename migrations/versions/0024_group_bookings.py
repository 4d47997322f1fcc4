"""Group bookings: several witnesses accompanied in one booking

One appointment per witness, as before; appointments booked together share ``group_id`` (the
id of the booking's first appointment), so the double-booking check counts the booking's staff,
interpreter and room once. Every existing appointment is a booking of its own.

Revision ID: 0024_group_bookings
Revises: 0023_covering_indexes
Create Date: 2026-12-06 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_group_bookings"
down_revision = "0023_covering_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_appointments_group", ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_appointments_group_id_appointments"),
            "appointments",
            ["group_id"],
            ["id"],
        )
    op.execute(sa.text("UPDATE appointments SET group_id = id WHERE group_id IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appointments_group_id_appointments"), type_="foreignkey"
        )
        batch_op.drop_index("ix_appointments_group")
        batch_op.drop_column("group_id")
