"""Writing audit events. Every view of a witness file and every change goes through here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from witness.audit.models import AuditEvent
from witness.auth.models import User


def record_event(
    session: Session,
    actor: User | None,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    witness_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add one audit event; the address comes from the request that opened the session."""
    if obj is not None:
        object_type = object_type or obj.__tablename__.removesuffix("s")
        object_id = object_id if object_id is not None else obj.id
    event_row = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        witness_id=witness_id,
        remote_addr=session.info.get("remote_addr"),
        detail={k: _plain(v) for k, v in detail.items()},
    )
    session.add(event_row)
    return event_row


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):  # enums
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _flush_context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("audit events are append-only")
