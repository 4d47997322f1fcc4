"""Breaches: a task open past its deadline alerts the witness's officer and the office's
supervisors once — on the dashboard and by a discreet e-mail that reaches a real SMTP server —
even when two sweeps run at the same moment."""

from __future__ import annotations

import html
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from witness.audit.models import AuditEvent
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import Case, CaseOffence, CaseStatus, Court, OffenceCategory
from witness.db import make_engine
from witness.notify.breaches import SUBJECT, alert_breaches
from witness.notify.models import (
    NotificationTask,
    OutboundEmail,
    StaffAlert,
    TaskStatus,
)
from witness.outcomes.models import EventKind, EventSource, OutcomeEvent
from witness.people.models import Assignment, Participation, ParticipationRole, Witness

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def supervisors_of(db, org) -> set[int]:
    return set(
        db.scalars(
            select(User.id).where(User.role == Role.supervisor, User.organisation_id == org.id)
        )
    )


@pytest.fixture
def breached(world, make_task, frozen_clock):
    """``assigned``'s verdict task, due an hour ago."""
    return make_task(world.assigned, world.case, due_dt=NOW - timedelta(hours=1))


def test_a_breach_alerts_the_officer_and_the_supervisors_once(db, world, breached):
    report = alert_breaches(db, NOW)
    alerts = db.scalars(select(StaffAlert).order_by(StaffAlert.user_id)).all()
    expected = {world.officer.id} | supervisors_of(db, world.office)
    assert {a.user_id for a in alerts} == expected
    assert world.officer2.id not in expected and world.admin.id not in expected
    message = (
        f"Deadline passed: tell {world.assigned.reference} of the verdict in {world.case.reference}"
    )
    assert {a.message for a in alerts} == {message}
    assert {a.url for a in alerts} == {f"/tasks/{breached.id}"}
    assert {a.key for a in alerts} == {f"breach:task:{breached.id}"}
    assert world.assigned.legal_name not in message
    db.refresh(breached)
    assert breached.breach_alerted_dt == NOW
    assert (report.tasks, report.alerts, report.emails) == (1, len(expected), len(expected))
    # again, and later: nothing more
    assert alert_breaches(db, NOW + timedelta(hours=1)).tasks == 0
    assert db.scalar(select(func.count(StaffAlert.id))) == len(expected)
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification_task.breach_alerted",
            AuditEvent.object_id == breached.id,
        )
    )


def test_tasks_in_time_done_or_cancelled_alert_nobody(db, world, make_task):
    make_task(world.assigned, world.case, due_dt=NOW + timedelta(minutes=1))
    make_task(world.assigned, world.case, due_dt=NOW - timedelta(days=1), status=TaskStatus.done)
    make_task(
        world.assigned, world.case, due_dt=NOW - timedelta(days=1), status=TaskStatus.cancelled
    )
    assert alert_breaches(db, NOW).tasks == 0
    assert db.scalar(select(func.count(StaffAlert.id))) == 0


def test_a_disabled_officer_is_not_alerted(db, world, breached):
    world.officer.is_enabled = False
    db.flush()
    alert_breaches(db, NOW)
    users = set(db.scalars(select(StaffAlert.user_id)))
    assert world.officer.id not in users and users == supervisors_of(db, world.office)


def test_the_alerts_email_arrives_discreetly(db, world, breached, smtp_server, send):
    alert_breaches(db, NOW)
    report = send(smtp_server.config())
    assert report.sent == len({world.officer.id} | supervisors_of(db, world.office))
    to_officer = [m for m in smtp_server.messages if m["To"] == world.officer.email]
    (message,) = to_officer
    assert message["Subject"] == SUBJECT
    for word in ("witness", "court", "trafficking", "verdict", "prosecut", "offence"):
        assert word not in message["Subject"].lower()
    body = message.get_content()
    assert world.assigned.reference in body and f"/tasks/{breached.id}" in body
    assert world.assigned.legal_name not in body
    # the staff e-mail carries no task: the channels' sweep must not count it as telling
    assert db.scalars(select(OutboundEmail.task_id)).all() == [None] * report.sent


def test_the_dashboard_shows_unseen_alerts_with_a_count_and_seen_hides_them(
    login, db, world, breached
):
    alert_breaches(db, NOW)
    client = login(world.officer)
    page = text(client.get("/"))
    assert "Deadline passed: tell" in page and f'href="/tasks/{breached.id}"' in page
    assert 'id="alert-count" aria-label="1 unseen alerts">1<' in page
    (alert,) = db.scalars(select(StaffAlert).where(StaffAlert.user_id == world.officer.id))
    response = client.submit(f"/alerts/{alert.id}/seen")
    assert response.status_code == 302
    db.refresh(alert)
    assert alert.seen_dt is not None
    page = text(client.get("/"))
    assert "Deadline passed" not in page and 'id="alert-count"' not in page


def test_nobody_marks_anothers_alert_seen(login, db, world, breached):
    alert_breaches(db, NOW)
    (alert,) = db.scalars(select(StaffAlert).where(StaffAlert.user_id == world.officer.id))
    response = login(world.officer2).submit(f"/alerts/{alert.id}/seen")
    assert response.status_code == 404
    db.refresh(alert)
    assert alert.seen_dt is None
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "staff_alert.refused",
            AuditEvent.object_id == alert.id,
            AuditEvent.actor_id == world.officer2.id,
        )
    )


# --- two sweeps at once (committed data on an engine of its own) ------------------------------


@pytest.fixture
def committed_breach(app, database_url):
    """An office with an officer, two supervisors, a witness and an overdue task, committed;
    removed afterwards."""
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as s:
        org = Organisation(name="Concurrent Breach Office", kind=OrganisationKind.prosecution)
        s.add(org)
        s.flush()
        users = [
            User(
                email=f"breach-{role.value}-{n}@test.example",
                name=f"{role.label} {n}",
                password_hash="x",
                role=role,
                organisation_id=org.id,
            )
            for n, role in enumerate([Role.liaison_officer, Role.supervisor, Role.supervisor])
        ]
        court = Court(name="Concurrent Court", address="1 Street", timezone="Europe/London")
        s.add_all([*users, court])
        s.flush()
        case = Case(
            organisation_id=org.id,
            court_id=court.id,
            reference="TCONC1",
            title="R v Someone",
            status=CaseStatus.charged,
        )
        case.offences = [CaseOffence(category=OffenceCategory.other)]
        witness = Witness(
            organisation_id=org.id, reference="VW-CONC1", legal_name="Someone", languages=[]
        )
        s.add_all([case, witness])
        s.flush()
        s.add(
            Participation(
                witness_id=witness.id, case_id=case.id, role=ParticipationRole.victim_witness
            )
        )
        s.add(Assignment(witness_id=witness.id, user_id=users[0].id, assigned_by_id=users[0].id))
        event = OutcomeEvent(
            case_id=case.id,
            kind=EventKind.verdict,
            effective_date=NOW.date(),
            source=EventSource.court,
            recorded_by_id=users[0].id,
        )
        s.add(event)
        s.flush()
        task = NotificationTask(
            witness_id=witness.id,
            case_id=case.id,
            event_id=event.id,
            due_dt=NOW - timedelta(hours=1),
        )
        s.add(task)
        s.commit()
    ids = dict(org=org.id, users=[u.id for u in users], task=task.id, witness=witness.id)
    try:
        yield factory, ids
    finally:
        with engine.begin() as conn:
            user_ids = ids["users"]
            conn.execute(delete(StaffAlert).where(StaffAlert.user_id.in_(user_ids)))
            conn.execute(delete(OutboundEmail).where(OutboundEmail.organisation_id == org.id))
            conn.execute(delete(NotificationTask).where(NotificationTask.id == task.id))
            conn.execute(delete(OutcomeEvent).where(OutcomeEvent.case_id == case.id))
            conn.execute(delete(Assignment).where(Assignment.witness_id == witness.id))
            conn.execute(delete(Participation).where(Participation.witness_id == witness.id))
            conn.execute(delete(CaseOffence).where(CaseOffence.case_id == case.id))
            conn.execute(delete(Case).where(Case.id == case.id))
            conn.execute(delete(Witness).where(Witness.id == witness.id))
            conn.execute(delete(Court).where(Court.id == court.id))
            conn.execute(delete(User).where(User.id.in_(user_ids)))
            conn.execute(delete(Organisation).where(Organisation.id == org.id))
        engine.dispose()


@pytest.mark.slow
def test_two_sweeps_at_once_alert_once(committed_breach, monkeypatch):
    factory, ids = committed_breach
    # The audit log is append-only: rows committed here could not be removed afterwards, and
    # SQLite reuses the ids of the rows the fixture deletes, so they would be read as other
    # tests' history. The alerts and e-mails themselves are the evidence of "once".
    monkeypatch.setattr("witness.notify.breaches.record_event", lambda *a, **kw: None)
    barrier = threading.Barrier(2)
    reports = {}
    problems: list[BaseException] = []

    def sweep(name: str) -> None:
        try:
            with factory() as session:
                barrier.wait()
                reports[name] = alert_breaches(session, NOW)
                session.commit()
        except BaseException as exc:  # reported below, not lost in the thread
            problems.append(exc)

    threads = [threading.Thread(target=sweep, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert problems == []
    assert sorted(r.tasks for r in reports.values()) == [0, 1]
    with factory() as session:
        alerts = session.scalars(
            select(StaffAlert.user_id).where(StaffAlert.key == f"breach:task:{ids['task']}")
        ).all()
        mails = session.scalars(
            select(OutboundEmail.user_id).where(OutboundEmail.organisation_id == ids["org"])
        ).all()
        task = session.get(NotificationTask, ids["task"])
        assert sorted(alerts) == sorted(ids["users"])  # the officer and both supervisors, once
        assert sorted(mails) == sorted(ids["users"])
        assert task.breach_alerted_dt is not None


def test_the_sweep_commits_alerts_in_its_own_session(app, db, world, breached, frozen_clock):
    from witness.notify.breaches import breach_sweep

    report = breach_sweep(app)
    assert report.tasks == 1
    db.expire_all()
    assert db.get(NotificationTask, breached.id).breach_alerted_dt == NOW
    assert breach_sweep(app).tasks == 0
