"""Retention: a witness file's closures and legal holds, and the mark of an anonymised file

Closing a witness's file is kept (who, when, why, the final notice's channel or why none went),
and so is reopening it. A supervisor's legal hold stops anonymisation while it stands. A file
anonymised after the retention period is marked on the witness (``anonymised_dt``).

Revision ID: 0030_retention
Revises: 0029_audit_chain
Create Date: 2026-12-07 01:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0030_retention"
down_revision = "0029_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column is added in place on both databases (no table rebuild on SQLite, so
    # the reference search's triggers of 0026 stay).
    op.add_column(
        "witnesses",
        sa.Column("anonymised_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
    )

    op.create_table(
        "file_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("closed_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notice_channel", sa.String(length=20), nullable=False),
        sa.Column("notice_email_id", sa.Integer(), nullable=True),
        sa.Column("no_notice_reason", sa.String(length=300), nullable=False),
        sa.Column("reopened_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_file_closures_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["notice_email_id"],
            ["outbound_emails.id"],
            name=op.f("fk_file_closures_notice_email_id_outbound_emails"),
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"], ["users.id"], name=op.f("fk_file_closures_reopened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_file_closures_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_closures")),
    )
    with op.batch_alter_table("file_closures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_file_closures_witness", ["witness_id", "reopened_dt"], unique=False
        )

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("lifted_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f("fk_legal_holds_lifted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["users.id"], name=op.f("fk_legal_holds_placed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_legal_holds_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index("ix_legal_holds_witness", ["witness_id", "lifted_dt"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_holds_witness")
    op.drop_table("legal_holds")
    with op.batch_alter_table("file_closures", schema=None) as batch_op:
        batch_op.drop_index("ix_file_closures_witness")
    op.drop_table("file_closures")
    # Not batch mode: on SQLite a batch drop rebuilds the table and loses the reference
    # search's triggers (0026); SQLite 3.35+ drops a plain column in place.
    op.drop_column("witnesses", "anonymised_dt")
