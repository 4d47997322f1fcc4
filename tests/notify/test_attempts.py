"""Contact attempts move a notification task: a success closes it, a returned letter or a
refused channel moves it to the next channel, and every attempt is kept and audited."""

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.errors import DomainError
from witness.notify.attempts import failed_calls, record_attempt
from witness.notify.models import AttemptOutcome, ContactAttempt, TaskStatus
from witness.people.models import Channel


@pytest.fixture
def task(world, make_task):
    return make_task(world.assigned, world.case)


def test_a_call_that_reaches_the_witness_closes_the_task(db, world, task):
    attempt = record_attempt(
        db, world.officer, task, channel=Channel.phone, outcome=AttemptOutcome.spoke_to_witness
    )
    assert task.status is TaskStatus.done
    assert task.done_by_id == world.officer.id and task.done_dt == attempt.attempted_dt
    audit = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "contact_attempt.recorded")
    ).one()
    assert audit.witness_id == world.assigned.id
    assert audit.detail["outcome"] == "spoke_to_witness"


def test_calls_that_do_not_reach_the_witness_keep_it_open_and_are_counted(db, world, task):
    for outcome in (AttemptOutcome.no_answer, AttemptOutcome.someone_else_answered):
        record_attempt(db, world.officer, task, channel=Channel.phone, outcome=outcome)
    record_attempt(db, None, task, channel=Channel.email, outcome=AttemptOutcome.failed)
    assert task.status is TaskStatus.open and task.channel_index == 0
    assert failed_calls(db, task) == 2
    assert [a.outcome for a in task.attempts] == [
        AttemptOutcome.no_answer,
        AttemptOutcome.someone_else_answered,
        AttemptOutcome.failed,
    ]


def test_a_refused_channel_moves_the_task_to_the_next_channel(db, world, task):
    record_attempt(db, None, task, channel=Channel.email, outcome=AttemptOutcome.withheld)
    assert task.status is TaskStatus.open and task.channel_index == 1


def test_a_returned_letter_reopens_the_task_on_the_next_channel(db, world, task):
    record_attempt(db, world.officer, task, channel=Channel.post, outcome=AttemptOutcome.posted)
    assert task.status is TaskStatus.done
    record_attempt(db, world.officer, task, channel=Channel.post, outcome=AttemptOutcome.returned)
    assert task.status is TaskStatus.open
    assert task.done_dt is None and task.channel_index == 1
    kept = db.scalars(select(ContactAttempt).where(ContactAttempt.task_id == task.id)).all()
    assert [a.outcome for a in kept] == [AttemptOutcome.posted, AttemptOutcome.returned]


def test_a_closed_task_takes_no_more_calls(db, world, task):
    record_attempt(
        db, world.officer, task, channel=Channel.in_person, outcome=AttemptOutcome.told_in_person
    )
    with pytest.raises(DomainError, match="no longer open"):
        record_attempt(
            db, world.officer, task, channel=Channel.phone, outcome=AttemptOutcome.no_answer
        )
    # a second success (an e-mail sent after the officer told them) is history, not a change
    record_attempt(db, None, task, channel=Channel.email, outcome=AttemptOutcome.sent)
    assert task.done_by_id == world.officer.id and len(task.attempts) == 2
