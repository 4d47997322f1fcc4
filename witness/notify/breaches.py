"""Breaches: a notification task still open past its deadline alerts the witness's assigned
officers and the supervisors of the witness's office — once — on their dashboard and by e-mail
(through the outbox, a discreet subject, references and never names).

The sweep (every 5 minutes) claims the overdue tasks by setting ``breach_alerted_dt`` in the
same transaction that makes their alerts and e-mails, the way ``notify.mail`` claims mail: on
PostgreSQL ``FOR UPDATE SKIP LOCKED`` (a second sweep skips rows the first holds, then finds
them marked), on SQLite one UPDATE ... RETURNING under the single write lock. A sweep that dies
before committing leaves nothing, and the next one alerts. ``StaffAlert``'s unique (user, key)
is the last guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import staff_contact_refusal
from witness.core.errors import DomainError
from witness.core.i18n import in_english
from witness.core.time import now_utc
from witness.notify.mail import check_address, enqueue_email
from witness.notify.models import NotificationTask, StaffAlert, open_tasks
from witness.people.models import Assignment, Witness

#: tasks claimed by one transaction; a sweep takes batches until none is left
BATCH = 200
MAX_BATCHES = 50
#: what a staff member's mailbox shows: nothing about a witness, a court or a case
SUBJECT = "A task of yours is overdue"


def claim_breaches(session: Session, now: datetime, batch: int = BATCH) -> list[int]:
    """Mark up to ``batch`` open tasks past their deadline and not yet alerted as alerted at
    ``now``; return their ids. The caller makes their alerts in the same transaction."""
    due = (
        select(NotificationTask.id)
        .where(
            open_tasks(),
            NotificationTask.due_dt < now,
            NotificationTask.breach_alerted_dt.is_(None),
        )
        .order_by(NotificationTask.due_dt, NotificationTask.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claim = update(NotificationTask).values(breach_alerted_dt=now)
    claim = claim.execution_options(synchronize_session=False)
    if session.get_bind().dialect.name == "sqlite":
        # one statement, so the read and the write share the single write lock
        return sorted(
            session.scalars(
                claim.where(NotificationTask.id.in_(due)).returning(NotificationTask.id)
            )
        )
    ids = list(session.scalars(due))
    if ids:
        session.execute(claim.where(NotificationTask.id.in_(ids)))
    return sorted(ids)


def recipients(session: Session, witness: Witness) -> list[User]:
    """Whom a breach alerts: the witness's assigned officers and their office's supervisors,
    enabled accounts only."""
    officers = select(Assignment.user_id).where(
        Assignment.witness_id == witness.id, Assignment.ended_dt.is_(None)
    )
    return list(
        session.scalars(
            select(User)
            .where(
                User.is_enabled.is_(True),
                (
                    (User.role == Role.liaison_officer) & User.id.in_(officers)
                    | (User.role == Role.supervisor)
                    & (User.organisation_id == witness.organisation_id)
                ),
            )
            .order_by(User.id)
        )
    )


@in_english
def breach_message(task: NotificationTask) -> str:
    """ "Deadline passed: tell VW-00123 of the verdict in T00042" — references only."""
    verb = "remind" if task.reminder else "tell"
    what = task.event.kind.label.lower()
    return (
        f"Deadline passed: {verb} {task.witness.reference} of the {what} in {task.case.reference}"
    )


def _mail_body(message: str, task: NotificationTask) -> str:
    return (
        f"{message}.\n\n"
        f"Open it in Witness under To tell, or at /tasks/{task.id}.\n\n"
        "You receive this because you are the officer assigned or a supervisor of the office.\n"
    )


def _usable(address: str | None) -> str | None:
    try:
        return check_address(address or "")
    except DomainError:
        return None


def alert_breach(session: Session, task: NotificationTask) -> tuple[int, int]:
    """Alert whom a breach of ``task`` concerns (dashboard and e-mail); returns (alerts,
    e-mails). Someone already alerted for it is skipped."""
    key = f"breach:task:{task.id}"
    message = breach_message(task)
    people = recipients(session, task.witness)
    already = set(
        session.scalars(
            select(StaffAlert.user_id).where(
                StaffAlert.key == key, StaffAlert.user_id.in_([u.id for u in people])
            )
        )
    )
    alerts = emails = 0
    for user in people:
        if user.id in already:
            continue
        alert = StaffAlert(
            user_id=user.id,
            key=key,
            message=message,
            url=f"/tasks/{task.id}",
            witness_id=task.witness_id,
            created_dt=now_utc(),
        )
        session.add(alert)
        session.flush()
        record_event(
            session, None, "staff_alert.created", alert, witness_id=task.witness_id, task_id=task.id
        )
        alerts += 1
        address = _usable(user.email)
        if address and staff_contact_refusal(user, address) is None:
            enqueue_email(
                session,
                organisation_id=user.organisation_id,
                to_address=address,
                subject=SUBJECT,
                body=_mail_body(message, task),
                user_id=user.id,
            )
            emails += 1
    record_event(
        session,
        None,
        "notification_task.breach_alerted",
        task,
        witness_id=task.witness_id,
        alerted=alerts,
    )
    return alerts, emails


@dataclass
class BreachReport:
    tasks: int = 0
    alerts: int = 0
    emails: int = 0


def alert_breaches(session: Session, now: datetime, batch: int = BATCH) -> BreachReport:
    """Claim one batch of breached tasks and alert for each; flushes, never commits (the
    caller commits the claim and the alerts together)."""
    report = BreachReport()
    ids = claim_breaches(session, now, batch)
    if not ids:
        return report
    tasks = session.scalars(
        select(NotificationTask)
        .where(NotificationTask.id.in_(ids))
        .order_by(NotificationTask.id)
        .options(
            joinedload(NotificationTask.witness),
            joinedload(NotificationTask.case),
            joinedload(NotificationTask.event),
        )
    ).all()
    for task in tasks:
        alerts, emails = alert_breach(session, task)
        report.tasks += 1
        report.alerts += alerts
        report.emails += emails
    session.flush()
    return report


def breach_sweep(app: Flask) -> BreachReport:
    """The sweep every 5 minutes: batch by batch, each claimed and alerted in one committed
    transaction of its own."""
    total = BreachReport()
    factory = app.extensions["witness.db"].sessionmaker
    with app.app_context():
        for _ in range(MAX_BATCHES):
            with factory() as session:
                report = alert_breaches(session, now_utc())
                session.commit()
            total.tasks += report.tasks
            total.alerts += report.alerts
            total.emails += report.emails
            if report.tasks < BATCH:
                break
    if total.tasks:
        app.logger.info(
            "breaches: %d task(s) past their deadline, %d alert(s), %d e-mail(s)",
            total.tasks,
            total.alerts,
            total.emails,
        )
    return total
