"""Scheduling that knows risk: a witness at critical or high risk in a court building on a day
the accused attends it needs a separate waiting room and an escort.

The rules, as the booking pages and the hearing page apply them:

- **At risk**: the witness's current (last completed) assessment is critical or high.
- **The accused attends**: a hearing of one of the witness's open cases is listed (or moved, or
  held) at that court on that local day; the accused attends their own hearings, whatever
  their custody.
- **In the building**: an appointment in a room of the court (a video-link suite at the court
  included, a remote site not), or one serving a hearing at the court that is not a video link.
- **A separate waiting room is booked**: an active appointment of the witness that day in a
  waiting-room resource of that court.
- **An escort is in place**: an action of the witness's protection plan of kind escort or
  separate entrance (which brings its own route in and out) whose status is "in place". Staff
  accompanying the witness are support, not protection, so an accompaniment does not count;
  a planned or in-progress action is not yet an escort either.

Who is told: only a user who sees the witness's risk at all (``core.access_risk.risk_view``),
since the warning names the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.cases.models import Court, CustodyStatus, Defendant, Hearing, HearingStatus
from witness.core.access_risk import RiskView, risk_view
from witness.core.i18n import gettext
from witness.core.time import day_bounds
from witness.people.models import Participation, Phase, Witness
from witness.protection.models import ActionKind, ActionStatus, ProtectionAction
from witness.risk.instrument import RiskLevel
from witness.risk.queries import HIGH, current_assessment
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

ACTIVE = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)
#: hearings the accused comes to (a vacated one will not take place)
ATTENDED = (HearingStatus.listed, HearingStatus.moved, HearingStatus.held)
ESCORT_KINDS = (ActionKind.escort, ActionKind.separate_entrance)


@dataclass
class CourtSafety:
    """A witness at high risk in a court building the accused attends that day."""

    witness: Witness
    level: RiskLevel
    court: Court
    day: date
    hearings: list[Hearing]
    waiting_room: bool
    escort: bool

    @property
    def warning(self) -> str | None:
        """The plain words for staff; None once a waiting room and an escort are booked."""
        if self.waiting_room and self.escort:
            return None
        what = ", ".join(f"{h.type.label}, {h.case.reference}" for h in self.hearings)
        parts = [
            f"{self.witness.reference} is at {self.level.label.lower()} risk and the accused "
            f"attends {self.court.name} on {self.day:%a %d %b %Y} ({what}): book a separate "
            "waiting room and an escort."
        ]
        if not self.waiting_room:
            parts.append("No separate waiting room is booked for the witness that day.")
        if not self.escort:
            parts.append(
                "No escort is in place: add an escort or a separate entrance to the protection "
                "plan and mark it in place."
            )
        return " ".join(parts)


def _hearings(session: Session, witness: Witness, court: Court, day: date) -> list[Hearing]:
    start, end = day_bounds(day, court.timezone)
    return list(
        session.scalars(
            select(Hearing)
            .join(Participation, Participation.case_id == Hearing.case_id)
            .where(
                Participation.witness_id == witness.id,
                Participation.phase != Phase.closed,
                Hearing.court_id == court.id,
                Hearing.status.in_(ATTENDED),
                Hearing.start_dt >= start,
                Hearing.start_dt < end,
            )
            .order_by(Hearing.start_dt, Hearing.id)
        )
    )


def _waiting_room(session: Session, witness: Witness, court: Court, day: date) -> bool:
    start, end = day_bounds(day, court.timezone)
    found = session.scalar(
        select(Appointment.id)
        .join(Resource, Resource.id == Appointment.resource_id)
        .where(
            Appointment.witness_id == witness.id,
            Appointment.status.in_(ACTIVE),
            Resource.kind == ResourceKind.waiting_room,
            Resource.court_id == court.id,
            Appointment.start_dt < end,
            Appointment.end_dt > start,
        )
        .limit(1)
    )
    return found is not None


def _escort(session: Session, witness: Witness) -> bool:
    found = session.scalar(
        select(ProtectionAction.id)
        .where(
            ProtectionAction.witness_id == witness.id,
            ProtectionAction.kind.in_(ESCORT_KINDS),
            ProtectionAction.status == ActionStatus.in_place,
        )
        .limit(1)
    )
    return found is not None


def court_safety(session: Session, witness: Witness, court: Court, day: date) -> CourtSafety | None:
    """The check for ``witness`` at ``court`` on ``day`` (the court's calendar); None when
    the witness is not at critical or high risk or the accused is not there that day."""
    current = current_assessment(session, witness.id)
    if current is None or current.level not in HIGH:
        return None
    hearings = _hearings(session, witness, court, day)
    if not hearings:
        return None
    return CourtSafety(
        witness=witness,
        level=current.level,
        court=court,
        day=day,
        hearings=hearings,
        waiting_room=_waiting_room(session, witness, court, day),
        escort=_escort(session, witness),
    )


def court_of(appointment: Appointment) -> Court | None:
    """The court building an appointment takes the witness into, if any."""
    resource = appointment.resource
    if resource is not None:
        return None if resource.kind is ResourceKind.remote_site else resource.court
    hearing = appointment.hearing
    if hearing is not None and appointment.kind is not AppointmentKind.video_link:
        return hearing.court
    return None


def appointment_warning(session: Session, actor: User, appointment: Appointment) -> str | None:
    """The warning for an active appointment, for a user who sees the witness's risk."""
    court = court_of(appointment)
    if court is None or not appointment.status.is_active:
        return None
    if risk_view(session, actor, appointment.witness) is RiskView.none:
        return None
    day = appointment.start_dt.astimezone(ZoneInfo(court.timezone)).date()
    check = court_safety(session, appointment.witness, court, day)
    return check.warning if check is not None else None


def hearing_warning(
    session: Session, actor: User, witness: Witness, hearing: Hearing
) -> str | None:
    """The warning for a witness of a hearing at its court that day (the booking form's)."""
    if risk_view(session, actor, witness) is RiskView.none:
        return None
    day = hearing.start_dt.astimezone(ZoneInfo(hearing.court.timezone)).date()
    check = court_safety(session, witness, hearing.court, day)
    return check.warning if check is not None else None


@dataclass
class RiskLine:
    """A hearing page's risk line for one witness: the level (None: not assessed)."""

    level: RiskLevel | None
    warning: str | None


def hearing_risk(
    session: Session, actor: User, hearing: Hearing, witnesses: list[Witness], *, upcoming: bool
) -> dict[int, RiskLine]:
    """Per witness whose risk ``actor`` sees: their level and, for a hearing still to come,
    the waiting room and escort warning. Witnesses whose risk is hidden are left out."""
    lines = {}
    day = hearing.start_dt.astimezone(ZoneInfo(hearing.court.timezone)).date()
    for witness in witnesses:
        if risk_view(session, actor, witness) is RiskView.none:
            continue
        current = current_assessment(session, witness.id)
        check = court_safety(session, witness, hearing.court, day) if upcoming else None
        lines[witness.id] = RiskLine(
            current.level if current is not None else None,
            check.warning if check is not None else None,
        )
    return lines


def waiting_room_warning(session: Session, appointment: Appointment) -> str | None:
    """A witness waiting at a court where a defendant on bail attends the same hearing, with no
    separate waiting room booked for them that day."""
    hearing = appointment.hearing
    if hearing is None or appointment.kind is AppointmentKind.video_link:
        return None
    if appointment.resource is not None and appointment.resource.kind is ResourceKind.remote_site:
        return None
    on_bail = session.scalar(
        select(func.count(Defendant.id)).where(
            Defendant.case_id == hearing.case_id,
            Defendant.custody_status == CustodyStatus.on_bail,
        )
    )
    if not on_bail:
        return None
    waiting_room_booked = session.scalar(
        select(func.count(Appointment.id))
        .join(Resource, Resource.id == Appointment.resource_id)
        .where(
            Appointment.witness_id == appointment.witness_id,
            Appointment.hearing_id == hearing.id,
            Appointment.status.in_([AppointmentStatus.scheduled, AppointmentStatus.confirmed]),
            Resource.kind == ResourceKind.waiting_room,
        )
    )
    if waiting_room_booked:
        return None
    return gettext(
        "A defendant on bail attends this hearing and no separate waiting room is booked for "
        "the witness: book one so they do not wait together."
    )
