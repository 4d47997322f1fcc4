"""What the "To tell" pages change: an officer (or the witness's NGO worker) records telling a
witness in person or through their NGO, a supervisor cancels a task with a reason, a member of
staff marks an alert seen. Each checks its rule in ``core.access``, audits, flushes, never
commits; a task moves only through ``notify.attempts.record_attempt``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core import access, access_after
from witness.core.errors import DomainError, NotFound
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.notify.attempts import record_attempt
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    NotificationTask,
    StaffAlert,
    TaskStatus,
)
from witness.people.models import Channel

#: what an officer may record for each channel this page handles (phone: the call list)
OUTCOMES_BY_CHANNEL = {
    Channel.in_person: (AttemptOutcome.told_in_person, AttemptOutcome.failed),
    Channel.via_ngo: (AttemptOutcome.told_via_ngo, AttemptOutcome.failed),
}
MAX_NOTE = 2000
MAX_REASON = 500


def record_task_attempt(
    session: Session,
    actor: User,
    task: NotificationTask,
    *,
    channel: Channel,
    outcome: AttemptOutcome,
    note: str = "",
) -> ContactAttempt:
    """Keep an officer's (or the NGO worker's) attempt to tell the witness in person or
    through their NGO. A success is refused when the witness may not be told so now
    (``access.notification_refusal``: consent, opted out, channel no longer chosen)."""
    access.require(
        access_after.can_record_task_attempt(actor, task, channel),
        "You may not record how this witness was told.",
    )
    if outcome not in OUTCOMES_BY_CHANNEL.get(channel, ()):
        raise DomainError(gettext("Choose what happened for this channel."), field="outcome")
    note = clean_text(note, "note", multiline=True, max_length=MAX_NOTE)
    if outcome.succeeded:
        refusal = access.notification_refusal(session, task.witness, channel, None, task.event.kind)
        if refusal is not None:
            raise DomainError(
                gettext(
                    "This witness may not be told this way now: %(label)s.", label=refusal.label
                ),
                field="channel",
            )
    return record_attempt(session, actor, task, channel=channel, outcome=outcome, note=note)


def cancel_task(session: Session, actor: User, task: NotificationTask, reason: str) -> None:
    """Cancel an open task (the witness need not be told after all), with the reason: a
    supervisor of the witness's office only."""
    access.require(
        access_after.can_cancel_task(actor, task), "Only a supervisor may cancel a task."
    )
    reason = clean_text(reason, "reason", multiline=True, max_length=MAX_REASON)
    if not reason:
        raise DomainError(gettext("Say why this witness need not be told."), field="reason")
    if task.status is not TaskStatus.open:
        raise DomainError(gettext("This task is no longer open."))
    task.status = TaskStatus.cancelled
    task.cancelled_reason = reason
    session.flush()
    record_event(
        session,
        actor,
        "notification_task.cancelled",
        task,
        witness_id=task.witness_id,
        reason=reason,
    )


def mark_alert_seen(session: Session, actor: User, alert_id: int) -> StaffAlert:
    """Mark one of the actor's own alerts seen; anyone else's (or none) is an audited
    ``NotFound``. Marking it again changes nothing."""
    alert = session.get(StaffAlert, alert_id)
    if alert is None or alert.user_id != actor.id:
        record_event(
            session, actor, "staff_alert.refused", object_type="staff_alert", object_id=alert_id
        )
        raise NotFound("No such alert.")
    if alert.seen_dt is None:
        alert.seen_dt = now_utc()
        session.flush()
        record_event(session, actor, "staff_alert.seen", alert, witness_id=alert.witness_id)
    return alert
