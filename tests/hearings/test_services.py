"""Hearings (moves keep history and flag appointments) and special measures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from witness.cases.models import HearingStatus, HearingType, OffenceCategory
from witness.core.errors import AccessDenied, DomainError
from witness.hearings import measures
from witness.hearings.measures import CHILD_STANDARD, TRAFFICKING_STANDARD
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.hearings.services import create_hearing, mark_held, move_hearing, vacate_hearing
from witness.notify.models import News, NewsKind
from witness.notify.news import mark_told, untold_news
from witness.people.models import ParticipationRole
from witness.people.services import add_participation
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _trial(db, world, case=None, day=16):
    return create_hearing(
        db,
        world.supervisor,
        case or world.case,
        type=HearingType.trial_day,
        start=at(day, 10),
        end=at(day, 16),
    )


def _kinds(db, witness, hearing) -> set[MeasureKind]:
    return set(
        db.scalars(
            select(SpecialMeasure.kind).where(
                SpecialMeasure.witness_id == witness.id, SpecialMeasure.hearing_id == hearing.id
            )
        )
    )


def test_listing_a_trial_day_proposes_standard_measures(db, world, make_witness, make_case):
    child = make_witness(case=world.case, date_of_birth=date(2012, 5, 1))
    presumed = make_witness(case=world.case, date_of_birth=None, is_presumed_child=True)
    interpreted = make_witness(case=world.case, needs_interpreter=True, languages=["Thai"])
    hearing = _trial(db, world)
    assert _kinds(db, child, hearing) >= set(CHILD_STANDARD)
    assert _kinds(db, presumed, hearing) >= set(CHILD_STANDARD)
    # an adult trafficking complainant: the trafficking set, plus an interpreter when needed
    assert _kinds(db, world.assigned, hearing) == set(TRAFFICKING_STANDARD)
    assert _kinds(db, interpreted, hearing) == {*TRAFFICKING_STANDARD, MeasureKind.interpreter}
    assert all(
        m.is_standard and m.status is MeasureStatus.proposed
        for m in db.scalars(select(SpecialMeasure).where(SpecialMeasure.hearing_id == hearing.id))
    )


def test_no_standard_measures_for_an_adult_in_a_non_trafficking_case(
    db, world, make_case, make_witness
):
    case = make_case(offences=[OffenceCategory.violence])
    adult = make_witness(case=case)
    hearing = _trial(db, world, case=case)
    assert _kinds(db, adult, hearing) == set()


def test_sentencing_hearings_propose_nothing(db, world):
    hearing = create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.sentencing,
        start=at(20, 10),
        end=at(20, 12),
    )
    assert _kinds(db, world.assigned, hearing) == set()


def test_a_witness_joining_a_case_gets_measures_for_its_trial(db, world, make_witness):
    hearing = _trial(db, world)
    late = make_witness(date_of_birth=date(2011, 1, 1))
    add_participation(
        db, world.supervisor, late, world.case.id, ParticipationRole.victim_witness, "Came forward"
    )
    assert _kinds(db, late, hearing) >= set(CHILD_STANDARD)


def test_measure_goes_proposed_applied_granted_and_the_witness_is_to_be_told(db, world):
    hearing = _trial(db, world)
    link = db.scalar(
        select(SpecialMeasure).where(
            SpecialMeasure.witness_id == world.assigned.id,
            SpecialMeasure.kind == MeasureKind.video_link,
        )
    )
    with pytest.raises(DomainError, match="once the measure has been applied"):
        measures.decide_measure(db, world.officer, link, granted=True)
    measures.apply_for_measure(db, world.officer, link)
    assert link.status is MeasureStatus.applied and link.applied_dt is not None
    assert measures.needs_video_link_booking(db, link) is False
    measures.decide_measure(db, world.officer, link, granted=True, note="Judge agreed")
    assert link.status is MeasureStatus.granted and link.decided_dt is not None
    assert measures.needs_video_link_booking(db, link) is True
    (news,) = untold_news(db, world.assigned)
    assert news.kind is NewsKind.special_measure_decision
    assert "Video or live link granted" in news.summary
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(16, 9, 30),
            minutes=390,
            hearing_id=hearing.id,
            kind=AppointmentKind.video_link,
            resource_id=_suite(db, world).id,
        ),
    )
    assert measures.needs_video_link_booking(db, link) is False
    with pytest.raises(DomainError, match="how the witness was told"):
        mark_told(db, world.officer, news.id, "")
    mark_told(db, world.officer, news.id, "Phoned her")
    assert untold_news(db, world.assigned) == []


def _suite(db, world):
    from witness.rooms.models import Resource, ResourceKind

    suite = Resource(court=world.case.court, kind=ResourceKind.video_link_suite, name="Suite Z")
    db.add(suite)
    db.flush()
    return suite


def test_refusal_is_news_too_and_withdrawal_needs_a_note(db, world):
    _trial(db, world)
    screens, private = (
        db.scalar(
            select(SpecialMeasure).where(
                SpecialMeasure.witness_id == world.assigned.id, SpecialMeasure.kind == kind
            )
        )
        for kind in (MeasureKind.screens, MeasureKind.evidence_in_private)
    )
    measures.apply_for_measure(db, world.officer, screens)
    measures.decide_measure(db, world.officer, screens, granted=False, note="Not needed")
    assert screens.status is MeasureStatus.refused
    assert "Screens refused" in untold_news(db, world.assigned)[0].summary
    with pytest.raises(DomainError, match="why"):
        measures.withdraw_measure(db, world.officer, private, " ")
    measures.withdraw_measure(db, world.officer, private, "Witness prefers not")
    assert private.status is MeasureStatus.withdrawn


def test_proposing_twice_or_for_another_case_is_refused(db, world):
    hearing = _trial(db, world)
    with pytest.raises(DomainError, match="already proposed"):
        measures.propose_measure(db, world.officer, world.assigned, hearing, MeasureKind.screens)
    other = _trial(db, world, case=world.other_case)
    with pytest.raises(DomainError, match="one of the witness's cases"):
        measures.propose_measure(db, world.officer, world.assigned, other, MeasureKind.screens)
    added = measures.propose_measure(
        db, world.officer, world.assigned, hearing, MeasureKind.communication_aids
    )
    assert added.is_standard is False


def test_only_the_owning_office_handles_measures(db, world):
    _trial(db, world, case=world.other_case)
    measure = db.scalar(select(SpecialMeasure).where(SpecialMeasure.witness_id == world.shared.id))
    with pytest.raises(AccessDenied):
        measures.apply_for_measure(db, world.ngo_worker, measure)


def test_moving_a_hearing_keeps_history_flags_appointments_and_tells_witnesses(db, world):
    hearing = _trial(db, world)
    going = book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(16, 9),
            minutes=420,
            hearing_id=hearing.id,
            kind=AppointmentKind.accompaniment,
        ),
    )
    unrelated = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    flagged = move_hearing(
        db, world.supervisor, hearing, start=at(18, 10), end=at(18, 16), reason="Judge ill"
    )
    assert [a.id for a in flagged] == [going.id]
    db.refresh(going)
    db.refresh(unrelated)
    assert going.needs_reschedule and not unrelated.needs_reschedule
    assert hearing.status is HearingStatus.moved and hearing.start_dt == at(18, 10)
    (change,) = hearing.changes
    assert (change.from_start_dt, change.to_start_dt, change.reason) == (
        at(16, 10),
        at(18, 10),
        "Judge ill",
    )
    kinds = {n.kind for n in untold_news(db, world.assigned)}
    assert NewsKind.hearing_moved in kinds
    assert {n.witness_id for n in db.scalars(select(News))} >= {
        world.assigned.id,
        world.unassigned.id,
    }


def test_a_court_system_move_has_no_person_behind_it(db, world):
    hearing = _trial(db, world)
    move_hearing(db, None, hearing, start=at(19, 10), end=at(19, 15), reason="Listing office")
    assert hearing.changes[0].actor_id is None


def test_hearing_bad_input_and_final_states(db, world):
    with pytest.raises(DomainError, match="end must be after"):
        create_hearing(
            db,
            world.supervisor,
            world.case,
            type=HearingType.other,
            start=at(16, 10),
            end=at(16, 9),
        )
    with pytest.raises(DomainError, match="control characters"):
        create_hearing(
            db,
            world.supervisor,
            world.case,
            type=HearingType.other,
            start=at(16, 10),
            end=at(16, 11),
            notes="\x1b[31m",
        )
    with pytest.raises(AccessDenied):
        _trial(db, type("W", (), {"supervisor": world.ngo_worker, "case": world.case}))
    hearing = _trial(db, world)
    with pytest.raises(DomainError, match="already listed at that time"):
        move_hearing(db, world.supervisor, hearing, start=at(16, 10), end=at(16, 16), reason="x")
    with pytest.raises(DomainError, match="reason"):
        vacate_hearing(db, world.supervisor, hearing, "")
    mark_held(db, world.supervisor, hearing)
    with pytest.raises(DomainError, match="held hearing cannot be moved"):
        move_hearing(db, world.supervisor, hearing, start=at(17, 10), end=at(17, 16), reason="x")


def test_duplicate_court_listing_numbers_are_refused(db, world):
    create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.other,
        start=at(16, 10),
        end=at(16, 11),
        external_ref="L-1",
    )
    with pytest.raises(DomainError, match="already lists a hearing") as raised:
        create_hearing(
            db,
            world.supervisor,
            world.case,
            type=HearingType.other,
            start=at(17, 10),
            end=at(17, 11),
            external_ref="L-1",
        )
    assert raised.value.field == "external_ref"
