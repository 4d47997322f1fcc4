"""What the benchmark's write floor changes: the least a form that records something can do."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.errors import NotFound
from witness.core.time import now_utc
from witness.notify.models import StaffAlert
from witness.people.models import Witness


def record_write_floor(session: Session, actor: User, witness_id: int) -> StaffAlert:
    """One row read by primary key, one inserted and one audit row: what every recording form
    does at the least.

    The row is an alert to ``actor`` already marked seen, so it never reaches a dashboard;
    it exists only under ``BENCHMARK_ROUTES``."""
    if session.get(Witness, witness_id) is None:
        raise NotFound("No such witness.")
    now = now_utc()
    alert = StaffAlert(
        user_id=actor.id,
        key=f"bench:{uuid4().hex}",
        message="Write floor (benchmark)",
        witness_id=witness_id,
        created_dt=now,
        seen_dt=now,
    )
    session.add(alert)
    session.flush()
    record_event(session, actor, "bench.write_floor", alert, witness_id=witness_id)
    return alert
