"""Support ledger: items and approvals, append-only, hash-chained per case; review flags

Revision ID: 0007_support_ledger
Revises: 0006_outbox_index
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0007_support_ledger"
down_revision = "0006_outbox_index"
branch_labels = None
depends_on = None


APPEND_ONLY = ("support_items", "support_approvals")


def upgrade() -> None:
    op.create_table(
        "support_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "safe_accommodation",
                "safety_security",
                "counselling",
                "medical_dental",
                "education",
                "language_training",
                "vocational_training",
                "job_placement",
                "livelihood_grant",
                "legal_counselling",
                "compensation_assistance",
                "immigration_visa",
                "transport",
                "meals_subsistence",
                "witness_expenses",
                "childcare",
                "interpreting",
                "communication",
                "other",
                name="supportcategory",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("is_cash", sa.Boolean(), nullable=False),
        sa.Column("date_provided", sa.Date(), nullable=False),
        sa.Column("provider_organisation_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column(
            "phase",
            sa.Enum(
                "reflection",
                "pre_trial",
                "trial",
                "post_trial",
                "closed",
                name="phase",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_support_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["needs_assessments.id"],
            name=op.f("fk_support_items_need_id_needs_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_support_items_provider_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_support_items_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["support_items.id"],
            name=op.f("fk_support_items_reverses_id_support_items"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_support_items_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_items")),
        sa.UniqueConstraint(
            "case_id", "chain_seq", name=op.f("uq_support_items_case_id_chain_seq")
        ),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_support_items_reverses_id")),
    )
    with op.batch_alter_table("support_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_items_witness_date", ["witness_id", "date_provided"], unique=False
        )

    op.create_table(
        "ledger_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "cash",
                "no_linked_need",
                "pre_testimony_rise",
                "after_verdict",
                "peer_outlier",
                name="flagrule",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_ledger_flags_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_ledger_flags_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["support_items.id"], name=op.f("fk_ledger_flags_item_id_support_items")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_ledger_flags_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_flags")),
    )
    with op.batch_alter_table("ledger_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_flags_item_id"), ["item_id"], unique=False)
        batch_op.create_index("ix_ledger_flags_open", ["closed_dt", "raised_dt"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_flags_witness_id"), ["witness_id"], unique=False
        )

    op.create_table(
        "support_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_support_approvals_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["support_items.id"],
            name=op.f("fk_support_approvals_item_id_support_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_approvals")),
        sa.UniqueConstraint("item_id", name=op.f("uq_support_approvals_item_id")),
    )
    # Append-only in the database itself, as the audit log (0002): the function
    # witness_refuse_change() made there refuses the change on PostgreSQL.
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION witness_refuse_change()"
            )
        else:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
                )


def downgrade() -> None:
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_table("support_approvals")
    with op.batch_alter_table("ledger_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_flags_witness_id"))
        batch_op.drop_index("ix_ledger_flags_open")
        batch_op.drop_index(batch_op.f("ix_ledger_flags_item_id"))

    op.drop_table("ledger_flags")
    with op.batch_alter_table("support_items", schema=None) as batch_op:
        batch_op.drop_index("ix_support_items_witness_date")

    op.drop_table("support_items")
