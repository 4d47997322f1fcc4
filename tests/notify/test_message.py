"""What a mail looks like on the wire, read back as the receiving server got it: a body in Thai
arrives whole through a server without 8BITMIME, and an invite's calendar keeps its letters."""

from __future__ import annotations

from sqlalchemy import delete, select

from witness.audit.models import AuditEvent
from witness.notify.mail import delivery_summary
from witness.notify.models import MailStatus, OutboundEmail
from witness.scheduling.services import book_appointment

from ..factories import booking
from .conftest import make_ics

THAI = "นัดหมายกับเจ้าหน้าที่ของคุณ วันศุกร์"


def _sent(db, make_mail, smtp_server, runner, **kw):
    email = make_mail(**kw)
    result = runner.invoke(args=["send-mail"])
    assert "Sent 1 e-mail(s)" in result.output, result.output
    db.expire_all()
    assert email.status is MailStatus.sent
    (message,) = smtp_server.messages
    return message


def test_a_body_in_thai_goes_quoted_printable_and_arrives_whole(db, make_mail, smtp_server, runner):
    """Seven-bit safe: a relay without 8BITMIME cannot mangle it (found by mutation testing:
    the encoding could be dropped unnoticed)."""
    message = _sent(db, make_mail, smtp_server, runner, body=THAI)
    body = message.get_body(("plain",))
    assert body["Content-Transfer-Encoding"] == "quoted-printable"
    assert body.get_content().strip() == THAI


def test_an_english_body_goes_as_plain_seven_bit_text(db, make_mail, smtp_server, runner):
    message = _sent(db, make_mail, smtp_server, runner, body="See you on Friday.")
    body = message.get_body(("plain",))
    assert body["Content-Transfer-Encoding"] == "7bit"
    assert body.get_content().strip() == "See you on Friday."


def test_an_invite_s_calendar_says_its_charset_and_method(db, make_mail, smtp_server, runner):
    """A calendar program reads the names in the file by its charset: said, they come back."""
    ics = make_ics(summary="Gặp nhân viên hỗ trợ")
    message = _sent(
        db, make_mail, smtp_server, runner, attachment_name="invite.ics", attachment=ics
    )
    (part,) = [p for p in message.iter_attachments()]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("charset") == "utf-8" and part.get_param("method") == "REQUEST"
    assert "Gặp nhân viên hỗ trợ" in part.get_content()


def test_a_sent_invite_is_audited_with_its_appointment_and_attempts(
    db, world, make_mail, smtp_server, runner, frozen_clock
):
    """Never its address, subject or body: which appointment's mail left, after how many
    failed tries (found by mutation testing: both could be dropped unnoticed)."""
    appointment = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    db.execute(delete(OutboundEmail).where(OutboundEmail.appointment_id == appointment.id))
    email = make_mail(appointment_id=appointment.id, user_id=world.officer.id,
                      to_address=world.officer.email)  # fmt: skip
    email.attempts = 2
    db.flush()
    runner.invoke(args=["send-mail"])
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "mail.sent", AuditEvent.object_id == email.id)
    ).one()
    assert event.object_type == "outbound_email"
    assert event.detail == {"appointment_id": appointment.id, "attempts": 2}  # failed before


def test_a_calendar_file_without_a_method_goes_without_one(db, make_mail, smtp_server, runner):
    """A plain calendar file (no METHOD: not an invitation) is attached as it is, rather than
    stopping the sweep."""
    ics = make_ics().replace(b"METHOD:REQUEST\r\n", b"")
    assert b"METHOD" not in ics
    message = _sent(db, make_mail, smtp_server, runner, attachment_name="plan.ics", attachment=ics)
    (part,) = list(message.iter_attachments())
    assert part.get_param("method") is None and part.get_param("charset") == "utf-8"


def test_a_mail_that_cannot_be_built_fails_alone_and_says_why(db, make_mail, smtp_server, runner):
    """A row no message can be made of (a line break in its subject, written behind the
    application's back) fails with the reason, to be retried (or corrected); the mail after
    it still goes."""
    broken = make_mail()
    broken.subject = "Appointment\nBcc: someone@example.org"
    fine = make_mail(to_address="sam@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.output.startswith("Sent 1 e-mail(s); 1 failed and will be retried;")
    assert "  The message could not be built (ValueError)." in result.output
    db.expire_all()
    assert fine.status is MailStatus.sent
    assert (broken.status, broken.attempts) == (MailStatus.pending, 1)
    assert broken.last_error == "The message could not be built (ValueError)."
    assert [m["To"] for m in smtp_server.messages] == ["sam@example.org"]


def test_the_sweep_counts_every_mail_it_withholds(db, world, make_mail, smtp_server, runner):
    """Two mails to a witness who gave no consent to e-mail: both withheld, both counted."""
    for _ in range(2):
        make_mail(witness_id=world.assigned.id, to_address="w@example.org")
    result = runner.invoke(args=["send-mail"])
    assert "Sent 0 e-mail(s)" in result.output and "2 withheld" in result.output
    assert smtp_server.messages == []


def test_a_withheld_mail_shows_its_reason_not_an_error(
    db, world, make_mail, runner, smtp_server, frozen_clock
):
    """The Outbox says why a mail was held back; its error column stays empty, as does the
    appointment page's for a mail not sent yet (found by mutation testing)."""
    appointment = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    email = make_mail(witness_id=world.assigned.id, to_address="w@example.org",
                      appointment_id=appointment.id)  # fmt: skip
    assert [d.last_error for d in delivery_summary(db, appointment.id)] == ["", ""]
    runner.invoke(args=["send-mail"])
    db.expire_all()
    assert email.status is MailStatus.withheld and email.withheld_reason is not None
    assert email.last_error == ""
