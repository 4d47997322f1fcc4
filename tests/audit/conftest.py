"""Helpers the audit chain tests share: events to seal, and tampering as the owner."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from witness.audit.models import AuditEvent
from witness.audit.services import record_event


def is_postgresql(db) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def drop_guards(db) -> None:
    """What someone who owns the database could do: drop the triggers that keep audit events
    unchanged and undeleted (inside the test's transaction, so they come back afterwards)."""
    if is_postgresql(db):
        db.execute(text("DROP TRIGGER audit_events_seal_only ON audit_events"))
        db.execute(text("DROP TRIGGER audit_events_no_delete ON audit_events"))
    else:
        db.execute(text("DROP TRIGGER audit_events_seal_only"))
        db.execute(text("DROP TRIGGER audit_events_no_delete"))


def seq_of(db, event_id: int) -> int:
    return db.scalar(select(AuditEvent.seq).where(AuditEvent.id == event_id))


@pytest.fixture
def events(db, make_user, make_witness):
    """Five events about a witness, written (unsealed) in order."""
    user = make_user()
    witness = make_witness(officer=user)
    rows = [
        record_event(db, user, "witness.view", witness, witness_id=witness.id, n=n)
        for n in range(5)
    ]
    db.flush()
    return rows
