"""Reminders before a release date, a parole hearing and an appeal deadline: made on their day
in the court's calendar, once however often the sweep runs, caught up after the scheduler was
down, and moved with the date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.notify.models import NotificationTask, TaskStatus
from witness.notify.reminders import send_reminders
from witness.outcomes.models import EventKind

#: the frozen clock's start: Tuesday 10 March 2026, 09:00 UTC
RELEASE = date(2026, 6, 18)  # 100 days on


@pytest.fixture
def london(make_court):
    return make_court("Europe/London", country="GB", subdivision="ENG")


@pytest.fixture
def sentenced(db, london, make_case, make_witness, make_event, frozen_clock):
    """A case with one victim and a sentence recorded today, release expected 18 June."""
    case = make_case(court=london)
    victim = make_witness(case=case)
    event = make_event(
        case,
        EventKind.sentence,
        release_date=RELEASE,
        result=None,
        sentence_months=6,
    )
    return case, victim, event


def reminders(db, event=None) -> dict[str, NotificationTask]:
    query = select(NotificationTask).where(NotificationTask.reminder != "")
    if event is not None:
        query = query.where(NotificationTask.event_id == event.id)
    return {t.reminder: t for t in db.scalars(query.order_by(NotificationTask.id))}


def test_nothing_before_a_reminders_day(db, sentenced, frozen_clock):
    assert send_reminders(db).made == 0
    assert reminders(db) == {}


def test_the_60_day_reminder_is_made_on_its_day_once(db, sentenced, frozen_clock):
    _, victim, event = sentenced
    frozen_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))  # 60 days before 18 June
    assert send_reminders(db).made == 1
    assert send_reminders(db).made == 0  # twice: still one
    (task,) = reminders(db).values()
    assert (task.reminder, task.witness_id, task.event_id) == ("release-60", victim.id, event.id)
    # due by the end of the reminder's day in London (BST: 23:00 UTC)
    assert task.due_dt == datetime(2026, 4, 19, 23, 0, tzinfo=UTC)
    assert task.status is TaskStatus.open


def test_catch_up_after_downtime_makes_every_passed_reminder_of_a_date_still_ahead(
    db, sentenced, frozen_clock
):
    _, _, event = sentenced
    # the scheduler was down from March until 5 days before the release
    frozen_clock(datetime(2026, 6, 13, 10, 0, tzinfo=UTC))
    report = send_reminders(db)
    made = reminders(db, event)
    assert sorted(made) == ["release-30", "release-60", "release-7"]
    assert report.made == 3
    # due by the end of today, not a day already gone (which would be a breach at once)
    assert {t.due_dt for t in made.values()} == {datetime(2026, 6, 13, 23, 0, tzinfo=UTC)}
    assert send_reminders(db).made == 0


def test_a_date_already_past_gets_only_its_day_of_reminder(db, sentenced, frozen_clock):
    _, _, event = sentenced
    frozen_clock(datetime(2026, 6, 21, 10, 0, tzinfo=UTC))  # three days after the release
    send_reminders(db)
    assert sorted(reminders(db, event)) == ["release-0"]


def test_a_date_long_past_gets_nothing(db, sentenced, frozen_clock):
    frozen_clock(datetime(2026, 8, 1, 10, 0, tzinfo=UTC))
    send_reminders(db)
    assert reminders(db) == {}


def test_reminders_due_before_the_date_was_known_are_not_made(
    db, london, make_case, make_witness, make_event, frozen_clock
):
    case = make_case(court=london)
    make_witness(case=case)
    # recorded 10 March with release 20 days on: the 60 and 30 day marks were never reachable
    event = make_event(case, EventKind.release_date_set, release_date=date(2026, 3, 30))
    send_reminders(db)
    assert reminders(db, event) == {}
    frozen_clock(datetime(2026, 3, 23, 10, 0, tzinfo=UTC))
    send_reminders(db)
    assert sorted(reminders(db, event)) == ["release-7"]


def test_a_moved_release_date_cancels_the_old_reminders_and_makes_the_new(
    db, sentenced, make_event, frozen_clock
):
    case, victim, old = sentenced
    frozen_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))
    send_reminders(db)
    (old_task,) = reminders(db, old).values()
    # the prison moves the release to 1 June (recorded on 20 April)
    frozen_clock(datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
    new = make_event(
        case, EventKind.release_date_set, release_date=date(2026, 6, 1), source_system=None
    )
    report = send_reminders(db)
    db.refresh(old_task)
    assert old_task.status is TaskStatus.cancelled
    assert "date changed" in old_task.cancelled_reason
    assert report.cancelled == 1
    assert reminders(db, new) == {}  # 60 days before 1 June was 2 April: before it was known
    frozen_clock(datetime(2026, 5, 2, 9, 0, tzinfo=UTC))  # 30 days before 1 June
    send_reminders(db)
    assert sorted(reminders(db, new)) == ["release-30"]
    assert sorted(reminders(db, old)) == ["release-60"]  # cancelled, kept as history
    audit = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification_task.cancelled",
            AuditEvent.object_id == old_task.id,
        )
    )
    assert audit is not None and audit.witness_id == victim.id


def test_a_correction_cancels_the_superseded_events_reminders(
    db, sentenced, make_event, frozen_clock
):
    case, _, old = sentenced
    frozen_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))
    send_reminders(db)
    correction = make_event(
        case,
        EventKind.sentence,
        release_date=date(2026, 6, 25),
        supersedes_id=old.id,
        correction_reason="Typo in the release date",
    )
    send_reminders(db)
    assert reminders(db, old)["release-60"].status is TaskStatus.cancelled
    assert reminders(db, correction) == {}


def test_a_release_ends_the_reminders(db, sentenced, make_event, frozen_clock):
    case, _, old = sentenced
    frozen_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))
    send_reminders(db)
    make_event(case, EventKind.released, effective_date=date(2026, 4, 19))
    send_reminders(db)
    assert reminders(db, old)["release-60"].status is TaskStatus.cancelled


def test_parole_hearing_and_appeal_deadline_reminders(
    db, london, make_case, make_witness, make_event, frozen_clock
):
    case = make_case(court=london)
    make_witness(case=case)
    parole = make_event(case, EventKind.parole_hearing, hearing_date=date(2026, 4, 1))
    appeal = make_event(
        case,
        EventKind.appeal_lodged,
        deadline_date=date(2026, 3, 20),
        hearing_date=date(2026, 5, 4),
    )
    frozen_clock(datetime(2026, 3, 19, 9, 0, tzinfo=UTC))
    send_reminders(db)
    assert sorted(reminders(db, parole)) == ["parole-14"]
    assert sorted(reminders(db, appeal)) == ["appeal-deadline-1", "appeal-deadline-7"]
    frozen_clock(datetime(2026, 3, 31, 9, 0, tzinfo=UTC))
    send_reminders(db)
    assert sorted(reminders(db, parole)) == ["parole-1", "parole-14"]
    frozen_clock(datetime(2026, 4, 27, 9, 0, tzinfo=UTC))
    send_reminders(db)
    assert "appeal-hearing-7" in reminders(db, appeal)


def test_days_before_count_in_the_courts_timezone(
    db, make_court, make_case, make_witness, make_event, frozen_clock
):
    bangkok = make_court("Asia/Bangkok", country="TH")
    case = make_case(court=bangkok)
    make_witness(case=case)
    event = make_event(case, EventKind.release_date_set, release_date=date(2026, 4, 20))
    # 30 days before 20 April is 21 March, which begins at 17:00 UTC on the 20th in Bangkok
    frozen_clock(datetime(2026, 3, 20, 16, 0, tzinfo=UTC))  # 23:00 on the 20th in Bangkok
    send_reminders(db)
    assert reminders(db, event) == {}
    frozen_clock(datetime(2026, 3, 20, 17, 30, tzinfo=UTC))  # 00:30 on the 21st in Bangkok
    send_reminders(db)
    (task,) = reminders(db, event).values()
    assert task.reminder == "release-30"
    assert task.due_dt == datetime(2026, 3, 21, 17, 0, tzinfo=UTC)  # midnight in Bangkok


def test_an_opted_out_witness_gets_no_reminder(db, sentenced, frozen_clock, make_user):
    from witness.notify.models import ContactPreference, NewsWanted

    _, victim, event = sentenced
    db.add(
        ContactPreference(
            witness_id=victim.id,
            news_wanted=NewsWanted.nothing,
            channels=[],
            recorded_by_id=make_user().id,
        )
    )
    db.flush()
    frozen_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))
    send_reminders(db)
    assert reminders(db, event) == {}


def test_the_command_runs_the_sweep(runner, db, sentenced, frozen_clock):
    frozen_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Made 1 reminder task(s)" in result.output
    db.expire_all()
    assert sorted(reminders(db)) == ["release-60"]


def test_reminder_days_are_configurable(monkeypatch, tmp_path):
    from witness.config import build_config

    monkeypatch.setenv("WITNESS_RELEASE_REMINDER_DAYS", "7, 90,0")
    monkeypatch.setenv("WITNESS_PAROLE_REMINDER_DAYS", "")
    config = build_config(tmp_path)
    assert config["RELEASE_REMINDER_DAYS"] == (90, 7, 0)
    assert config["PAROLE_REMINDER_DAYS"] == ()
    assert config["APPEAL_REMINDER_DAYS"] == (7, 1)


@pytest.mark.parametrize("value", ["60,thirty", "-1", "1.5", "99999"])
def test_bad_reminder_days_stop_start_up(monkeypatch, tmp_path, value):
    from witness.config import ConfigError, build_config

    monkeypatch.setenv("WITNESS_RELEASE_REMINDER_DAYS", value)
    with pytest.raises(ConfigError, match="WITNESS_RELEASE_REMINDER_DAYS"):
        build_config(tmp_path)


def test_configured_days_are_used(app, db, sentenced, frozen_clock, monkeypatch):
    monkeypatch.setitem(app.config, "RELEASE_REMINDER_DAYS", (45,))
    frozen_clock(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))  # 45 days before 18 June
    with app.app_context():
        send_reminders(db)
    assert sorted(reminders(db)) == ["release-45"]
