"""Fixtures for the calendar tests: a court in Europe/London with rooms, a hearing, and a
``book`` helper that goes through the real booking service (which queues the invites)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from witness.cases.models import CustodyStatus, Defendant, Hearing, HearingType
from witness.people.models import Channel, Consent, ConsentKind
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, book_appointment

LONDON = ZoneInfo("Europe/London")
#: 2026-03-29 is when London moves from GMT to BST
BEFORE_DST = datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)  # Friday, 10:00 GMT = 10:00 UTC
AFTER_DST = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)  # Monday, 10:00 BST = 09:00 UTC
DEFENDANT = "Ivan Petrovic"
NOTES = "Defendant's brother waited outside last time.\nUse the side entrance; ask for Sam."


def parse(data: bytes) -> Calendar:
    """Parse an .ics back; it must be one calendar."""
    return Calendar.from_ical(data)


def event_of(data: bytes):
    (event,) = parse(data).walk("VEVENT")
    return event


def unfolded(data: bytes) -> str:
    """The file's text with folded lines joined, for searching it as a reader would."""
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")


@pytest.fixture
def cal(db, world, frozen_clock, make_court):
    """``world`` plus rooms at the case's court, a hearing with a defendant on bail, and a
    remote witness site; ``cal.book(...)`` books through the service."""
    court = world.case.court
    court.name = "Southwark Crown Court"
    world.case.reference = "T20267788"
    world.case.defendants = [Defendant(name=DEFENDANT, custody_status=CustodyStatus.on_bail)]
    world.assigned.email = "vw.private@mail.example"
    world.assigned.legal_name = "Amina Legalname"
    world.courtroom = Resource(court=court, kind=ResourceKind.courtroom, name="Courtroom 3")
    world.suite = Resource(court=court, kind=ResourceKind.video_link_suite, name="Suite A")
    world.remote = Resource(
        court=court,
        kind=ResourceKind.remote_site,
        name="Remote site North",
        location="Unit 4, 12 Elm Street, Leeds",
    )
    db.add_all([world.courtroom, world.suite, world.remote])
    db.flush()
    world.hearing = Hearing(
        case_id=world.case.id,
        court_id=court.id,
        type=HearingType.trial_day,
        courtroom_id=world.courtroom.id,
        start_dt=datetime(2026, 3, 27, 10, 0, tzinfo=UTC),
        end_dt=datetime(2026, 3, 27, 16, 0, tzinfo=UTC),
    )
    db.add(world.hearing)
    db.flush()

    def book(
        start: datetime = BEFORE_DST,
        *,
        witness=None,
        actor=None,
        kind: AppointmentKind = AppointmentKind.accompaniment,
        staff=None,
        hours: float = 2,
        **kw,
    ):
        witness = witness or world.assigned
        if "resource_id" not in kw and "address" not in kw:
            kw["resource_id"] = world.courtroom.id
        booking = Booking(
            kind=kind,
            start=start,
            end=start + timedelta(hours=hours),
            staff_ids=[u.id for u in (staff or [world.officer])],
            **kw,
        )
        appointment = book_appointment(db, actor or world.supervisor, witness, booking)
        db.flush()
        return appointment

    def consent_email(witness=None, granted: bool = True):
        witness = witness or world.assigned
        db.add(
            Consent(
                witness_id=witness.id,
                kind=ConsentKind.notify,
                channel=Channel.email,
                is_granted=granted,
                recorded_by_id=world.supervisor.id,
            )
        )
        db.flush()

    world.book = book
    world.consent_email = consent_email
    return world
