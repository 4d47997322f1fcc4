"""Risk review meetings: a due reassessment booked like any other support event, and the
reassessment it opens once the meeting took place.

A meeting is an appointment of kind ``risk_review`` linked to the open ``RiskReview`` it serves
(``Appointment.risk_review_id``). It is booked through ``scheduling.services.book_appointment``,
so the same double-booking check, free-time suggestions and calendar invites apply; the
witness's copy says "Meeting with your support worker" whatever detail they chose
(``AppointmentKind.witness_label``). On top of an ordinary booking a meeting is held with the
witness's officer (when they have one) and, when the witness needs one, an interpreter of one
of their languages. Completing it starts (or reopens) the draft assessment, pre-filled from the
last completed one (``services.start_assessment``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import OFFICE_ROLES, require
from witness.core.access_risk import can_assess
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.people.models import Assignment, Witness
from witness.risk import queries
from witness.risk.models import ReviewSource, RiskAssessment, RiskReview
from witness.risk.services import start_assessment
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Interpreter,
)
from witness.scheduling.services import Booking, book_appointment, complete_appointment

ACTIVE = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


def witness_officers(session: Session, witness: Witness) -> list[User]:
    """The witness's own officers: staff of their office currently assigned to them."""
    users = session.scalars(
        select(User)
        .join(Assignment, Assignment.user_id == User.id)
        .where(
            Assignment.witness_id == witness.id,
            Assignment.ended_dt.is_(None),
            User.organisation_id == witness.organisation_id,
        )
        .order_by(User.name, User.id)
    )
    return [u for u in users if u.is_enabled and u.role in OFFICE_ROLES]


def open_review(session: Session, witness: Witness, review_id: int | None) -> RiskReview | None:
    """The open review ``review_id`` of ``witness``; without an id, their first one due."""
    if review_id is None:
        reviews = queries.open_reviews(session, witness.id)
        return reviews[0] if reviews else None
    review = session.get(RiskReview, review_id)
    if review is None or review.witness_id != witness.id or review.done_dt is not None:
        return None
    return review


def _check_people(session: Session, witness: Witness, booking: Booking) -> None:
    officers = witness_officers(session, witness)
    if officers and not {u.id for u in officers} & set(booking.staff_ids):
        names = " or ".join(u.name for u in officers)
        raise DomainError(
            gettext(
                "A risk review is held with the witness's officer: add %(names)s.", names=names
            ),
            field="staff_ids",
        )
    if not witness.needs_interpreter:
        return
    spoken = ", ".join(witness.languages) or "their language"
    interpreter = (
        session.get(Interpreter, booking.interpreter_id) if booking.interpreter_id else None
    )
    if interpreter is None:
        raise DomainError(
            gettext(
                "%(reference)s needs an interpreter (%(spoken)s): choose one.",
                reference=witness.reference,
                spoken=spoken,
            ),
            field="interpreter_id",
        )
    shared = [lang for lang in witness.languages if lang in interpreter.languages]
    if not shared:
        raise DomainError(
            gettext(
                "%(name)s does not interpret %(spoken)s: choose an interpreter of the witness's "
                "language.",
                name=interpreter.name,
                spoken=spoken,
            ),
            field="interpreter_id",
        )
    if booking.language not in shared:
        booking.language = shared[0]


def book_review_meeting(
    session: Session, actor: User, witness: Witness, booking: Booking
) -> Appointment:
    """Book a risk review meeting for one of the witness's open reviews (the first due when
    none is named), through the ordinary booking: same clash check, suggestions and invites."""
    review = open_review(session, witness, booking.risk_review_id)
    if review is None:
        raise DomainError(
            gettext(
                "No open risk review of %(reference)s to book a meeting for: the review may have "
                "been completed meanwhile.",
                reference=witness.reference,
            )
        )
    booking.kind = AppointmentKind.risk_review
    booking.risk_review_id = review.id
    _check_people(session, witness, booking)
    appointment = book_appointment(session, actor, witness, booking)
    record_event(
        session,
        actor,
        "risk_review.meeting",
        review,
        witness_id=witness.id,
        appointment_id=appointment.id,
    )
    return appointment


def _review_of(session: Session, appointment: Appointment) -> RiskReview | None:
    if appointment.risk_review_id is None:
        return None
    return session.get(RiskReview, appointment.risk_review_id)


def _instrument(session: Session, review: RiskReview | None, witness: Witness) -> str:
    if review is not None and review.source is ReviewSource.return_planned:
        return "return-v1"
    current = queries.current_assessment(session, witness.id)
    return current.instrument if current is not None else "v1"


def start_reassessment(session: Session, actor: User, appointment: Appointment) -> RiskAssessment:
    """The draft a risk review meeting opens: the witness's open draft when there is one, else a
    new one from the last completed assessment's answers."""
    witness = appointment.witness
    require(can_assess(actor, witness), "Only the witness's own office assesses their risk.")
    draft = queries.draft_of(session, witness.id)
    if draft is not None:
        return draft
    review = _review_of(session, appointment)
    return start_assessment(session, actor, witness, _instrument(session, review, witness))


def complete_review_meeting(
    session: Session, actor: User, appointment: Appointment, note: str = ""
) -> RiskAssessment | None:
    """The meeting took place: record it as completed and, when ``actor`` assesses this
    witness, open the reassessment (None when they do not: the office will)."""
    complete_appointment(session, actor, appointment, note)
    if appointment.kind is not AppointmentKind.risk_review:
        return None
    if not can_assess(actor, appointment.witness):
        return None
    return start_reassessment(session, actor, appointment)


@dataclass
class MeetingLine:
    """What a risk review meeting's page says about its review: due, done, or gone."""

    review: RiskReview | None
    can_start: bool


def meeting_line(session: Session, actor: User, appointment: Appointment) -> MeetingLine | None:
    """For a risk review meeting's page; None for any other appointment."""
    if appointment.kind is not AppointmentKind.risk_review:
        return None
    review = _review_of(session, appointment)
    allowed = can_assess(actor, appointment.witness)
    can_start = allowed and (review is None or review.done_dt is None)
    return MeetingLine(review if allowed else None, can_start)


def meetings_query(review_ids: list[int]) -> Select:
    """Active meetings booked for ``review_ids``, the latest first (through the partial index
    ``ix_appointments_risk_review_id``)."""
    return (
        select(Appointment)
        .where(Appointment.risk_review_id.in_(review_ids), Appointment.status.in_(ACTIVE))
        .order_by(Appointment.start_dt.desc())
    )


def meetings_for(session: Session, review_ids: list[int]) -> dict[int, Appointment]:
    """The next active meeting booked for each of ``review_ids``."""
    if not review_ids:
        return {}
    return {a.risk_review_id: a for a in session.scalars(meetings_query(review_ids))}
