"""Unusual reading: more than N witness files outside one's own work opened (or tried) within
M minutes alerts the supervisors of the reader's office, once per window, audited; files that
are the reader's own work never count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from witness.audit.jobs import seal_sweep
from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.notify.delivery import supervisors_of
from witness.notify.models import StaffAlert
from witness.people.models import Assignment

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def alerts(db, reader=None):
    db.expire_all()
    query = select(StaffAlert).where(StaffAlert.key.like("unusual-reading:%"))
    if reader is not None:
        query = query.where(StaffAlert.key.like(f"unusual-reading:{reader.id}:%"))
    return db.scalars(query).all()


def open_files(client, files, clock, step=timedelta(seconds=20)):
    for witness in files:
        clock(clock.now() + step)
        client.get(f"/witnesses/{witness.id}")


def test_the_eleventh_file_alerts_the_readers_own_supervisors_once_per_window(
    app, db, world, make_user, make_witness, share, login, frozen_clock
):
    ngo_supervisor = make_user(Role.supervisor, organisation=world.ngo)
    ngo_admin = make_user(Role.admin, organisation=world.ngo)
    files = [make_witness(officer=world.officer2) for _ in range(13)]
    for witness in files:
        share(witness, world.ngo)
    frozen_clock(START)
    client = login(world.ngo_worker)
    open_files(client, files[:10], frozen_clock)
    seal_sweep(app)
    assert alerts(db) == []  # ten is the most allowed
    open_files(client, files[10:11], frozen_clock)
    seal_sweep(app)
    made = alerts(db, world.ngo_worker)
    assert [a.user_id for a in made] == [ngo_supervisor.id]  # not the office's, nor the admin
    assert "opened or tried to open 11 witness files" in made[0].message
    assert world.ngo_worker.name in made[0].message
    assert made[0].url == f"/audit/?user_id={world.ngo_worker.id}"
    audited = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.unusual_reading")
    ).all()
    assert [(e.object_id, e.detail["files"]) for e in audited] == [(world.ngo_worker.id, 11)]
    # more reading in the same window: no second alert
    open_files(client, files[11:], frozen_clock)
    seal_sweep(app)
    assert len(alerts(db, world.ngo_worker)) == 1
    assert ngo_admin.id not in {a.user_id for a in alerts(db)}


def test_files_assigned_to_the_reader_never_count(
    app, db, world, make_user, make_witness, share, login, frozen_clock
):
    make_user(Role.supervisor, organisation=world.ngo)
    files = [make_witness(officer=world.officer2) for _ in range(12)]
    for witness in files:
        share(witness, world.ngo)
        db.add(
            Assignment(
                witness_id=witness.id, user_id=world.ngo_worker.id, assigned_by_id=world.admin.id
            )
        )
    db.flush()
    frozen_clock(START)
    open_files(login(world.ngo_worker), files, frozen_clock)
    seal_sweep(app)
    assert alerts(db) == []


def test_a_supervisor_reading_their_own_offices_files_is_their_work(
    app, db, world, make_user, make_witness, login, frozen_clock
):
    make_user(Role.supervisor)  # a colleague who would be alerted
    files = [make_witness() for _ in range(12)]
    frozen_clock(START)
    open_files(login(world.supervisor), files, frozen_clock)
    seal_sweep(app)
    assert alerts(db) == []


def test_a_prosecutor_reading_the_witnesses_of_cases_they_lead_is_their_work(
    app, db, world, make_witness, login, frozen_clock
):
    """Their own cases' witnesses never count; eleven of a colleague's case do (each refused)."""
    own = [make_witness(case=world.case) for _ in range(11)]
    colleagues = [make_witness(case=world.other_case) for _ in range(11)]
    frozen_clock(START)
    client = login(world.prosecutor)
    open_files(client, own, frozen_clock)
    seal_sweep(app)
    assert alerts(db) == []
    open_files(client, colleagues, frozen_clock)
    seal_sweep(app)
    made = alerts(db, world.prosecutor)
    assert sorted(a.user_id for a in made) == sorted(
        u.id for u in supervisors_of(db, world.office.id)
    )


def test_an_officer_trying_files_not_theirs_alerts_the_supervisors(
    app, db, world, make_witness, login, frozen_clock
):
    """Each try is refused (a 404) and still counts: a curious insider probing."""
    files = [make_witness() for _ in range(11)]
    frozen_clock(START)
    client = login(world.officer)
    open_files(client, files, frozen_clock)
    seal_sweep(app)
    made = alerts(db, world.officer)
    office = supervisors_of(db, world.office.id)
    assert world.supervisor in office
    assert sorted(a.user_id for a in made) == sorted(u.id for u in office)


def test_reading_spread_over_more_than_the_window_does_not_alert(
    app, db, world, make_witness, login, frozen_clock
):
    files = [make_witness() for _ in range(11)]
    frozen_clock(START)
    open_files(login(world.officer), files, frozen_clock, step=timedelta(minutes=2))
    seal_sweep(app)
    assert alerts(db) == []


def test_the_limit_and_window_are_settings(
    app, db, world, make_witness, login, frozen_clock, monkeypatch
):
    monkeypatch.setitem(app.config, "UNUSUAL_READING_COUNT", 2)
    files = [make_witness() for _ in range(3)]
    frozen_clock(START)
    open_files(login(world.officer), files, frozen_clock)
    seal_sweep(app)
    made = alerts(db, world.officer)
    assert len({a.key for a in made}) == 1  # one alert, to each supervisor
    assert len(made) == len(supervisors_of(db, world.office.id))


def test_reading_long_past_sealed_late_does_not_alert(
    app, db, world, make_witness, login, frozen_clock
):
    files = [make_witness() for _ in range(11)]
    frozen_clock(START)
    open_files(login(world.officer), files, frozen_clock)
    frozen_clock(START + timedelta(hours=2))  # no sealer ran meanwhile
    seal_sweep(app)
    assert alerts(db) == []
