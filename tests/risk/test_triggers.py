"""Each trigger makes a reassessment due, by the date its rule says, through the service where
the thing happens (the clock: Tuesday 10 March 2026, 09:00 UTC, London)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from witness.cases.models import CustodyStatus, Defendant, Hearing, HearingType
from witness.hearings.measures import decide_measure
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.hearings.services import create_hearing, move_hearing
from witness.notify.models import StaffAlert
from witness.outcomes.models import EventKind, EventResult, EventSource
from witness.outcomes.services import record_event
from witness.people.models import Participation, Phase
from witness.people.services import change_phase, update_witness
from witness.risk import services as s
from witness.risk.jobs import sweep
from witness.risk.models import IncidentKind

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _hearing(db, case, days: int, kind=HearingType.trial_day) -> Hearing:
    start = NOW + timedelta(days=days, hours=1)
    hearing = Hearing(
        case_id=case.id,
        court_id=case.court_id,
        type=kind,
        start_dt=start,
        end_dt=start + timedelta(hours=3),
    )
    db.add(hearing)
    db.flush()
    return hearing


def _defendant(db, case) -> Defendant:
    defendant = Defendant(
        name="A Defendant", case_id=case.id, custody_status=CustodyStatus.remanded
    )
    db.add(defendant)
    db.flush()
    return defendant


def _event(db, w, kind, **fields):
    return record_event(
        db,
        w.supervisor,
        case=w.case,
        defendant=_defendant(db, w.case),
        kind=kind,
        effective_date=TODAY,
        source=EventSource.court,
        **fields,
    )


def test_a_phase_change_makes_a_review_due_within_a_week(db, risk, open_reviews):
    participation = db.scalar(
        select(Participation).where(Participation.witness_id == risk.witness.id)
    )
    change_phase(db, risk.officer, participation, Phase.pre_trial, "Charged")
    assert open_reviews(risk.witness) == [
        ("phase_change", date(2026, 3, 17), f"Phase changed to Pre-trial in {risk.case.reference}")
    ]


def test_a_hearing_listed_makes_a_review_due_by_the_day_before_when_sooner(db, risk, open_reviews):
    start = NOW + timedelta(days=4)
    create_hearing(
        db,
        risk.supervisor,
        risk.case,
        type=HearingType.trial_day,
        start=start,
        end=start + timedelta(hours=2),
    )
    ((_, due, _),) = [r for r in open_reviews(risk.witness) if r[0] == "hearing_listed"]
    assert due == date(2026, 3, 13)  # the day before 14 March, sooner than a week
    # every witness of the case, not only the assigned one
    assert [r[0] for r in open_reviews(risk.unassigned)] == ["hearing_listed"]


def test_a_hearing_moved_makes_a_review_due_within_three_days(db, risk, open_reviews):
    hearing = _hearing(db, risk.case, 30)
    move_hearing(
        db,
        risk.supervisor,
        hearing,
        start=hearing.start_dt + timedelta(days=7),
        end=hearing.end_dt + timedelta(days=7),
        reason="Judge ill",
    )
    assert open_reviews(risk.witness)[0][:2] == ("hearing_moved", date(2026, 3, 13))


def test_a_hearing_14_days_away_and_testimony_day_come_from_the_sweep(db, risk, open_reviews):
    _hearing(db, risk.case, 10)
    today_trial = _hearing(db, risk.case, 0)
    report = sweep(db, NOW)
    reviews = open_reviews(risk.witness)
    assert ("testimony", TODAY) in [r[:2] for r in reviews]
    assert ("hearing_soon", date(2026, 3, 13)) in [r[:2] for r in reviews]
    assert report.reviews == 2 * 2 + 2  # both witnesses: soon x2 hearings + testimony
    assert sweep(db, NOW).reviews == 0  # once only
    assert today_trial.id


def test_a_hearing_further_than_14_days_is_not_yet_a_trigger(db, risk, open_reviews):
    _hearing(db, risk.case, 20)
    sweep(db, NOW)
    assert open_reviews(risk.witness) == []


def test_a_special_measure_refused_makes_a_review_due_in_two_days(db, risk, open_reviews):
    hearing = _hearing(db, risk.case, 40)
    measure = SpecialMeasure(
        witness_id=risk.witness.id,
        hearing_id=hearing.id,
        kind=MeasureKind.screens,
        status=MeasureStatus.applied,
    )
    db.add(measure)
    db.flush()
    decide_measure(db, risk.officer, measure, granted=False, note="Not needed, said the judge")
    assert open_reviews(risk.witness)[0][:2] == ("measure_refused", date(2026, 3, 12))


@pytest.mark.parametrize(
    ("kind", "fields", "source", "due"),
    [
        (
            EventKind.verdict,
            {"charge": "Trafficking", "result": EventResult.guilty},
            "outcome",
            date(2026, 3, 13),
        ),
        (EventKind.appeal_lodged, {}, "outcome", date(2026, 3, 13)),
        (EventKind.bailed, {"conditions": "Not to contact the witness"}, "bail", date(2026, 3, 11)),
        (EventKind.bail_varied, {"conditions": "Curfew lifted"}, "bail", date(2026, 3, 11)),
        (
            EventKind.release_date_set,
            {"release_date": date(2026, 9, 1)},
            "release_date",
            date(2026, 3, 17),
        ),
        (EventKind.release_date_set, {"release_date": date(2026, 4, 20)}, "release_date", TODAY),
        (EventKind.released, {}, "released", TODAY),
        (EventKind.escaped, {}, "escaped", TODAY),
        (EventKind.absconded, {}, "escaped", TODAY),
    ],
)
def test_outcome_and_custody_events_make_a_review_due(
    db, risk, open_reviews, kind, fields, source, due
):
    _event(db, risk, kind, **fields)
    assert (source, due) in [r[:2] for r in open_reviews(risk.witness)]


def test_a_sentence_makes_a_review_due(db, risk, open_reviews):
    from witness.outcomes.models import SentenceKind

    _event(db, risk, EventKind.sentence, sentence_kind=SentenceKind.custody, sentence_months=24)
    assert ("outcome", date(2026, 3, 13)) in [r[:2] for r in open_reviews(risk.witness)]


def test_a_release_date_coming_within_60_days_makes_a_review_due_that_day(
    db, risk, open_reviews, frozen_clock
):
    _event(db, risk, EventKind.release_date_set, release_date=date(2026, 6, 1))
    assert sweep(db, NOW).reviews == 0  # 83 days away
    later = datetime(2026, 4, 5, 9, 0, tzinfo=UTC)  # 57 days before
    frozen_clock(later)
    sweep(db, later)
    assert ("release_date", date(2026, 4, 5)) in [r[:2] for r in open_reviews(risk.witness)]


def test_a_plea_is_not_a_trigger(db, risk, open_reviews):
    _event(db, risk, EventKind.plea, charge="Trafficking", result=EventResult.not_guilty)
    assert open_reviews(risk.witness) == []


def test_an_incident_makes_a_review_due_today_and_alerts_the_supervisors(db, risk, open_reviews):
    incident = s.record_incident(
        db,
        risk.officer,
        risk.witness,
        kind=IncidentKind.sighting,
        reported_by="The witness",
        occurred_dt=NOW - timedelta(hours=12),
        description="Saw the accused's brother outside the shelter",
        police_told=True,
        police_reference="MPS-2026-0042",
    )
    assert open_reviews(risk.witness)[0][:2] == ("incident", TODAY)
    alerts = db.scalars(select(StaffAlert).where(StaffAlert.witness_id == risk.witness.id)).all()
    # every supervisor of the office (the fixtures made several), nobody else
    assert risk.supervisor.id in {a.user_id for a in alerts}
    assert {a.user.role.value for a in alerts} == {"supervisor"}
    assert {a.user.organisation_id for a in alerts} == {risk.witness.organisation_id}
    assert risk.witness.reference in alerts[0].message
    assert risk.witness.legal_name not in alerts[0].message
    assert alerts[0].key == f"risk:incident:{incident.id}"


def test_an_address_change_makes_a_review_due_within_a_week(db, risk, open_reviews):
    update_witness(db, risk.officer, risk.witness, address="12 New Street, Leeds")
    assert open_reviews(risk.witness)[0][:2] == ("address_change", date(2026, 3, 17))
    update_witness(db, risk.officer, risk.witness, phone="+44 7700 900999")
    assert len(open_reviews(risk.witness)) == 1  # another field is not a trigger


def test_a_planned_return_makes_a_return_review_due(db, risk, open_reviews):
    s.plan_return(db, risk.officer, risk.witness, date(2026, 3, 14))
    ((source, due, reason),) = open_reviews(risk.witness)
    assert (source, due) == ("return_planned", date(2026, 3, 13))
    assert "return assessment" in reason


def test_the_witness_asking_makes_a_review_due_in_two_days(db, risk, open_reviews):
    s.ask_for_review(db, risk.officer, risk.witness, "Feels watched")
    assert open_reviews(risk.witness) == [
        ("witness_asked", date(2026, 3, 12), "The witness asked for a review: Feels watched")
    ]
