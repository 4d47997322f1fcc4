"""The .ics files: parsed back, they carry the right identity, instants and detail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ical.calendar_stream import IcsCalendarStream

from witness.auth.models import User
from witness.calendar.ics import (
    NEUTRAL_MEETING_POINT,
    Organizer,
    render_appointment,
    render_feed,
)
from witness.cases.models import Case, Court
from witness.people.models import Witness
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStaff,
    AppointmentStatus,
    Interpreter,
)
from witness.scheduling.services import Booking, cancel_appointment, reschedule_appointment

from .conftest import AFTER_DST, BEFORE_DST, DEFENDANT, NOTES, event_of, parse, unfolded

OFFICE = Organizer(email="no-reply@office.example")


def staff_copy(appointment, **kw) -> bytes:
    return render_appointment(appointment, audience="staff", organizer=OFFICE, **kw)


def witness_copy(appointment, **kw) -> bytes:
    return render_appointment(appointment, audience="witness", organizer=OFFICE, **kw)


def test_invite_is_a_request_with_stable_identity_and_court_timezone(cal):
    appointment = cal.book(hearing_id=cal.hearing.id, travel_minutes=30)
    calendar = parse(staff_copy(appointment))

    assert calendar["VERSION"] == "2.0"
    assert "Witness" in str(calendar["PRODID"])
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == appointment.ical_uid
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "TENTATIVE"
    assert event["DTSTAMP"].dt == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTEND"].params["TZID"] == "Europe/London"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(event["ORGANIZER"]) == "mailto:no-reply@office.example"
    assert event["ORGANIZER"].params["CN"] == cal.office.name
    assert [str(a) for a in [event["ATTENDEE"]]] == [f"mailto:{cal.officer.email}"]


def test_instants_survive_the_change_to_summer_time(cal):
    before = event_of(staff_copy(cal.book(BEFORE_DST)))
    after = event_of(staff_copy(cal.book(AFTER_DST)))

    assert before["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert after["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    # Both are 10:00 on the wall clock in London.
    assert before["DTSTART"].dt.hour == after["DTSTART"].dt.hour == 10
    assert after["DTEND"].dt.astimezone(UTC) == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)


def test_the_vtimezone_alone_gives_the_right_offsets(cal):
    """A calendar program without the zone database reads the rules from the file itself."""
    calendar = parse(staff_copy(cal.book(AFTER_DST)))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    rules = vtimezone.to_tz()
    assert datetime(2026, 3, 27, 10, 0, tzinfo=rules).utcoffset() == timedelta(0)
    assert datetime(2026, 3, 30, 10, 0, tzinfo=rules).utcoffset() == timedelta(hours=1)


def test_a_second_parser_reads_the_same_instants(cal):
    """The strict ``ical`` parser (used by Home Assistant) opens both copies and agrees."""
    appointment = cal.book(AFTER_DST, hearing_id=cal.hearing.id, notes=NOTES)
    for data in (staff_copy(appointment), witness_copy(appointment)):
        calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
        (event,) = calendar.events
        assert event.uid == appointment.ical_uid
        assert event.dtstart.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
        assert event.dtend.astimezone(UTC) == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
        assert [tz.tz_id for tz in calendar.timezones] == ["Europe/London"]


def test_reschedule_keeps_the_uid_and_raises_the_sequence(cal, db):
    appointment = cal.book(BEFORE_DST)
    first = event_of(staff_copy(appointment))
    booking = Booking(
        kind=AppointmentKind.accompaniment,
        start=AFTER_DST,
        end=AFTER_DST + timedelta(hours=1),
        staff_ids=[cal.officer.id],
        resource_id=cal.courtroom.id,
    )
    reschedule_appointment(db, cal.supervisor, appointment, booking, "Hearing moved")
    calendar = parse(staff_copy(appointment))
    second = calendar.walk("VEVENT")[0]

    assert calendar["METHOD"] == "REQUEST"
    assert str(second["UID"]) == str(first["UID"]) == appointment.ical_uid
    assert second["SEQUENCE"] == first["SEQUENCE"] + 1 == 1
    assert second["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_cancellation_is_a_cancel_with_status_cancelled(cal, db):
    appointment = cal.book()
    cancel_appointment(db, cal.supervisor, appointment, "Witness unwell")
    for data in (staff_copy(appointment), witness_copy(appointment)):
        calendar = parse(data)
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["SEQUENCE"] == 1
        assert str(event["UID"]) == appointment.ical_uid
    assert "Witness unwell" in str(event_of(staff_copy(appointment))["DESCRIPTION"])


def test_confirmed_appointment_is_confirmed(cal, db):
    appointment = cal.book()
    appointment.status = AppointmentStatus.confirmed
    assert event_of(staff_copy(appointment))["STATUS"] == "CONFIRMED"


def test_staff_copy_carries_full_detail_and_notes_keep_their_line_breaks(cal, db):
    interpreter = Interpreter(
        organisation_id=cal.office.id, name="Olga Tolmach", languages=["Russian"]
    )
    db.add(interpreter)
    db.flush()
    appointment = cal.book(
        hearing_id=cal.hearing.id,
        notes=NOTES,
        travel_minutes=45,
        interpreter_id=interpreter.id,
        language="Russian",
    )
    event = event_of(staff_copy(appointment))
    description = str(event["DESCRIPTION"])

    assert str(event["SUMMARY"]) == f"Accompaniment to a hearing: {cal.assigned.reference}"
    assert str(event["LOCATION"]) == "Courtroom 3, Southwark Crown Court, " + (
        cal.case.court.address
    )
    assert NOTES in description  # the line break and the apostrophe come back as they were
    for detail in (
        f"Witness: {cal.assigned.reference}",
        "Case: T20267788, Southwark Crown Court",
        "Hearing: Trial day",
        "Interpreter: Olga Tolmach (Russian)",
        "Travel: 45 minutes each way",
        f"Staff: {cal.officer.name}",
    ):
        assert detail in description
    assert "Amina Legalname" not in unfolded(staff_copy(appointment))


def test_witness_copy_is_discreet_by_default(cal):
    appointment = cal.book(hearing_id=cal.hearing.id, notes=NOTES, language="Russian")
    data = witness_copy(appointment)
    text = unfolded(data)
    event = event_of(data)

    assert "court" not in text.lower()
    for secret in ("T20267788", DEFENDANT, "Petrovic", "Trafficking", "Amina", "side entrance"):
        assert secret not in text
    assert str(event["SUMMARY"]) == AppointmentKind.accompaniment.discreet_label
    assert str(event["LOCATION"]) == NEUTRAL_MEETING_POINT
    assert "interpreter (Russian)" in str(event["DESCRIPTION"])
    assert "ATTENDEE" not in text  # staff addresses are not the witness's business
    assert event["ORGANIZER"].params["CN"] == "Appointments"


def test_witness_copy_in_full_detail_names_court_and_case_but_never_notes(cal):
    cal.assigned.invites_full_detail = True
    appointment = cal.book(hearing_id=cal.hearing.id, notes=NOTES)
    text = unfolded(witness_copy(appointment))

    assert "Southwark Crown Court" in text
    assert "T20267788" in text
    assert "side entrance" not in text
    assert "waited outside" not in text


def test_witness_copy_gives_an_ordinary_address_but_never_a_court_one(cal):
    cal.assigned.email = "w@mail.example"
    office = cal.book(kind=AppointmentKind.pre_trial_meeting, address="Flat 2, 14 Elm Street")
    court = cal.book(
        AFTER_DST, kind=AppointmentKind.pre_trial_meeting, address="Crown Court, 1 High Street"
    )
    same_as_court = cal.book(
        AFTER_DST + timedelta(days=1),
        kind=AppointmentKind.familiarisation,
        address=cal.case.court.address,
    )
    assert str(event_of(witness_copy(office))["LOCATION"]) == "Flat 2, 14 Elm Street"
    assert str(event_of(witness_copy(court))["LOCATION"]) == NEUTRAL_MEETING_POINT
    assert str(event_of(witness_copy(same_as_court))["LOCATION"]) == NEUTRAL_MEETING_POINT


def test_remote_site_address_goes_to_the_witness_and_to_staff_who_may_know_it(cal):
    appointment = cal.book(kind=AppointmentKind.video_link, resource_id=cal.remote.id)
    assert str(event_of(witness_copy(appointment))["LOCATION"]) == cal.remote.location
    assert cal.remote.location in str(event_of(staff_copy(appointment))["LOCATION"])
    hidden = unfolded(staff_copy(appointment, show_location=False))
    assert "Elm Street" not in hidden
    assert "Elm Street" not in unfolded(witness_copy(appointment, show_location=False))


def test_control_characters_never_reach_the_file():
    """Services refuse them; the renderer strips them anyway (a row written by other means)."""
    court = Court(name="Court X", address="1 Way", timezone="Europe/London")
    user = User(email="o@example.org", name="Officer\x07 One")
    witness = Witness(reference="VW-1", legal_name="N", invites_full_detail=False)
    appointment = Appointment(
        id=1,
        kind=AppointmentKind.counselling,
        status=AppointmentStatus.scheduled,
        start_dt=datetime(2026, 4, 1, 9, tzinfo=UTC),
        end_dt=datetime(2026, 4, 1, 10, tzinfo=UTC),
        travel_minutes=0,
        address="5 Elm\x1b Road\r\nSecond line",
        notes="one\x00two\r\nthree\x0c",
        ical_uid="fixed@witness",
        ical_sequence=3,
        status_reason="",
        witness=witness,
        case=Case(reference="X1", title="t", court=court),
        staff_links=[AppointmentStaff(user=user)],
    )
    for data in (staff_copy(appointment), witness_copy(appointment)):
        assert not any(b < 0x20 and b not in (0x0D, 0x0A, 0x09) for b in data)
        assert b"\r\n" in data
        parse(data)  # still one valid calendar
    event = event_of(staff_copy(appointment))
    assert str(event["LOCATION"]) == "5 Elm Road Second line"
    assert "onetwo\nthree" in str(event["DESCRIPTION"])
    assert event["ATTENDEE"].params["CN"] == "Officer One"
    assert event["SEQUENCE"] == 3


def test_feed_publishes_without_cancelled_events(cal, db):
    kept = cal.book(BEFORE_DST)
    dropped = cal.book(AFTER_DST)
    cancel_appointment(db, cal.supervisor, dropped, "No longer needed")
    calendar = parse(render_feed([kept, dropped], audience="staff", organizer=OFFICE, name="Me"))

    assert calendar["METHOD"] == "PUBLISH"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [kept.ical_uid]
    assert "CANCEL" not in unfolded(
        render_feed([kept, dropped], audience="staff", organizer=OFFICE, name="Me")
    ).replace("CANCELLED", "")
