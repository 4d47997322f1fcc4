"""The witness's own data: access requests and correction requests

A witness may ask for everything held about them (answered with a JSON file and a readable PDF)
and ask for what is wrong to be corrected; both are recorded with their dates, and a
correction's outcome links to the audited edit that made it.

Revision ID: 0032_access_requests
Revises: 0031_second_factor
Create Date: 2026-12-07 01:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0032_access_requests"
down_revision = "0031_second_factor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("identity_check", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_access_requests_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["witnesses.id"],
            name=op.f("fk_access_requests_witness_id_witnesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
    )
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.create_index("ix_access_requests_witness", ["witness_id", "id"], unique=False)

    op.create_table(
        "correction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "corrected",
                "partly",
                "refused",
                name="correctionoutcome",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("edit_event_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_correction_requests_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["edit_event_id"],
            ["audit_events.id"],
            name=op.f("fk_correction_requests_edit_event_id_audit_events"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_correction_requests_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["witnesses.id"],
            name=op.f("fk_correction_requests_witness_id_witnesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_requests")),
    )
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.create_index("ix_correction_requests_witness", ["witness_id", "id"], unique=False)
        batch_op.create_index(
            "ix_correction_requests_open_due", ["outcome", "due_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_requests_open_due")
        batch_op.drop_index("ix_correction_requests_witness")
    op.drop_table("correction_requests")
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_access_requests_witness")
    op.drop_table("access_requests")
