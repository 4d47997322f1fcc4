"""No double booking under concurrent requests: parallel bookings of one officer at one time,
each in its own connection and transaction, committed for real, end with exactly one booked and
every other told of the clash, on SQLite as on PostgreSQL.

The rest of the suite rolls back inside one connection, which cannot show a race; so this test
runs on a database of its own: a sibling ``<name>_concurrency`` database on PostgreSQL (dropped
and recreated), or a fresh SQLite file.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import Case, Court
from witness.core import time as clock
from witness.db import Database
from witness.migrate import upgrade
from witness.people.models import (
    Assignment,
    Participation,
    ParticipationRole,
    Phase,
    Witness,
)
from witness.scheduling.conflicts import BookingConflict
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from witness.scheduling.services import Booking, book_appointment

PARALLEL = 8


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    suite_url = os.environ.get("WITNESS_TEST_DATABASE_URL")
    if not suite_url:
        url = f"sqlite:///{tmp_path_factory.mktemp('race') / 'race.sqlite3'}"
    else:
        base = make_url(suite_url)
        name = f"{base.database}_concurrency"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    database = Database(url)
    yield database
    database.engine.dispose()


@pytest.fixture(scope="module")
def office_with_witnesses(own_database):
    """One officer and PARALLEL witnesses of one case assigned to them, committed (once: each
    test books on a day of its own)."""
    clock.set_clock(lambda: datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    with own_database.sessionmaker() as session:
        office = Organisation(name="Race Office", kind=OrganisationKind.prosecution)
        officer = User(
            email="race.officer@test.example",
            name="Race Officer",
            password_hash="x",
            role=Role.liaison_officer,
            organisation=office,
        )
        court = Court(name="Race Court", address="1 Race Street", timezone="Europe/London")
        case = Case(organisation=office, court=court, reference="RACE1", title="R v Race")
        witnesses = [
            Witness(organisation=office, reference=f"RACE-{n}", legal_name=f"Name {n}")
            for n in range(PARALLEL)
        ]
        session.add_all([office, officer, court, case, *witnesses])
        session.flush()
        session.add_all(
            Assignment(witness_id=w.id, user_id=officer.id, assigned_by_id=officer.id)
            for w in witnesses
        )
        session.add_all(
            Participation(
                witness_id=w.id,
                case_id=case.id,
                role=ParticipationRole.victim_witness,
                phase=Phase.pre_trial,
            )
            for w in witnesses
        )
        session.commit()
        ids = officer.id, [w.id for w in witnesses]
    yield ids
    clock.set_clock(lambda: datetime.now(UTC))


def test_parallel_bookings_of_one_officer_end_with_exactly_one(own_database, office_with_witnesses):
    officer_id, witness_ids = office_with_witnesses
    start = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(witness_id: int) -> None:
        with own_database.sessionmaker() as session:
            officer = session.get(User, officer_id)
            witness = session.get(Witness, witness_id)
            request = Booking(
                kind=AppointmentKind.pre_trial_meeting,
                start=start,
                end=start + timedelta(hours=1),
                staff_ids=[officer_id],
                address="Office",
            )
            # End the reading transaction before waiting: on SQLite it holds the write lock
            # (taken at BEGIN), which would keep every other thread from reaching the barrier.
            session.commit()
            barrier.wait()  # every thread has read its rows; now all book at once
            try:
                book_appointment(session, officer, witness, request)
                session.commit()
                result = "booked"
            except BookingConflict:
                session.rollback()
                result = "clash"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(wid,)) for wid in witness_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == PARALLEL
    assert outcomes.count("booked") == 1
    # Every other request waits (PostgreSQL: the advisory locks; SQLite: the write lock each
    # transaction takes at BEGIN), then sees the booking made and is told of the clash.
    assert outcomes.count("clash") == PARALLEL - 1
    with own_database.sessionmaker() as session:
        active = session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.status == AppointmentStatus.scheduled, Appointment.start_dt == start
            )
        )
    assert active == 1


def test_parallel_group_bookings_of_one_officer_end_with_exactly_one_group(
    own_database, office_with_witnesses
):
    """Pairs of witnesses booked at once, each pair in one booking with the same officer: the
    booking's own officer is no clash, but the other bookings are, even when all race."""
    officer_id, witness_ids = office_with_witnesses
    pairs = [witness_ids[i : i + 2] for i in range(0, PARALLEL, 2)]
    start = datetime(2026, 3, 13, 10, 0, tzinfo=UTC)
    barrier = threading.Barrier(len(pairs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(pair: list[int]) -> None:
        with own_database.sessionmaker() as session:
            officer = session.get(User, officer_id)
            witness = session.get(Witness, pair[0])
            request = Booking(
                kind=AppointmentKind.accompaniment,
                start=start,
                end=start + timedelta(hours=6),
                staff_ids=[officer_id],
                address="Race Court, 1 Race Street",
                other_witness_ids=pair[1:],
            )
            session.commit()
            barrier.wait()
            try:
                book_appointment(session, officer, witness, request)
                session.commit()
                result = "booked"
            except BookingConflict:
                session.rollback()
                result = "clash"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(pair,)) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked"] + ["clash"] * (len(pairs) - 1)
    with own_database.sessionmaker() as session:
        booked = session.execute(
            select(Appointment.group_id, Appointment.witness_id).where(
                Appointment.status == AppointmentStatus.scheduled,
                Appointment.start_dt == start,
            )
        ).all()
    assert len(booked) == 2 and len({group for group, _ in booked}) == 1
