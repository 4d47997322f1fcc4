"""News of a case's outcome: recording a verdict (or the case's discontinuance) raises news for
each witness of the case; none of the existing news kinds (a measure's decision, a moved or
vacated hearing) says that

Revision ID: 0016_outcomes
Revises: 0015_notification_delivery
Create Date: 2026-12-06 09:00:00
"""

from alembic import op

revision = "0016_outcomes"
down_revision = "0015_notification_delivery"
branch_labels = None
depends_on = None

OLD_KINDS = ("special_measure_decision", "hearing_moved", "hearing_vacated")
NEW_KINDS = (*OLD_KINDS, "case_outcome")


def _set_kinds(values) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_news_newskind"), type_="check")
        batch_op.create_check_constraint("newskind", f"kind IN ({listed})")


def upgrade() -> None:
    _set_kinds(NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM news WHERE kind = 'case_outcome'")
    _set_kinds(OLD_KINDS)
