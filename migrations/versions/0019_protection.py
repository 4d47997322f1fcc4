"""Protection plans: actions with owners and due dates, and the consultations that agree them
with the witness

Revision ID: 0019_protection
Revises: 0018_translation_reviews
Create Date: 2026-12-06 15:46:57.386631
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0019_protection"
down_revision = "0018_translation_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("consulted_on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "in_person",
                "phone",
                "video",
                "through_ngo",
                name="consultationmethod",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("interpreter_language", sa.String(length=35), nullable=False),
        sa.Column("interpreter_name", sa.String(length=200), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=False),
        sa.Column("objected", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_plan_consultations_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["witnesses.id"],
            name=op.f("fk_plan_consultations_witness_id_witnesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_consultations")),
    )
    with op.batch_alter_table("plan_consultations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_consultations_witness", ["witness_id", "recorded_dt"], unique=False
        )

    op.create_table(
        "protection_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "safe_accommodation",
                "relocation",
                "police_marker",
                "alarm",
                "new_phone",
                "escort",
                "separate_entrance",
                "school_liaison",
                "no_contact_order",
                "other",
                name="actionkind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("owner_other", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "in_place",
                "closed",
                name="actionstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_protection_actions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_protection_actions_owner_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_protection_actions_owner_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_protection_actions_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["witnesses.id"],
            name=op.f("fk_protection_actions_witness_id_witnesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protection_actions")),
    )
    with op.batch_alter_table("protection_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_protection_actions_witness", ["witness_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("protection_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_protection_actions_witness")

    op.drop_table("protection_actions")
    with op.batch_alter_table("plan_consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_consultations_witness")

    op.drop_table("plan_consultations")
