"""What the risk pages read: a witness's assessments, reviews and incidents, and the lists of
reviews due and of witnesses at high risk with a hearing near."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, exists, select, true
from sqlalchemy.orm import Session, contains_eager

from witness.auth.models import Role, User
from witness.cases.models import Hearing, HearingStatus
from witness.core.access import visible_witnesses
from witness.core.access_risk import RiskView, risk_view, risk_witnesses
from witness.core.time import today_in
from witness.db import unindexed
from witness.people.models import Assignment, Participation, Phase, Witness
from witness.risk.instrument import RiskLevel
from witness.risk.models import AssessmentStatus, RiskAssessment, RiskIncident, RiskReview

#: how far ahead "a hearing soon" looks, for the list of witnesses at high risk
HEARING_WINDOW = timedelta(days=14)
HIGH = (RiskLevel.critical, RiskLevel.high)


def current_assessment(session: Session, witness_id: int) -> RiskAssessment | None:
    """The newest completed assessment, or None."""
    return session.scalar(
        select(RiskAssessment).where(
            RiskAssessment.witness_id == witness_id, RiskAssessment.is_current.is_(True)
        )
    )


def draft_of(session: Session, witness_id: int) -> RiskAssessment | None:
    return session.scalar(
        select(RiskAssessment)
        .where(
            RiskAssessment.witness_id == witness_id,
            RiskAssessment.status == AssessmentStatus.draft,
        )
        .order_by(RiskAssessment.id.desc())
        .limit(1)
    )


def history(session: Session, witness_id: int) -> list[RiskAssessment]:
    """Completed assessments, newest first: the level over time."""
    return list(
        session.scalars(
            select(RiskAssessment)
            .where(
                RiskAssessment.witness_id == witness_id,
                RiskAssessment.status == AssessmentStatus.completed,
            )
            .order_by(RiskAssessment.completed_dt.desc(), RiskAssessment.id.desc())
        )
    )


def assessments_query(witness_id: int) -> Select:
    """Every assessment of the witness (drafts too), newest first: the API's list."""
    return (
        select(RiskAssessment)
        .where(RiskAssessment.witness_id == witness_id)
        .order_by(RiskAssessment.created_dt.desc(), RiskAssessment.id.desc())
    )


def open_reviews(session: Session, witness_id: int) -> list[RiskReview]:
    """The witness's open reviews, soonest first (the first is what the witness page shows)."""
    return list(
        session.scalars(
            select(RiskReview)
            .where(RiskReview.witness_id == witness_id, RiskReview.done_dt.is_(None))
            .order_by(RiskReview.due_date, RiskReview.id)
        )
    )


def incidents(session: Session, witness_id: int) -> list[RiskIncident]:
    return list(
        session.scalars(
            select(RiskIncident)
            .where(RiskIncident.witness_id == witness_id)
            .order_by(RiskIncident.occurred_dt.desc(), RiskIncident.id.desc())
        )
    )


# --- the lists ----------------------------------------------------------------------------------

SCOPES = ("mine", "office")
WHICH = ("overdue", "week", "hearing")


def default_scope(actor: User) -> str:
    return "office" if actor.role in (Role.admin, Role.supervisor) else "mine"


def _scope(actor: User, scope: str):
    """SQL on ``Witness``: whose risk ``actor`` sees, narrowed to "my witnesses" (assigned to
    them) or their office's."""
    seen = risk_witnesses(actor)
    if scope == "office" and actor.role in (Role.admin, Role.supervisor):
        return and_(seen, Witness.organisation_id == actor.organisation_id)
    if actor.role is Role.prosecutor:
        return and_(seen, visible_witnesses(actor))
    return and_(seen, Witness.id.in_(_assigned(actor)))


def _assigned(actor: User) -> Select:
    return select(Assignment.witness_id).where(
        Assignment.user_id == actor.id, Assignment.ended_dt.is_(None)
    )


def _by_witness(actor: User, scope: str) -> bool:
    """Whether the list is of the user's own witnesses (a few dozen), so read witness by
    witness rather than along every open review in the country by due date."""
    office = scope == "office" and actor.role in (Role.admin, Role.supervisor)
    return not office and actor.role is not Role.prosecutor


def reviews_query(actor: User, scope: str, which: str, today: date) -> Select:
    """Open reviews overdue (due before ``today``) or due this week (today to six days on),
    soonest first, of the witnesses in scope."""
    done, due_date, narrowed = RiskReview.done_dt, RiskReview.due_date, true()
    if _by_witness(actor, scope):
        # the scope said of the review itself, so the database goes from the officer's
        # witnesses to their reviews; "+" keeps the by-due-date index out of it, which
        # SQLite's statistics favour ("done_dt IS NULL" looks rare: half the reviews are
        # open, the rest each have their own instant), walking all 7,500 overdue reviews
        done, due_date = unindexed(done), unindexed(due_date)
        narrowed = RiskReview.witness_id.in_(_assigned(actor))
    if which == "overdue":
        due = due_date < today
    else:
        due = and_(due_date >= today, due_date <= today + timedelta(days=6))
    return (
        select(RiskReview)
        .join(Witness, Witness.id == RiskReview.witness_id)
        .where(done.is_(None), due, narrowed, _scope(actor, scope))
        # the list shows each witness's reference; its office decides who may book
        .options(
            contains_eager(RiskReview.witness).load_only(
                Witness.id, Witness.reference, Witness.organisation_id
            )
        )
        .order_by(RiskReview.due_date, RiskReview.id)
    )


def _hearing_soon(now: datetime):
    return and_(
        Participation.witness_id == Witness.id,
        Participation.phase != Phase.closed,
        Hearing.case_id == Participation.case_id,
        Hearing.status.in_((HearingStatus.listed, HearingStatus.moved)),
        Hearing.start_dt >= now,
        Hearing.start_dt < now + HEARING_WINDOW,
    )


def high_risk_query(actor: User, scope: str, now: datetime) -> Select:
    """Witnesses whose current level is critical or high with a hearing within 14 days."""
    return (
        select(Witness)
        .join(RiskAssessment, RiskAssessment.witness_id == Witness.id)
        .where(
            RiskAssessment.is_current.is_(True),
            RiskAssessment.level.in_(HIGH),
            exists().where(_hearing_soon(now)),
            _scope(actor, scope),
        )
        .order_by(RiskAssessment.level, Witness.reference)  # critical sorts before high
    )


@dataclass
class WitnessRow:
    witness: Witness
    level: RiskLevel | None
    hearing: Hearing | None


def describe(session: Session, witnesses: list[Witness], now: datetime) -> list[WitnessRow]:
    """A page of the high-risk list with each witness's level and next hearing."""
    rows = []
    for witness in witnesses:
        current = current_assessment(session, witness.id)
        hearing = session.scalar(
            select(Hearing)
            .join(Participation, Participation.case_id == Hearing.case_id)
            .where(
                Participation.witness_id == witness.id,
                Hearing.status.in_((HearingStatus.listed, HearingStatus.moved)),
                Hearing.start_dt >= now,
            )
            .order_by(Hearing.start_dt)
            .limit(1)
        )
        rows.append(WitnessRow(witness, current.level if current else None, hearing))
    return rows


@dataclass
class Summary:
    """The witness page's risk lines: the level, the first review due, the level over time."""

    current: RiskAssessment | None
    review: RiskReview | None
    history: list[RiskAssessment]
    today: date


def summary(session: Session, actor: User, witness: Witness) -> Summary | None:
    """None when ``actor`` does not see the witness's risk."""
    if risk_view(session, actor, witness) is RiskView.none:
        return None
    reviews = open_reviews(session, witness.id)
    return Summary(
        current=current_assessment(session, witness.id),
        review=reviews[0] if reviews else None,
        history=history(session, witness.id)[:10],
        today=today_in(witness.timezone),
    )
