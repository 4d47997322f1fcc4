"""A partial index of the support items that need a second person's approval

The dashboard counts, and the approvals page lists, an office's items still awaiting approval.
Nearly every item needs none, so the index holds only those that do (by witness, whose office
decides), and the count reads a few thousand index entries instead of two million rows.

Revision ID: 0027_pending_approvals_index
Revises: 0026_reference_trigrams
Create Date: 2026-12-06 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_pending_approvals_index"
down_revision = "0026_reference_trigrams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_support_items_needs_approval",
        "support_items",
        ["witness_id"],
        unique=False,
        postgresql_where=sa.text("needs_approval"),
        sqlite_where=sa.text("needs_approval = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_support_items_needs_approval", table_name="support_items")
