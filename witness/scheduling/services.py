"""Appointments: booking, rescheduling, cancelling, confirming and completing them (each after
the double-booking check of ``scheduling.conflicts``), the waiting-room warning, and the
office's interpreters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Hearing
from witness.core.access import (
    OFFICE_ROLES,
    can_manage_appointment,
    can_update_status,
    may_attend,
    require,
)
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.people.models import Witness
from witness.rooms.models import Resource, ResourceKind
from witness.rooms.services import booking_problem
from witness.scheduling import groups
from witness.scheduling.conflicts import (
    MAX_DURATION,
    MAX_TRAVEL_MINUTES,
    BookingConflict,
    SlotSpec,
    find_clashes,
    hours_check,
    lock_subjects,
    plan_slots,
    subject_key,
    suggest_free_starts,
    witness_share,
)
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStaff,
    AppointmentStatus,
    Interpreter,
)

# --- booking -------------------------------------------------------------------------------


@dataclass
class Booking:
    """What a booking asks for; the same shape for a new appointment and a reschedule."""

    kind: AppointmentKind
    start: datetime
    end: datetime
    staff_ids: list[int]
    travel_minutes: int = 0
    resource_id: int | None = None
    address: str = ""
    interpreter_id: int | None = None
    language: str | None = None
    notes: str = ""
    hearing_id: int | None = None
    case_id: int | None = None
    #: what the witness's discreet invite gives as the place (optional)
    witness_meeting_point: str = ""
    #: the risk review a risk review meeting serves (checked by ``risk.meetings``)
    risk_review_id: int | None = None
    #: other witnesses of the case accompanied in the same booking (``scheduling.groups``)
    other_witness_ids: list[int] = field(default_factory=list)


def _check_times(booking: Booking, *, allow_past: bool = False) -> None:
    if booking.start.tzinfo is None or booking.end.tzinfo is None:
        raise DomainError(gettext("Give times with their timezone."), field="start")
    if booking.end <= booking.start:
        raise DomainError(gettext("The end must be after the start."), field="end")
    if booking.end - booking.start > MAX_DURATION:
        raise DomainError(gettext("An appointment lasts at most 12 hours; split it."), field="end")
    if not allow_past and booking.start < now_utc():
        raise DomainError(
            gettext("That start is in the past: choose a time from now on."), field="start"
        )
    if not 0 <= booking.travel_minutes <= MAX_TRAVEL_MINUTES:
        raise DomainError(
            gettext(
                "Give a travel time between 0 and %(MAX_TRAVEL_MINUTES)s minutes.",
                MAX_TRAVEL_MINUTES=MAX_TRAVEL_MINUTES,
            ),
            field="travel_minutes",
        )


def _check_staff(session: Session, witness: Witness, staff_ids: Sequence[int]) -> list[User]:
    """Staff who attend must be allowed beside the witness (``access.attending_staff``)."""
    if not staff_ids:
        raise DomainError(
            gettext("Choose at least one member of staff to attend."), field="staff_ids"
        )
    staff = []
    for uid in sorted(set(staff_ids)):
        user = session.get(User, uid)
        if user is None or not may_attend(session, user, witness):
            if user is not None and user.is_enabled and user.role is Role.ngo_worker:
                raise DomainError(
                    gettext(
                        "%(name)s (%(name2)s) may not see %(reference)s's file: the witness has "
                        "not consented to share it with that organisation.",
                        name=user.name,
                        name2=user.organisation.name,
                        reference=witness.reference,
                    ),
                    field="staff_ids",
                )
            raise DomainError(gettext("Choose active members of staff."), field="staff_ids")
        staff.append(user)
    return staff


def _check_links(
    session: Session, witness: Witness, booking: Booking
) -> tuple[Resource | None, Interpreter | None, Hearing | None]:
    resource = interpreter = hearing = None
    if booking.resource_id is not None:
        resource = session.get(Resource, booking.resource_id)
        if resource is None:
            raise DomainError(gettext("Choose a resource that exists."), field="resource_id")
        problem = booking_problem(session, resource, booking.start, booking.end)
        if problem:
            raise DomainError(problem, field="resource_id")
    elif not booking.address:
        raise DomainError(gettext("Choose a room or give an address."), field="address")
    if booking.kind is AppointmentKind.video_link and (
        resource is None
        or resource.kind not in (ResourceKind.video_link_suite, ResourceKind.remote_site)
    ):
        raise DomainError(
            gettext("Book a video-link suite or a remote witness site for video-link testimony."),
            field="resource_id",
        )
    if booking.interpreter_id is not None:
        interpreter = session.get(Interpreter, booking.interpreter_id)
        if interpreter is None or not interpreter.is_active:
            raise DomainError(gettext("Choose an active interpreter."), field="interpreter_id")
        if interpreter.organisation_id != witness.organisation_id:
            raise DomainError(
                gettext("Choose an interpreter of the witness's office."), "interpreter_id"
            )
        if booking.language and booking.language not in interpreter.languages:
            raise DomainError(
                gettext(
                    "%(name)s does not interpret %(language)s.",
                    name=interpreter.name,
                    language=booking.language,
                ),
                field="language",
            )
    if booking.hearing_id is not None:
        hearing = session.get(Hearing, booking.hearing_id)
        participates = hearing is not None and any(
            p.case_id == hearing.case_id for p in witness.participations
        )
        if not participates:
            raise DomainError(
                gettext("Choose a hearing of one of the witness's cases."), "hearing_id"
            )
        booking.case_id = hearing.case_id
    elif booking.case_id is not None and not any(
        p.case_id == booking.case_id for p in witness.participations
    ):
        raise DomainError(gettext("Choose one of the witness's cases."), field="case_id")
    return resource, interpreter, hearing


def _clean(booking: Booking) -> None:
    booking.address = clean_text(booking.address, "address")
    booking.notes = clean_text(booking.notes, "notes", multiline=True, max_length=4000)
    booking.language = clean_text(booking.language, "language", max_length=80) or None
    booking.witness_meeting_point = clean_text(
        booking.witness_meeting_point, "witness_meeting_point", max_length=200
    )


def _zone(session: Session, witness: Witness, booking: Booking, resource: Resource | None) -> str:
    """The booking's clock (``Appointment.timezone``'s rule): its court's where it has one."""
    if resource is not None:
        return resource.court.timezone
    if booking.hearing_id is not None:
        return session.get(Hearing, booking.hearing_id).court.timezone
    for participation in witness.participations:
        if participation.case_id == booking.case_id:
            return participation.case.court.timezone
    return witness.timezone


def _check_free(
    session: Session,
    witnesses: Sequence[Witness],
    booking: Booking,
    resource: Resource | None,
    exclude_appointment_ids: Sequence[int] = (),
    hidden: Sequence[Witness] = (),
) -> list[SlotSpec]:
    """The booking's slots (its witnesses' and, once, its staff's, interpreter's and room's),
    locked and checked; on a clash, the free times to suggest inside the hours allowed. The
    witnesses in ``hidden`` are not named to the user (they may not see them)."""

    def slots_at(start: datetime, end: datetime) -> list[SlotSpec]:
        return plan_slots(
            witness_ids=[w.id for w in witnesses],
            staff_ids=booking.staff_ids,
            interpreter_id=booking.interpreter_id,
            resource_id=booking.resource_id,
            start=start,
            end=end,
            travel_minutes=booking.travel_minutes,
        )

    slots = slots_at(booking.start, booking.end)
    lock_subjects(session, slots)
    clashes = find_clashes(session, slots, exclude_appointment_ids)
    if clashes:
        unnamed = {subject_key("witness", w.id) for w in hidden}
        clashes = [
            replace(c, who=gettext("Another witness of this booking"))
            if c.subject in unnamed
            else c
            for c in clashes
        ]
        tz = _zone(session, witnesses[0], booking, resource)
        suggestions = suggest_free_starts(
            session,
            slots_at=slots_at,
            start=booking.start,
            duration=booking.end - booking.start,
            resource=resource,
            exclude_appointment_ids=exclude_appointment_ids,
            fits=hours_check(tz, lambda local: any(w.is_child_on(local.date()) for w in witnesses)),
        )
        raise BookingConflict(clashes, suggestions, tz, booking.end - booking.start)
    return slots


def _write_slots(session: Session, appointment: Appointment, slots: Sequence[SlotSpec]) -> None:
    session.execute(delete(AppointmentSlot).where(AppointmentSlot.appointment_id == appointment.id))
    session.add_all(
        AppointmentSlot(
            appointment_id=appointment.id,
            subject=s.subject,
            blocked_start_dt=s.start,
            blocked_end_dt=s.end,
        )
        for s in slots
    )


def _check_group(
    session: Session,
    actor: User,
    witnesses: Sequence[Witness],
    booking: Booking,
    hidden: Sequence[Witness] = (),
) -> Resource | None:
    """Everything but the clash check, for every witness of the booking: staff allowed beside
    each, the room, the hearing or case of each, one language for the interpreter."""
    groups.check_kind(booking.kind, len(witnesses))
    for witness in witnesses:
        if witness in hidden:
            try:
                _check_staff(session, witness, booking.staff_ids)
            except DomainError as error:
                # named to the user only as "a witness of this booking" (need to know)
                raise DomainError(
                    gettext(
                        "A member of staff chosen may not attend with another witness of "
                        "this booking."
                    ),
                    field=error.field,
                ) from None
        else:
            _check_staff(session, witness, booking.staff_ids)
    resource, interpreter, _ = _check_links(session, witnesses[0], booking)
    for witness in witnesses[1:]:
        if booking.case_id is not None and not any(
            p.case_id == booking.case_id for p in witness.participations
        ):
            raise DomainError(
                gettext("Choose other witnesses of this case whose file you may see."),
                field="other_witness_ids",
            )
    booking.language = groups.group_language(witnesses, interpreter, booking.language, hidden)
    return resource


def _new_appointment(
    session: Session, actor: User, witness: Witness, booking: Booking, group_id: int | None
) -> Appointment:
    appointment = Appointment(
        organisation_id=witness.organisation_id,
        witness_id=witness.id,
        group_id=group_id,
        case_id=booking.case_id,
        hearing_id=booking.hearing_id,
        risk_review_id=booking.risk_review_id,
        kind=booking.kind,
        start_dt=booking.start,
        end_dt=booking.end,
        travel_minutes=booking.travel_minutes,
        resource_id=booking.resource_id,
        address=booking.address,
        interpreter_id=booking.interpreter_id,
        language=booking.language,
        notes=booking.notes,
        witness_meeting_point=booking.witness_meeting_point,
        created_by_id=actor.id,
        staff_links=[AppointmentStaff(user_id=uid) for uid in sorted(set(booking.staff_ids))],
    )
    session.add(appointment)
    session.flush()
    if group_id is None:
        appointment.group_id = appointment.id  # the first of its booking
        session.flush()
    return appointment


def _add_to_booking(
    session: Session,
    actor: User,
    witnesses: Sequence[Witness],
    booking: Booking,
    slots: Sequence[SlotSpec],
    group_id: int | None,
) -> list[Appointment]:
    """An appointment per witness in the booking ``group_id`` (a new booking when None), each
    with its slots, its audit event and its own invites."""
    added = []
    for witness in witnesses:
        appointment = _new_appointment(session, actor, witness, booking, group_id)
        group_id = appointment.group_id
        _write_slots(session, appointment, witness_share(slots, witness))
        record_event(
            session,
            actor,
            "appointment.book",
            appointment,
            witness_id=witness.id,
            kind=booking.kind,
            staff=sorted(set(booking.staff_ids)),
            group_id=group_id,
        )
        _send_invites(session, appointment, previous_staff_ids=())
        added.append(appointment)
    return added


def book_appointment(
    session: Session, actor: User, witness: Witness, booking: Booking
) -> Appointment:
    """Book an appointment for a witness the actor's office manages (and, in the same booking,
    for ``booking.other_witness_ids``: other witnesses of the case the actor may see), after
    checking that nobody and nothing it needs is elsewhere then. Queues each witness's invites.
    Returns the first witness's appointment."""
    require(
        actor.organisation_id == witness.organisation_id
        and actor.role in OFFICE_ROLES
        and witness.anonymised_dt is None,  # an anonymised file is not booked for any more
        "Only the witness's office books their appointments.",
    )
    _check_times(booking)
    _clean(booking)
    if booking.hearing_id is not None and booking.case_id is None:
        hearing = session.get(Hearing, booking.hearing_id)
        booking.case_id = hearing.case_id if hearing is not None else None
    others = groups.companions(session, actor, witness, booking.other_witness_ids, booking.case_id)
    witnesses = [witness, *others]
    resource = _check_group(session, actor, witnesses, booking)
    slots = _check_free(session, witnesses, booking, resource)
    return _add_to_booking(session, actor, witnesses, booking, slots, None)[0]


def reschedule_appointment(
    session: Session, actor: User, appointment: Appointment, booking: Booking, reason: str
) -> Appointment:
    """Change time, place or people of the appointment's booking (every witness in it still
    going), and add the witnesses of ``booking.other_witness_ids`` to it; raises SEQUENCE and
    sends updates (and cancellations to staff no longer attending)."""
    require(can_manage_appointment(actor, appointment))
    if not appointment.status.is_active:
        raise DomainError(
            gettext(
                "A %(lower)s appointment cannot be changed.", lower=appointment.status.label.lower()
            )
        )
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Give a reason for the change."), field="reason")
    witness = appointment.witness
    _check_times(booking)
    _clean(booking)
    if booking.hearing_id is not None:
        hearing = session.get(Hearing, booking.hearing_id)
        booking.case_id = hearing.case_id if hearing is not None else booking.case_id
    members = groups.active_members(session, appointment)
    # the appointment whose page this is leads: its checks name its own witness
    members.sort(key=lambda a: a.id != appointment.id)
    current = [a.witness for a in members]
    seen = groups.visible_ids(session, actor, [w.id for w in current])
    hidden = [w for w in current if w.id not in seen]
    added = groups.companions(
        session,
        actor,
        witness,
        booking.other_witness_ids,
        booking.case_id,
        already=[w.id for w in current],
    )
    witnesses = [*current, *added]
    resource = _check_group(session, actor, witnesses, booking, hidden)
    slots = _check_free(session, witnesses, booking, resource, [a.id for a in members], hidden)
    for member in members:
        _move(session, actor, member, booking, reason, slots)
    if added and appointment.group_id is None:
        appointment.group_id = appointment.id  # a row older than bookings had groups
    _add_to_booking(session, actor, added, booking, slots, appointment.booking_id)
    return appointment


def _move(
    session: Session,
    actor: User,
    appointment: Appointment,
    booking: Booking,
    reason: str,
    slots: Sequence[SlotSpec],
) -> None:
    previous_staff = [link.user_id for link in appointment.staff_links]
    appointment.kind = booking.kind
    appointment.start_dt, appointment.end_dt = booking.start, booking.end
    appointment.travel_minutes = booking.travel_minutes
    appointment.resource_id = booking.resource_id
    appointment.address = booking.address
    appointment.interpreter_id = booking.interpreter_id
    appointment.language = booking.language
    appointment.notes = booking.notes
    appointment.witness_meeting_point = booking.witness_meeting_point
    appointment.hearing_id = booking.hearing_id
    appointment.case_id = booking.case_id
    wanted = set(booking.staff_ids)
    appointment.staff_links = [s for s in appointment.staff_links if s.user_id in wanted]
    have = {s.user_id for s in appointment.staff_links}
    appointment.staff_links.extend(AppointmentStaff(user_id=u) for u in sorted(wanted - have))
    appointment.needs_reschedule = False
    appointment.status_reason = reason
    appointment.ical_sequence += 1
    session.flush()
    _write_slots(session, appointment, witness_share(slots, appointment.witness))
    record_event(
        session,
        actor,
        "appointment.reschedule",
        appointment,
        witness_id=appointment.witness_id,
        reason=reason,
    )
    session.refresh(appointment)
    _send_invites(session, appointment, previous_staff_ids=previous_staff)


def cancel_appointment(
    session: Session, actor: User, appointment: Appointment, reason: str
) -> Appointment:
    """Cancel with a reason; frees the slots and sends cancellations."""
    require(can_manage_appointment(actor, appointment))
    if not appointment.status.is_active:
        raise DomainError(
            gettext(
                "This appointment is already %(lower)s.", lower=appointment.status.label.lower()
            )
        )
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Give a reason for cancelling."), field="reason")
    appointment.status = AppointmentStatus.cancelled
    appointment.status_reason = reason
    appointment.needs_reschedule = False
    appointment.ical_sequence += 1
    session.execute(delete(AppointmentSlot).where(AppointmentSlot.appointment_id == appointment.id))
    record_event(
        session,
        actor,
        "appointment.cancel",
        appointment,
        witness_id=appointment.witness_id,
        reason=reason,
    )
    session.flush()
    _send_invites(session, appointment, previous_staff_ids=())
    return appointment


def confirm_appointment(session: Session, actor: User, appointment: Appointment) -> Appointment:
    """The witness and staff have confirmed they will come."""
    require(can_update_status(actor, appointment))
    if appointment.status is not AppointmentStatus.scheduled:
        raise DomainError(gettext("Only a scheduled appointment can be confirmed."))
    appointment.status = AppointmentStatus.confirmed
    appointment.needs_reschedule = False
    # The status is in every copy (TENTATIVE -> CONFIRMED): a new SEQUENCE and an update keep
    # the calendars that hold the appointment in step.
    appointment.ical_sequence += 1
    record_event(
        session, actor, "appointment.confirm", appointment, witness_id=appointment.witness_id
    )
    session.flush()
    _send_invites(session, appointment, previous_staff_ids=())
    return appointment


def complete_appointment(
    session: Session, actor: User, appointment: Appointment, note: str = ""
) -> Appointment:
    """It took place. Slots stay: the time was taken."""
    require(can_update_status(actor, appointment))
    if not appointment.status.is_active:
        raise DomainError(
            gettext(
                "This appointment is already %(lower)s.", lower=appointment.status.label.lower()
            )
        )
    if appointment.start_dt > now_utc():
        raise DomainError(gettext("An appointment that has not started yet cannot be completed."))
    appointment.status = AppointmentStatus.completed
    appointment.status_reason = clean_text(note, "note", multiline=True, max_length=2000)
    record_event(
        session, actor, "appointment.complete", appointment, witness_id=appointment.witness_id
    )
    return appointment


def _send_invites(session: Session, appointment: Appointment, previous_staff_ids) -> None:
    from witness.calendar.invites import queue_invites  # calendar builds on scheduling

    queue_invites(session, appointment, previous_staff_ids=previous_staff_ids)


# --- warnings and lists ----------------------------------------------------------------------


# --- interpreters ----------------------------------------------------------------------------


def create_interpreter(
    session: Session, actor: User, *, name: str, languages: list[str], email: str | None = None
) -> Interpreter:
    """Add an interpreter the actor's office books (the office's staff only)."""
    require(actor.role in OFFICE_ROLES, "Only the office adds interpreters.")
    name = clean_text(name, "name", max_length=200)
    if not name:
        raise DomainError(gettext("Give the interpreter's name."), field="name")
    languages = [clean_text(lang, "languages", max_length=80) for lang in languages]
    languages = [lang for lang in languages if lang]
    if not languages:
        raise DomainError(gettext("Give at least one language."), field="languages")
    interpreter = Interpreter(
        organisation_id=actor.organisation_id,
        name=name,
        languages=languages,
        email=clean_text(email, "email", max_length=254) or None,
    )
    session.add(interpreter)
    session.flush()
    record_event(session, actor, "interpreter.create", interpreter)
    return interpreter
