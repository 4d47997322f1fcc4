"""Factory fixtures: each returns a callable that adds a record with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import Case, CaseOffence, CaseStatus, Court, OffenceCategory
from witness.notify.models import NotificationTask
from witness.outcomes.models import EventKind, EventResult, EventSource, OutcomeEvent
from witness.people.models import (
    Assignment,
    Consent,
    ConsentKind,
    Participation,
    ParticipationRole,
    Phase,
    PhaseTransition,
    Witness,
)
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking

PASSWORD = "correct horse battery staple"
# One cheap hash for every test user: the default (scrypt) would cost a second per hundred users.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)

__all__ = [
    "PASSWORD",
    "make_case",
    "make_court",
    "make_event",
    "make_org",
    "make_task",
    "make_user",
    "make_witness",
    "office",
    "rooms",
    "share",
    "world",
]


@pytest.fixture
def make_org(db):
    def make(kind: OrganisationKind = OrganisationKind.prosecution, name: str | None = None):
        org = Organisation(name=name or f"{kind.value} {next(_seq)}", kind=kind)
        db.add(org)
        db.flush()
        return org

    return make


@pytest.fixture
def office(make_org):
    """The prosecution office most tests work in."""
    return make_org(OrganisationKind.prosecution, "Test Prosecution Office")


@pytest.fixture
def make_user(db, office):
    def make(role: Role = Role.liaison_officer, organisation: Organisation | None = None, **kw):
        n = next(_seq)
        user = User(
            email=kw.pop("email", f"{role.value}{n}@test.example"),
            name=kw.pop("name", f"{role.label} {n}"),
            password_hash=_PASSWORD_HASH,
            role=role,
            organisation=organisation or office,
            **kw,
        )
        db.add(user)
        db.flush()
        return user

    return make


@pytest.fixture
def make_court(db):
    def make(timezone: str = "Europe/London", **kw):
        n = next(_seq)
        court = Court(
            name=kw.pop("name", f"Court {n}"), address=f"{n} Court Street", timezone=timezone, **kw
        )
        db.add(court)
        db.flush()
        return court

    return make


@pytest.fixture
def make_case(db, office, make_court):
    def make(court: Court | None = None, organisation: Organisation | None = None, **kw):
        n = next(_seq)
        offences = kw.pop("offences", [OffenceCategory.trafficking_forced_labour])
        case = Case(
            organisation=organisation or office,
            court=court or make_court(),
            reference=kw.pop("reference", f"T{n:05d}"),
            title=kw.pop("title", f"R v Defendant {n}"),
            status=kw.pop("status", CaseStatus.charged),
            **kw,
        )
        case.offences = [CaseOffence(category=c) for c in offences]
        db.add(case)
        db.flush()
        return case

    return make


@pytest.fixture
def make_witness(db, office, make_user):
    """``make_witness(case=..., officer=..., phase=...)``: a witness, optionally in a case."""
    recorder = []

    def make(
        case: Case | None = None,
        officer: User | None = None,
        phase: Phase = Phase.reflection,
        organisation: Organisation | None = None,
        **kw,
    ):
        if not recorder:
            recorder.append(make_user(Role.supervisor))
        n = next(_seq)
        witness = Witness(
            organisation=organisation or office,
            reference=kw.pop("reference", f"VW-{n:05d}"),
            legal_name=kw.pop("legal_name", f"Legal Name {n}"),
            date_of_birth=kw.pop("date_of_birth", date(1990, 1, 1)),
            phone=kw.pop("phone", f"+44 7700 900{n % 1000:03d}"),
            languages=kw.pop("languages", ["English"]),
            **kw,
        )
        db.add(witness)
        db.flush()
        if case is not None:
            participation = Participation(
                witness=witness, case=case, role=ParticipationRole.victim_witness, phase=phase
            )
            db.add(participation)
            db.flush()
            db.add(
                PhaseTransition(
                    participation=participation,
                    from_phase=None,
                    to_phase=phase,
                    actor_id=recorder[0].id,
                    reason="Identified",
                )
            )
        if officer is not None:
            db.add(Assignment(witness_id=witness.id, user_id=officer.id, assigned_by_id=officer.id))
        db.flush()
        return witness

    return make


@pytest.fixture
def share(db, make_user):
    """``share(witness, org, identity=False)``: the witness consents to share with ``org``."""

    def make(witness: Witness, org: Organisation, identity: bool = False, granted: bool = True):
        db.add(
            Consent(
                witness_id=witness.id,
                kind=ConsentKind.share,
                organisation_id=org.id,
                includes_identity=identity,
                is_granted=granted,
                recorded_by_id=make_user(Role.supervisor).id,
            )
        )
        db.flush()

    return make


@pytest.fixture
def world(db, office, make_org, make_user, make_case, make_witness, share):
    """A small service: one office with every role, an NGO, and witnesses of each kind.

    - ``assigned``: assigned to ``officer``, in ``case`` (led by ``prosecutor``)
    - ``unassigned``: same office and case, assigned to nobody
    - ``shared``: assigned to ``officer2``, shares with the NGO without identity
    - ``shared_identity``: shares with the NGO including identity
    - ``foreign``: belongs to another office
    """

    class World:
        pass

    w = World()
    w.office = office
    w.ngo = make_org(OrganisationKind.ngo, "Safe Harbour")
    w.other_office = make_org(OrganisationKind.prosecution, "Other Office")
    w.admin = make_user(Role.admin)
    w.supervisor = make_user(Role.supervisor)
    w.officer = make_user(Role.liaison_officer)
    w.officer2 = make_user(Role.liaison_officer)
    w.prosecutor = make_user(Role.prosecutor)
    w.other_prosecutor = make_user(Role.prosecutor)
    w.ngo_worker = make_user(Role.ngo_worker, organisation=w.ngo)
    w.foreign_admin = make_user(Role.admin, organisation=w.other_office)
    w.case = make_case(lead_prosecutor_id=w.prosecutor.id)
    w.other_case = make_case(lead_prosecutor_id=w.other_prosecutor.id)
    w.assigned = make_witness(case=w.case, officer=w.officer)
    w.unassigned = make_witness(case=w.case)
    w.shared = make_witness(case=w.other_case, officer=w.officer2)
    share(w.shared, w.ngo)
    w.shared_identity = make_witness(case=w.other_case, officer=w.officer2)
    share(w.shared_identity, w.ngo, identity=True)
    w.foreign = make_witness(organisation=w.other_office)
    return w


@pytest.fixture
def make_event(db, make_user):
    """``make_event(case, kind=EventKind.verdict, **columns)``: an outcome event as recorded
    (straight into the table: the outcomes services are tested on their own)."""

    def make(case: Case, kind: EventKind = EventKind.verdict, **kw):
        event = OutcomeEvent(
            case_id=case.id,
            kind=kind,
            effective_date=kw.pop("effective_date", date(2026, 3, 2)),
            source=kw.pop("source", EventSource.court),
            recorded_by_id=kw.pop("recorded_by_id", None) or make_user(Role.liaison_officer).id,
            charge=kw.pop(
                "charge", "Trafficking for forced labour" if kind is EventKind.verdict else ""
            ),
            result=kw.pop("result", EventResult.guilty if kind is EventKind.verdict else None),
            **kw,
        )
        db.add(event)
        db.flush()
        return event

    return make


@pytest.fixture
def make_task(db, make_event):
    """``make_task(witness, case, event=None, due_dt=..., **columns)``: a notification task to
    tell ``witness`` of ``event`` (a verdict in ``case`` by default)."""

    def make(witness: Witness, case: Case, event: OutcomeEvent | None = None, **kw):
        task = NotificationTask(
            witness_id=witness.id,
            case_id=case.id,
            event_id=(event or make_event(case)).id,
            due_dt=kw.pop("due_dt", datetime(2026, 3, 3, 23, 59, tzinfo=UTC)),
            **kw,
        )
        db.add(task)
        db.flush()
        return task

    return make


# --- scheduling: rooms of the world's court, instants, bookings --------------------------------


@pytest.fixture
def rooms(db, world):
    """Rooms of ``world.case``'s court (Europe/London), open 08:00-18:00 Monday to Friday."""

    class Rooms:
        pass

    r = Rooms()
    court = world.case.court
    for attr, kind, name in [
        ("courtroom", ResourceKind.courtroom, "Courtroom 1"),
        ("suite", ResourceKind.video_link_suite, "Video suite A"),
        ("suite2", ResourceKind.video_link_suite, "Video suite B"),
        ("remote", ResourceKind.remote_site, "Remote site North"),
        ("waiting", ResourceKind.waiting_room, "Witness waiting room"),
    ]:
        resource = Resource(court=court, kind=kind, name=name, location=f"{name}, 1 Quiet Lane")
        db.add(resource)
        setattr(r, attr, resource)
    db.flush()
    return r


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """An instant in March 2026 given in UTC (London is on UTC until 29 March)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def booking(staff, start=None, minutes=60, **kw) -> Booking:
    start = start or at(12, 10)
    kw.setdefault("kind", AppointmentKind.pre_trial_meeting)
    if "resource_id" not in kw:
        kw.setdefault("address", "Safe house office")
    return Booking(
        start=start,
        end=start + timedelta(minutes=minutes),
        staff_ids=[u.id for u in staff],
        **kw,
    )
