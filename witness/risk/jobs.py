"""The risk sweep (hourly): the triggers that time brings, and alerts for reviews overdue.

- a hearing 14 days away (or less) makes a review due for each witness of its case; a trial
  day that is today makes one due today (testimony day);
- an expected release date within 60 days makes one due today;
- a review past its due date alerts the witness's officers once; ``WITNESS_RISK_ESCALATE_DAYS``
  (default 3) days past it, the office's supervisors too.

Every trigger and alert has its own key, so a sweep run twice (or missed and caught up) makes
each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from witness.cases.models import Hearing, HearingStatus, HearingType
from witness.core.time import now_utc, to_local
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.risk.alerts import alert_officers, alert_supervisors
from witness.risk.models import ReviewSource, RiskReview
from witness.risk.queries import HEARING_WINDOW
from witness.risk.triggers import case_witnesses, make_due

#: days before a hearing that make a review due, and before a release
HEARING_SOON_DAYS = HEARING_WINDOW.days
RELEASE_SOON_DAYS = 60
DEFAULT_ESCALATE_DAYS = 3


@dataclass
class RiskSweepReport:
    reviews: int = 0
    alerts: int = 0
    escalations: int = 0


def _due(report: RiskSweepReport, review) -> None:
    if review is not None:
        report.reviews += 1


def hearing_triggers(session: Session, now: datetime, report: RiskSweepReport) -> None:
    """A review due for each witness of a case with a hearing within 14 days, and one due
    today on a trial day (testimony)."""
    hearings = session.scalars(
        select(Hearing)
        .where(
            Hearing.status.in_((HearingStatus.listed, HearingStatus.moved)),
            Hearing.start_dt >= now - timedelta(days=1),
            Hearing.start_dt < now + HEARING_WINDOW,
        )
        .order_by(Hearing.start_dt)
    )
    for hearing in hearings:
        tz = hearing.court.timezone
        day, today = to_local(hearing.start_dt, tz).date(), to_local(now, tz).date()
        if day < today:
            continue
        for witness in case_witnesses(session, hearing.case_id):
            if hearing.start_dt >= now:
                key = f"hearing:{hearing.id}:soon:{day.isoformat()}"
                reason = f"{hearing.type.label} on {day:%d %b %Y} in {hearing.case.reference}"
                by = min(today + timedelta(days=3), day - timedelta(days=1))
                by = max(by, today)
                _due(
                    report,
                    make_due(session, None, witness, ReviewSource.hearing_soon, key, reason, by=by),
                )
            if hearing.type is HearingType.trial_day and day == today:
                key = f"hearing:{hearing.id}:testimony:{day.isoformat()}"
                reason = f"Testimony day: trial in {hearing.case.reference}"
                _due(
                    report,
                    make_due(session, None, witness, ReviewSource.testimony, key, reason, by=today),
                )


def release_triggers(session: Session, today: date, report: RiskSweepReport) -> None:
    """A review due today for each witness of a case whose defendant's expected release date
    (not since corrected) is within 60 days."""
    newer = aliased(OutcomeEvent)
    events = session.scalars(
        select(OutcomeEvent).where(
            OutcomeEvent.kind.in_((EventKind.release_date_set, EventKind.sentence)),
            OutcomeEvent.release_date >= today,
            OutcomeEvent.release_date <= today + timedelta(days=RELEASE_SOON_DAYS),
            ~exists().where(newer.supersedes_id == OutcomeEvent.id),
        )
    )
    for event in events:
        reason = f"Expected release on {event.release_date:%d %b %Y} in {event.case.reference}"
        for witness in case_witnesses(session, event.case_id):
            key = f"release60:{event.id}"
            _due(
                report,
                make_due(session, None, witness, ReviewSource.release_date, key, reason, by=today),
            )


def overdue_alerts(
    session: Session, today: date, escalate_days: int, report: RiskSweepReport
) -> None:
    """Alert the officers of each overdue review once, and the supervisors once it is
    ``escalate_days`` overdue."""
    reviews = session.scalars(
        select(RiskReview)
        .where(RiskReview.done_dt.is_(None), RiskReview.due_date < today)
        .order_by(RiskReview.due_date, RiskReview.id)
    )
    for review in reviews:
        witness = review.witness
        message = (
            f"Risk review of {witness.reference} overdue since {review.due_date:%d %b %Y}: "
            f"{review.reason}"
        )
        made = alert_officers(session, witness, f"risk:overdue:{review.id}", message)
        report.alerts += len(made)
        if review.due_date + timedelta(days=escalate_days) <= today:
            made = alert_supervisors(session, witness, f"risk:escalate:{review.id}", message)
            report.escalations += len(made)


def sweep(session: Session, now: datetime, escalate_days: int = DEFAULT_ESCALATE_DAYS):
    """One run of every part; flushes, never commits."""
    report = RiskSweepReport()
    today = now.date()
    hearing_triggers(session, now, report)
    release_triggers(session, today, report)
    overdue_alerts(session, today, escalate_days, report)
    session.flush()
    return report


def risk_sweep(app: Flask) -> RiskSweepReport:
    """The scheduler's entry: one committed run."""
    factory = app.extensions["witness.db"].sessionmaker
    escalate = int(app.config.get("WITNESS_RISK_ESCALATE_DAYS", DEFAULT_ESCALATE_DAYS))
    with app.app_context(), factory() as session:
        report = sweep(session, now_utc(), escalate)
        session.commit()
    if report.reviews or report.alerts or report.escalations:
        app.logger.info(
            "risk: %d review(s) due, %d alert(s), %d escalation(s)",
            report.reviews,
            report.alerts,
            report.escalations,
        )
    return report
