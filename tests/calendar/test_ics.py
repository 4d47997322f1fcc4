"""The .ics files: parsed back, they carry the right identity, instants and detail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ical.calendar_stream import IcsCalendarStream

from witness.auth.models import User
from witness.calendar.ics import (
    NEUTRAL_MEETING_POINT,
    Identity,
    Organizer,
    Person,
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

OFFICE = Identity(
    prodid="-//Test office//Calendar//EN",
    staff=Organizer(email="no-reply@office.example"),
    witness=Organizer(email="no-reply@neutral.example"),
)


def staff_copy(appointment, **kw) -> bytes:
    return render_appointment(appointment, audience="staff", identity=OFFICE, **kw)


def witness_copy(appointment, **kw) -> bytes:
    return render_appointment(appointment, audience="witness", identity=OFFICE, **kw)


def test_invite_is_a_request_with_stable_identity_and_court_timezone(cal):
    appointment = cal.book(hearing_id=cal.hearing.id, travel_minutes=30)
    calendar = parse(staff_copy(appointment))

    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]) == "-//Test office//Calendar//EN"
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
    # what it is, the case and the hearing, each on its line (as the witness chose to read)
    description = str(event_of(witness_copy(appointment))["DESCRIPTION"]).splitlines()
    assert description[:3] == [
        AppointmentKind.accompaniment.label,
        "Case: T20267788, Southwark Crown Court",
        f"Hearing: {cal.hearing.type.label}",
    ]


def test_witness_copy_never_gives_a_typed_address_whatever_it_says(cal):
    """Decided by which fields go into the copy, not by their text: an address without the
    word "court", or one that differs from the court's stored address by a comma, is as
    private as any other (a shelter's address is the worst to leak)."""
    cal.assigned.email = "w@mail.example"
    shelter = cal.book(kind=AppointmentKind.pre_trial_meeting, address="Flat 2, 14 Elm Street")
    court = cal.book(
        AFTER_DST,
        kind=AppointmentKind.familiarisation,
        address=cal.case.court.address.replace(",", "") + ", main entrance",
    )
    for appointment in (shelter, court):
        text = unfolded(witness_copy(appointment))
        assert str(event_of(witness_copy(appointment))["LOCATION"]) == NEUTRAL_MEETING_POINT
        assert "Elm Street" not in text
        assert "High Street" not in text and "main entrance" not in text


def test_witness_copy_gives_the_meeting_point_written_for_it(cal):
    appointment = cal.book(
        kind=AppointmentKind.pre_trial_meeting,
        address="Flat 2, 14 Elm Street",
        witness_meeting_point="The café by the station",
    )
    event = event_of(witness_copy(appointment))
    assert str(event["LOCATION"]) == "The café by the station"
    assert "Where: The café by the station" in str(event["DESCRIPTION"])
    assert "Elm Street" not in unfolded(witness_copy(appointment))
    # the staff copy keeps the real place
    assert str(event_of(staff_copy(appointment))["LOCATION"]) == "Flat 2, 14 Elm Street"


def test_witness_copy_in_full_detail_gives_the_full_place(cal):
    cal.assigned.invites_full_detail = True
    appointment = cal.book(kind=AppointmentKind.pre_trial_meeting, address="Flat 2, 14 Elm Street")
    assert str(event_of(witness_copy(appointment))["LOCATION"]) == "Flat 2, 14 Elm Street"


def test_a_childs_copy_is_discreet_whatever_was_recorded(cal):
    cal.assigned.invites_full_detail = True
    cal.assigned.is_presumed_child = True
    text = unfolded(witness_copy(cal.book(hearing_id=cal.hearing.id)))
    assert "Southwark" not in text and "T20267788" not in text and "Courtroom" not in text
    organizer = event_of(witness_copy(cal.book(AFTER_DST)))["ORGANIZER"]
    assert organizer.params["CN"] == "Appointments"


def test_nothing_in_a_discreet_copy_names_the_product_or_the_office(cal, icaljs):
    cal.office.name = "Crown Prosecution Service Witness Care Unit"
    appointment = cal.book(hearing_id=cal.hearing.id)
    data = witness_copy(appointment)
    text = unfolded(data).lower()
    for word in ("witness", "prosecution", "crown", "court", "office.example"):
        assert word not in text.replace("witness_", ""), word
    (read,) = icaljs(data)
    assert read["prodid"] == "-//Test office//Calendar//EN"
    assert read["events"][0]["organizer"] == {
        "value": "mailto:no-reply@neutral.example",
        "cn": "Appointments",
    }
    assert "@" not in read["events"][0]["uid"]


def test_remote_site_address_goes_only_to_staff_who_may_know_it(cal):
    appointment = cal.book(kind=AppointmentKind.video_link, resource_id=cal.remote.id)
    assert cal.remote.location in str(event_of(staff_copy(appointment))["LOCATION"])
    hidden = event_of(staff_copy(appointment, show_location=False))
    assert str(hidden["LOCATION"]) == f"{cal.remote.name} (address given to the staff attending)"
    assert "Elm Street" not in unfolded(staff_copy(appointment, show_location=False))
    # a discreet witness copy gives no address at all: the meeting point the officer wrote
    assert str(event_of(witness_copy(appointment))["LOCATION"]) == NEUTRAL_MEETING_POINT
    assert "Elm Street" not in unfolded(witness_copy(appointment))


def test_a_typed_address_is_left_out_of_the_staff_copy_for_those_who_may_not_know_it(cal):
    appointment = cal.book(kind=AppointmentKind.counselling, address="Flat 2, 14 Elm Street")
    assert "Elm Street" in unfolded(staff_copy(appointment))
    hidden = staff_copy(appointment, show_location=False)
    assert "Elm Street" not in unfolded(hidden)
    assert str(event_of(hidden)["LOCATION"]) == "(address given to the staff attending)"


def test_a_removal_drops_the_event_for_one_person_without_cancelling_it(cal, icaljs):
    appointment = cal.book()
    data = staff_copy(
        appointment, notice="removal", removed=Person(cal.officer2.name, cal.officer2.email)
    )
    calendar = parse(data)
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "CANCEL"
    assert "STATUS" not in event  # RFC 5546: a STATUS:CANCELLED would cancel it for everyone
    assert str(event["ATTENDEE"]) == f"mailto:{cal.officer2.email}"
    description = str(event["DESCRIPTION"])
    assert "You are no longer attending" in description and "has not been cancelled" in description
    assert not str(event["SUMMARY"]).startswith("Cancelled")
    (read,) = icaljs(data)
    assert read["method"] == "CANCEL" and read["events"][0]["status"] is None
    assert [a["value"] for a in read["events"][0]["attendees"]] == [f"mailto:{cal.officer2.email}"]


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
        ical_uid="4b8c2f38-2a4a-4d7e-9a57-1f0e0d6c9b11",
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
    calendar = parse(render_feed([kept, dropped], audience="staff", identity=OFFICE, name="Me"))

    assert calendar["METHOD"] == "PUBLISH"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [kept.ical_uid]
    assert "CANCEL" not in unfolded(
        render_feed([kept, dropped], audience="staff", identity=OFFICE, name="Me")
    ).replace("CANCELLED", "")


def test_a_thai_officers_calendar_file_is_english_as_before(app, cal):
    """The officer's pages are Thai; the invitation their booking sends stays English (its
    words around the labels are English), with no Thai label inside."""
    appointment = cal.book(hearing_id=cal.hearing.id)
    with app.test_request_context(headers={"Accept-Language": "th"}):
        body = staff_copy(appointment).decode()
    assert "Accompaniment to a hearing" in body or "Counselling" in body or "Hearing:" in body
    assert not any("\u0e00" <= c <= "\u0e7f" for c in body)


def test_the_staff_description_line_by_line(cal, db):
    """What a member of staff reads in their calendar, whole: the time on the court's summer
    clock, an interpreter still to be arranged, and, once cancelled, why (found by mutation
    testing: each of these lines could change unnoticed)."""
    appointment = cal.book(AFTER_DST, language="Thai", address="Safe house office")
    lines = [
        AppointmentKind.accompaniment.label,
        f"Witness: {cal.assigned.reference}",
        "When: Mon 30 Mar 2026 10:00 to 12:00 BST",
        "Where: Safe house office",
        "Interpreter: to be arranged (Thai)",
        f"Staff: {cal.officer.name}",
    ]
    description = str(event_of(staff_copy(appointment))["DESCRIPTION"])
    assert description.splitlines() == [*lines, "Status: Scheduled"]
    cancel_appointment(db, cal.supervisor, appointment, "The witness is unwell")
    db.flush()
    description = str(event_of(staff_copy(appointment, notice="cancel"))["DESCRIPTION"])
    assert description.splitlines() == [
        "CANCELLED: The witness is unwell",
        *lines,
        "Status: Cancelled",
    ]


def test_each_member_of_staff_is_invited_as_a_person_asked_to_reply(cal):
    """Calendar programs offer Accept and Decline to an attendee who is a required participant
    yet to answer; a removal's text tells them it goes ahead without them (found by mutation
    testing: these could change unnoticed)."""
    appointment = cal.book(staff=[cal.officer])
    attendee = event_of(staff_copy(appointment))["ATTENDEE"]
    assert str(attendee) == f"mailto:{cal.officer.email}"
    assert {k: attendee.params[k] for k in ("CN", "ROLE", "PARTSTAT", "CUTYPE")} == {
        "CN": cal.officer.name,
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "CUTYPE": "INDIVIDUAL",
    }
    removal = staff_copy(
        appointment, notice="removal", removed=Person(cal.officer.name, cal.officer.email)
    )
    assert str(event_of(removal)["DESCRIPTION"]).splitlines()[:3] == [
        "You are no longer attending this appointment. It has not been cancelled: it goes "
        "ahead without you.",
        "",
        AppointmentKind.accompaniment.label,
    ]


def test_every_copy_is_confidential_and_shows_as_busy(cal):
    """A shared or delegated calendar shows only "busy" for a confidential event: whoever
    looks at a colleague's or the witness's calendar sees neither title nor place (found by
    mutation testing: the class could be dropped unnoticed)."""
    appointment = cal.book()
    for data in (staff_copy(appointment), witness_copy(appointment)):
        event = event_of(data)
        assert (str(event["CLASS"]), str(event["TRANSP"])) == ("CONFIDENTIAL", "OPAQUE")
