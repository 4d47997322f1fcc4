"""The call list: open tasks whose channel now is phone, soonest first, with the safe phone and
times; a script per event kind in the witness's language with English beside it; calls logged
through ``record_attempt``; the third failed call escalates once and moves on."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.errors import AccessDenied, DomainError
from witness.notify.calls import call_list, log_call, safe_now, script
from witness.notify.delivery import current_channel
from witness.notify.models import AttemptOutcome, StaffAlert, TaskStatus
from witness.notify.preferences import record_preferences
from witness.notify.wording import Facts
from witness.outcomes.models import EventKind
from witness.people.models import Channel, ConsentKind
from witness.people.services import record_consent

PHONE_FIRST = dict(
    channels=["phone", "in_person"], phone="+44 7700 900555", safe_times="18:00-20:00"
)


@pytest.fixture
def phone_task(db, world, make_task):
    record_preferences(db, world.officer, world.assigned, **PHONE_FIRST, language="th")
    return make_task(world.assigned, world.case)


def test_the_call_list_shows_what_the_officer_needs(db, world, phone_task, make_task, frozen_clock):
    sooner = make_task(world.assigned, world.case, due_dt=datetime(2026, 3, 2, tzinfo=UTC))
    rows = call_list(db, world.officer)
    assert [r.task.id for r in rows] == [sooner.id, phone_task.id]  # soonest deadline first
    row = rows[1]
    assert row.phone == "+44 7700 900555" and row.safe_times == "18:00-20:00"
    assert row.safe_now is False  # 09:00 in London
    assert row.may_leave_message is False and row.language == "th"
    # another officer, an NGO worker, another office: nothing
    assert call_list(db, world.officer2) == []
    assert call_list(db, world.ngo_worker) == []
    assert call_list(db, world.foreign_admin) == []
    assert len(call_list(db, world.supervisor)) == 2


def test_a_withdrawn_phone_consent_takes_the_call_off_the_list(db, world, phone_task):
    record_consent(
        db, world.officer, world.assigned, ConsentKind.notify, False, channel=Channel.phone
    )
    assert call_list(db, world.officer) == []
    with pytest.raises(DomainError):
        log_call(db, world.officer, phone_task, AttemptOutcome.spoke_to_witness)


def test_safe_times_in_the_courts_zone():
    evening = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)  # 18:30 in London in March
    assert safe_now("18:00-20:00", evening, "Europe/London") is True
    assert safe_now("22:00-01:00", datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "UTC") is True
    assert safe_now("after the children sleep", evening, "UTC") is None


def test_a_script_starts_with_an_identity_check_in_both_languages(app):
    facts = Facts(kind=EventKind.released, officer="Sam", line="+44 20 7946 0000", person="Ana")
    with app.app_context():
        lines = script(EventKind.released, "th", facts)
    assert lines[0].english == "Hello. Am I speaking to Ana?"
    assert lines[0].own  # Thai once a catalogue exists; English until then
    assert "say nothing about why you are calling" in lines[1].english and not lines[1].say
    assert any("call the police" in line.english for line in lines)
    assert "Please call Sam on +44 20 7946 0000." in lines[-1].english
    words = " ".join(line.english for line in lines).lower()
    assert "trafficking" not in words and "offence" not in words


def test_speaking_to_the_witness_closes_the_task(db, world, phone_task):
    attempt = log_call(db, world.officer, phone_task, AttemptOutcome.spoke_to_witness, "Told.")
    assert phone_task.status is TaskStatus.done and attempt.by_id == world.officer.id
    assert call_list(db, world.officer) == []


def test_a_message_is_refused_unless_allowed(db, world, phone_task):
    with pytest.raises(DomainError) as refused:
        log_call(db, world.officer, phone_task, AttemptOutcome.message_left)
    assert refused.value.field == "outcome" and phone_task.attempts == []
    record_preferences(db, world.officer, world.assigned, **PHONE_FIRST, may_leave_message=True)
    log_call(db, world.officer, phone_task, AttemptOutcome.message_left)
    assert [a.outcome for a in phone_task.attempts] == [AttemptOutcome.message_left]


def test_the_third_failed_call_escalates_once_and_moves_on(db, world, phone_task, share):
    share(world.assigned, world.ngo)
    for outcome in (AttemptOutcome.no_answer, AttemptOutcome.someone_else_answered):
        log_call(db, world.officer, phone_task, outcome)
    assert phone_task.escalated_dt is None and db.scalar(select(StaffAlert.id)) is None
    log_call(db, world.officer, phone_task, AttemptOutcome.no_answer)
    assert phone_task.escalated_dt is not None
    assert current_channel(db, phone_task) is Channel.in_person
    alerted = {a.user_id for a in db.scalars(select(StaffAlert))}
    assert world.supervisor.id in alerted and world.ngo_worker.id in alerted
    assert world.officer.id not in alerted
    assert db.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "notification_task.escalated")
    )
    with pytest.raises(DomainError):  # not a call any more
        log_call(db, world.officer, phone_task, AttemptOutcome.no_answer)


def test_only_the_office_logs_calls(db, world, phone_task):
    with pytest.raises(AccessDenied):
        log_call(db, world.ngo_worker, phone_task, AttemptOutcome.spoke_to_witness)
