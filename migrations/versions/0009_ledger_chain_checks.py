"""Ledger chain checks: where the last full walk of each case's chain found it intact

Revision ID: 0009_ledger_chain_checks
Revises: 0008_disclosure_exports
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0009_ledger_chain_checks"
down_revision = "0008_disclosure_exports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_chain_checks",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("checked_seq", sa.Integer(), nullable=False),
        sa.Column("checked_hash", sa.String(length=64), nullable=False),
        sa.Column("checked_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_ledger_chain_checks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_ledger_chain_checks")),
    )


def downgrade() -> None:
    op.drop_table("ledger_chain_checks")
