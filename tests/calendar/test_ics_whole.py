"""Each copy's words pinned whole: what a member of staff, a removed member of staff and a
witness read in their calendar, line by line (mutation testing found words, lines and
parameters that could change with every test still passing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from witness.calendar.ics import Person, render_feed, view_of
from witness.cases.models import Hearing, HearingType
from witness.scheduling.models import AppointmentKind, Interpreter
from witness.scheduling.services import cancel_appointment

from .conftest import AFTER_DST, NOTES, event_of, parse, unfolded
from .test_ics import OFFICE, staff_copy, witness_copy


def _interpreter(db, cal, name="Olga Tolmach") -> Interpreter:
    interpreter = Interpreter(organisation_id=cal.office.id, name=name, languages=["Russian"])
    db.add(interpreter)
    db.flush()
    return interpreter


def test_the_staff_copy_reads_line_by_line_with_a_hearing_in_another_courts_zone(
    cal, db, make_court
):
    """A video link: the witness gives evidence from London to a court in Paris. The hearing's
    time is in the Paris court's zone and says so; the appointment's is London's."""
    paris = make_court(timezone="Europe/Paris", name="Tribunal judiciaire de Paris")
    hearing = Hearing(
        case_id=cal.case.id,
        court_id=paris.id,
        type=HearingType.trial_day,
        start_dt=datetime(2026, 3, 27, 10, 0, tzinfo=UTC),
        end_dt=datetime(2026, 3, 27, 16, 0, tzinfo=UTC),
    )
    db.add(hearing)
    db.flush()
    appointment = cal.book(
        hearing_id=hearing.id,
        notes=NOTES,
        travel_minutes=45,
        interpreter_id=_interpreter(db, cal).id,
        language="Russian",
        staff=[cal.officer, cal.officer2],
    )

    description = str(event_of(staff_copy(appointment))["DESCRIPTION"])

    assert description == "\n".join(
        [
            AppointmentKind.accompaniment.label,
            f"Witness: {cal.assigned.reference}",
            "Case: T20267788, Southwark Crown Court",
            "Hearing: Trial day, Fri 27 Mar 2026 11:00 CET (Listed)",
            "When: Fri 27 Mar 2026 10:00 to 12:00 GMT",
            f"Where: Courtroom 3, Southwark Crown Court, {cal.case.court.address}",
            "Interpreter: Olga Tolmach (Russian)",
            "Travel: 45 minutes each way",
            f"Staff: {cal.officer.name}, {cal.officer2.name}",
            "Status: Scheduled",
            "",
            "Notes:",
            NOTES,
        ]
    )


def test_an_interpreter_without_a_language_and_a_language_without_an_interpreter(cal, db):
    named = cal.book(interpreter_id=_interpreter(db, cal).id)
    wanted = cal.book(AFTER_DST, language="Russian")
    plain = cal.book(AFTER_DST + timedelta(days=1))

    def lines(appointment, copy):
        return str(event_of(copy(appointment))["DESCRIPTION"]).splitlines()

    assert "Interpreter: Olga Tolmach" in lines(named, staff_copy)
    assert "An interpreter will be there." in lines(named, witness_copy)
    assert "Interpreter: to be arranged (Russian)" in lines(wanted, staff_copy)
    assert "An interpreter (Russian) will be there." in lines(wanted, witness_copy)
    # none booked, none asked for: no line at all, on either copy
    assert lines(plain, witness_copy) == [
        AppointmentKind.accompaniment.discreet_label,
        "When: Tue 31 Mar 2026 10:00 to 12:00 BST",
        "Where: Meeting point agreed with your support worker",
        "",
        "Questions or changes: please contact your support worker.",
    ]
    assert not [line for line in lines(plain, staff_copy) if "nterpreter" in line]


def test_a_removed_member_of_staff_is_not_sent_the_notes(cal):
    """They no longer attend: the notes (who waited outside, which entrance) are not theirs."""
    appointment = cal.book(staff=[cal.officer, cal.officer2], notes=NOTES)
    removal = staff_copy(
        appointment, notice="removal", removed=Person(cal.officer2.name, cal.officer2.email)
    )
    description = str(event_of(removal)["DESCRIPTION"])
    assert "Notes:" not in description and "side entrance" not in description
    assert "side entrance" in str(event_of(staff_copy(appointment))["DESCRIPTION"])


def test_a_cancellation_says_so_in_its_title_on_every_copy(cal, db):
    appointment = cal.book()
    cancel_appointment(db, cal.supervisor, appointment, "The witness is unwell")
    staff, witness = event_of(staff_copy(appointment)), event_of(witness_copy(appointment))
    assert str(staff["SUMMARY"]) == (
        f"Cancelled: {AppointmentKind.accompaniment.label}: {cal.assigned.reference}"
    )
    assert str(staff["DESCRIPTION"]).splitlines()[0] == "CANCELLED: The witness is unwell"
    assert str(witness["SUMMARY"]) == f"Cancelled: {AppointmentKind.accompaniment.discreet_label}"
    # the reason is for staff: the witness's copy does not give it
    assert "unwell" not in str(witness["DESCRIPTION"])


def test_a_full_detail_copy_names_the_hearing_and_the_office_and_asks_the_witness(cal):
    cal.assigned.invites_full_detail = True
    appointment = cal.book(hearing_id=cal.hearing.id)
    event = event_of(witness_copy(appointment, witness_address="vw.private@mail.example"))
    assert str(event["SUMMARY"]) == (
        f"{AppointmentKind.accompaniment.witness_label} ({HearingType.trial_day.label})"
    )
    assert event["ORGANIZER"].params["CN"] == cal.office.name
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:vw.private@mail.example"
    # a person asked to reply, and no name: the copy names nobody
    assert dict(attendee.params) == {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}


def test_a_double_quote_in_a_name_cannot_break_the_file(cal, db, icaljs):
    """A parameter value cannot escape a double quote in every client: it becomes a single
    one, and the file still parses (icalendar and ical.js) with every attendee in it."""
    cal.officer.name = 'Jo "JJ" Okafor'
    db.flush()
    data = staff_copy(cal.book(staff=[cal.officer, cal.officer2]))
    attendees = event_of(data)["ATTENDEE"]
    assert [a.params["CN"] for a in attendees] == ["Jo 'JJ' Okafor", cal.officer2.name]
    [line] = [x for x in unfolded(data).splitlines() if x.startswith("ATTENDEE") and "Jo" in x]
    assert '"JJ"' not in line and "Jo 'JJ' Okafor" in line
    [read] = icaljs(data)
    assert len(read["events"][0]["attendees"]) == 2


def test_a_feed_stamps_each_event_with_when_it_last_changed(cal, db, frozen_clock):
    """Calendar programs compare DTSTAMP to tell a newer copy: it is the appointment's last
    change, not its start."""
    appointment = cal.book()
    changed = appointment.updated_dt
    assert changed != appointment.start_dt
    feed = render_feed([appointment], audience="staff", identity=OFFICE, name="My appointments")
    [event] = parse(feed).walk("VEVENT")
    assert event.decoded("DTSTAMP") == changed.astimezone(UTC)


def test_a_bare_carriage_return_in_older_text_becomes_a_line_break(cal, icaljs):
    """Text stored before input was cleaned (or imported) may end lines with a lone CR: it
    becomes a line break, never a raw CR inside a content line (which ends it early)."""
    view = replace(view_of(cal.book(notes="x")), notes="First line\rSecond line")
    data = staff_copy(view)
    assert b"\r" not in data.replace(b"\r\n", b"")
    description = str(event_of(data)["DESCRIPTION"])
    assert description.endswith("Notes:\nFirst line\nSecond line")
    [read] = icaljs(data)
    assert read["events"][0]["description"].endswith("Notes:\nFirst line\nSecond line")


def test_a_feed_carries_one_zone_for_every_year_its_events_fall_in(cal):
    """A UTC event needs no VTIMEZONE (its times end in Z) and does not stop the next event's
    zone being added; a zone used in 2026 and in 2028 covers both years (and one either side)."""
    view = view_of(cal.book())
    events = [
        replace(view, uid="utc@test", timezone="UTC"),
        view,
        replace(
            view,
            uid="later@test",
            start=view.start.replace(year=2028),
            end=view.end.replace(year=2028),
        ),
    ]
    feed = render_feed(events, audience="staff", identity=OFFICE, name="Diary")
    [zone] = parse(feed).walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    summer_starts = {part.decoded("DTSTART").year for part in zone.walk("DAYLIGHT")}
    assert summer_starts == {2025, 2026, 2027, 2028, 2029}


def test_a_calendar_says_its_scale_and_a_feed_how_often_to_refresh(cal):
    appointment = cal.book()
    invite = unfolded(staff_copy(appointment))
    assert "\nCALSCALE:GREGORIAN\n" in invite.replace("\r\n", "\n")
    feed = unfolded(render_feed([appointment], audience="staff", identity=OFFICE, name="Diary"))
    # RFC 7986: REFRESH-INTERVAL must say its value is a duration
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed
    assert "X-PUBLISHED-TTL:PT1H" in feed
