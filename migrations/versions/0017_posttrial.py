"""After the trial: when an impact statement was written and the sentence that considered it;
a compensation claim's route and amount claimed; property ready for return, where it is held,
who handed it back and the court's order to retain or destroy it

Revision ID: 0017_posttrial
Revises: 0016_outcomes
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_posttrial"
down_revision = "0016_outcomes"
branch_labels = None
depends_on = None

OLD_PROPERTY = ("held", "returned", "retained", "destroyed")
NEW_PROPERTY = ("held", "ready_for_return", "returned", "retained", "destroyed")


def _set_property_statuses(values) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_property_items_propertystatus"), type_="check")
        batch_op.create_check_constraint("propertystatus", f"status IN ({listed})")


def upgrade() -> None:
    with op.batch_alter_table("impact_statements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sentence_event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_impact_statements_sentence_event_id_outcome_events"),
            "outcome_events",
            ["sentence_event_id"],
            ["id"],
        )
    with op.batch_alter_table("compensation_claims", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "route",
                sa.Enum(
                    "court_order",
                    "scheme",
                    name="claimroute",
                    native_enum=False,
                    create_constraint=True,
                    length=40,
                ),
                nullable=False,
                server_default="court_order",
            )
        )
        batch_op.add_column(
            sa.Column("amount_claimed", sa.Numeric(precision=14, scale=2), nullable=True)
        )
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        for name, length in (("held_at", 200), ("returned_by", 200), ("disposal_order", 300)):
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
    _set_property_statuses(NEW_PROPERTY)


def downgrade() -> None:
    op.execute("UPDATE property_items SET status = 'held' WHERE status = 'ready_for_return'")
    _set_property_statuses(OLD_PROPERTY)
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        for name in ("disposal_order", "returned_by", "held_at"):
            batch_op.drop_column(name)
    with op.batch_alter_table("compensation_claims", schema=None) as batch_op:
        batch_op.drop_column("amount_claimed")
        batch_op.drop_constraint(batch_op.f("ck_compensation_claims_claimroute"), type_="check")
        batch_op.drop_column("route")
    with op.batch_alter_table("impact_statements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_impact_statements_sentence_event_id_outcome_events"),
            type_="foreignkey",
        )
        batch_op.drop_column("sentence_event_id")
        batch_op.drop_column("written_date")
