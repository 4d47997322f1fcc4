"""Triggers: what makes a reassessment due, and by when.

Other features call these with one line where the thing happens (a phase change, a hearing
listed or moved, a special measure refused, an outcome or custody event, a change of address);
the sweep in ``risk.jobs`` fires the ones that time brings (a hearing 14 days away, testimony
day, an expected release within 60 days). Each trigger makes one ``RiskReview`` per witness
and key, however often it fires, so a repeated call (a retried post, a sweep run twice) is
harmless. This module imports models only, so any service may call it without a cycle.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Hearing
from witness.core.time import to_local, today_in
from witness.hearings.models import SpecialMeasure
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.people.models import Participation, Phase, PhaseTransition, Witness
from witness.risk.models import ReviewSource, RiskReview

S = ReviewSource
#: days from the trigger to the reassessment's due date (0: due today)
TRIGGER_DAYS: dict[ReviewSource, int] = {
    S.phase_change: 7,
    S.hearing_listed: 7,
    S.hearing_moved: 3,
    S.hearing_soon: 3,
    S.testimony: 0,
    S.measure_refused: 2,
    S.outcome: 3,
    S.bail: 1,
    S.release_date: 7,
    S.released: 0,
    S.escaped: 0,
    S.incident: 0,
    S.address_change: 7,
    S.return_planned: 7,
    S.witness_asked: 2,
}
#: the outcome and custody events that are triggers, and as what
EVENT_SOURCES: dict[EventKind, ReviewSource] = {
    EventKind.verdict: S.outcome,
    EventKind.sentence: S.outcome,
    EventKind.appeal_lodged: S.outcome,
    EventKind.appeal_decided: S.outcome,
    EventKind.retrial_ordered: S.outcome,
    EventKind.bailed: S.bail,
    EventKind.bail_varied: S.bail,
    EventKind.release_date_set: S.release_date,
    EventKind.released: S.released,
    EventKind.temporary_release: S.released,
    EventKind.escaped: S.escaped,
    EventKind.absconded: S.escaped,
}


def make_due(
    session: Session,
    actor: User | None,
    witness: Witness,
    source: ReviewSource,
    key: str,
    reason: str,
    *,
    by: date | None = None,
) -> RiskReview | None:
    """A reassessment of ``witness`` due by ``by`` (default: the source's days from today in
    the witness's court's calendar), once per ``key``; None when that key already made one."""
    seen = session.scalar(
        select(RiskReview.id).where(RiskReview.witness_id == witness.id, RiskReview.key == key)
    )
    if seen is not None:
        return None
    if by is None:
        by = today_in(witness.timezone) + timedelta(days=TRIGGER_DAYS[source])
    review = RiskReview(
        witness_id=witness.id,
        source=source,
        key=key[:120],
        due_date=by,
        reason=reason[:300],
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(review)
    session.flush()
    record_event(
        session,
        actor,
        "risk_review.due",
        review,
        witness_id=witness.id,
        source=source.value,
        due_date=by.isoformat(),
    )
    return review


def case_witnesses(session: Session, case_id: int) -> list[Witness]:
    """The witnesses in the case whose part in it is not closed."""
    return list(
        session.scalars(
            select(Witness)
            .join(Participation, Participation.witness_id == Witness.id)
            .where(Participation.case_id == case_id, Participation.phase != Phase.closed)
            .order_by(Witness.id)
        )
    )


def phase_changed(session: Session, actor: User, transition: PhaseTransition) -> None:
    """A witness moved phase in a case (closing their part is not a trigger)."""
    if transition.to_phase is Phase.closed:
        return
    participation = transition.participation
    reason = f"Phase changed to {transition.to_phase.label} in {participation.case.reference}"
    make_due(
        session,
        actor,
        participation.witness,
        S.phase_change,
        f"phase:{transition.id}",
        reason,
    )


def hearing_listed(session: Session, actor: User | None, hearing: Hearing) -> None:
    """A hearing listed: each witness of the case is reassessed within a week (or by the day
    before the hearing, when that is sooner)."""
    _hearing(session, actor, hearing, S.hearing_listed, f"hearing:{hearing.id}:listed", "listed")


def hearing_moved(session: Session, actor: User | None, hearing: Hearing) -> None:
    """A hearing moved: each witness of the case is reassessed within three days."""
    key = f"hearing:{hearing.id}:moved:{hearing.start_dt:%Y%m%d%H%M}"
    _hearing(session, actor, hearing, S.hearing_moved, key, "moved")


def _hearing(session, actor, hearing: Hearing, source: ReviewSource, key: str, what: str):
    tz = hearing.court.timezone
    day = to_local(hearing.start_dt, tz).date()
    for witness in case_witnesses(session, hearing.case_id):
        by = today_in(tz) + timedelta(days=TRIGGER_DAYS[source])
        by = max(min(by, day - timedelta(days=1)), today_in(tz))
        reason = f"{hearing.type.label} {what} for {day:%d %b %Y} in {hearing.case.reference}"
        make_due(session, actor, witness, source, key, reason, by=by)


def measure_refused(session: Session, actor: User, measure: SpecialMeasure) -> None:
    """The court refused a special measure the witness needed."""
    reason = (
        f"{measure.kind.label} refused for the {measure.hearing.type.label.lower()} "
        f"of {measure.hearing.case.reference}"
    )
    make_due(
        session, actor, measure.witness, S.measure_refused, f"measure:{measure.id}:refused", reason
    )


def outcome_recorded(session: Session, actor: User | None, event: OutcomeEvent) -> None:
    """A verdict, sentence, appeal, bail granted or varied, an expected release date,
    release, escape or absconding: each witness of the case is reassessed; a release date
    within 60 days makes it due at once."""
    source = EVENT_SOURCES.get(event.kind)
    if source is None:
        return
    soon = (
        source is S.release_date
        and event.release_date is not None
        and event.release_date <= event.effective_date + timedelta(days=60)
    )
    reason = f"{event.kind.value.replace('_', ' ').capitalize()} in {event.case.reference}"
    if event.release_date is not None:
        reason += f" (release {event.release_date:%d %b %Y})"
    for witness in case_witnesses(session, event.case_id):
        by = today_in(witness.timezone) if soon else None
        make_due(session, actor, witness, source, f"event:{event.id}", reason, by=by)


def address_changed(session: Session, actor: User, witness: Witness, stamp: str) -> None:
    """The witness's address changed (``stamp`` tells one change from another)."""
    make_due(session, actor, witness, S.address_change, f"address:{stamp}", "Address changed")
