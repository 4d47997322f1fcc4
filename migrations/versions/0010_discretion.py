"""Discretion: mail withheld at delivery, staff recipients, the witness's meeting point, and
the witness's recorded choice of full-detail invites

Revision ID: 0010_discretion
Revises: 0009_ledger_chain_checks
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0010_discretion"
down_revision = "0009_ledger_chain_checks"
branch_labels = None
depends_on = None

OLD_STATUSES = ("pending", "sent", "failed")
NEW_STATUSES = (*OLD_STATUSES, "withheld")
REASONS = ("consent_withdrawn", "address_changed", "no_address", "account_disabled")


def _status_check(values) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _set_statuses(values) -> None:
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbound_emails_mailstatus"), type_="check")
        batch_op.create_check_constraint("mailstatus", _status_check(values))


def upgrade() -> None:
    op.create_table(
        "invite_detail_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("full_detail", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("informed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_invite_detail_choices_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["witnesses.id"],
            name=op.f("fk_invite_detail_choices_witness_id_witnesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_detail_choices")),
    )
    with op.batch_alter_table("invite_detail_choices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invite_detail_choices_witness", ["witness_id", "id"], unique=False
        )

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "witness_meeting_point",
                sa.String(length=200),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.alter_column("witness_meeting_point", server_default=None)

    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "withheld_reason",
                sa.Enum(
                    *REASONS,
                    name="withheldreason",
                    native_enum=False,
                    create_constraint=True,
                    length=40,
                ),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_emails_user_id_users"), "users", ["user_id"], ["id"]
        )
    _set_statuses(NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE outbound_emails SET status = 'failed' WHERE status = 'withheld'")
    _set_statuses(OLD_STATUSES)
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbound_emails_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("ck_outbound_emails_withheldreason"), type_="check")
        batch_op.drop_column("withheld_reason")
        batch_op.drop_column("user_id")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("witness_meeting_point")
    with op.batch_alter_table("invite_detail_choices", schema=None) as batch_op:
        batch_op.drop_index("ix_invite_detail_choices_witness")
    op.drop_table("invite_detail_choices")
