"""What reaches a witness is decided again when it is handed to the mail server, and nothing in
it names the product, the office or the court: a real SMTP server (aiosmtpd) receives it."""

from __future__ import annotations

import re

from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.notify.models import MailStatus, OutboundEmail, WithheldReason
from witness.people.models import Channel, Consent, ConsentKind
from witness.scheduling.services import confirm_appointment

from .conftest import AFTER_DST, event_of, parse


def witness_mail(db, appointment) -> OutboundEmail:
    (mail,) = db.scalars(
        select(OutboundEmail).where(
            OutboundEmail.appointment_id == appointment.id, OutboundEmail.witness_id.is_not(None)
        )
    ).all()
    return mail


def received_by(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address]


def withdraw_email_consent(db, cal) -> None:
    db.execute(
        Consent.__table__.update()
        .where(Consent.witness_id == cal.assigned.id, Consent.kind == ConsentKind.notify)
        .values(is_current=False)
    )
    cal.consent_email(granted=False)


def test_consent_withdrawn_after_queueing_stops_the_mail(cal, db, smtp_server, send, login):
    cal.consent_email()
    appointment = cal.book()
    mail = witness_mail(db, appointment)
    withdraw_email_consent(db, cal)

    report = send(smtp_server.config())

    assert received_by(smtp_server, cal.assigned.email) == []
    assert received_by(smtp_server, cal.officer.email)  # staff still get theirs
    assert report.withheld == 1
    db.refresh(mail)
    assert mail.status is MailStatus.withheld
    assert mail.withheld_reason is WithheldReason.consent_withdrawn
    audit = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "mail.withheld", AuditEvent.object_id == mail.id
        )
    ).one()
    assert audit.detail["reason"] == "consent_withdrawn"
    assert audit.witness_id == cal.assigned.id

    client = login(cal.supervisor)
    page = client.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    assert "Not sent: consent withdrawn" in page
    outbox = client.get("/outbox?status=withheld").get_data(as_text=True)
    assert "Not sent" in outbox and "consent withdrawn" in outbox


def test_a_retry_after_a_failure_is_stopped_by_a_later_withdrawal(
    cal, db, smtp_server, send, frozen_clock
):
    from datetime import timedelta

    cal.consent_email()
    appointment = cal.book()
    mail = witness_mail(db, appointment)
    smtp_server.rejected.add(cal.assigned.email)
    send(smtp_server.config())
    db.refresh(mail)
    assert mail.status is MailStatus.pending and mail.attempts == 1  # will be retried

    withdraw_email_consent(db, cal)
    smtp_server.rejected.clear()
    frozen_clock(frozen_clock.now() + timedelta(minutes=2))
    send(smtp_server.config())

    assert received_by(smtp_server, cal.assigned.email) == []
    db.refresh(mail)
    assert mail.status is MailStatus.withheld


def test_a_new_address_stops_mail_queued_for_the_old_one(cal, db, smtp_server, send):
    cal.consent_email()
    appointment = cal.book()
    old = cal.assigned.email
    cal.assigned.email = "new.safe.address@mail.example"
    db.flush()

    send(smtp_server.config())

    assert received_by(smtp_server, old) == []
    mail = witness_mail(db, appointment)
    assert mail.status is MailStatus.withheld
    assert mail.withheld_reason is WithheldReason.address_changed


def test_consent_to_another_channel_is_not_consent_to_email(cal, db, smtp_server, send):
    db.add(
        Consent(
            witness_id=cal.assigned.id,
            kind=ConsentKind.notify,
            channel=Channel.post,
            is_granted=True,
            recorded_by_id=cal.supervisor.id,
        )
    )
    db.flush()
    appointment = cal.book()
    recipients = {m.to_address for m in db.scalars(select(OutboundEmail))}
    assert cal.assigned.email not in recipients
    # and a mail queued by other means is withheld at delivery all the same
    from witness.notify.mail import enqueue_email

    enqueue_email(
        db,
        organisation_id=cal.office.id,
        to_address=cal.assigned.email,
        subject="Appointment",
        body="x",
        appointment_id=appointment.id,
        witness_id=cal.assigned.id,
    )
    db.flush()
    send(smtp_server.config())
    assert received_by(smtp_server, cal.assigned.email) == []


def test_staff_disabled_or_moved_to_another_address_get_nothing(cal, db, smtp_server, send):
    appointment = cal.book(staff=[cal.officer, cal.officer2])
    old_address = cal.officer2.email
    cal.officer.is_enabled = False
    cal.officer2.email = "renamed@test.example"
    db.flush()

    send(smtp_server.config())

    assert smtp_server.messages == []
    reasons = {
        m.user_id: m.withheld_reason
        for m in db.scalars(
            select(OutboundEmail).where(OutboundEmail.appointment_id == appointment.id)
        )
    }
    assert reasons == {
        cal.officer.id: WithheldReason.account_disabled,
        cal.officer2.id: WithheldReason.address_changed,
    }
    assert old_address not in {m["To"] for m in smtp_server.messages}


def test_retry_now_sends_a_withheld_mail_once_consent_is_given_again(
    cal, db, smtp_server, send, login
):
    cal.consent_email()
    appointment = cal.book()
    mail = witness_mail(db, appointment)
    withdraw_email_consent(db, cal)
    send(smtp_server.config())
    db.refresh(mail)
    assert mail.status is MailStatus.withheld

    db.execute(
        Consent.__table__.update()
        .where(Consent.witness_id == cal.assigned.id, Consent.kind == ConsentKind.notify)
        .values(is_current=False)
    )
    cal.consent_email(granted=True)
    response = login(cal.supervisor).submit(f"/outbox/{mail.id}/retry")
    assert response.status_code == 302
    send(smtp_server.config())

    assert len(received_by(smtp_server, cal.assigned.email)) == 1
    db.refresh(mail)
    assert mail.status is MailStatus.sent and mail.withheld_reason is None


def test_what_the_witness_receives_names_no_product_office_or_court(cal, db, smtp_server, send):
    cal.office.name = "Crown Prosecution Service Witness Care Unit"
    cal.consent_email()
    cal.book(hearing_id=cal.hearing.id, notes="Defendant's brother may be outside")
    config = smtp_server.config(
        MAIL_FROM="Witness Care Unit <wcu@cps.example>",
        DISCREET_MAIL_FROM="Appointments <no-reply@neutral.example>",
        MESSAGE_DOMAIN="neutral.example",
    )

    send(config)

    (message,) = received_by(smtp_server, cal.assigned.email)
    raw = message.as_string()
    # headers, body and the attached invite, as the witness's mail program holds them
    for word in ("witness", "prosecution", "crown", "court", "cps.example", "T20267788"):
        assert word.lower() not in raw.lower().replace(cal.assigned.email.lower(), ""), word
    assert message["From"] == "Appointments <no-reply@neutral.example>"
    assert re.fullmatch(r"<outbox-\d+\.\d+@neutral\.example>", message["Message-ID"])
    (part,) = message.iter_attachments()
    event = event_of(part.get_payload(decode=True))
    assert "@" not in str(event["UID"])
    # the staff copy still says who sends it
    (staff,) = received_by(smtp_server, cal.officer.email)
    assert staff["From"] == "Witness Care Unit <wcu@cps.example>"


def test_confirming_raises_the_sequence_and_sends_the_update(cal, db, smtp_server, send):
    cal.consent_email()
    appointment = cal.book(AFTER_DST)
    send(smtp_server.config())
    first = len(smtp_server.messages)

    confirm_appointment(db, cal.officer, appointment)
    db.flush()
    send(smtp_server.config())

    assert appointment.ical_sequence == 1
    updates = smtp_server.messages[first:]
    assert {m["To"] for m in updates} == {cal.officer.email, cal.assigned.email}
    for message in updates:
        assert message["Subject"] == "Updated: appointment on Mon 30 Mar"
        (part,) = message.iter_attachments()
        calendar = parse(part.get_payload(decode=True))
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "REQUEST"
        assert event["SEQUENCE"] == 1 and event["STATUS"] == "CONFIRMED"
