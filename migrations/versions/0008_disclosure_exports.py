"""Disclosure exports: big disclosure PDFs built in the background, kept a few days

Revision ID: 0008_disclosure_exports
Revises: 0007_support_ledger
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0008_disclosure_exports"
down_revision = "0007_support_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosure_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("witness_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "ready",
                "failed",
                "expired",
                name="exportstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("started_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("expires_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(case_id IS NULL) <> (witness_id IS NULL)",
            name=op.f("ck_disclosure_exports_one_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_disclosure_exports_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_disclosure_exports_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["witnesses.id"],
            name=op.f("fk_disclosure_exports_witness_id_witnesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_exports")),
    )
    with op.batch_alter_table("disclosure_exports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_disclosure_exports_requested_by", ["requested_by_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_disclosure_exports_status", ["status", "requested_dt"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosure_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_exports_status")
        batch_op.drop_index("ix_disclosure_exports_requested_by")

    op.drop_table("disclosure_exports")
