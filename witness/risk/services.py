"""Risk: start, fill in and complete an assessment; record an incident; a review asked for by
the witness; a planned return. Services flush and audit, never commit.

A completed assessment is never changed (a correction is a new assessment, started from its
answers). Completing one closes the witness's open reviews and schedules the next by its level
(``REVIEW_DAYS``, configurable as ``WITNESS_RISK_REVIEW_DAYS``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import require
from witness.core.access_risk import can_assess, can_report
from witness.core.errors import DomainError
from witness.core.i18n import english, gettext
from witness.core.text import clean_text
from witness.core.time import check_year, now_utc, today_in
from witness.people.models import Witness
from witness.risk import queries
from witness.risk.alerts import alert_supervisors
from witness.risk.instrument import (
    INSTRUMENT_LABELS,
    RISK_INSTRUMENTS,
    Answer,
    RiskLevel,
    factors_of,
    level_for,
)
from witness.risk.models import (
    AssessmentStatus,
    IncidentKind,
    ReviewSource,
    RiskAssessment,
    RiskIncident,
    RiskReview,
)
from witness.risk.triggers import make_due

#: days from a completed assessment to the next review, by level (the default of
#: ``WITNESS_RISK_REVIEW_DAYS``)
REVIEW_DAYS: dict[str, int] = {"critical": 7, "high": 14, "medium": 30, "low": 90}


def _note(value: str | None, field: str) -> str:
    return clean_text(value, field, multiline=True, max_length=2000)


def start_assessment(
    session: Session, actor: User, witness: Witness, instrument: str
) -> RiskAssessment:
    """A draft for ``witness`` by ``instrument``, its answers taken from the last completed
    assessment (to confirm or change); the witness's open draft when there is one."""
    require(can_assess(actor, witness), "Only the witness's own office assesses their risk.")
    if instrument not in RISK_INSTRUMENTS:
        raise DomainError(gettext("Choose one of the instruments offered."), field="instrument")
    draft = queries.draft_of(session, witness.id)
    if draft is not None:
        if draft.instrument != instrument:
            label = INSTRUMENT_LABELS.get(draft.instrument, draft.instrument)
            raise DomainError(gettext("A draft %(label)s is open: complete it first.", label=label))
        return draft
    previous = queries.current_assessment(session, witness.id)
    keys = {f.key for f in factors_of(instrument)}
    answers = {}
    if previous is not None:
        answers = {k: dict(v) for k, v in previous.answers.items() if k in keys}
    assessment = RiskAssessment(
        witness_id=witness.id,
        instrument=instrument,
        status=AssessmentStatus.draft,
        answers=answers,
        own_view=previous.own_view if previous is not None else "",
        previous_id=previous.id if previous is not None else None,
        created_by_id=actor.id,
    )
    session.add(assessment)
    session.flush()
    record_event(
        session,
        actor,
        "risk_assessment.start",
        assessment,
        witness_id=witness.id,
        instrument=instrument,
        previous_id=assessment.previous_id,
    )
    return assessment


def _clean_answers(instrument: str, given: dict[str, tuple[str | None, str | None]]) -> dict:
    """``given``: factor key -> (answer, note). Every factor of the instrument, each
    present/absent/unknown (missing: unknown), notes checked as text."""
    answers = {}
    allowed = {a.value for a in Answer}
    for factor in factors_of(instrument):
        answer, note = given.get(factor.key, (None, None))
        answer = answer or Answer.unknown.value
        if answer not in allowed:
            raise DomainError(
                gettext("Choose present, absent or unknown."), field=f"a_{factor.key}"
            )
        answers[factor.key] = {"answer": answer, "note": _note(note, f"n_{factor.key}")}
    return answers


def _editable(actor: User, assessment: RiskAssessment) -> None:
    require(can_assess(actor, assessment.witness), "Only the witness's own office assesses.")
    if not assessment.is_draft:
        raise DomainError(
            gettext("A completed assessment cannot be changed: start a new one to correct it.")
        )


def save_assessment(
    session: Session,
    actor: User,
    assessment: RiskAssessment,
    *,
    answers: dict[str, tuple[str | None, str | None]],
    own_view: str | None,
) -> RiskAssessment:
    """Keep the draft's answers as they stand (it stays a draft)."""
    _editable(actor, assessment)
    assessment.answers = _clean_answers(assessment.instrument, answers)
    assessment.own_view = _note(own_view, "own_view")
    rule_level, reason = level_for(assessment.instrument, _plain(assessment.answers))
    assessment.rule_level, assessment.rule_reason = rule_level, reason
    session.flush()
    record_event(
        session, actor, "risk_assessment.save", assessment, witness_id=assessment.witness_id
    )
    return assessment


def _plain(answers: dict) -> dict[str, str]:
    return {key: value["answer"] for key, value in answers.items()}


def complete_assessment(
    session: Session,
    actor: User,
    assessment: RiskAssessment,
    *,
    answers: dict[str, tuple[str | None, str | None]],
    own_view: str | None,
    confirmed: bool,
    override_level: RiskLevel | None = None,
    override_reason: str | None = None,
    review_days: dict[str, int] | None = None,
) -> RiskAssessment:
    """Complete the draft: the level by the rule (or the officer's override, with its reason),
    read-only from now on; it becomes the witness's current assessment, their open reviews
    are done, and the next review is scheduled by the level."""
    _editable(actor, assessment)
    if assessment.previous_id is not None and not confirmed:
        raise DomainError(
            gettext("Confirm that each answer carried over from the last assessment was checked."),
            field="confirmed",
        )
    assessment.answers = _clean_answers(assessment.instrument, answers)
    assessment.own_view = _note(own_view, "own_view")
    rule_level, reason = level_for(assessment.instrument, _plain(assessment.answers))
    override_reason = _note(override_reason, "override_reason")
    if override_level is not None and override_level is not rule_level and not override_reason:
        raise DomainError(
            gettext("Give the reason for changing the level."), field="override_reason"
        )
    level = override_level or rule_level
    now = now_utc()
    witness = assessment.witness
    session.execute(
        update(RiskAssessment)
        .where(RiskAssessment.witness_id == witness.id, RiskAssessment.is_current.is_(True))
        .values(is_current=False)
    )
    assessment.rule_level, assessment.rule_reason = rule_level, reason
    assessment.level = level
    assessment.override_reason = override_reason if level is not rule_level else ""
    assessment.status = AssessmentStatus.completed
    assessment.completed_by_id, assessment.completed_dt = actor.id, now
    assessment.is_current = True
    session.flush()
    done = _close_reviews(session, witness, assessment, now)
    days = {**REVIEW_DAYS, **(review_days or {})}[level.value]
    next_due = today_in(witness.timezone) + timedelta(days=days)
    make_due(
        session,
        actor,
        witness,
        ReviewSource.scheduled,
        f"assessment:{assessment.id}",
        english(lambda: f"{level.label} risk: reviewed every {days} days"),
        by=next_due,
    )
    record_event(
        session,
        actor,
        "risk_assessment.complete",
        assessment,
        witness_id=witness.id,
        level=level.value,
        rule_level=rule_level.value,
        reviews_done=done,
        next_review=next_due.isoformat(),
    )
    if level is not rule_level:
        record_event(
            session,
            actor,
            "risk_assessment.override",
            assessment,
            witness_id=witness.id,
            rule_level=rule_level.value,
            level=level.value,
        )
    return assessment


def _close_reviews(session, witness: Witness, assessment: RiskAssessment, now: datetime) -> int:
    result = session.execute(
        update(RiskReview)
        .where(RiskReview.witness_id == witness.id, RiskReview.done_dt.is_(None))
        .values(done_dt=now, done_assessment_id=assessment.id)
    )
    return result.rowcount


def record_incident(
    session: Session,
    actor: User,
    witness: Witness,
    *,
    kind: IncidentKind,
    reported_by: str,
    occurred_dt: datetime,
    description: str,
    police_told: bool,
    police_reference: str = "",
) -> RiskIncident:
    """An incident: a reassessment is due today and the office's supervisors are alerted."""
    require(can_report(session, actor, witness), "You may not record incidents for this witness.")
    reported_by = clean_text(reported_by, "reported_by", max_length=200)
    if not reported_by:
        raise DomainError(gettext("Say who reported it."), field="reported_by")
    description = _note(description, "description")
    if not description:
        raise DomainError(gettext("Say what happened."), field="description")
    check_year(occurred_dt.date(), "occurred_dt")
    if occurred_dt > now_utc():
        raise DomainError(gettext("An incident cannot be in the future."), field="occurred_dt")
    police_reference = clean_text(police_reference, "police_reference", max_length=120)
    if police_reference and not police_told:
        raise DomainError(
            gettext("A police reference means the police were told."), field="police_told"
        )
    incident = RiskIncident(
        witness_id=witness.id,
        kind=kind,
        reported_by=reported_by,
        occurred_dt=occurred_dt,
        description=description,
        police_told=police_told,
        police_reference=police_reference,
        recorded_by_id=actor.id,
    )
    session.add(incident)
    session.flush()
    record_event(
        session, actor, "risk_incident.record", incident, witness_id=witness.id, kind=kind.value
    )
    reason = english(lambda: f"Incident: {kind.label.lower()} on {occurred_dt:%d %b %Y}")
    make_due(session, actor, witness, ReviewSource.incident, f"incident:{incident.id}", reason)
    alert_supervisors(
        session,
        witness,
        f"risk:incident:{incident.id}",
        english(
            lambda: (
                f"{kind.label} reported for {witness.reference}: a risk reassessment is due today."
            )
        ),
    )
    return incident


def ask_for_review(session: Session, actor: User, witness: Witness, note: str = "") -> RiskReview:
    """The witness asked to have their risk looked at again."""
    require(can_report(session, actor, witness), "You may not ask for this witness's review.")
    note = clean_text(note, "note", max_length=200)
    reason = "The witness asked for a review" + (f": {note}" if note else "")
    key = f"asked:{now_utc():%Y%m%dT%H%M%S%f}"
    return make_due(session, actor, witness, ReviewSource.witness_asked, key, reason)


def plan_return(
    session: Session, actor: User, witness: Witness, return_date: date, note: str = ""
) -> RiskReview | None:
    """A return to the country of origin is planned for ``return_date``: a reassessment by the
    return variant is due within a week (or the day before they go, when sooner)."""
    require(can_report(session, actor, witness), "You may not plan this witness's return.")
    check_year(return_date, "return_date")
    today = today_in(witness.timezone)
    if return_date < today:
        raise DomainError(gettext("The return cannot be planned in the past."), field="return_date")
    note = clean_text(note, "note", max_length=200)
    by = max(today, min(today + timedelta(days=7), return_date - timedelta(days=1)))
    reason = f"Return planned for {return_date:%d %b %Y} (use the return assessment)"
    if note:
        reason += f": {note}"
    key = f"return:{return_date.isoformat()}"
    return make_due(session, actor, witness, ReviewSource.return_planned, key, reason, by=by)
