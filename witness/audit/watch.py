"""Unusual reading: someone opening (or trying to open) many witness files outside their own
work (``core.access.own_work``) in a short time. The supervisors of their office are alerted
(``staff_alerts``, as a breach is), at most once per window, and the alert is audited.

Checked by the sealer (``audit.jobs``), for the people whose reads it has just sealed, not by
the witness page: the page pays nothing, and an alert comes a few seconds after the reading.
Each check is one count over a few minutes of one person's events (``ix_audit_events_actor_dt``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from witness.audit.chain import WITNESS_READS as READS
from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import own_work
from witness.notify.delivery import alert, supervisors_of
from witness.notify.models import StaffAlert
from witness.people.models import Witness

KEY = "unusual-reading:{user_id}:{when:%Y%m%dT%H%M%S}"


def reads_outside_work(session: Session, reader: User, since: datetime, until: datetime) -> int:
    """How many different witness files ``reader`` opened or tried to open in [since, until]
    that are not their own work."""
    mine = exists().where(Witness.id == AuditEvent.witness_id, own_work(reader))
    return session.scalar(
        select(func.count(distinct(AuditEvent.witness_id))).where(
            AuditEvent.actor_id == reader.id,
            AuditEvent.occurred_dt >= since,
            AuditEvent.occurred_dt <= until,
            AuditEvent.action.in_(READS),
            AuditEvent.witness_id.is_not(None),
            ~mine,
        )
    )


def _last_read(session: Session, reader_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(AuditEvent.occurred_dt)).where(
            AuditEvent.actor_id == reader_id, AuditEvent.action.in_(READS)
        )
    )


def _alerted_since(session: Session, reader_id: int, since: datetime) -> bool:
    return (
        session.scalar(
            select(StaffAlert.id)
            .where(
                StaffAlert.key.like(f"unusual-reading:{reader_id}:%"),
                StaffAlert.created_dt >= since,
            )
            .limit(1)
        )
        is not None
    )


def _watchers(session: Session, reader: User) -> list[User]:
    """The supervisors of the reader's office (not the reader); its administrators when it has
    no other supervisor."""
    people = [u for u in supervisors_of(session, reader.organisation_id) if u.id != reader.id]
    if people:
        return people
    return list(
        session.scalars(
            select(User).where(
                User.organisation_id == reader.organisation_id,
                User.role == Role.admin,
                User.is_enabled.is_(True),
                User.id != reader.id,
            )
        )
    )


def check_reader(session: Session, reader: User, now: datetime, limit: int, minutes: int) -> bool:
    """Alert the reader's supervisors when, in the ``minutes`` up to their latest read (within
    the last ``minutes``), they read more than ``limit`` files outside their work, unless they
    were alerted about this reader within the last ``minutes``; audited
    ``audit.unusual_reading``. Returns whether it alerted."""
    until = _last_read(session, reader.id)
    window = timedelta(minutes=minutes)
    if until is None or until < now - window:
        return False  # reading long past (a backlog sealed late) is not news to alert on
    count = reads_outside_work(session, reader, until - window, until)
    if count <= limit or _alerted_since(session, reader.id, now - window):
        return False
    message = (
        f"Unusual reading: {reader.name} opened or tried to open {count} witness files "
        f"outside their own work within {minutes} minutes (up to {until:%d %b %Y %H:%M} UTC)."
    )
    url = f"/audit/?user_id={reader.id}"
    key = KEY.format(user_id=reader.id, when=until)
    alert(session, _watchers(session, reader), key, message, url, None)
    record_event(
        session, None, "audit.unusual_reading", reader, files=count, minutes=minutes, until=until
    )
    return True


def check_readers(
    session: Session, reader_ids: Iterable[int], now: datetime, limit: int, minutes: int
) -> int:
    """``check_reader`` for each of ``reader_ids``; returns how many alerted."""
    raised = 0
    for reader_id in sorted(set(reader_ids)):
        reader = session.get(User, reader_id)
        if reader is not None:
            raised += check_reader(session, reader, now, limit, minutes)
    return raised
