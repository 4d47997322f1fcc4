"""Ledger integrity: keyed hashes (key ids), approvals in the chain, keyed checkpoints, and the
database guards: no INSERT OR REPLACE on SQLite, no TRUNCATE on PostgreSQL, no self-approval

Revision ID: 0012_ledger_integrity
Revises: 0011_sessions

Existing entries keep their plain SHA-256 hashes (``key_id`` NULL) and existing approvals stay
outside the chain (no position): nothing of the ledger is rewritten; the chain check reports
them as unkeyed (see ``witness.ledger.chain``). Columns are added, never altered, so no table
with triggers is rebuilt.
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0012_ledger_integrity"
down_revision = "0011_sessions"
branch_labels = None
depends_on = None

#: the append-only tables: their rows must not be replaced, truncated or changed
APPEND_ONLY = ("support_items", "support_approvals", "ledger_checkpoints", "audit_events")
#: the unique keys of each (besides ``id``): a conflict on any of them is what
#: INSERT OR REPLACE resolves by deleting the existing row
UNIQUE_KEYS = {
    "support_items": (("case_id", "chain_seq"), ("reverses_id",)),
    "support_approvals": (("item_id",), ("case_id", "chain_seq")),
    "ledger_checkpoints": (),
    "audit_events": (),
}

PG_SELF_APPROVAL = """
CREATE OR REPLACE FUNCTION witness_refuse_self_approval() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM support_items
               WHERE id = NEW.item_id AND recorded_by_id = NEW.approved_by_id) THEN
        RAISE EXCEPTION 'support_approvals: the person who recorded item % cannot approve it',
            NEW.item_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
SELF_APPROVAL_MESSAGE = "support_approvals: the person who recorded the item cannot approve it"


def _no_replace_condition(table: str) -> str:
    """An existing row the new one would conflict with, by any unique key (one EXISTS each, so
    each is one index lookup). A NULL in a key never conflicts, and never matches here."""
    clauses = ["id = NEW.id"]
    clauses += [" AND ".join(f"{c} = NEW.{c}" for c in key) for key in UNIQUE_KEYS[table]]
    return " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {c})" for c in clauses)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("support_items", sa.Column("key_id", sa.String(length=40), nullable=True))
    for column in (
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("chain_seq", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("entry_hash", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=40), nullable=True),
    ):
        op.add_column("support_approvals", column)
    op.create_index(
        "ix_support_approvals_chain", "support_approvals", ["case_id", "chain_seq"], unique=True
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("unchained_approvals", sa.Integer(), nullable=False),
        sa.Column("made_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "disclosure",
                "sweep",
                name="checkpointreason",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_ledger_checkpoints_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_index("ix_ledger_checkpoints_case", "ledger_checkpoints", ["case_id", "id"])

    if postgresql:
        _postgresql_guards()
    else:
        _sqlite_guards()


def _postgresql_guards() -> None:
    # witness_refuse_change() is 0002's; it serves row and statement triggers alike.
    op.execute(
        "CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON "
        "ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION witness_refuse_change()"
    )
    # TRUNCATE fires no row trigger: refuse it with a statement trigger (it also fires when
    # another table's TRUNCATE ... CASCADE reaches these).
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION witness_refuse_change()"
        )
    op.execute(PG_SELF_APPROVAL)
    op.execute(
        "CREATE TRIGGER support_approvals_four_eyes BEFORE INSERT ON support_approvals "
        "FOR EACH ROW EXECUTE FUNCTION witness_refuse_self_approval()"
    )


def _sqlite_guards() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ledger_checkpoints_no_{action.lower()} BEFORE {action} ON "
            f"ledger_checkpoints BEGIN SELECT RAISE(ABORT, 'ledger_checkpoints is "
            f"append-only: {action} refused'); END"
        )
    # INSERT OR REPLACE (and REPLACE INTO) deletes the row it conflicts with without firing
    # the DELETE triggers (unless a connection turns recursive_triggers on). A trigger, unlike a
    # pragma, holds on every connection, the sqlite3 shell's included: an insert that would
    # conflict is refused before SQLite can resolve it by deleting.
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN {_no_replace_condition(table)} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row may not be replaced'); "
            "END"
        )
    op.execute(
        "CREATE TRIGGER support_approvals_four_eyes BEFORE INSERT ON support_approvals "
        "WHEN NEW.approved_by_id = (SELECT recorded_by_id FROM support_items "
        "WHERE id = NEW.item_id) "
        f"BEGIN SELECT RAISE(ABORT, '{SELF_APPROVAL_MESSAGE}'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER support_approvals_four_eyes ON support_approvals")
        op.execute("DROP FUNCTION witness_refuse_self_approval()")
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER ledger_checkpoints_append_only ON ledger_checkpoints")
    else:
        op.execute("DROP TRIGGER support_approvals_four_eyes")
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_replace")
        op.execute("DROP TRIGGER ledger_checkpoints_no_update")
        op.execute("DROP TRIGGER ledger_checkpoints_no_delete")
    op.drop_index("ix_ledger_checkpoints_case", table_name="ledger_checkpoints")
    op.drop_table("ledger_checkpoints")
    op.drop_index("ix_support_approvals_chain", table_name="support_approvals")
    for name in ("key_id", "entry_hash", "prev_hash", "chain_seq", "case_id"):
        op.drop_column("support_approvals", name)
    op.drop_column("support_items", "key_id")
