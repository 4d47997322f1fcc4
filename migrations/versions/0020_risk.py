"""Risk: assessments by a versioned instrument (answers per factor, the level by the rule or
an override with its reason), reviews due by level and by triggers, and incidents

Revision ID: 0020_risk
Revises: 0019_protection
Create Date: 2026-12-06 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0020_risk"
down_revision = "0019_protection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "completed",
                name="assessmentstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("own_view", sa.Text(), nullable=False),
        sa.Column(
            "rule_level",
            sa.Enum(
                "low",
                "medium",
                "high",
                "critical",
                name="rule_level",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("rule_reason", sa.String(length=200), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "low",
                "medium",
                "high",
                "critical",
                name="level",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["users.id"],
            name=op.f("fk_risk_assessments_completed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_risk_assessments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["risk_assessments.id"],
            name=op.f("fk_risk_assessments_previous_id_risk_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_risk_assessments_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_assessments_current_level", ["is_current", "level", "witness_id"], unique=False
        )
        batch_op.create_index(
            "ix_risk_assessments_witness", ["witness_id", "status", "completed_dt"], unique=False
        )

    op.create_table(
        "risk_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "threat",
                "contact_attempt",
                "sighting",
                "order_breach",
                "other",
                name="incidentkind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reported_by", sa.String(length=200), nullable=False),
        sa.Column("occurred_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("police_told", sa.Boolean(), nullable=False),
        sa.Column("police_reference", sa.String(length=120), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_risk_incidents_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_risk_incidents_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_incidents")),
    )
    with op.batch_alter_table("risk_incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_incidents_witness", ["witness_id", "occurred_dt"], unique=False
        )

    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "scheduled",
                "phase_change",
                "hearing_listed",
                "hearing_moved",
                "hearing_soon",
                "testimony",
                "measure_refused",
                "outcome",
                "bail",
                "release_date",
                "released",
                "escaped",
                "incident",
                "address_change",
                "return_planned",
                "witness_asked",
                name="reviewsource",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("done_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_assessment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_risk_reviews_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["done_assessment_id"],
            ["risk_assessments.id"],
            name=op.f("fk_risk_reviews_done_assessment_id_risk_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_risk_reviews_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_reviews")),
        sa.UniqueConstraint("witness_id", "key", name=op.f("uq_risk_reviews_witness_id_key")),
    )
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_reviews_open_due", ["done_dt", "due_date", "witness_id"], unique=False
        )
        batch_op.create_index(
            "ix_risk_reviews_witness_open", ["witness_id", "done_dt"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_reviews_witness_open")
        batch_op.drop_index("ix_risk_reviews_open_due")

    op.drop_table("risk_reviews")
    with op.batch_alter_table("risk_incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_incidents_witness")

    op.drop_table("risk_incidents")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_assessments_witness")
        batch_op.drop_index("ix_risk_assessments_current_level")

    op.drop_table("risk_assessments")
