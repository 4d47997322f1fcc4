"""What the signed-in user should look at today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from witness.auth.models import User
from witness.cases.models import Hearing
from witness.core.access import visible_witnesses
from witness.core.charts import Chart
from witness.core.figures import Figures
from witness.core.i18n import reader
from witness.core.time import today_in
from witness.core.web import Page
from witness.dashboard import counts, trends
from witness.dashboard.agenda import Agenda, agenda
from witness.dashboard.counts import Count
from witness.dashboard.my_cases import count_my_cases, my_cases, next_dates
from witness.notify.models import News, StaffAlert
from witness.notify.queries import office_timezone
from witness.notify.task_queries import DueRow, due_list, due_rows, unseen_alerts
from witness.people.models import NeedsAssessment, Participation, Phase, Witness
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentStaff, AppointmentStatus

HORIZON = timedelta(days=14)
LIMIT = 20
#: the first deadlines and the news shown under "To tell"
SHORT = 5


@dataclass
class Dashboard:
    by_phase: dict[Phase, int]
    reflection_ending: list[Participation]
    needs_due: list[NeedsAssessment]
    #: "My cases": one page of them, soonest next date first, and each one's next date
    cases: Page
    next_dates: dict[int, datetime]
    to_reschedule: list[Appointment]
    #: alerts to the user not yet marked seen (a deadline passed, ...)
    alerts: list[StaffAlert] = field(default_factory=list)
    agenda: Agenda | None = None
    #: what must be told and by when: counts, the first deadlines, news not yet told
    tell: list[Count] = field(default_factory=list)
    due_first: list[DueRow] = field(default_factory=list)
    news: list[News] = field(default_factory=list)
    reviews: list[Count] = field(default_factory=list)
    #: a supervisor's across the office
    office: list[Count] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    #: when the charts' figures were counted (``core.figures``: they may be minutes old)
    charts_counted: datetime | None = None
    #: the office's timezone: its day, and the time the figures were counted
    zone: str = "UTC"


def build_dashboard(
    session: Session,
    actor: User,
    now: datetime,
    page: int = 1,
    per_page: int = 20,
    kept: Figures | None = None,
) -> Dashboard:
    """Counts and short lists, each one indexed query filtered by need to know; the charts,
    each one grouped query over the last twelve months (kept a while in ``kept``, per user);
    a page of "My cases"."""
    today = now.date()
    zone = office_timezone(session, actor.organisation_id)
    visible = visible_witnesses(actor)
    # witnesses, not participations: the count is the length of the list it links to
    per_phase = session.execute(
        select(Participation.phase, func.count(Participation.witness_id.distinct()))
        .join(Witness, Participation.witness_id == Witness.id)
        .where(visible)
        .group_by(Participation.phase)
    )
    by_phase = dict.fromkeys(Phase, 0) | {phase: n for phase, n in per_phase}
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
    cases = Page(session, my_cases(actor, now), page, per_page, count_my_cases(actor))
    tell = counts.to_tell(session, actor, now)
    charts, counted = (kept or Figures(0)).get(
        (actor.id, actor.role, actor.organisation_id, today_in(zone), bool(tell), reader()),
        lambda: _charts(session, actor, zone, with_told=bool(tell)),
    )
    return Dashboard(
        by_phase,
        list(reflection_ending),
        list(needs_due),
        cases,
        next_dates(session, [c.id for c in cases.items], now),
        _to_reschedule(session, actor),
        unseen_alerts(session, actor),
        agenda=agenda(session, actor, today_in(zone), zone),
        tell=tell,
        due_first=_due_first(session, actor, now) if tell else [],
        news=_untold_news(session, actor) if actor.role in counts.TELLERS else [],
        reviews=counts.reviews_due(session, actor, today),
        office=counts.office(session, actor, now, today_in(zone)),
        charts=charts,
        charts_counted=counted,
        zone=zone,
    )


def _to_reschedule(session: Session, actor: User) -> list[Appointment]:
    """Appointments the person attends whose hearing moved or was vacated: a small partial
    index holds the flagged ones, checked against the person's staff links."""
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.needs_reschedule.is_(True),
                Appointment.status.in_([AppointmentStatus.scheduled, AppointmentStatus.confirmed]),
                Appointment.id.in_(
                    select(AppointmentStaff.appointment_id).where(
                        AppointmentStaff.user_id == actor.id
                    )
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
    )


def _charts(session: Session, actor: User, zone: str, *, with_told: bool) -> list[Chart]:
    """The last twelve months: told in time (for those who tell), risk levels, support."""
    months = trends.last_months(today_in(zone))
    charts = [trends.told_in_time(session, actor, months)] if with_told else []
    charts.append(trends.risk_levels(session, actor, months, zone))
    return charts + trends.support_by_phase(session, actor, months)


def _due_first(session: Session, actor: User, now: datetime) -> list[DueRow]:
    """The first few tasks to tell by their deadline (the due list's first lines)."""
    ids = list(session.scalars(due_list(actor, now).limit(SHORT)))
    return due_rows(session, ids, now)


def _untold_news(session: Session, actor: User) -> list[News]:
    """News of the witnesses ``actor`` may see that nobody has told them yet, oldest first
    (index ``ix_news_witness_told``)."""
    return list(
        session.scalars(
            select(News)
            .join(Witness, Witness.id == News.witness_id)
            .where(News.told_dt.is_(None), visible_witnesses(actor))
            .order_by(News.created_dt, News.id)
            .options(contains_eager(News.witness))
            .limit(SHORT)
        )
    )
