"""What the signed-in user should look at today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from witness.auth.models import Role, User
from witness.cases.models import Case, CaseStatus, Hearing
from witness.core.access import visible_cases, visible_witnesses
from witness.notify.models import StaffAlert
from witness.notify.task_queries import unseen_alerts
from witness.people.models import NeedsAssessment, Participation, Phase, Witness
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentStaff, AppointmentStatus

HORIZON = timedelta(days=14)
LIMIT = 20


def _my_cases(actor: User):
    """The cases on a person's desk: an office's newest, an officer's witnesses', a prosecutor's
    own. Each reads an index, where the general need-to-know clause would scan (see issue 3)."""
    match actor.role:
        case Role.admin | Role.supervisor:
            return Case.organisation_id == actor.organisation_id
        case Role.liaison_officer:
            mine = (
                select(Participation.case_id)
                .join(Witness, Participation.witness_id == Witness.id)
                .where(visible_witnesses(actor))
            )
            return Case.id.in_(mine)
        case Role.prosecutor:
            return Case.lead_prosecutor_id == actor.id
    return visible_cases(actor)


@dataclass
class Dashboard:
    by_phase: dict[Phase, int]
    reflection_ending: list[Participation]
    needs_due: list[NeedsAssessment]
    cases: list[Case]
    to_reschedule: list[Appointment]
    #: alerts to the user not yet marked seen (a deadline passed, ...)
    alerts: list[StaffAlert] = field(default_factory=list)


def build_dashboard(session: Session, actor: User, today: date) -> Dashboard:
    """Counts and short lists, each one indexed query filtered by need to know."""
    visible = visible_witnesses(actor)
    counts = session.execute(
        select(Participation.phase, func.count())
        .join(Witness, Participation.witness_id == Witness.id)
        .where(visible)
        .group_by(Participation.phase)
    )
    by_phase = dict.fromkeys(Phase, 0) | {phase: n for phase, n in counts}
    reflection_ending = session.scalars(
        select(Participation)
        .join(Witness, Participation.witness_id == Witness.id)
        .where(
            visible,
            Participation.phase == Phase.reflection,
            Participation.reflection_end_date <= today + HORIZON,
        )
        .order_by(Participation.reflection_end_date)
        .options(selectinload(Participation.witness))
        .limit(LIMIT)
    )
    needs_due = session.scalars(
        select(NeedsAssessment)
        .join(Witness, NeedsAssessment.witness_id == Witness.id)
        .where(
            visible,
            NeedsAssessment.is_open.is_(True),
            NeedsAssessment.review_date <= today + HORIZON,
        )
        .order_by(NeedsAssessment.review_date)
        .options(selectinload(NeedsAssessment.witness))
        .limit(LIMIT)
    )
    cases = session.scalars(
        select(Case)
        .where(_my_cases(actor), Case.status != CaseStatus.closed)
        .order_by(Case.id.desc())
        .limit(10)
    )
    # Appointments the person attends whose hearing moved or was vacated: a small partial
    # index holds the flagged ones, checked against the person's staff links.
    to_reschedule = session.scalars(
        select(Appointment)
        .where(
            Appointment.needs_reschedule.is_(True),
            Appointment.status.in_([AppointmentStatus.scheduled, AppointmentStatus.confirmed]),
            Appointment.id.in_(
                select(AppointmentStaff.appointment_id).where(AppointmentStaff.user_id == actor.id)
            ),
        )
        .order_by(Appointment.start_dt)
        .options(
            selectinload(Appointment.witness),
            # what Appointment.timezone reads, in one go
            joinedload(Appointment.resource).joinedload(Resource.court),
            joinedload(Appointment.hearing).joinedload(Hearing.court),
        )
        .limit(LIMIT)
    )
    return Dashboard(
        by_phase,
        list(reflection_ending),
        list(needs_due),
        list(cases),
        list(to_reschedule),
        unseen_alerts(session, actor),
    )
