"""Writing audit events. Every view of a witness file, every change and every refusal goes
through here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from witness.audit.models import AuditEvent
from witness.auth.models import User

#: What each kind of record is called in the audit log, by table. Named rather than derived
#: from the table's name: dropping a plural "s" wrote "witnesse" and "new".
AUDIT_TYPES: dict[str, str] = {
    "access_requests": "access_request",
    "api_tokens": "api_token",
    "appointment_slots": "appointment_slot",
    "appointment_staff": "appointment_staff",
    "appointments": "appointment",
    "assignments": "assignment",
    "audit_events": "audit_event",
    "calendar_feeds": "calendar_feed",
    "case_offences": "case_offence",
    "cases": "case",
    "compensation_claims": "compensation_claim",
    "compensation_payments": "compensation_payment",
    "consents": "consent",
    "contact_attempts": "contact_attempt",
    "contact_preferences": "contact_preference",
    "correction_requests": "correction_request",
    "courts": "court",
    "defendants": "defendant",
    "disclosure_exports": "disclosure_export",
    "file_closures": "file_closure",
    "hearing_changes": "hearing_change",
    "hearings": "hearing",
    "idempotency_keys": "idempotency_key",
    "impact_statements": "impact_statement",
    "interpreters": "interpreter",
    "invite_detail_choices": "invite_detail_choice",
    "ledger_chain_checks": "ledger_chain_check",
    "ledger_checkpoints": "ledger_checkpoint",
    "ledger_flags": "ledger_flag",
    "legal_holds": "legal_hold",
    "letters": "letter",
    "login_attempts": "login_attempt",
    "needs_assessments": "needs_assessment",
    "news": "news",
    "notification_tasks": "notification_task",
    "organisations": "organisation",
    "outbound_emails": "outbound_email",
    "outcome_events": "outcome_event",
    "participations": "participation",
    "phase_transitions": "phase_transition",
    "plan_consultations": "plan_consultation",
    "print_batches": "print_batch",
    "property_items": "property_item",
    "protection_actions": "protection_action",
    "recovery_codes": "recovery_code",
    "resource_withdrawals": "resource_withdrawal",
    "resources": "resource",
    "risk_assessments": "risk_assessment",
    "risk_incidents": "risk_incident",
    "risk_reviews": "risk_review",
    "special_measures": "special_measure",
    "staff_alerts": "staff_alert",
    "support_approvals": "support_approval",
    "support_items": "support_item",
    "translation_reviews": "translation_review",
    "users": "user",
    "witnesses": "witness",
}

#: Names written before the types above were named. Audit rows are append-only (the database
#: refuses to rewrite them), so the viewer reads these as the current name instead.
LEGACY_TYPES: dict[str, str] = {"witnesse": "witness", "new": "news"}

#: where ``record_event`` keeps the refusals it wrote, so a request can tell whether its
#: refusal was audited (``refusal_recorded``)
_REFUSALS = "witness.audit.refusals"


def audit_type(obj: Any) -> str:
    """The audit log's name for ``obj``'s kind of record."""
    table = obj.__tablename__
    # A table missing from AUDIT_TYPES keeps its own name (plural, but spelt right);
    # tests/test_audit.py fails until it is listed.
    return AUDIT_TYPES.get(table, table)


def type_label(object_type: str) -> str:
    """How the viewer shows a stored ``object_type``: old misspellings read as today's name."""
    return LEGACY_TYPES.get(object_type, object_type)


def is_refusal(action: str) -> bool:
    """Refusals are the actions named ``<what>.refused`` or ``<what>.<verb>_refused``."""
    return action.endswith("refused")


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
        object_type = object_type or audit_type(obj)
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
    if is_refusal(action):
        session.info.setdefault(_REFUSALS, []).append(event_row)
    return event_row


def refusal_recorded(session: Session) -> bool:
    """Whether a refusal audited in this session is still there: committed, or waiting to be.
    One that a rollback took away does not count."""
    for row in session.info.get(_REFUSALS, ()):
        state = inspect(row)
        if state.persistent or state.pending or state.detached:
            return True
    return False


def audit_refusal(session: Session, actor: User | None, action: str, **detail: Any) -> None:
    """Make sure the refusal this request answers with is in the audit log, then commit.

    The safety net under every 403 and 404 answered to a signed-in user: a route that audited
    its refusal (by name) is left as it is; one that did not gets ``action`` with ``detail``.
    """
    if not refusal_recorded(session):
        session.rollback()  # nothing half-done goes out with the audit row
        record_event(session, actor, action, **detail)
    session.commit()


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
