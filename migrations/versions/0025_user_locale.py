"""The language of each user's pages

A user chooses the language Witness speaks to them in (their account's "Language" page); NULL
means their browser's choice among the languages with pages, else English.

Revision ID: 0025_user_locale
Revises: 0024_group_bookings
Create Date: 2026-12-06 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_user_locale"
down_revision = "0024_group_bookings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")
