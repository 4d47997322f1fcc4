"""Generated risk histories at a tiny size: plausible, stored as the services store them, and
read back by the services, the lists and the pages as if officers had made them."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from witness.auth.models import User
from witness.bench.vocabulary import BENCH_PASSWORD, COURT_TIMEZONE
from witness.core.time import now_utc
from witness.people.models import Assignment, Participation, ParticipationRole, Witness
from witness.risk import queries
from witness.risk import services as s
from witness.risk.instrument import CURRENT, RiskLevel, factors_of, level_for
from witness.risk.models import (
    AssessmentStatus,
    ReviewSource,
    RiskAssessment,
    RiskIncident,
    RiskReview,
)
from witness.risk.services import REVIEW_DAYS

WITNESSES = 600
TINY = [
    "--witnesses", str(WITNESSES), "--cases", "300", "--courts", "4", "--ngos", "4",
    "--hearings", "300", "--appointments", "600", "--ledger-entries", "0",
]  # fmt: skip
ZONE = ZoneInfo(COURT_TIMEZONE)


@pytest.fixture
def generated(runner, db_owner):
    result = runner.invoke(args=["generate-data", *TINY])
    assert result.exit_code == 0, result.output
    assert "Risk histories written in" in result.output
    return result.output


def _local_day(instant):
    return instant.astimezone(ZONE).date()


def _by_witness(db):
    rows = db.scalars(select(RiskAssessment).order_by(RiskAssessment.completed_dt)).all()
    history = defaultdict(list)
    for a in rows:
        history[a.witness_id].append(a)
    return history


def test_every_witness_has_one_to_four_assessments_as_the_services_store_them(generated, db):
    history = _by_witness(db)
    assert len(history) == WITNESSES
    assert set(Counter(len(h) for h in history.values())) <= {1, 2, 3, 4}
    assert max(len(h) for h in history.values()) == 4
    keys = {f.key for f in factors_of(CURRENT)}
    witnesses = {w.id: w for w in db.scalars(select(Witness))}
    now = now_utc()
    for witness_id, assessments in history.items():
        assert [a.is_current for a in assessments] == [False] * (len(assessments) - 1) + [True]
        assert [a.previous_id for a in assessments] == [None] + [a.id for a in assessments[:-1]]
        for a in assessments:
            assert a.status is AssessmentStatus.completed and a.instrument == CURRENT
            assert set(a.answers) == keys
            assert all(set(v) == {"answer", "note"} for v in a.answers.values())
            plain = {k: v["answer"] for k, v in a.answers.items()}
            assert (a.rule_level, a.rule_reason) == level_for(CURRENT, plain)
            assert a.level is a.rule_level or (
                a.level.rank == a.rule_level.rank + 1 and a.override_reason
            )
            assert witnesses[witness_id].created_dt < a.created_dt < a.completed_dt <= now
        # every assessment was done by the officer assigned to the witness
        officer = db.scalar(select(Assignment.user_id).where(Assignment.witness_id == witness_id))
        assert {a.completed_by_id for a in assessments} == {officer}


def test_children_and_victims_of_trafficking_are_at_higher_risk(generated, db):
    rows = db.execute(
        select(RiskAssessment.witness_id, RiskAssessment.level, RiskAssessment.answers).where(
            RiskAssessment.is_current.is_(True)
        )
    ).all()
    levels = Counter(level for _, level, _ in rows)
    assert set(levels) == set(RiskLevel)
    assert levels[RiskLevel.critical] < levels[RiskLevel.high] < levels[RiskLevel.medium]
    victims = set(
        db.scalars(
            select(Participation.witness_id).where(
                Participation.role == ParticipationRole.victim_witness
            )
        )
    )
    groups = defaultdict(list)
    for witness_id, level, answers in rows:
        group = (
            "child" if answers["child"]["answer"] == "present"
            else "victim" if witness_id in victims
            else "bystander"
        )  # fmt: skip
        groups[group].append(level.rank >= RiskLevel.high.rank)
    share = {group: sum(high) / len(high) for group, high in groups.items()}
    assert share["child"] > share["bystander"] and share["victim"] > share["bystander"]


def test_each_assessment_scheduled_its_review_and_the_next_one_did_it(generated, db):
    history = _by_witness(db)
    reviews = {r.key: r for r in db.scalars(select(RiskReview))}
    today = now_utc().astimezone(ZONE).date()
    due = Counter()
    for assessments in history.values():
        for k, a in enumerate(assessments):
            review = reviews[f"assessment:{a.id}"]
            assert review.source is ReviewSource.scheduled
            every = REVIEW_DAYS[a.level.value]
            assert review.due_date == _local_day(a.completed_dt) + timedelta(days=every)
            assert review.reason == f"{a.level.label} risk: reviewed every {every} days"
            if k + 1 < len(assessments):
                following = assessments[k + 1]
                assert (review.done_dt, review.done_assessment_id) == (
                    following.completed_dt,
                    following.id,
                )
            else:
                assert review.done_dt is None
                days = (review.due_date - today).days
                due["overdue" if days < 0 else "week" if days < 7 else "later"] += 1
    # about one in sixteen overdue and one in eight due this week; most later
    assert 0.03 * WITNESSES < due["overdue"] < 0.12 * WITNESSES
    assert 0.06 * WITNESSES < due["week"] < 0.25 * WITNESSES
    assert due["later"] > WITNESSES / 2


def test_incidents_and_triggers_leave_open_reviews_after_the_last_assessment(generated, db):
    history = _by_witness(db)
    incidents = db.scalars(select(RiskIncident)).all()
    assert incidents
    for incident in incidents:
        review = db.scalar(select(RiskReview).where(RiskReview.key == f"incident:{incident.id}"))
        assert review.source is ReviewSource.incident and review.done_dt is None
        assert review.due_date == _local_day(incident.recorded_dt)
        assert incident.occurred_dt > history[incident.witness_id][-1].completed_dt
        assert incident.police_told or not incident.police_reference
    triggered = db.scalars(
        select(RiskReview).where(
            RiskReview.source.in_(
                (ReviewSource.hearing_soon, ReviewSource.phase_change, ReviewSource.outcome)
            )
        )
    ).all()
    assert triggered and all(r.done_dt is None for r in triggered)
    assert all(r.created_dt >= history[r.witness_id][-1].completed_dt for r in triggered)


def test_the_services_take_up_a_generated_history(generated, db):
    """Reassessing a generated witness starts from their current answers, the rule gives the
    same level, and completing it closes every review open for them."""
    current = db.scalar(
        select(RiskAssessment)
        .where(
            RiskAssessment.is_current.is_(True), RiskAssessment.level == RiskAssessment.rule_level
        )
        .order_by(RiskAssessment.id)
        .limit(1)
    )
    witness = db.get(Witness, current.witness_id)
    officer = db.get(User, current.completed_by_id)
    assert queries.current_assessment(db, witness.id).id == current.id
    assert queries.history(db, witness.id)[0].id == current.id
    draft = s.start_assessment(db, officer, witness, CURRENT)
    assert draft.previous_id == current.id and draft.answers == current.answers
    answers = {k: (v["answer"], v["note"]) for k, v in current.answers.items()}
    done = s.complete_assessment(
        db, officer, draft, answers=answers, own_view=current.own_view, confirmed=True
    )
    assert done.level is current.level
    assert queries.open_reviews(db, witness.id)[0].key == f"assessment:{done.id}"
    assert len(queries.open_reviews(db, witness.id)) == 1


def test_the_overdue_list_and_the_risk_page_show_them(generated, db, login):
    today = now_utc().date()
    overdue = db.scalar(
        select(RiskReview)
        .where(RiskReview.done_dt.is_(None), RiskReview.due_date < today)
        .order_by(RiskReview.id)
        .limit(1)
    )
    witness = db.get(Witness, overdue.witness_id)
    officer = db.get(
        User, db.scalar(select(Assignment.user_id).where(Assignment.witness_id == witness.id))
    )
    listed = db.scalars(queries.reviews_query(officer, "mine", "overdue", today)).all()
    assert overdue in listed and all(r.due_date < today for r in listed)
    client = login(officer, BENCH_PASSWORD)
    page = client.get("/risk/?which=overdue").get_data(as_text=True)
    assert witness.reference in page
    # the witness's risk page draws their history: one point per completed assessment
    page = client.get(f"/risk/witnesses/{witness.id}").get_data(as_text=True)
    count = db.scalar(
        select(func.count())
        .select_from(RiskAssessment)
        .where(RiskAssessment.witness_id == witness.id)
    )
    assert len(re.findall(r'<circle class="point"', page)) == count
