"""Notification delivery: an e-mail may carry a notification task, and news may be withheld
because the witness opted out or no longer wants it by that channel

Revision ID: 0015_notification_delivery
Revises: 0014_outcomes_notifications
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_notification_delivery"
down_revision = "0014_outcomes_notifications"
branch_labels = None
depends_on = None

OLD_REASONS = ("consent_withdrawn", "address_changed", "no_address", "account_disabled")
NEW_REASONS = (*OLD_REASONS, "opted_out", "channel_not_chosen")


def _set_reasons(values) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbound_emails_withheldreason"), type_="check")
        batch_op.create_check_constraint("withheldreason", f"withheld_reason IN ({listed})")


def upgrade() -> None:
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("task_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbound_emails_task_id"), ["task_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_emails_task_id_notification_tasks"),
            "notification_tasks",
            ["task_id"],
            ["id"],
        )
    _set_reasons(NEW_REASONS)


def downgrade() -> None:
    op.execute(
        "UPDATE outbound_emails SET withheld_reason = 'consent_withdrawn' "
        "WHERE withheld_reason IN ('opted_out', 'channel_not_chosen')"
    )
    _set_reasons(OLD_REASONS)
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbound_emails_task_id_notification_tasks"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbound_emails_task_id"))
        batch_op.drop_column("task_id")
