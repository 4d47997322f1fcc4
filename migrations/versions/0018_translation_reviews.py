"""Reviewed translations: who checked which letter kind (or the e-mails, or the call scripts) in
which language, against which catalogue, and revoked reviews kept; a notification task says why
it is to be told by phone with an interpreter instead of a letter

Revision ID: 0018_translation_reviews
Revises: 0017_posttrial
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0018_translation_reviews"
down_revision = "0017_posttrial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "translation_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("catalogue_sha256", sa.String(length=64), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revoked_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_translation_reviews_reviewed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_translation_reviews_revoked_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_reviews")),
    )
    op.create_index(
        "ix_translation_reviews_kind_language",
        "translation_reviews",
        ["kind", "language", "id"],
        unique=False,
    )
    with op.batch_alter_table("notification_tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interpreter_call", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("notification_tasks", schema=None) as batch_op:
        batch_op.alter_column("interpreter_call", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("notification_tasks", schema=None) as batch_op:
        batch_op.drop_column("interpreter_call")
    op.drop_index("ix_translation_reviews_kind_language", table_name="translation_reviews")
    op.drop_table("translation_reviews")
