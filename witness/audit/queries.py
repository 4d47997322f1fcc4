"""What the audit log viewer reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from witness.audit.models import AuditEvent
from witness.auth.models import User


def office_events(
    actor: User, *, witness_id: int | None = None, action: str = "", user_id: int | None = None
) -> Select[tuple[AuditEvent]]:
    """Events by people of the actor's organisation, newest first; those about one witness,
    of one action, or by one person, when given."""
    query = (
        select(AuditEvent)
        .join(User, AuditEvent.actor_id == User.id)
        .where(User.organisation_id == actor.organisation_id)
        .order_by(AuditEvent.id.desc())
    )
    if witness_id:
        query = query.where(AuditEvent.witness_id == witness_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if user_id:
        query = query.where(AuditEvent.actor_id == user_id)
    return query


def _is_reading():
    """An event that shows, hands over or refuses something: views, downloads, exports,
    reprints and every refusal (changes are in the office's audit log)."""
    action = AuditEvent.action
    return or_(
        *(
            action.like(pattern)
            for pattern in (
                "%_view",  # "witness.view", "witness.outcomes_view"
                "%.viewed",
                "%download%",
                "%export%",
                "%reprinted",
                "%refused",
            )
        )
    )


def witness_reads(
    witness_id: int,
    *,
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[tuple[AuditEvent]]:
    """Everyone's readings of one witness's file (and refusals), newest first; by one person,
    or in [since, until), when given (``ix_audit_events_witness_dt``)."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor).joinedload(User.organisation))
        .where(AuditEvent.witness_id == witness_id, _is_reading())
        .order_by(AuditEvent.occurred_dt.desc(), AuditEvent.id.desc())
    )
    if user_id:
        query = query.where(AuditEvent.actor_id == user_id)
    if since is not None:
        query = query.where(AuditEvent.occurred_dt >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_dt < until)
    return query


def witness_readers(session: Session, witness_id: int) -> list[User]:
    """The people who read (or were refused) the witness's file, by name: the page's filter."""
    readers = (
        select(AuditEvent.actor_id)
        .where(AuditEvent.witness_id == witness_id, _is_reading())
        .distinct()
    )
    return list(session.scalars(select(User).where(User.id.in_(readers)).order_by(User.name)))
