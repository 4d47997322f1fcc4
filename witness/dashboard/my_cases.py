""" "My cases": every open case on a person's desk, paged, the one whose next hearing or
appointment comes soonest first; cases with nothing ahead last."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from witness.auth.models import Role, User
from witness.cases.models import Case, CaseStatus, Hearing
from witness.core.access import visible_cases, visible_witnesses
from witness.dashboard.agenda import LIVE_APPOINTMENTS, LIVE_HEARINGS
from witness.people.models import Participation, Witness
from witness.scheduling.models import Appointment


def _mine(actor: User):
    """The cases on a person's desk: an office's, an officer's witnesses', a prosecutor's
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


def _open_on_desk(actor: User) -> tuple:
    """SQL conditions on ``Case``: open, and on ``actor``'s desk."""
    return _mine(actor), Case.status != CaseStatus.closed


def _ahead(model, live, now: datetime) -> tuple:
    """SQL conditions on a hearing or an appointment: live, and starting from ``now``."""
    return model.status.in_(live), model.start_dt >= now


def _next_dates(actor: User, now: datetime):
    """Each open case on ``actor``'s desk with its next live hearing (``hearing``) and
    appointment (``appointment``) from ``now``, either NULL: one probe of each along
    ``ix_hearings_case_start`` and ``ix_appointments_case_start``, never a read of every future
    appointment in the country. Materialised, so that each probe runs once per case: sorting
    by an expression over the probes would run them again for every comparison (140 ms for a
    supervisor's 6,000 cases)."""
    hearing = (
        select(func.min(Hearing.start_dt))
        .where(Hearing.case_id == Case.id, *_ahead(Hearing, LIVE_HEARINGS, now))
        .scalar_subquery()
    )
    appointment = (
        select(func.min(Appointment.start_dt))
        .where(Appointment.case_id == Case.id, *_ahead(Appointment, LIVE_APPOINTMENTS, now))
        .scalar_subquery()
    )
    return (
        select(Case.id, hearing.label("hearing"), appointment.label("appointment"))
        .where(*_open_on_desk(actor))
        .cte("ahead")
        .prefix_with("MATERIALIZED")
    )


def my_cases(actor: User, now: datetime) -> Select:
    """The open cases on ``actor``'s desk, soonest next date first, those with none last (by
    reference); for ``core.web.Page``."""
    ahead = _next_dates(actor, now)
    hearing, appointment = ahead.c.hearing, ahead.c.appointment
    # the earlier of the two, either may be NULL (SQLite's min() and LEAST differ on NULLs)
    soonest = case(
        (hearing.is_(None), appointment),
        (appointment.is_(None), hearing),
        (hearing <= appointment, hearing),
        else_=appointment,
    )
    return (
        select(Case)
        .join(ahead, ahead.c.id == Case.id)
        .order_by(soonest.is_(None), soonest, Case.reference, Case.id)
    )


def count_my_cases(actor: User) -> Select:
    """How many cases ``my_cases`` pages through, counted without their next dates."""
    return select(func.count(Case.id)).where(*_open_on_desk(actor))


def next_dates(session: Session, case_ids: list[int], now: datetime) -> dict[int, datetime]:
    """The next date of each case of a page, read along the cases' own indexes."""
    if not case_ids:
        return {}
    hearings = (
        select(Hearing.case_id, func.min(Hearing.start_dt))
        .where(Hearing.case_id.in_(case_ids), *_ahead(Hearing, LIVE_HEARINGS, now))
        .group_by(Hearing.case_id)
    )
    appointments = (
        select(Appointment.case_id, func.min(Appointment.start_dt))
        .where(Appointment.case_id.in_(case_ids), *_ahead(Appointment, LIVE_APPOINTMENTS, now))
        .group_by(Appointment.case_id)
    )
    found: dict[int, datetime] = {}
    for query in (hearings, appointments):
        for case_id, at in session.execute(query):
            if at is not None and (case_id not in found or at < found[case_id]):
                found[case_id] = at
    return found
