"""The database's own guards on the evidence (issue 11, item 17): on SQLite no INSERT OR
REPLACE (which deletes a row without firing the DELETE triggers), on every connection, the
sqlite3 shell's included; on PostgreSQL no TRUNCATE, and an application role that owns nothing
and may only read and add to the ledger and the audit log."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import DatabaseError

from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.ledger import services
from witness.ledger.chain import write_checkpoint
from witness.ledger.models import CheckpointReason, LedgerCheckpoint, SupportItem
from witness.migrate import upgrade

from .conftest import is_postgresql, record

pytestmark = pytest.mark.usefixtures("frozen_clock")

APPEND_ONLY = ("support_items", "support_approvals", "ledger_checkpoints", "audit_events")


@pytest.fixture
def evidence(db, world):
    """One row in each append-only table, committed (so another connection sees it)."""
    item = record(db, world.officer, world.assigned, world.case, value="500")
    approval = services.approve_item(db, world.supervisor, item)
    status = services.verify_chain(db, world.case.id)
    checkpoint = write_checkpoint(db, status, CheckpointReason.sweep)
    event = record_event(db, world.officer, "witness.view", world.assigned)
    db.flush()
    return {
        "support_items": item.id,
        "support_approvals": approval.id,
        "ledger_checkpoints": checkpoint.id,
        "audit_events": event.id,
    }


def _replace_sql(table: str) -> str:
    """REPLACE the row of id :id with a copy of itself (any change would do)."""
    return f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE id = :id"


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_sqlite_refuses_insert_or_replace_on_the_evidence(db, evidence, table):
    if is_postgresql(db):
        pytest.skip("INSERT OR REPLACE is SQLite's")
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match=f"{table} is append-only: a row may not be replaced"):
        db.execute(text(_replace_sql(table)), {"id": evidence[table]})
    savepoint.rollback()


@pytest.fixture(scope="module")
def bare_sqlite(tmp_path_factory):
    """A migrated SQLite file of its own, for a connection that is not the app's."""
    path = tmp_path_factory.mktemp("bare") / "witness.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def test_sqlite_refuses_replace_from_any_connection(bare_sqlite):
    """As the sqlite3 shell connects: no pragma set (foreign keys off, no recursive triggers);
    the guard lives in the database file itself."""
    bare = sqlite3.connect(bare_sqlite)
    columns = (
        "id, case_id, witness_id, category, description, quantity, unit, value, currency, "
        "is_cash, date_provided, provider_organisation_id, recorded_by_id, recorded_dt, "
        "rationale, phase, needs_approval, reversal_reason, chain_seq, prev_hash, entry_hash"
    )
    values = (
        "1, 1, 1, 'transport', 'Taxi', 1, 'trip', {value}, 'GBP', 0, '2026-03-09', 1, 1, "
        "'2026-03-10 09:00:00.000000', 'Travel', 'trial', 0, '', 1, '{zero}', '{zero}'"
    )
    bare.execute(
        f"INSERT INTO support_items ({columns}) VALUES ({values.format(value=40, zero='0' * 64)})"
    )
    bare.commit()
    for verb in ("REPLACE", "INSERT OR REPLACE"):
        with pytest.raises(sqlite3.IntegrityError, match="support_items is append-only"):
            bare.execute(
                f"{verb} INTO support_items ({columns}) "
                f"VALUES ({values.format(value=1, zero='0' * 64)})"
            )
    assert bare.execute("SELECT value FROM support_items").fetchall() == [(40,)]
    bare.close()


@pytest.mark.postgres  # TRUNCATE is PostgreSQL's
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_postgresql_refuses_truncate_even_to_the_owner(db, db_owner, evidence, table):
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match="is append-only: TRUNCATE refused"):
        db.execute(text(f"TRUNCATE {table} CASCADE"))
    savepoint.rollback()
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
        db.execute(text("TRUNCATE cases CASCADE"))  # reaches the ledger through its keys
    savepoint.rollback()
    assert db.scalar(select(SupportItem.id)) == evidence["support_items"]


def test_the_orm_refuses_to_change_a_checkpoint(db, evidence):
    checkpoint = db.get(LedgerCheckpoint, evidence["ledger_checkpoints"])
    checkpoint.entries = 99
    with pytest.raises(PermissionError, match="append-only"):
        db.flush()
    db.rollback()


@pytest.mark.parametrize("statement", ["UPDATE", "DELETE"])
def test_the_database_refuses_to_change_a_checkpoint(db, db_owner, evidence, statement):
    sql = {
        "UPDATE": "UPDATE ledger_checkpoints SET entries = 99 WHERE id = :id",
        "DELETE": "DELETE FROM ledger_checkpoints WHERE id = :id",
    }[statement]
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match="ledger_checkpoints is append-only"):
        db.execute(text(sql), {"id": evidence["ledger_checkpoints"]})
    savepoint.rollback()


# --- PostgreSQL: the application's role owns nothing -------------------------------------------


@pytest.fixture
def app_role_only(db, app, database_url):
    if not is_postgresql(db) or app.config["DATABASE_URL"] == database_url:
        pytest.skip("needs WITNESS_TEST_APP_DATABASE_URL: the app connecting as another role")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE support_items SET value = 1",
        "DELETE FROM support_approvals",
        "UPDATE ledger_checkpoints SET entries = 1",
        "DELETE FROM audit_events",
        "TRUNCATE support_items CASCADE",
        "ALTER TABLE support_items DISABLE TRIGGER ALL",
        "DROP TRIGGER support_items_append_only ON support_items",
        "CREATE TABLE mischief (id integer)",
        "UPDATE alembic_version SET version_num = 'x'",
    ],
)
def test_the_apps_role_may_not_change_the_evidence_or_the_schema(
    db, app_role_only, evidence, statement
):
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        db.execute(text(statement))
    savepoint.rollback()
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.id == evidence["audit_events"]))


def test_the_apps_role_reads_and_adds_what_the_app_needs(db, app_role_only, app, world):
    """The whole ledger flow as the app role: record, approve, reverse, checkpoint, flag."""
    user = db.scalar(text("SELECT current_user"))
    assert user == make_url(app.config["DATABASE_URL"]).username
    item = record(db, world.officer, world.assigned, world.case, value="500")
    services.approve_item(db, world.supervisor, item)
    services.reverse_item(db, world.officer, item, "Entered twice")
    status = services.verify_chain(db, world.case.id)
    assert write_checkpoint(db, status, CheckpointReason.disclosure) is not None
    services.record_full_check(db, status)
    db.flush()
    owner = db.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'support_items'"))
    assert owner != user


def test_init_db_migrates_as_the_owner_and_grants_the_apps_role(runner, app_role_only, app):
    """``flask init-db`` with both URLs: the owner migrates, the app's role gets its grants."""
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    role = make_url(app.config["DATABASE_URL"]).username
    assert f"Granted the application's role {role}" in result.output
    engine = create_engine(app.config["MIGRATION_DATABASE_URL"])
    with engine.connect() as connection:
        rights = set(
            connection.execute(
                text(
                    "SELECT table_name, privilege_type FROM information_schema.table_privileges "
                    "WHERE grantee = :role"
                ),
                {"role": role},
            ).all()
        )
    engine.dispose()
    assert ("support_items", "INSERT") in rights and ("support_items", "SELECT") in rights
    assert ("support_items", "UPDATE") not in rights and ("audit_events", "DELETE") not in rights
    assert ("ledger_flags", "UPDATE") in rights
    assert not any(privilege == "TRUNCATE" for _, privilege in rights)
