"""The "To tell" pages: the due list (need to know, order, filters, what each row says), a
task's page, recording telling a witness in person or through their NGO, a supervisor's
cancellation, and bad query strings."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.core.time import now_utc
from witness.notify import task_queries
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    ContactPreference,
    NotificationTask,
    TaskStatus,
)
from witness.outcomes.models import EventKind
from witness.people.models import Channel, Consent, ConsentKind

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def prefer(db, world):
    """``prefer(witness, [channels], ngo=None)``: the witness's current contact preferences,
    with consent to each channel."""

    def make(witness, channels, ngo=None):
        db.add(
            ContactPreference(
                witness_id=witness.id,
                channels=channels,
                ngo_organisation_id=ngo.id if ngo else None,
                recorded_by_id=world.supervisor.id,
            )
        )
        for channel in channels:
            db.add(
                Consent(
                    witness_id=witness.id,
                    kind=ConsentKind.notify,
                    channel=Channel(channel),
                    is_granted=True,
                    recorded_by_id=world.supervisor.id,
                )
            )
        db.flush()

    return make


@pytest.fixture
def tasks(world, make_task, make_event, frozen_clock):
    """Open tasks: ``assigned``'s overdue verdict and a later sentence, ``unassigned``'s,
    ``shared``'s; plus a done one that must not be listed."""

    class T:
        pass

    t = T()
    t.overdue = make_task(world.assigned, world.case, due_dt=NOW - timedelta(days=2))
    sentence = make_event(world.case, EventKind.sentence)
    t.later = make_task(world.assigned, world.case, sentence, due_dt=NOW + timedelta(hours=3))
    t.unassigned = make_task(world.unassigned, world.case, due_dt=NOW + timedelta(days=1))
    t.shared = make_task(world.shared, world.other_case, due_dt=NOW + timedelta(days=2))
    t.done = make_task(world.assigned, world.case, make_event(world.case), status=TaskStatus.done)
    return t


def listed(response) -> list[int]:
    """Task ids on the due list, in order."""
    import re

    return [int(n) for n in re.findall(r'data-task="(\d+)"', response.get_data(as_text=True))]


def test_an_officer_sees_their_witnesses_tasks_soonest_first_overdue_marked(login, world, tasks):
    response = login(world.officer).get("/tasks")
    assert response.status_code == 200
    assert listed(response) == [tasks.overdue.id, tasks.later.id]
    page = text(response)
    assert "overdue by 2 days" in page and "in 3 hours" in page
    assert world.assigned.reference in page and world.case.reference in page
    assert world.assigned.legal_name not in page  # never the name on a list
    assert 'class="overdue"' in page
    # no preferences recorded: no channel to try
    assert "No channel left: tell in person" in page


def test_a_supervisor_sees_the_offices_tasks_and_filters_to_their_own(login, world, tasks):
    client = login(world.supervisor)
    assert listed(client.get("/tasks")) == [
        tasks.overdue.id,
        tasks.later.id,
        tasks.unassigned.id,
        tasks.shared.id,
    ]
    assert listed(client.get("/tasks?scope=office&overdue=1")) == [tasks.overdue.id]
    assert listed(client.get("/tasks?scope=mine")) == []
    assert listed(client.get("/tasks?kind=sentence")) == [tasks.later.id]


def test_an_ngo_worker_sees_only_witnesses_told_through_their_ngo(login, world, tasks, prefer):
    client = login(world.ngo_worker)
    assert listed(client.get("/tasks")) == []  # shares with them, but not told through them
    prefer(world.shared, ["phone", "via_ngo"], ngo=world.ngo)
    assert listed(client.get("/tasks")) == [tasks.shared.id]
    # another NGO named in the preferences: not theirs to tell
    prefer(world.shared_identity, ["via_ngo"], ngo=world.other_office)
    assert listed(client.get("/tasks")) == [tasks.shared.id]


def test_prosecutors_and_foreign_staff_see_no_tasks(login, world, tasks):
    assert listed(login(world.prosecutor).get("/tasks")) == []
    assert listed(login(world.foreign_admin).get("/tasks")) == []


def test_the_channel_to_try_now_follows_the_preferences_and_filters(
    login, db, world, tasks, prefer
):
    prefer(world.assigned, ["email", "phone"])
    tasks.later.channel_index = 1
    tasks.overdue.channel_index = 2  # both tried: none left
    db.flush()
    client = login(world.officer)
    page = text(client.get("/tasks"))
    assert "No channel left: tell in person" in page and "Phone" in page
    assert listed(client.get("/tasks?channel=phone")) == [tasks.later.id]
    assert listed(client.get("/tasks?channel=email")) == []
    assert listed(client.get("/tasks?channel=none")) == [tasks.overdue.id]


@pytest.mark.parametrize(
    "query",
    ["scope=everyone", "kind=coronation", "channel=pigeon", "overdue=yes", "kind=%00"],
)
def test_bad_query_strings_are_a_400_not_a_500(login, world, tasks, query):
    response = login(world.officer).get(f"/tasks?{query}")
    assert response.status_code == 400
    assert "Unknown value" in text(response) or "NUL" in text(response).upper()


def test_a_page_number_that_is_no_number_is_the_first_page(login, world, tasks):
    response = login(world.officer).get("/tasks?page=abc")
    assert response.status_code == 200
    assert listed(response) == [tasks.overdue.id, tasks.later.id]


def test_the_task_page_shows_the_event_deadline_rights_and_attempts(login, db, world, tasks):
    tasks.overdue.enhanced = True
    db.add(
        ContactAttempt(
            task_id=tasks.overdue.id,
            witness_id=world.assigned.id,
            channel="phone",
            outcome=AttemptOutcome.no_answer,
            by_id=world.officer.id,
            note="Rang twice",
        )
    )
    db.flush()
    response = login(world.officer).get(f"/tasks/{tasks.overdue.id}")
    page = text(response)
    assert response.status_code == 200
    assert "Verdict" in page and "overdue by 2 days" in page
    assert "Enhanced rights" in page and "trafficking" in page.lower()
    assert "No answer" in page and "Rang twice" in page
    assert f"/calls/{tasks.overdue.id}" in page
    viewed = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification_task.view",
            AuditEvent.object_id == tasks.overdue.id,
        )
    )
    assert viewed is not None


def test_an_officer_cannot_open_another_officers_witness_task(login, db, world, tasks):
    response = login(world.officer).get(f"/tasks/{tasks.shared.id}")
    assert response.status_code == 404
    refused = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification_task.refused",
            AuditEvent.object_id == tasks.shared.id,
        )
    )
    assert refused is not None
    assert refused.actor_id == world.officer.id
    assert refused.witness_id == world.shared.id


def test_an_officer_records_telling_the_witness_in_person(login, db, world, tasks, prefer):
    prefer(world.assigned, ["in_person"])
    client = login(world.officer)
    response = client.submit(
        f"/tasks/{tasks.overdue.id}/attempt",
        {"channel": "in_person", "outcome": "told_in_person", "note": "At the shelter"},
    )
    assert response.status_code == 302
    db.expire_all()
    assert tasks.overdue.status is TaskStatus.done
    assert tasks.overdue.done_by_id == world.officer.id
    (attempt,) = tasks.overdue.attempts
    assert (attempt.channel, attempt.outcome, attempt.note) == (
        "in_person",
        AttemptOutcome.told_in_person,
        "At the shelter",
    )
    assert tasks.overdue.id not in listed(client.get("/tasks"))


def test_telling_by_a_channel_the_witness_did_not_consent_to_is_refused(
    login, db, world, tasks, prefer
):
    prefer(world.assigned, ["post"])
    response = login(world.officer).submit(
        f"/tasks/{tasks.overdue.id}/attempt",
        {"channel": "via_ngo", "outcome": "told_via_ngo"},
    )
    assert response.status_code == 400
    assert "may not be told this way now: consent withdrawn" in text(response)
    db.expire_all()
    assert tasks.overdue.status is TaskStatus.open and tasks.overdue.attempts == []


def test_an_outcome_that_does_not_fit_the_channel_is_refused(login, db, world, tasks, prefer):
    prefer(world.assigned, ["in_person"])
    response = login(world.officer).submit(
        f"/tasks/{tasks.overdue.id}/attempt",
        {"channel": "in_person", "outcome": "told_via_ngo"},
    )
    assert response.status_code == 400
    assert "Choose what happened for this channel." in text(response)
    db.expire_all()
    assert tasks.overdue.attempts == []


def test_a_forged_outcome_is_a_400(login, db, world, tasks):
    response = login(world.officer).submit(
        f"/tasks/{tasks.overdue.id}/attempt", {"channel": "in_person", "outcome": "sent"}
    )
    assert response.status_code == 400
    db.expire_all()
    assert tasks.overdue.attempts == []


def test_only_a_supervisor_cancels_a_task_with_a_reason(login, db, world, tasks):
    refused = login(world.officer).submit(
        f"/tasks/{tasks.overdue.id}/cancel", {"reason": "Not needed"}
    )
    assert refused.status_code == 404
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification_task.change_refused",
            AuditEvent.object_id == tasks.overdue.id,
        )
    )
    client = login(world.supervisor)
    empty = client.submit(f"/tasks/{tasks.overdue.id}/cancel", {"reason": ""})
    assert empty.status_code == 400
    assert "Say why this witness need not be told." in text(empty)
    db.expire_all()
    assert tasks.overdue.status is TaskStatus.open
    done = client.submit(f"/tasks/{tasks.overdue.id}/cancel", {"reason": "Told by the police"})
    assert done.status_code == 302
    db.expire_all()
    assert tasks.overdue.status is TaskStatus.cancelled
    assert tasks.overdue.cancelled_reason == "Told by the police"
    audit = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification_task.cancelled",
            AuditEvent.object_id == tasks.overdue.id,
        )
    )
    assert audit.actor_id == world.supervisor.id


def test_a_supervisor_of_another_office_cannot_cancel(login, db, world, tasks, make_user):
    other = make_user(Role.supervisor, organisation=world.other_office)
    response = login(other).submit(f"/tasks/{tasks.overdue.id}/cancel", {"reason": "x"})
    assert response.status_code == 404
    db.expire_all()
    assert tasks.overdue.status is TaskStatus.open


def test_the_supervisors_due_list_checks_need_to_know_from_indexes_alone(db, world, make_task):
    """A supervisor's due list walks the open tasks in deadline order and keeps their office's:
    the task's witness and the witness's office come from indexes, never the wide rows (at
    national scale 6.5 ms for the count, then 1)."""
    from ..sql_plan import sqlite_plan

    for witness in (world.assigned, world.unassigned, world.shared, world.foreign):
        make_task(witness, world.case)
    query = task_queries.due_list(world.supervisor, now_utc())
    plan = sqlite_plan(db, select(func.count()).select_from(query.order_by(None).subquery()))
    assert "COVERING INDEX ix_witnesses_id_organisation" in plan, plan


def test_the_supervisors_due_list_counts_open_tasks_from_the_index_alone(db, world, make_task):
    """The open tasks' partial index says a task is open; with the status as a bound value
    SQLite read each task's row to check it again (the count at national scale: 5 ms, then 1).
    Written into the SQL, the count reads indexes only."""
    from ..sql_plan import tables_read

    first = make_task(world.assigned, world.case)
    row = {
        c.name: getattr(first, c.key) for c in NotificationTask.__table__.columns if c.name != "id"
    }
    done = [{**row, "status": "done", "reminder": f"r{n}"} for n in range(400)]
    db.execute(NotificationTask.__table__.insert(), done)  # told long ago: most tasks are done
    query = task_queries.due_list(world.supervisor, now_utc())
    count = select(func.count()).select_from(query.order_by(None).subquery())
    assert "notification_tasks" not in tables_read(db, count)
    assert db.scalar(count) == 1
