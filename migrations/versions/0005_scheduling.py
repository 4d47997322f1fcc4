"""Scheduling: hearings, resources, appointments, measures, feeds, outbox

Revision ID: 0005_scheduling
Revises: 0004_scale_indexes
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0005_scheduling"
down_revision = "0004_scale_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interpreters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_interpreters_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpreters")),
    )
    with op.batch_alter_table("interpreters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interpreters_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "courtroom",
                "video_link_suite",
                "remote_site",
                "waiting_room",
                name="resourcekind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
        sa.Column("open_weekdays", sa.String(length=7), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_resources_court_id_courts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("court_id", "name", name=op.f("uq_resources_court_id_name")),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resources_court_id"), ["court_id"], unique=False)

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("witness_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_calendar_feeds_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_calendar_feeds_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_feeds_user", ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_calendar_feeds_witness_id"), ["witness_id"], unique=False
        )

    op.create_table(
        "resource_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("start_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_resource_withdrawals_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_resource_withdrawals_resource_id_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_withdrawals")),
    )
    with op.batch_alter_table("resource_withdrawals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resource_withdrawals_resource_start", ["resource_id", "start_dt"], unique=False
        )

    op.create_table(
        "hearings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "first_appearance",
                "pre_trial_review",
                "trial_day",
                "sentencing",
                "appeal",
                "parole_hearing",
                "other",
                name="hearingtype",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("courtroom_id", sa.Integer(), nullable=True),
        sa.Column("start_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "listed",
                "moved",
                "vacated",
                "held",
                name="hearingstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_hearings_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_hearings_court_id_courts")
        ),
        sa.ForeignKeyConstraint(
            ["courtroom_id"], ["resources.id"], name=op.f("fk_hearings_courtroom_id_resources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearings")),
        sa.UniqueConstraint(
            "court_id", "external_ref", name=op.f("uq_hearings_court_id_external_ref")
        ),
    )
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.create_index("ix_hearings_case_start", ["case_id", "start_dt"], unique=False)
        batch_op.create_index("ix_hearings_court_start", ["court_id", "start_dt"], unique=False)

    op.create_table(
        "news",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "special_measure_decision",
                "hearing_moved",
                "hearing_vacated",
                name="newskind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("told_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("told_by_id", sa.Integer(), nullable=True),
        sa.Column("told_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_news_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["told_by_id"], ["users.id"], name=op.f("fk_news_told_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_news_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news")),
    )
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.create_index("ix_news_witness_told", ["witness_id", "told_dt"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("hearing_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "accompaniment",
                "familiarisation",
                "video_link",
                "pre_trial_meeting",
                "risk_review",
                "counselling",
                name="appointmentkind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "confirmed",
                "cancelled",
                "completed",
                name="appointmentstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("start_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("travel_minutes", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("interpreter_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=80), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("needs_reschedule", sa.Boolean(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("ical_uid", sa.String(length=80), nullable=False),
        sa.Column("ical_sequence", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_appointments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_appointments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"], ["hearings.id"], name=op.f("fk_appointments_hearing_id_hearings")
        ),
        sa.ForeignKeyConstraint(
            ["interpreter_id"],
            ["interpreters.id"],
            name=op.f("fk_appointments_interpreter_id_interpreters"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_appointments_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resources.id"], name=op.f("fk_appointments_resource_id_resources")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_appointments_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("ical_uid", name=op.f("uq_appointments_ical_uid")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_appointments_hearing", ["hearing_id"], unique=False)
        batch_op.create_index(
            "ix_appointments_resource_start", ["resource_id", "start_dt"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_witness_start", ["witness_id", "start_dt"], unique=False
        )

    op.create_table(
        "hearing_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("changed_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "from_status",
            sa.Enum(
                "listed",
                "moved",
                "vacated",
                "held",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "listed",
                "moved",
                "vacated",
                "held",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("from_start_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_end_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("to_start_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("to_end_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_hearing_changes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"], ["hearings.id"], name=op.f("fk_hearing_changes_hearing_id_hearings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_changes")),
    )
    with op.batch_alter_table("hearing_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hearing_changes_hearing_id"), ["hearing_id"], unique=False
        )

    op.create_table(
        "special_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "video_link",
                "screens",
                "evidence_in_private",
                "support_person",
                "pre_recorded_evidence_in_chief",
                "pre_recorded_cross_examination",
                "intermediary",
                "communication_aids",
                "removal_of_wigs_and_gowns",
                "interpreter",
                name="measurekind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "applied",
                "granted",
                "refused",
                "withdrawn",
                name="measurestatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("is_standard", sa.Boolean(), nullable=False),
        sa.Column("proposed_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hearing_id"], ["hearings.id"], name=op.f("fk_special_measures_hearing_id_hearings")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_special_measures_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_special_measures_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_measures")),
        sa.UniqueConstraint(
            "witness_id",
            "hearing_id",
            "kind",
            name=op.f("uq_special_measures_witness_id_hearing_id_kind"),
        ),
    )
    with op.batch_alter_table("special_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_special_measures_hearing_id"), ["hearing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_special_measures_witness_id"), ["witness_id"], unique=False
        )

    op.create_table(
        "appointment_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("blocked_start_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_end_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_slots_appointment_id_appointments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_slots")),
    )
    with op.batch_alter_table("appointment_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_slots_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            "ix_appointment_slots_subject_start",
            ["subject", "blocked_start_dt", "blocked_end_dt"],
            unique=False,
        )

    op.create_table(
        "appointment_staff",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_staff_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_appointment_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("appointment_id", "user_id", name=op.f("pk_appointment_staff")),
    )
    with op.batch_alter_table("appointment_staff", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_staff_user", ["user_id", "appointment_id"], unique=False
        )

    op.create_table(
        "outbound_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_name", sa.String(length=100), nullable=True),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("witness_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="mailstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_outbound_emails_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_outbound_emails_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_outbound_emails_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_emails")),
    )
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbound_emails_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_emails_status_next", ["status", "next_attempt_dt"], unique=False
        )

    with op.batch_alter_table("witnesses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "invites_full_detail", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("witnesses", schema=None) as batch_op:
        batch_op.drop_column("invites_full_detail")

    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_emails_status_next")
        batch_op.drop_index(batch_op.f("ix_outbound_emails_appointment_id"))

    op.drop_table("outbound_emails")
    with op.batch_alter_table("appointment_staff", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_staff_user")

    op.drop_table("appointment_staff")
    with op.batch_alter_table("appointment_slots", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_slots_subject_start")
        batch_op.drop_index(batch_op.f("ix_appointment_slots_appointment_id"))

    op.drop_table("appointment_slots")
    with op.batch_alter_table("special_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_special_measures_witness_id"))
        batch_op.drop_index(batch_op.f("ix_special_measures_hearing_id"))

    op.drop_table("special_measures")
    with op.batch_alter_table("hearing_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearing_changes_hearing_id"))

    op.drop_table("hearing_changes")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_witness_start")
        batch_op.drop_index("ix_appointments_resource_start")
        batch_op.drop_index("ix_appointments_hearing")
        batch_op.drop_index(batch_op.f("ix_appointments_case_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.drop_index("ix_news_witness_told")

    op.drop_table("news")
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.drop_index("ix_hearings_court_start")
        batch_op.drop_index("ix_hearings_case_start")

    op.drop_table("hearings")
    with op.batch_alter_table("resource_withdrawals", schema=None) as batch_op:
        batch_op.drop_index("ix_resource_withdrawals_resource_start")

    op.drop_table("resource_withdrawals")
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_witness_id"))
        batch_op.drop_index("ix_calendar_feeds_user")

    op.drop_table("calendar_feeds")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resources_court_id"))

    op.drop_table("resources")
    with op.batch_alter_table("interpreters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interpreters_organisation_id"))

    op.drop_table("interpreters")
