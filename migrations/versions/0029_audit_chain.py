"""the audit log chained and keyed: each event's place, the MAC before it and its own MAC, set
once by the sealer; the database lets only an unsealed event's seal be set

Revision ID: 0029_audit_chain
Revises: 0028_appointments_case_start

Existing events stay unsealed; the first sealing run (the scheduler's, or ``flask audit seal``)
chains them in id order. Columns are added, never altered, so the table is not rebuilt.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_audit_chain"
down_revision = "0028_appointments_case_start"
branch_labels = None
depends_on = None

#: what an event says; the seal may not touch them (``detail`` as text: PostgreSQL's json has
#: no equality)
CONTENT = (
    "id", "occurred_dt", "actor_id", "action", "object_type", "object_id", "witness_id",
    "remote_addr", "detail",
)  # fmt: skip
SEAL = ("seq", "prev_mac", "mac", "key_id")


def _pg(column: str, side: str) -> str:
    return f"{side}.{column}::text" if column == "detail" else f"{side}.{column}"


PG_SEAL_ONLY = f"""
CREATE OR REPLACE FUNCTION witness_audit_seal_only() RETURNS trigger AS $$
BEGIN
    IF OLD.seq IS NOT NULL OR OLD.mac IS NOT NULL THEN
        RAISE EXCEPTION 'audit_events is append-only: event % is sealed: UPDATE refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF {" OR ".join(f"{_pg(c, 'NEW')} IS DISTINCT FROM {_pg(c, 'OLD')}" for c in CONTENT)}
       OR {" OR ".join(f"NEW.{c} IS NULL" for c in SEAL)} THEN
        RAISE EXCEPTION 'audit_events is append-only: only an unsealed event''s whole seal may %',
            'be set: UPDATE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

SQLITE_SEAL_ONLY = (
    "CREATE TRIGGER audit_events_seal_only BEFORE UPDATE ON audit_events WHEN "
    "OLD.seq IS NOT NULL OR OLD.mac IS NOT NULL OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
    + " OR "
    + " OR ".join(f"NEW.{c} IS NULL" for c in SEAL)
    + " BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: only an unsealed event''s "
    "whole seal may be set: UPDATE refused'); END"
)


def upgrade() -> None:
    for column in (
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("prev_mac", sa.String(length=64), nullable=True),
        sa.Column("mac", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=40), nullable=True),
    ):
        op.add_column("audit_events", column)
    op.create_index("ix_audit_events_seq", "audit_events", ["seq"], unique=True)
    op.create_index("ix_audit_events_actor_dt", "audit_events", ["actor_id", "occurred_dt"])
    if op.get_bind().dialect.name == "postgresql":
        # 0002's trigger refused every UPDATE; now DELETE still is, UPDATE only of the seal.
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION witness_refuse_change()"
        )
        op.execute(PG_SEAL_ONLY)
        op.execute(
            "CREATE TRIGGER audit_events_seal_only BEFORE UPDATE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION witness_audit_seal_only()"
        )
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute(SQLITE_SEAL_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_seal_only ON audit_events")
        op.execute("DROP FUNCTION witness_audit_seal_only()")
        op.execute("DROP TRIGGER audit_events_no_delete ON audit_events")
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION witness_refuse_change()"
        )
    else:
        op.execute("DROP TRIGGER audit_events_seal_only")
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END"
        )
    op.drop_index("ix_audit_events_actor_dt", table_name="audit_events")
    op.drop_index("ix_audit_events_seq", table_name="audit_events")
    for name in ("key_id", "mac", "prev_mac", "seq"):
        op.drop_column("audit_events", name)
