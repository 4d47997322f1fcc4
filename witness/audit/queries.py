"""What the audit log viewer reads."""

from __future__ import annotations

from sqlalchemy import Select, select

from witness.audit.models import AuditEvent
from witness.auth.models import User


def office_events(
    actor: User, *, witness_id: int | None = None, action: str = ""
) -> Select[tuple[AuditEvent]]:
    """Events by people of the actor's organisation, newest first; those about one witness,
    or of one action, when given."""
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
    return query
