"""Booking services: the double-booking rule, buffers, rooms, people allowed, bad input."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.cases.models import CustodyStatus, Defendant, HearingType
from witness.core import access
from witness.core.errors import AccessDenied, DomainError
from witness.hearings.services import create_hearing
from witness.rooms.models import ResourceWithdrawal
from witness.scheduling import safety, services
from witness.scheduling.conflicts import BookingConflict
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
    Interpreter,
)
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _count(db) -> int:
    return db.scalar(select(func.count(Appointment.id)))


def test_booking_takes_slots_for_people_with_travel_and_room_without(db, world, rooms):
    appointment = book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            travel_minutes=30,
            resource_id=rooms.suite.id,
            kind=AppointmentKind.video_link,
        ),
    )
    slots = {
        s.subject: (s.blocked_start_dt, s.blocked_end_dt)
        for s in db.scalars(
            select(AppointmentSlot).where(AppointmentSlot.appointment_id == appointment.id)
        )
    }
    assert slots == {
        f"witness:{world.assigned.id}": (at(12, 9, 30), at(12, 11, 30)),
        f"user:{world.officer.id}": (at(12, 9, 30), at(12, 11, 30)),
        f"resource:{rooms.suite.id}": (at(12, 10), at(12, 11)),
    }
    assert appointment.status is AppointmentStatus.scheduled
    # a bare UUID: no host, domain or product in it (RFC 7986 5.3)
    assert appointment.ical_sequence == 0 and str(uuid.UUID(appointment.ical_uid)) == (
        appointment.ical_uid
    )


@pytest.mark.parametrize("offset_minutes", [-59, 0, 30, 59])
def test_an_officer_cannot_be_in_two_places(db, world, rooms, offset_minutes):
    book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    other = booking([world.officer], start=at(12, 10) + timedelta(minutes=offset_minutes))
    before = _count(db)
    with pytest.raises(BookingConflict) as raised:
        book_appointment(db, world.officer, world.unassigned, other)
    assert _count(db) == before
    (clash,) = raised.value.clashes
    assert clash.who == world.officer.name
    assert world.officer.name in raised.value.message
    assert "10:00" in raised.value.message  # London is on GMT: 10:00 UTC is 10:00 local


def test_back_to_back_is_fine_but_travel_buffers_count(db, world, rooms):
    book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    book_appointment(
        db, world.officer, world.unassigned, booking([world.officer], start=at(12, 11))
    )
    with pytest.raises(BookingConflict) as raised:
        book_appointment(
            db,
            world.officer,
            world.unassigned,
            booking([world.officer], start=at(12, 12, 15), travel_minutes=30),
        )
    assert {c.who for c in raised.value.clashes} == {
        world.officer.name,
        f"Witness {world.unassigned.reference}",
    }


def test_the_witness_and_the_room_and_the_interpreter_are_checked_too(db, world, rooms):
    interpreter = Interpreter(
        organisation_id=world.office.id, name="I. Tolmach", languages=["Thai"]
    )
    db.add(interpreter)
    db.flush()
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            resource_id=rooms.suite.id,
            interpreter_id=interpreter.id,
            kind=AppointmentKind.video_link,
        ),
    )
    # same witness, other officer
    with pytest.raises(BookingConflict) as raised:
        book_appointment(db, world.supervisor, world.assigned, booking([world.officer2]))
    assert raised.value.clashes[0].who == f"Witness {world.assigned.reference}"
    # same room
    with pytest.raises(BookingConflict) as raised:
        book_appointment(
            db,
            world.officer,
            world.unassigned,
            booking([world.officer2], resource_id=rooms.suite.id, kind=AppointmentKind.video_link),
        )
    assert raised.value.clashes[0].who == "Video suite A"
    # same interpreter
    with pytest.raises(BookingConflict) as raised:
        book_appointment(
            db,
            world.officer,
            world.unassigned,
            booking([world.officer2], interpreter_id=interpreter.id),
        )
    assert raised.value.clashes[0].who == "Interpreter I. Tolmach"


def test_a_clash_offers_the_next_free_slots(db, world, rooms):
    book_appointment(db, world.officer, world.assigned, booking([world.officer], minutes=90))
    with pytest.raises(BookingConflict) as raised:
        book_appointment(db, world.officer, world.unassigned, booking([world.officer]))
    assert raised.value.suggestions[:3] == [at(12, 11, 30), at(12, 12), at(12, 12, 30)]
    # the first suggestion is really free
    book_appointment(
        db,
        world.officer,
        world.unassigned,
        booking([world.officer], start=raised.value.suggestions[0]),
    )


def test_suggestions_respect_opening_hours(db, world, rooms, app, monkeypatch):
    # court hours wider than the room's, so the room's own hours are what stops the search
    monkeypatch.setitem(app.config, "COURT_HOURS", (time(7, 0), time(20, 0)))
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(12, 16),
            minutes=120,
            resource_id=rooms.suite.id,
            kind=AppointmentKind.video_link,
        ),
    )
    with app.app_context(), pytest.raises(BookingConflict) as raised:
        book_appointment(
            db,
            world.officer,
            world.unassigned,
            booking(
                [world.officer2],
                start=at(12, 16),
                resource_id=rooms.suite.id,
                kind=AppointmentKind.video_link,
            ),
        )
    # the suite closes at 18:00 and 13 March is a Friday: the next free hour is Friday 08:00
    assert raised.value.suggestions[0] == at(13, 8)


def test_cancelled_appointments_free_their_time(db, world, rooms):
    first = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    services.cancel_appointment(db, world.officer, first, "Witness unwell")
    assert first.status is AppointmentStatus.cancelled and first.ical_sequence == 1
    book_appointment(db, world.officer, world.unassigned, booking([world.officer]))


def test_reschedule_excludes_itself_and_raises_the_sequence(db, world, rooms):
    appointment = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    uid = appointment.ical_uid
    moved = booking([world.officer, world.officer2], start=at(12, 10, 30))
    services.reschedule_appointment(db, world.officer, appointment, moved, "Later bus")
    assert (appointment.start_dt, appointment.ical_sequence, appointment.ical_uid) == (
        at(12, 10, 30),
        1,
        uid,
    )
    assert {u.id for u in appointment.staff} == {world.officer.id, world.officer2.id}
    subjects = set(
        db.scalars(
            select(AppointmentSlot.subject).where(AppointmentSlot.appointment_id == appointment.id)
        )
    )
    assert f"user:{world.officer2.id}" in subjects


def test_rescheduling_needs_a_reason_and_an_active_appointment(db, world, rooms):
    appointment = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    with pytest.raises(DomainError, match="reason"):
        services.reschedule_appointment(
            db, world.officer, appointment, booking([world.officer]), " "
        )
    services.cancel_appointment(db, world.officer, appointment, "No longer needed")
    with pytest.raises(DomainError, match="cancelled"):
        services.reschedule_appointment(
            db, world.officer, appointment, booking([world.officer]), "again"
        )


def test_confirm_and_complete(db, world, rooms, frozen_clock):
    appointment = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    services.confirm_appointment(db, world.officer, appointment)
    assert appointment.status is AppointmentStatus.confirmed
    with pytest.raises(DomainError, match="not started"):
        services.complete_appointment(db, world.officer, appointment)
    frozen_clock(at(12, 11, 5))
    services.complete_appointment(db, world.officer, appointment, "Went well")
    assert appointment.status is AppointmentStatus.completed


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"minutes": -30}, "end", "end must be after the start"),
        ({"minutes": 13 * 60}, "end", "at most 12 hours"),
        ({"start": at(9, 10)}, "start", "in the past"),
        ({"travel_minutes": -5}, "travel_minutes", "travel time"),
        ({"notes": "bad\x07bell"}, "notes", "control characters"),
        ({"address": "line one\nline two"}, "address", "one line"),
        ({"address": ""}, "address", "room or give an address"),
        ({"resource_id": 999999}, "resource_id", "resource that exists"),
        ({"kind": AppointmentKind.video_link}, "resource_id", "video-link suite"),
        ({"hearing_id": 999999}, "hearing_id", "hearing of one of"),
    ],
)
def test_bad_bookings_are_refused_with_a_clear_message(db, world, rooms, change, field, message):
    kw = dict(change)
    minutes = kw.pop("minutes", 60)
    start = kw.pop("start", None)
    before = _count(db)
    with pytest.raises(DomainError) as raised:
        book_appointment(
            db, world.officer, world.assigned, booking([world.officer], start, minutes, **kw)
        )
    assert raised.value.field == field
    assert message in raised.value.message
    assert _count(db) == before


def test_withdrawn_inactive_and_closed_rooms_are_refused(db, world, rooms):
    db.add(
        ResourceWithdrawal(
            resource_id=rooms.suite.id,
            start_dt=at(12, 0),
            end_dt=at(13, 0),
            reason="Camera repair",
            recorded_by_id=world.supervisor.id,
        )
    )
    rooms.suite2.is_active = False
    db.flush()
    video = {"kind": AppointmentKind.video_link}
    cases = [
        (booking([world.officer], resource_id=rooms.suite.id, **video), "withdrawn from use"),
        (booking([world.officer], resource_id=rooms.suite2.id, **video), "no longer in use"),
        (
            booking([world.officer], start=at(14, 10), resource_id=rooms.remote.id, **video),
            "closed on Saturdays",
        ),
        (
            booking([world.officer], start=at(12, 17, 30), resource_id=rooms.remote.id, **video),
            "open from 08:00 to 18:00",
        ),
    ]
    for request, message in cases:
        with pytest.raises(DomainError, match=message) as raised:
            book_appointment(db, world.officer, world.assigned, request)
        assert raised.value.field == "resource_id"


def test_staff_from_an_organisation_the_witness_does_not_share_with_are_refused(db, world, rooms):
    with pytest.raises(DomainError, match="has not consented") as raised:
        book_appointment(
            db, world.officer, world.assigned, booking([world.officer, world.ngo_worker])
        )
    assert raised.value.field == "staff_ids"
    # the shared witness may have the NGO worker along
    appointment = book_appointment(
        db, world.officer2, world.shared, booking([world.officer2, world.ngo_worker])
    )
    assert {u.id for u in appointment.staff} == {world.officer2.id, world.ngo_worker.id}


def test_only_the_witness_office_books(db, world, rooms):
    with pytest.raises(AccessDenied):
        book_appointment(db, world.ngo_worker, world.shared, booking([world.ngo_worker]))
    with pytest.raises(AccessDenied):
        book_appointment(db, world.foreign_admin, world.assigned, booking([world.foreign_admin]))


def test_staff_attending_see_it_others_get_an_audited_not_found(db, world, rooms):
    appointment = book_appointment(
        db, world.officer2, world.shared, booking([world.officer2, world.ngo_worker])
    )
    assert access.get_appointment(db, world.ngo_worker, appointment.id) is appointment
    with pytest.raises(Exception, match="No such appointment"):
        access.get_appointment(db, world.officer, appointment.id)
    refused = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "appointment.refused", AuditEvent.actor_id == world.officer.id
        )
    )
    assert refused.object_id == appointment.id


def test_waiting_room_warning_when_a_defendant_on_bail_attends(db, world, rooms):
    db.add(Defendant(case=world.case, name="A. Bailed", custody_status=CustodyStatus.on_bail))
    db.flush()
    hearing = create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.trial_day,
        start=at(16, 10),
        end=at(16, 16),
    )
    going = book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(16, 9),
            minutes=8 * 60,
            hearing_id=hearing.id,
            kind=AppointmentKind.accompaniment,
        ),
    )
    assert "no separate waiting room" in safety.waiting_room_warning(db, going)
    book_appointment(
        db,
        world.officer,
        world.unassigned,
        booking(
            [world.officer2],
            start=at(16, 9),
            minutes=8 * 60,
            hearing_id=hearing.id,
            resource_id=rooms.waiting.id,
            kind=AppointmentKind.accompaniment,
        ),
    )
    # the waiting room was booked for another witness: the warning stays for this one
    assert safety.waiting_room_warning(db, going) is not None


def test_no_waiting_room_warning_without_a_bailed_defendant(db, world, rooms):
    hearing = create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.sentencing,
        start=at(16, 10),
        end=at(16, 12),
    )
    going = book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(16, 9),
            minutes=180,
            hearing_id=hearing.id,
            kind=AppointmentKind.accompaniment,
        ),
    )
    assert safety.waiting_room_warning(db, going) is None


def test_supervisor_of_the_office_may_book_for_any_of_its_witnesses(db, world, rooms, make_user):
    other_officer = make_user(Role.liaison_officer)
    appointment = book_appointment(db, world.supervisor, world.unassigned, booking([other_officer]))
    assert appointment.created_by_id == world.supervisor.id
