"""Invite e-mails: queued in the booking's transaction, to the right people, discreetly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from witness.calendar.ics import NEUTRAL_MEETING_POINT
from witness.notify.models import MailStatus, OutboundEmail
from witness.people.models import Consent
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, cancel_appointment, reschedule_appointment

from .conftest import AFTER_DST, BEFORE_DST, DEFENDANT, event_of, parse, unfolded


def outbox(db, appointment) -> list[OutboundEmail]:
    return db.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.appointment_id == appointment.id)
        .order_by(OutboundEmail.id)
    ).all()


def by_address(rows) -> dict[str, OutboundEmail]:
    return {row.to_address: row for row in rows}


def assert_discreet(mail: OutboundEmail) -> None:
    for text in (mail.subject, mail.body):
        assert "court" not in text.lower()
        assert "T20267788" not in text
        assert DEFENDANT not in text


def test_booking_invites_each_member_of_staff_but_not_a_witness_without_consent(cal, db):
    appointment = cal.book(staff=[cal.officer, cal.officer2], hearing_id=cal.hearing.id)
    mails = by_address(outbox(db, appointment))

    assert set(mails) == {cal.officer.email, cal.officer2.email}
    mail = mails[cal.officer.email]
    assert mail.status is MailStatus.pending
    assert mail.organisation_id == cal.office.id
    assert mail.subject == "Appointment on Fri 27 Mar"
    assert mail.attachment_name == "appointment-2026-03-27.ics"
    calendar = parse(mail.attachment)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == appointment.ical_uid
    assert "T20267788" in str(event["DESCRIPTION"])  # staff copy: full detail
    assert_discreet(mail)
    assert mail.body.splitlines() == [
        f"{AppointmentKind.accompaniment.label}, witness {cal.assigned.reference}.",
        "When: Friday 27 March 2026, 10:00 to 12:00 (GMT)",
        "",
        "Open the attached invitation to update your calendar. The full detail is in Witness.",
    ]


def test_witness_gets_the_discreet_copy_with_a_current_email_consent(cal, db):
    cal.consent_email()
    appointment = cal.book(hearing_id=cal.hearing.id)
    mail = by_address(outbox(db, appointment))[cal.assigned.email]

    assert mail.witness_id == cal.assigned.id
    assert mail.subject == "Appointment on Fri 27 Mar"
    assert_discreet(mail)
    # the body names what it is as their calendar does, never its purpose, and no place; it
    # says how to change what they receive (the witness reads every line: all are pinned)
    assert mail.body.splitlines() == [
        f"{AppointmentKind.accompaniment.discreet_label}.",
        "When: Friday 27 March 2026, 10:00 to 12:00 (GMT)",
        f"Where: {NEUTRAL_MEETING_POINT}",
        "",
        "The attached file adds it to your calendar.",
        "Your support worker will tell you where to meet.",
        "",
        "To stop these e-mails, or to change how we contact you, tell your support worker. "
        "You can change this at any time.",
    ]
    assert AppointmentKind.accompaniment.label not in mail.body
    text = unfolded(mail.attachment)
    assert "court" not in text.lower()
    assert "T20267788" not in text
    event = event_of(mail.attachment)
    assert str(event["ATTENDEE"]) == f"mailto:{cal.assigned.email}"
    assert str(event["SUMMARY"]) == AppointmentKind.accompaniment.discreet_label
    # and its description says the same, no more: what, when, where, whom to ask
    description = str(event["DESCRIPTION"]).splitlines()
    assert description == [
        AppointmentKind.accompaniment.discreet_label,
        "When: Fri 27 Mar 2026 10:00 to 12:00 GMT",
        f"Where: {NEUTRAL_MEETING_POINT}",
        "",
        "Questions or changes: please contact your support worker.",
    ]
    assert "cancelled" not in str(event["DESCRIPTION"])


def test_a_withdrawn_email_consent_stops_the_witness_copy(cal, db):
    cal.consent_email(granted=True)
    for old in db.scalars(select(Consent).where(Consent.witness_id == cal.assigned.id)):
        old.is_current = False
    cal.consent_email(granted=False)
    appointment = cal.book()
    assert set(by_address(outbox(db, appointment))) == {cal.officer.email}


def test_no_witness_mail_without_an_address(cal, db):
    cal.consent_email()
    cal.assigned.email = None
    appointment = cal.book()
    assert set(by_address(outbox(db, appointment))) == {cal.officer.email}


def test_reschedule_updates_those_attending_and_removes_staff_taken_off(cal, db):
    cal.consent_email()
    appointment = cal.book(staff=[cal.officer, cal.officer2])
    first = {m.id for m in outbox(db, appointment)}
    booking = Booking(
        kind=AppointmentKind.accompaniment,
        start=AFTER_DST,
        end=AFTER_DST + timedelta(hours=2),
        staff_ids=[cal.officer.id],
        resource_id=cal.courtroom.id,
    )
    reschedule_appointment(db, cal.supervisor, appointment, booking, "Hearing moved")
    db.flush()
    mails = by_address(m for m in outbox(db, appointment) if m.id not in first)

    assert set(mails) == {cal.officer.email, cal.officer2.email, cal.assigned.email}
    update = mails[cal.officer.email]
    assert update.subject == "Updated: appointment on Mon 30 Mar"
    assert parse(update.attachment)["METHOD"] == "REQUEST"
    assert event_of(update.attachment)["SEQUENCE"] == 1

    removed = mails[cal.officer2.email]
    assert removed.subject == "You are no longer needed: appointment on Mon 30 Mar"
    assert "It has not been cancelled" in removed.body
    assert removed.user_id == cal.officer2.id
    calendar = parse(removed.attachment)
    assert calendar["METHOD"] == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert "STATUS" not in event  # taken off, not cancelled: it goes ahead for the others
    assert str(event["UID"]) == appointment.ical_uid
    assert str(event["ATTENDEE"]) == f"mailto:{cal.officer2.email}"

    assert mails[cal.assigned.email].subject == "Updated: appointment on Mon 30 Mar"


def test_cancellation_goes_to_everyone_who_had_the_invite(cal, db):
    cal.consent_email()
    appointment = cal.book(BEFORE_DST, staff=[cal.officer, cal.officer2])
    first = {m.id for m in outbox(db, appointment)}
    cancel_appointment(db, cal.supervisor, appointment, "Trial vacated at the court's request")
    db.flush()
    mails = [m for m in outbox(db, appointment) if m.id not in first]

    assert {m.to_address for m in mails} == {
        cal.officer.email,
        cal.officer2.email,
        cal.assigned.email,
    }
    for mail in mails:
        assert mail.subject == "Cancelled: appointment on Fri 27 Mar"
        assert parse(mail.attachment)["METHOD"] == "CANCEL"
        assert event_of(mail.attachment)["STATUS"] == "CANCELLED"
    witness_mail = next(m for m in mails if m.witness_id == cal.assigned.id)
    assert "court" not in unfolded(witness_mail.attachment).lower()  # not even the reason
    assert witness_mail.body.splitlines() == [
        "Your appointment on Friday 27 March 2026, 10:00 to 12:00 (GMT) is cancelled.",
        "Your support worker will contact you about what happens next.",
        "",
        "To stop these e-mails, or to change how we contact you, tell your support worker. "
        "You can change this at any time.",
    ]
    description = str(event_of(witness_mail.attachment)["DESCRIPTION"]).splitlines()
    assert description[:3] == [
        "This appointment is cancelled.",
        "",
        AppointmentKind.accompaniment.discreet_label,
    ]


def test_a_witness_who_chose_full_detail_reads_what_the_appointment_is(cal, db):
    """Their e-mail names the appointment as staff do (their recorded choice), where the
    discreet copy says only that it is with their support worker."""
    cal.consent_email()
    cal.assigned.invites_full_detail = True
    appointment = cal.book(hearing_id=cal.hearing.id)
    mail = by_address(outbox(db, appointment))[cal.assigned.email]
    assert mail.body.splitlines()[0] == f"{AppointmentKind.accompaniment.label}."
    assert AppointmentKind.accompaniment.discreet_label not in mail.body


def test_staff_are_told_of_a_cancellation_on_the_court_s_clock(cal, db):
    """After the clocks change, the time is the court's summer time, not the server's UTC."""
    appointment = cal.book(AFTER_DST, staff=[cal.officer])
    first = {m.id for m in outbox(db, appointment)}
    cancel_appointment(db, cal.supervisor, appointment, "Trial vacated")
    db.flush()
    [mail] = [m for m in outbox(db, appointment) if m.id not in first]
    label = AppointmentKind.accompaniment.label.lower()
    assert mail.body.splitlines() == [
        f"This appointment is cancelled: {label}, witness {cal.assigned.reference}.",
        "When: Monday 30 March 2026, 10:00 to 12:00 (BST)",
        "",
        "Open the attached invitation to update your calendar. The full detail is in Witness.",
    ]


def test_each_copy_is_organised_by_the_sender_configured_for_it(cal, db, app, monkeypatch):
    """The staff copy names the office's sender (``WITNESS_MAIL_FROM``) as organizer, the
    witness's copy the neutral one (``WITNESS_DISCREET_MAIL_FROM``)."""
    monkeypatch.setitem(app.config, "MAIL_FROM", "Witness Care Unit <wcu@cps.example>")
    monkeypatch.setitem(app.config, "DISCREET_MAIL_FROM", "Appointments <diary@neutral.example>")
    monkeypatch.setitem(app.config, "ICS_PRODID", "-//Unit//Diary//EN")
    cal.consent_email()
    with app.app_context():  # as in a request: the booking reads the app's settings
        mails = by_address(outbox(db, cal.book()))
    staff = event_of(mails[cal.officer.email].attachment)["ORGANIZER"]
    witness = event_of(mails[cal.assigned.email].attachment)["ORGANIZER"]
    assert (str(staff), str(witness)) == ("mailto:wcu@cps.example", "mailto:diary@neutral.example")
    for mail in mails.values():
        assert str(parse(mail.attachment)["PRODID"]) == "-//Unit//Diary//EN"


def test_without_a_configured_sender_the_copies_use_addresses_that_take_no_mail(
    cal, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_FROM", "")
    monkeypatch.setitem(app.config, "DISCREET_MAIL_FROM", "")
    monkeypatch.setitem(app.config, "ICS_PRODID", "")
    cal.consent_email()
    with app.app_context():
        mails = by_address(outbox(db, cal.book()))
    staff = event_of(mails[cal.officer.email].attachment)["ORGANIZER"]
    witness = event_of(mails[cal.assigned.email].attachment)["ORGANIZER"]
    # .invalid is reserved (RFC 2606): no reply can reach anyone
    assert str(staff) == "mailto:no-reply@witness.invalid"
    assert str(witness) == "mailto:no-reply@appointments.invalid"
    assert str(parse(mails[cal.assigned.email].attachment)["PRODID"]) == (
        "-//Appointments//Calendar 1.0//EN"  # names no product and no office
    )
