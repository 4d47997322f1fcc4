"""Today and this week: the appointments a person attends and the hearings they lead (a
prosecutor) or their witnesses are heard at (a liaison officer), soonest first. Days are the
office's days, in its courts' timezone (``notify.queries.office_timezone``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from witness.auth.models import Role, User
from witness.cases.models import Case, Hearing, HearingStatus
from witness.core.time import day_bounds, to_local
from witness.people.models import Assignment, Participation
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentStaff, AppointmentStatus

#: today and the six days after it
WEEK = 7
#: at most this many of each kind in the week (a full week of a busy officer fits)
LIMIT = 50
LIVE_APPOINTMENTS = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)
LIVE_HEARINGS = (HearingStatus.listed, HearingStatus.moved)


@dataclass
class AgendaItem:
    """One line of the agenda: an appointment or a hearing."""

    start: datetime
    timezone: str
    appointment: Appointment | None = None
    hearing: Hearing | None = None

    @property
    def day(self) -> date:
        return to_local(self.start, self.timezone).date()


@dataclass
class Agenda:
    today: date
    timezone: str
    items: list[AgendaItem]

    @property
    def today_items(self) -> list[AgendaItem]:
        return [i for i in self.items if i.day == self.today]

    @property
    def later_items(self) -> list[AgendaItem]:
        return [i for i in self.items if i.day != self.today]


def window(today: date, zone: str) -> tuple[datetime, datetime]:
    """From the midnight starting ``today`` to the one ending the week's last day, in UTC."""
    return day_bounds(today, zone)[0], day_bounds(today + timedelta(days=WEEK - 1), zone)[1]


def _appointments(session: Session, actor: User, low: datetime, high: datetime):
    """The live appointments ``actor`` attends in the window: their staff links (index
    ``ix_appointment_staff_user``) to the appointments' keys."""
    return session.scalars(
        select(Appointment)
        .join(AppointmentStaff, AppointmentStaff.appointment_id == Appointment.id)
        .where(
            AppointmentStaff.user_id == actor.id,
            Appointment.start_dt >= low,
            Appointment.start_dt < high,
            Appointment.status.in_(LIVE_APPOINTMENTS),
        )
        .order_by(Appointment.start_dt, Appointment.id)
        .options(
            selectinload(Appointment.witness),
            # what Appointment.timezone reads, in one go
            joinedload(Appointment.resource).joinedload(Resource.court),
            joinedload(Appointment.hearing).joinedload(Hearing.court),
            joinedload(Appointment.case),
        )
        .limit(LIMIT)
    )


def _hearing_cases(actor: User):
    """The cases whose hearings are on ``actor``'s agenda, or None: a prosecutor's own, an
    officer's witnesses' (assigned to them now)."""
    match actor.role:
        case Role.prosecutor:
            return select(Case.id).where(Case.lead_prosecutor_id == actor.id)
        case Role.liaison_officer:
            return (
                select(Participation.case_id)
                .join(Assignment, Assignment.witness_id == Participation.witness_id)
                .where(Assignment.user_id == actor.id, Assignment.ended_dt.is_(None))
            )
    return None


def _hearings(session: Session, actor: User, low: datetime, high: datetime):
    cases = _hearing_cases(actor)
    if cases is None:
        return []
    return session.scalars(
        select(Hearing)
        .where(
            Hearing.case_id.in_(cases),
            Hearing.start_dt >= low,
            Hearing.start_dt < high,
            Hearing.status.in_(LIVE_HEARINGS),
        )
        .order_by(Hearing.start_dt, Hearing.id)
        .options(joinedload(Hearing.court), joinedload(Hearing.case))
        .limit(LIMIT)
    )


def agenda(session: Session, actor: User, today: date, zone: str) -> Agenda:
    """Today's and the week's appointments and hearings of ``actor``, soonest first."""
    low, high = window(today, zone)
    items = [
        AgendaItem(a.start_dt, a.timezone, appointment=a)
        for a in _appointments(session, actor, low, high)
    ]
    items += [
        AgendaItem(h.start_dt, h.court.timezone, hearing=h)
        for h in _hearings(session, actor, low, high)
    ]
    items.sort(key=lambda i: i.start)
    return Agenda(today, zone, items)
