"""Who must be told of an event, by when: one task per entitled victim, with a deadline in
working days of the court's jurisdiction (weekends and public holidays do not count)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.cases.models import OffenceCategory
from witness.notify.deadlines import due_by
from witness.notify.models import ContactPreference, NewsWanted, TaskStatus
from witness.notify.tasks import cancel_open_tasks, create_tasks_for_event
from witness.outcomes.models import EventKind
from witness.people.models import NeedArea, NeedsAssessment, Participation, ParticipationRole

#: Thursday 24 December 2026, 10:00 in London: Christmas, a weekend and the Boxing Day
#: substitute (Monday 28) follow
CHRISTMAS_EVE = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def london(make_court):
    return make_court("Europe/London", country="GB", subdivision="ENG")


def test_one_working_day_skips_christmas_the_weekend_and_boxing_day(london):
    # told on Thursday 24th: the 1st working day after is Tuesday 29th, due by its midnight
    assert due_by(london, CHRISTMAS_EVE, 1) == datetime(2026, 12, 30, 0, 0, tzinfo=UTC)
    # five working days: 29, 30, 31 December, (1 January a holiday), 4 and 5 January
    assert due_by(london, CHRISTMAS_EVE, 5) == datetime(2027, 1, 6, 0, 0, tzinfo=UTC)


def test_the_deadline_is_midnight_in_the_courts_own_zone_and_holidays(make_court):
    bangkok = make_court("Asia/Bangkok", country="TH")
    # learned on Wednesday 9 December; Thursday 10th is Constitution Day in Thailand, so the
    # 1st working day is Friday 11th, which ends at midnight Bangkok time (17:00 UTC)
    learned = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)
    assert due_by(bangkok, learned, 1) == datetime(2026, 12, 11, 17, 0, tzinfo=UTC)


def test_a_country_the_calendar_does_not_know_counts_weekends_only(make_court):
    nowhere = make_court("UTC", country="ZZ")
    assert due_by(nowhere, CHRISTMAS_EVE, 1) == datetime(2026, 12, 26, 0, 0, tzinfo=UTC)


def _victim_case(make_case, london, offences):
    return make_case(court=london, offences=offences)


def test_a_verdict_makes_a_task_for_each_victim_with_the_codes_deadlines(
    db, app, london, make_case, make_witness, make_event
):
    case = make_case(court=london, offences=[OffenceCategory.other])
    adult = make_witness(case=case)
    child = make_witness(case=case, date_of_birth=date(2012, 5, 1))
    intimidated = make_witness(case=case)
    db.add(
        NeedsAssessment(
            witness_id=intimidated.id,
            area=NeedArea.intimidation,
            notes="threats",
            review_date=date(2027, 1, 1),
            recorded_by_id=make_event(case).recorded_by_id,
        )
    )
    bystander = make_witness(case=case)
    db.scalars(
        select(Participation).where(Participation.witness_id == bystander.id)
    ).one().role = ParticipationRole.witness
    event = make_event(case, EventKind.verdict)
    tasks = {t.witness_id: t for t in create_tasks_for_event(db, event, learned=CHRISTMAS_EVE)}
    assert set(tasks) == {adult.id, child.id, intimidated.id}
    assert tasks[adult.id].due_dt == datetime(2027, 1, 6, 0, 0, tzinfo=UTC)
    assert not tasks[adult.id].enhanced
    for enhanced in (child, intimidated):
        assert tasks[enhanced.id].enhanced
        assert tasks[enhanced.id].due_dt == datetime(2026, 12, 30, 0, 0, tzinfo=UTC)
    audits = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "notification_task.created")
    ).all()
    assert {a.witness_id for a in audits} == set(tasks)
    # the same event again (a second post, a second click) adds nothing
    assert create_tasks_for_event(db, event, learned=CHRISTMAS_EVE) == []


def test_victims_of_trafficking_have_enhanced_rights(
    db, app, london, make_case, make_witness, make_event
):
    case = make_case(court=london)  # trafficking for forced labour
    victim = make_witness(case=case)
    (task,) = create_tasks_for_event(db, make_event(case), learned=CHRISTMAS_EVE)
    assert task.witness_id == victim.id and task.enhanced


def test_preferences_narrow_the_news_and_opting_out_is_honoured(
    db, app, london, make_case, make_witness, make_event, make_user
):
    case = make_case(court=london)
    key_only, opted_out = make_witness(case=case), make_witness(case=case)
    recorder = make_user(Role.liaison_officer)
    for witness, wanted in ((key_only, NewsWanted.key_stages), (opted_out, NewsWanted.nothing)):
        db.add(
            ContactPreference(
                witness_id=witness.id,
                news_wanted=wanted,
                channels=["post"],
                recorded_by_id=recorder.id,
            )
        )
    db.flush()
    assert create_tasks_for_event(db, make_event(case, EventKind.plea)) == []
    (task,) = create_tasks_for_event(db, make_event(case, EventKind.sentence))
    assert task.witness_id == key_only.id


def test_deadlines_are_configurable_per_kind(db, app, london, make_case, make_witness, make_event):
    case = make_case(court=london)
    make_witness(case=case)
    app.config["NOTIFY_DEADLINES"] = {"*": (1, 5), "release_date_set": (0, 2)}
    try:
        with app.app_context():
            (task,) = create_tasks_for_event(
                db, make_event(case, EventKind.release_date_set), learned=CHRISTMAS_EVE
            )
    finally:
        app.config["NOTIFY_DEADLINES"] = {"*": (1, 5)}
    # 0 working days: the day learned, a working day, ends at its midnight
    assert task.due_dt == datetime(2026, 12, 25, 0, 0, tzinfo=UTC)


def test_cancelling_an_events_open_tasks_leaves_done_ones(
    db, app, london, make_case, make_witness, make_event
):
    case = make_case(court=london)
    make_witness(case=case), make_witness(case=case)
    event = make_event(case)
    first, second = create_tasks_for_event(db, event)
    first.status = TaskStatus.done
    assert cancel_open_tasks(db, reason="The verdict was corrected.", event_id=event.id) == 1
    assert second.status is TaskStatus.cancelled
    assert second.cancelled_reason == "The verdict was corrected."
    assert first.status is TaskStatus.done


def test_the_deadline_setting_is_read_and_a_mistake_named(monkeypatch, tmp_path):
    from witness.config import ConfigError, build_config

    monkeypatch.setenv("WITNESS_NOTIFY_DEADLINES", "*=2/6, release_date_set=0/3")
    assert build_config(tmp_path)["NOTIFY_DEADLINES"] == {"*": (2, 6), "release_date_set": (0, 3)}
    for wrong in ("verdict=1", "verdict=one/5", "=1/5", "verdict=1/99"):
        monkeypatch.setenv("WITNESS_NOTIFY_DEADLINES", wrong)
        with pytest.raises(ConfigError, match="WITNESS_NOTIFY_DEADLINES"):
            build_config(tmp_path)
