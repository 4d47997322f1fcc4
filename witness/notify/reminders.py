"""Reminders before a date that matters to a victim: the defendant's expected release date (60,
30 and 7 days before and on the day, ``WITNESS_RELEASE_REMINDER_DAYS``), a parole hearing and an
appeal's deadline or hearing. Each reminder is a notification task of the event that set the
date, named by what and how many days before ("release-30"), so making it twice adds nothing
(one task per event, witness and reminder).

The sweep runs every hour and works from the dates, not from its own last run, so it catches up
after the scheduler was down: every reminder whose day has come (in the court's calendar) is
made if its date is still ahead — and the day-of reminder ("0") even when the date passed within
``CATCH_UP_DAYS``. A reminder whose day came before Witness learned of the date is not made:
the event's own task tells the victim. When the release date changes (a newer expected date, a
correction, or the defendant released, deported or dead), the old date's open reminders are
cancelled and the new date's made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload

from witness.audit.services import record_event
from witness.cases.models import Case
from witness.core.time import day_bounds, now_utc, to_local
from witness.notify.models import NotificationTask, TaskStatus, open_tasks
from witness.notify.tasks import create_tasks_for_event
from witness.outcomes.models import EventKind, OutcomeEvent

#: the day-of reminder is still made this long after its date, if the sweep was down on the day
CATCH_UP_DAYS = 14
RELEASE_KINDS = (EventKind.release_date_set, EventKind.sentence)
#: after these the expected release date no longer stands
RELEASE_ENDS = (EventKind.released, EventKind.deported, EventKind.died)
DEFAULT_DAYS = {
    "RELEASE_REMINDER_DAYS": (60, 30, 7, 0),
    "PAROLE_REMINDER_DAYS": (14, 1),
    "APPEAL_REMINDER_DAYS": (7, 1),
}


@dataclass(frozen=True)
class Reminded:
    """A date victims are reminded of: the events that carry it and in which column."""

    prefix: str
    kinds: tuple[EventKind, ...]
    column: str
    setting: str


REMINDED = (
    Reminded("release", RELEASE_KINDS, "release_date", "RELEASE_REMINDER_DAYS"),
    Reminded("parole", (EventKind.parole_hearing,), "hearing_date", "PAROLE_REMINDER_DAYS"),
    Reminded(
        "appeal-deadline", (EventKind.appeal_lodged,), "deadline_date", "APPEAL_REMINDER_DAYS"
    ),
    Reminded("appeal-hearing", (EventKind.appeal_lodged,), "hearing_date", "APPEAL_REMINDER_DAYS"),
)


def reminder_days(setting: str) -> tuple[int, ...]:
    if has_app_context():
        return tuple(current_app.config.get(setting, DEFAULT_DAYS[setting]))
    return DEFAULT_DAYS[setting]


def _still_stands(spec: Reminded) -> ColumnElement[bool]:
    """SQL on ``OutcomeEvent``: its date still stands — no correction replaces the event, and
    for a release date no later release date (or release, deportation, death) of the same
    defendant was recorded."""
    correction = aliased(OutcomeEvent)
    conditions = [~exists().where(correction.supersedes_id == OutcomeEvent.id)]
    if spec.prefix == "release":
        later = aliased(OutcomeEvent)
        conditions.append(
            ~exists().where(
                later.case_id == OutcomeEvent.case_id,
                or_(
                    later.defendant_id == OutcomeEvent.defendant_id,
                    and_(later.defendant_id.is_(None), OutcomeEvent.defendant_id.is_(None)),
                ),
                later.id > OutcomeEvent.id,
                or_(
                    and_(later.kind.in_(RELEASE_KINDS), later.release_date.is_not(None)),
                    later.kind.in_(RELEASE_ENDS),
                ),
            )
        )
    return and_(*conditions)


@dataclass
class ReminderReport:
    """What one sweep did."""

    made: int = 0  #: tasks made (one per victim and reminder)
    cancelled: int = 0  #: open reminder tasks of a date that no longer stands
    reminders: list[str] = field(default_factory=list)


def _due_reminders(
    event: OutcomeEvent, spec: Reminded, days: tuple[int, ...]
) -> list[tuple[str, datetime]]:
    """The reminders of ``event`` whose day has come, each with its deadline: the end of the
    reminder's day in the court's zone (of today, when the sweep is catching up)."""
    zone = event.case.court.timezone
    today = to_local(now_utc(), zone).date()
    learned = to_local(event.recorded_dt, zone).date()
    target: date = getattr(event, spec.column)
    found = []
    for n in days:
        day = target - timedelta(days=n)
        if day > today or day < learned:
            continue
        if target < today and not (n == 0 and target >= today - timedelta(days=CATCH_UP_DAYS)):
            continue
        found.append((f"{spec.prefix}-{n}", day_bounds(max(day, today), zone)[1]))
    return found


def _candidates(session: Session, spec: Reminded, days: tuple[int, ...]) -> list[OutcomeEvent]:
    """Events whose date is near enough for a reminder to be due (a day's margin either side
    for the courts' zones), through ``ix_outcome_events_kind_release`` for release dates."""
    today = now_utc().date()
    column = getattr(OutcomeEvent, spec.column)
    return list(
        session.scalars(
            select(OutcomeEvent)
            .where(
                OutcomeEvent.kind.in_(spec.kinds),
                column >= today - timedelta(days=CATCH_UP_DAYS + 1),
                column <= today + timedelta(days=max(days) + 1),
                _still_stands(spec),
            )
            .order_by(OutcomeEvent.id)
            .options(joinedload(OutcomeEvent.case).joinedload(Case.court))
        )
    )


def _make(session: Session, event: OutcomeEvent, name: str, due: datetime) -> int:
    """Make one reminder's tasks; a sweep running at the same moment that made them first
    (the unique key) is no error."""
    try:
        with session.begin_nested():
            return len(create_tasks_for_event(session, event, reminder=name, due=due))
    except IntegrityError:
        return 0


def cancel_stale_reminders(session: Session) -> int:
    """Cancel the open reminder tasks of dates that no longer stand."""
    cancelled = 0
    for spec in REMINDED:
        stale = session.scalars(
            select(NotificationTask)
            .join(OutcomeEvent, OutcomeEvent.id == NotificationTask.event_id)
            .where(
                open_tasks(),
                NotificationTask.reminder.startswith(f"{spec.prefix}-"),
                OutcomeEvent.kind.in_(spec.kinds),
                ~_still_stands(spec),
            )
        ).all()
        for task in stale:
            task.status = TaskStatus.cancelled
            task.cancelled_reason = "The date changed: a newer record replaces it."
            cancelled += 1
            session.flush()
            record_event(
                session,
                None,
                "notification_task.cancelled",
                task,
                witness_id=task.witness_id,
                reason="reminder of a date that no longer stands",
            )
    return cancelled


def send_reminders(session: Session) -> ReminderReport:
    """Make every reminder due now (catching up after downtime) and cancel those of dates
    that no longer stand; flushes, never commits. Running it twice makes nothing more."""
    report = ReminderReport(cancelled=cancel_stale_reminders(session))
    for spec in REMINDED:
        days = reminder_days(spec.setting)
        if not days:
            continue
        events = _candidates(session, spec, days)
        made_before = {
            (event_id, name)
            for event_id, name in session.execute(
                select(NotificationTask.event_id, NotificationTask.reminder).where(
                    NotificationTask.event_id.in_([e.id for e in events]),
                    NotificationTask.reminder.startswith(f"{spec.prefix}-"),
                )
            )
        }
        for event in events:
            for name, due in _due_reminders(event, spec, days):
                if (event.id, name) in made_before:
                    continue
                made = _make(session, event, name, due)
                report.made += made
                if made:
                    report.reminders.append(f"{name} of event {event.id}")
    return report


def reminder_sweep(app: Flask) -> ReminderReport:
    """The hourly sweep (and ``flask send-reminders``): reminders in a session of its own,
    committed once."""
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        report = send_reminders(session)
        session.commit()
    if report.made or report.cancelled:
        app.logger.info("reminders: %d task(s) made, %d cancelled", report.made, report.cancelled)
    return report
