"""The audit log is append-only: neither the ORM nor raw SQL can change or remove an event."""

import pytest
from sqlalchemy import delete, exc, select, text, update

from witness.audit.models import AuditEvent
from witness.audit.services import record_event


@pytest.fixture
def event(db, make_user):
    row = record_event(db, make_user(), "witness.view", object_type="witness", object_id=7)
    db.flush()
    return row


def test_orm_refuses_to_change_an_event(db, event):
    event.action = "nothing.happened"
    with pytest.raises(PermissionError):
        db.flush()
    db.rollback()


def test_orm_refuses_to_delete_an_event(db, event):
    db.delete(event)
    with pytest.raises(PermissionError):
        db.flush()
    db.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(action="nothing.happened"),
        delete(AuditEvent),
        text("UPDATE audit_events SET action = 'x'"),
        text("DELETE FROM audit_events"),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete"],
)
def test_database_refuses_update_and_delete(db, db_owner, event, statement):
    """Even a bulk statement that bypasses the ORM's checks is refused by the trigger (even for
    the tables' owner; the application's role may not even try)."""
    with pytest.raises(exc.DatabaseError, match="append-only"), db.begin_nested():
        db.execute(statement)
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "witness.view"
