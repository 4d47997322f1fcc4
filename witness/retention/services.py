"""Closing and reopening a witness's file, and legal holds. Services take a session and an
actor, check need to know, flush and never commit; the view commits once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import can_hold_witness, can_manage_witness, require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.notify.models import MailStatus, OutboundEmail
from witness.people import phases
from witness.people.models import Phase, Witness
from witness.people.services import change_phase, closed_from
from witness.retention.models import FileClosure, LegalHold
from witness.retention.notice import send_final_notice
from witness.scheduling.models import Appointment
from witness.scheduling.services import cancel_appointment

#: the reason every cancelled appointment and its calendars' cancellations give: the officer's
#: own words for closing stay on the file, not in invites or the audit log
CANCEL_REASON = "The witness's file was closed."


def _reason(reason: str | None, message: str) -> str:
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(message, field="reason")
    return reason


def current_closure(session: Session, witness_id: int) -> FileClosure | None:
    """The closure in force (not reopened), or None while the file is open."""
    return session.scalar(
        select(FileClosure)
        .where(FileClosure.witness_id == witness_id, FileClosure.reopened_dt.is_(None))
        .order_by(FileClosure.id.desc())
        .limit(1)
    )


def active_hold(session: Session, witness_id: int) -> LegalHold | None:
    """The legal hold standing on the file, or None."""
    return session.scalar(
        select(LegalHold)
        .where(LegalHold.witness_id == witness_id, LegalHold.lifted_dt.is_(None))
        .order_by(LegalHold.id.desc())
        .limit(1)
    )


def _refuse_anonymised(witness: Witness) -> None:
    if witness.anonymised_dt is not None:
        raise DomainError(gettext("This file is anonymised and can no longer be changed."))


def close_file(
    session: Session, actor: User, witness: Witness, reason: str, *, office_phone: str = ""
) -> FileClosure:
    """Close the file: every participation to closed (with ``reason``), every appointment
    ahead cancelled (the calendars get cancellations), and the final notice queued on the
    channel the witness's preferences and consent allow, or the reason there is none."""
    require(can_manage_witness(actor, witness))
    reason = _reason(reason, gettext("Give a reason for closing the file."))
    if current_closure(session, witness.id) is not None:
        raise DomainError(gettext("This file is already closed."))
    closed = 0
    for participation in witness.participations:
        if participation.phase is not Phase.closed:
            change_phase(session, actor, participation, Phase.closed, reason)
            closed += 1
    now = now_utc()
    ahead = session.scalars(
        select(Appointment)
        .where(Appointment.witness_id == witness.id, Appointment.start_dt > now)
        .order_by(Appointment.start_dt, Appointment.id)
    )
    cancelled = 0
    for appointment in list(ahead):
        if appointment.status.is_active:
            cancel_appointment(session, actor, appointment, CANCEL_REASON)
            cancelled += 1
    closure = FileClosure(
        witness_id=witness.id, closed_dt=now, closed_by_id=actor.id, reason=reason
    )
    session.add(closure)
    session.flush()
    send_final_notice(session, witness, closure, office_phone)
    session.flush()
    # Counts and the channel only: the reason stays on the file, not in the audit log.
    record_event(
        session,
        actor,
        "witness.file_close",
        closure,
        witness_id=witness.id,
        participations_closed=closed,
        appointments_cancelled=cancelled,
        notice_channel=closure.notice_channel or None,
        notice_email_id=closure.notice_email_id,
        no_notice=bool(closure.no_notice_reason),
    )
    return closure


def reopen_file(session: Session, actor: User, witness: Witness, reason: str) -> FileClosure:
    """Reopen a closed file before it is anonymised: each participation returns to the phase
    it was closed from; the closure is kept, marked reopened."""
    require(can_manage_witness(actor, witness))  # an anonymised file: no one
    reason = _reason(reason, gettext("Give a reason for reopening the file."))
    closure = current_closure(session, witness.id)
    if closure is None:
        raise DomainError(gettext("This file is not closed."))
    reopened = 0
    for participation in witness.participations:
        if participation.phase is Phase.closed:
            target = phases.allowed_targets(Phase.closed, closed_from(participation))[0]
            change_phase(session, actor, participation, target, reason)
            reopened += 1
    closure.reopened_dt = now_utc()
    closure.reopened_by_id = actor.id
    closure.reopen_reason = reason
    notice = (
        session.get(OutboundEmail, closure.notice_email_id) if closure.notice_email_id else None
    )
    if notice is not None and notice.status is MailStatus.pending:
        # "your file is closed" must not reach them after it was opened again
        notice.status = MailStatus.withheld
        notice.last_error = "Not needed: the file was reopened."
    session.flush()
    record_event(
        session,
        actor,
        "witness.file_reopen",
        closure,
        witness_id=witness.id,
        participations_reopened=reopened,
    )
    return closure


def place_hold(session: Session, actor: User, witness: Witness, reason: str) -> LegalHold:
    """A supervisor's legal hold (an appeal pending, a civil claim, an inquiry): the file is
    not anonymised while it stands."""
    require(can_hold_witness(actor, witness), "Only the office's supervisors hold a file.")
    _refuse_anonymised(witness)
    reason = _reason(reason, gettext("Give a reason for the legal hold."))
    if active_hold(session, witness.id) is not None:
        raise DomainError(gettext("This file is already on legal hold."))
    hold = LegalHold(witness_id=witness.id, reason=reason, placed_by_id=actor.id)
    session.add(hold)
    session.flush()
    record_event(session, actor, "witness.legal_hold_place", hold, witness_id=witness.id)
    return hold


def lift_hold(session: Session, actor: User, witness: Witness, reason: str) -> LegalHold:
    """Lift the legal hold; the retention period (from the closure) applies again."""
    require(can_hold_witness(actor, witness), "Only the office's supervisors hold a file.")
    reason = _reason(reason, gettext("Give a reason for lifting the legal hold."))
    hold = active_hold(session, witness.id)
    if hold is None:
        raise DomainError(gettext("This file is not on legal hold."))
    hold.lifted_dt = now_utc()
    hold.lifted_by_id = actor.id
    hold.lift_reason = reason
    session.flush()
    record_event(session, actor, "witness.legal_hold_lift", hold, witness_id=witness.id)
    return hold
