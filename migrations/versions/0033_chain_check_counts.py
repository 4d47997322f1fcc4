"""A full chain check keeps what it found unkeyed

A long chain's badge walks only the entries after its last full check. That walk did not know
of entries hashed before keyed hashes (or approvals made before approvals were chained) at or
before the check, so it called a partly unkeyed chain "intact". The check now keeps both counts.
Checks made before are dropped: they are a cache, and the next full walk (``flask
ledger-verify``, the daily sweep, a disclosure report) records them again with their counts.

Revision ID: 0033_chain_check_counts
Revises: 0032_access_requests
Create Date: 2026-12-07 02:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_chain_check_counts"
down_revision = "0032_access_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM ledger_chain_checks")
    with op.batch_alter_table("ledger_chain_checks") as batch:
        batch.add_column(sa.Column("unkeyed", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("unchained_approvals", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_chain_checks") as batch:
        batch.drop_column("unchained_approvals")
        batch.drop_column("unkeyed")
