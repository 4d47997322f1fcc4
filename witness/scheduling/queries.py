"""What the scheduling pages (and the hearing and room pages, for the appointments they show)
read: a staff member's and a room's appointments, what the booking form offers, an appointment's
history, and what is coming up for a witness. Need to know through ``core.access``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case, Court, Hearing
from witness.core.access import (
    STAFF_ROLES,
    WEEK_OPENERS,
    attending_staff,
    can_open_week,
    can_record_needs,
    visible_appointments,
)
from witness.core.errors import NotFound
from witness.core.time import now_utc
from witness.hearings.models import SpecialMeasure
from witness.hearings.queries import ACTIVE_HEARING, measures_by_hearing
from witness.notify.news import untold_news
from witness.people.models import Witness
from witness.rooms.models import Resource
from witness.scheduling import groups
from witness.scheduling.conflicts import MAX_BLOCK, MAX_DURATION, MAX_TRAVEL_MINUTES, subject_key
from witness.scheduling.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStaff,
    AppointmentStatus,
    Interpreter,
)

ACTIVE_APPOINTMENT = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)
#: appointment-history events shown on an appointment's page
HISTORY_ACTIONS = (
    "appointment.book",
    "appointment.reschedule",
    "appointment.cancel",
    "appointment.confirm",
    "appointment.complete",
)


# --- whose appointments, when ------------------------------------------------------------------


def appointments_for_staff(
    session: Session, user_id: int, start: datetime, end: datetime
) -> list[Appointment]:
    """A member of staff's appointments overlapping [start, end), any status but cancelled.

    Read through the person's slots (a cancelled appointment has none): one short range of the
    slots' index, where the staff links would list every appointment they ever attended.
    """
    travel = timedelta(minutes=MAX_TRAVEL_MINUTES)
    ids = select(AppointmentSlot.appointment_id).where(
        AppointmentSlot.subject == subject_key("user", user_id),
        AppointmentSlot.blocked_start_dt < end + travel,
        AppointmentSlot.blocked_start_dt > start - MAX_BLOCK,
        AppointmentSlot.blocked_end_dt > start - travel,
    )
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.id.in_(ids),
                Appointment.start_dt < end,
                Appointment.end_dt > start,
                Appointment.status != AppointmentStatus.cancelled,
            )
            .order_by(Appointment.start_dt)
            .options(
                selectinload(Appointment.staff_links).joinedload(AppointmentStaff.user),
                joinedload(Appointment.resource),
                joinedload(Appointment.witness),
            )
        )
    )


def appointments_for_resource(
    session: Session, resource_id: int, start: datetime, end: datetime
) -> list[Appointment]:
    """A room's appointments overlapping [start, end), any status but cancelled."""
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.resource_id == resource_id,
                Appointment.start_dt < end,
                Appointment.start_dt > start - MAX_DURATION,
                Appointment.end_dt > start,
                Appointment.status != AppointmentStatus.cancelled,
            )
            .order_by(Appointment.start_dt)
            .options(joinedload(Appointment.witness))
        )
    )


@dataclass
class RoomBookings:
    """A room's bookings over a period, and which of them the user may open or attends."""

    bookings: list[Appointment]
    visible: set[int] = field(default_factory=set)
    attending: set[int] = field(default_factory=set)


def room_bookings(
    session: Session, actor: User, resource_id: int, start: datetime, end: datetime
) -> RoomBookings:
    """The room's bookings over [start, end): every one is shown as taking the room, but only
    those of witnesses ``actor`` may see (or attends) as whose they are."""
    bookings = appointments_for_resource(session, resource_id, start, end)
    ids = [a.id for a in bookings]
    if not ids:
        return RoomBookings(bookings)
    visible = session.scalars(
        select(Appointment.id).where(Appointment.id.in_(ids), visible_appointments(actor))
    )
    attending = session.scalars(
        select(AppointmentStaff.appointment_id).where(
            AppointmentStaff.user_id == actor.id, AppointmentStaff.appointment_id.in_(ids)
        )
    )
    return RoomBookings(bookings, set(visible), set(attending))


def active_bookings_of_room(
    session: Session, resource_id: int, start: datetime, end: datetime
) -> list[Appointment]:
    """The room's scheduled and confirmed appointments over [start, end): those a withdrawal
    of the room then leaves to be moved."""
    return [
        a for a in appointments_for_resource(session, resource_id, start, end) if a.status.is_active
    ]


def hearing_appointments(session: Session, actor: User, hearing: Hearing) -> list[Appointment]:
    """The appointments serving the hearing that ``actor`` may see."""
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.hearing_id == hearing.id, visible_appointments(actor))
            .order_by(Appointment.start_dt, Appointment.id)
            .options(selectinload(Appointment.witness), joinedload(Appointment.resource))
        )
    )


def court_day_appointments(
    session: Session, actor: User, court: Court, start: datetime, end: datetime
) -> tuple[list, dict[int, str]]:
    """The appointments in the court's rooms over [start, end) that ``actor`` may see, as plain
    rows, and the reference of each one's witness by id (no witness's name is even read)."""
    rows = session.execute(
        select(
            Appointment.id,
            Appointment.kind,
            Appointment.status,
            Appointment.start_dt,
            Appointment.end_dt,
            Appointment.needs_reschedule,
            Appointment.witness_id,
            Resource.name.label("room"),
            Resource.kind.label("room_kind"),
        )
        # the court's few rooms, then each room's day from the (resource, start) index
        .join(Resource, Resource.id == Appointment.resource_id)
        .where(
            Resource.court_id == court.id,
            # bounded below by the longest appointment, so the range stays on the index
            Appointment.start_dt > start - MAX_DURATION,
            Appointment.start_dt < end,
            Appointment.end_dt > start,
            Appointment.status != AppointmentStatus.cancelled,
            # EXISTS on each row's witness; joining witnesses here made PostgreSQL hash the
            # whole table (36 ms -> 1.3 ms at 100,000 witnesses)
            visible_appointments(actor),
        )
        .order_by(Appointment.start_dt, Appointment.id)
    ).all()
    references = dict(
        session.execute(
            select(Witness.id, Witness.reference).where(
                Witness.id.in_({a.witness_id for a in rows})
            )
        ).all()
    )
    return rows, references


# --- a member of staff's week -------------------------------------------------------------------


def week_owner(session: Session, actor: User, user_id: int) -> User:
    """The member of staff whose week ``actor`` asks for (``access.can_open_week``); otherwise
    the refusal is audited as ``calendar.refused`` and ``NotFound`` raised."""
    owner = session.get(User, user_id)
    if owner is None or not can_open_week(actor, owner):
        record_event(session, actor, "calendar.refused", object_type="user", object_id=user_id)
        raise NotFound("No such calendar.")
    return owner


def week_staff(session: Session, actor: User) -> list[User]:
    """Whose weeks ``actor`` may choose from: the enabled staff of their office, for those who
    may open anyone's (``access.WEEK_OPENERS``); nobody for the rest."""
    if actor.role not in WEEK_OPENERS:
        return []
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id == actor.organisation_id,
                User.is_enabled.is_(True),
                User.role.in_(STAFF_ROLES),
            )
            .order_by(User.name)
        )
    )


def preload_zones(session: Session, appointments: list[Appointment]) -> list:
    """Load what ``Appointment.timezone`` reads for all the appointments at once, so a week
    of any length costs the same few queries: the lazy loads then find the rows in the
    session's identity map. That map holds rows weakly, so the caller keeps the list this
    returns until it has rendered."""
    court_ids = {a.resource.court_id for a in appointments if a.resource is not None}
    rest = [a for a in appointments if a.resource is None]
    hearing_ids = {a.hearing_id for a in rest if a.hearing_id is not None}
    rest = [a for a in rest if a.hearing_id is None]
    case_ids = {a.case_id for a in rest if a.case_id is not None}
    witness_ids = {a.witness_id for a in rest if a.case_id is None}
    loaded: list = []
    if court_ids:
        loaded += session.scalars(select(Court).where(Court.id.in_(court_ids))).all()
    if hearing_ids:
        loaded += session.scalars(
            select(Hearing).where(Hearing.id.in_(hearing_ids)).options(joinedload(Hearing.court))
        ).all()
    if case_ids:
        loaded += session.scalars(select(Case).where(Case.id.in_(case_ids))).all()
    if witness_ids:
        loaded += session.scalars(
            select(Witness)
            .where(Witness.id.in_(witness_ids))
            .options(selectinload(Witness.participations))
        ).all()
    return loaded


# --- the booking form and an appointment's page ----------------------------------------------


def zone_of(
    resource: Resource | None, hearing: Hearing | None, case: Case | None, witness: Witness
) -> str:
    """The zone a booking's times are read in: the same rule as ``Appointment.timezone``."""
    if resource is not None:
        return resource.court.timezone
    if hearing is not None:
        return hearing.court.timezone
    if case is not None:
        return case.court.timezone
    return witness.timezone


@dataclass
class BookingOptions:
    """What the booking form offers for one witness."""

    witness: Witness
    staff: list[User]
    resources: list[Resource]
    hearings: list[Hearing]
    interpreters: list[Interpreter]
    zones: list[str] = field(default_factory=list)
    #: other witnesses of the case the user may add to the booking (``scheduling.groups``)
    companions: list[Witness] = field(default_factory=list)

    @property
    def only_case(self) -> Case | None:
        cases = [p.case for p in self.witness.participations]
        return cases[0] if len(cases) == 1 else None

    def resource_groups(self) -> list[tuple[Court, list[Resource]]]:
        return [(court, list(rs)) for court, rs in groupby(self.resources, lambda r: r.court)]


def booking_options(
    session: Session,
    witness: Witness,
    appointment: Appointment | None = None,
    actor: User | None = None,
) -> BookingOptions:
    """Staff: everyone who may attend with the witness (``access.attending_staff``); rooms of
    the courts of the witness's cases; their upcoming hearings; the office's interpreters; the
    other witnesses of their cases ``actor`` may see and book for, to go in the same booking
    (of the appointment's case, and not yet in its booking, when rescheduling). What an
    appointment being rescheduled already has stays on offer."""
    staff = list(session.scalars(select(User).where(attending_staff(witness)).order_by(User.name)))
    case_ids = [p.case_id for p in witness.participations]
    court_ids = {p.case.court_id for p in witness.participations}
    resources = list(
        session.scalars(
            select(Resource)
            .join(Court, Court.id == Resource.court_id)
            .where(Resource.court_id.in_(court_ids), Resource.is_active.is_(True))
            .order_by(Court.name, Resource.kind, Resource.name)
            .options(joinedload(Resource.court))
        )
    )
    hearings = list(
        session.scalars(
            select(Hearing)
            .where(
                Hearing.case_id.in_(case_ids),
                Hearing.status.in_(ACTIVE_HEARING),
                Hearing.end_dt >= now_utc(),
            )
            .order_by(Hearing.start_dt)
            .options(joinedload(Hearing.case), joinedload(Hearing.court))
        )
    )
    interpreters = interpreters_of(session, witness.organisation_id)
    if appointment is not None:
        staff += [u for u in appointment.staff if u not in staff]
        if appointment.resource is not None and appointment.resource not in resources:
            resources.append(appointment.resource)
        if appointment.hearing is not None and appointment.hearing not in hearings:
            hearings.append(appointment.hearing)
        if appointment.interpreter is not None and appointment.interpreter not in interpreters:
            interpreters.append(appointment.interpreter)
    zones = sorted({r.court.timezone for r in resources} | {witness.timezone})
    companions: list[Witness] = []
    if actor is not None:
        in_booking: set[int] = set()
        if appointment is not None:
            in_booking = {a.witness_id for a in groups.members(session, appointment)}
            if appointment.case_id is not None:
                case_ids = [appointment.case_id]
        companions = [
            w
            for w in groups.case_witnesses(session, actor, witness, case_ids)
            if w.id not in in_booking
        ]
    return BookingOptions(
        witness, staff, resources, hearings, interpreters, zones, companions=companions
    )


def witness_hearing(session: Session, witness: Witness, hearing_id: int | None) -> Hearing | None:
    """A hearing of one of the witness's cases, or None."""
    if hearing_id is None:
        return None
    hearing = session.get(Hearing, hearing_id)
    if hearing is None or hearing.case_id not in {p.case_id for p in witness.participations}:
        return None
    return hearing


def booking_zone(
    session: Session,
    witness: Witness,
    resource_id: int | None,
    hearing_id: int | None,
    fallback_case: Case | None,
) -> str:
    """The zone the booking form's times are read in, for the room and hearing chosen."""
    resource = session.get(Resource, resource_id) if resource_id else None
    hearing = witness_hearing(session, witness, hearing_id)
    case = hearing.case if hearing else fallback_case
    return zone_of(resource, hearing, case, witness)


def booking_members(session: Session, actor: User, appointment: Appointment) -> list[Appointment]:
    """The appointments of ``appointment``'s booking (itself included) that ``actor`` may see,
    with their witnesses: a witness of the booking they may not see is not even counted."""
    if appointment.group_id is None:
        return [appointment]
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.group_id == appointment.group_id, visible_appointments(actor))
            .order_by(Appointment.id)
            .options(joinedload(Appointment.witness))
        )
    )


def history_of(session: Session, appointment: Appointment) -> list[AuditEvent]:
    """The appointment's bookings, moves and status changes, oldest first, with who did each."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "appointment",
                AuditEvent.object_id == appointment.id,
                AuditEvent.action.in_(HISTORY_ACTIONS),
            )
            .order_by(AuditEvent.id)
            .options(joinedload(AuditEvent.actor))
        )
    )


def interpreters_of(
    session: Session, organisation_id: int, language: str | None = None
) -> list[Interpreter]:
    """The office's interpreters in use, by name (only those of ``language``, when given)."""
    rows = session.scalars(
        select(Interpreter)
        .where(Interpreter.organisation_id == organisation_id, Interpreter.is_active.is_(True))
        .order_by(Interpreter.name)
    ).all()
    return [i for i in rows if language is None or language in i.languages]


# --- what is coming up for a witness ------------------------------------------------------------


def coming_up(session: Session, actor: User, witness: Witness) -> dict:
    """The witness page's "Coming up": appointments, measures for hearings still to come, and
    news the witness must be told (and whether ``actor`` may record telling them). Each is one
    query, with what the page shows loaded."""
    now = now_utc()
    appointments = session.scalars(
        select(Appointment)
        .where(
            Appointment.witness_id == witness.id,
            Appointment.end_dt >= now,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
        )
        .order_by(Appointment.start_dt)
        .limit(20)
        .options(
            joinedload(Appointment.resource).joinedload(Resource.court),
            joinedload(Appointment.hearing).joinedload(Hearing.court),
            joinedload(Appointment.case),
        )
    ).all()
    measures: dict[Hearing, list[SpecialMeasure]] = measures_by_hearing(
        session, witness, ending_after=now
    )
    news = untold_news(session, witness)
    return dict(
        upcoming_appointments=appointments,
        upcoming_measures=list(measures.items()),
        untold_news=news,
        can_tell=bool(news) and can_record_needs(actor, witness),
    )
