"""The outbox and its delivery against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.errors import DomainError
from witness.notify.mail import claim_due, delivery_summary, enqueue_email
from witness.notify.models import MailStatus, OutboundEmail
from witness.people.models import Channel, Consent, ConsentKind

from ..mailserver import REJECT_REPLY, free_port, start_smtp_server
from .conftest import make_ics

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_mail_arrives_with_its_invite(db, smtp_server, make_mail, send, frozen_clock):
    ics = make_ics("REQUEST", "Meeting with your support worker")
    email = make_mail(
        to_address="alex@example.org",
        subject="Your appointment on Thursday",
        body="Hello,\nyour appointment is attached.\n",
        attachment_name="appointment.ics",
        attachment=ics,
    )

    report = send(smtp_server.config())

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [message] = smtp_server.messages
    assert message["Subject"] == "Your appointment on Thursday"
    assert message["From"] == "Witness <no-reply@witness.test>"
    assert message["To"] == "alex@example.org"
    # dated when it was handed over: a mail without a Date is sorted last, or marked as spam
    assert parsedate_to_datetime(message["Date"]) == frozen_clock.now()
    assert smtp_server.handler.envelopes == [("no-reply@witness.test", ["alex@example.org"])]
    body = message.get_body(preferencelist=("plain",))
    assert body.get_content() == "Hello,\nyour appointment is attached.\n"
    [part] = message.iter_attachments()
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "appointment.ics"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Meeting with your support worker"

    db.refresh(email)
    assert email.status is MailStatus.sent
    assert email.sent_dt == frozen_clock.now()
    assert email.attempts == 0 and email.last_error == ""
    audit = db.scalars(select(AuditEvent).where(AuditEvent.object_id == email.id)).one()
    assert audit.action == "mail.sent" and audit.object_type == "outbound_email"
    # Nothing about who or what: the audit log is read by more people than the mail.
    assert "alex" not in str(audit.detail) and "appointment on" not in str(audit.detail)


def test_a_cancellation_carries_method_cancel(smtp_server, make_mail, send):
    make_mail(attachment_name="appointment.ics", attachment=make_ics("CANCEL"))
    send(smtp_server.config())
    [part] = smtp_server.messages[0].iter_attachments()
    assert part.get_params()[0] == ("text/calendar", "")
    assert part.get_param("method") == "CANCEL"


def test_a_non_english_body_arrives_intact(smtp_server, make_mail, send):
    make_mail(subject="Ihr Termin am Donnerstag, Grüße", body="Grüße, Ваш термін, 你的约会\n")
    send(smtp_server.config())
    [message] = smtp_server.messages
    assert message["Subject"] == "Ihr Termin am Donnerstag, Grüße"
    assert message.get_body().get_content() == "Grüße, Ваш термін, 你的约会\n"


def test_sent_mail_is_not_sent_again(db, smtp_server, make_mail, send, frozen_clock):
    make_mail()
    assert send(smtp_server.config()).sent == 1
    frozen_clock(frozen_clock.now() + timedelta(hours=1))
    report = send(smtp_server.config())
    assert report.attempted == 0
    assert len(smtp_server.messages) == 1


def test_mail_not_yet_due_waits(db, smtp_server, make_mail, send, frozen_clock):
    email = make_mail()
    email.next_attempt_dt = frozen_clock.now() + timedelta(minutes=5)
    db.flush()
    assert send(smtp_server.config()).attempted == 0
    frozen_clock(frozen_clock.now() + timedelta(minutes=5))
    assert send(smtp_server.config()).sent == 1


def test_a_refused_recipient_is_retried_later(db, smtp_server, make_mail, send, frozen_clock):
    smtp_server.rejected.add("gone@example.org")
    refused = make_mail(to_address="gone@example.org")
    fine = make_mail(to_address="here@example.org")
    start = frozen_clock.now()

    report = send(smtp_server.config())

    assert (report.sent, report.retrying, report.failed) == (1, 1, 0)
    db.refresh(refused)
    assert refused.status is MailStatus.pending
    assert refused.attempts == 1
    assert "550" in refused.last_error and "Mailbox unavailable" in refused.last_error
    assert "gone@" not in refused.last_error  # the outbox shows errors to the whole office
    assert refused.next_attempt_dt == start + timedelta(minutes=1)
    assert refused.claimed_until_dt is None
    db.refresh(fine)
    assert fine.status is MailStatus.sent
    assert [m["To"] for m in smtp_server.messages] == ["here@example.org"]

    # Not before it is due again; then it goes once the recipient is accepted.
    frozen_clock(start + timedelta(seconds=59))
    assert send(smtp_server.config()).attempted == 0
    smtp_server.rejected.clear()
    frozen_clock(start + timedelta(minutes=1))
    assert send(smtp_server.config()).sent == 1
    db.refresh(refused)
    assert refused.status is MailStatus.sent and refused.attempts == 1


def test_after_five_failures_a_mail_is_failed(db, smtp_server, make_mail, send, frozen_clock):
    smtp_server.rejected.add("gone@example.org")
    email = make_mail(to_address="gone@example.org")
    waits = []
    for attempt in range(1, 6):
        now = frozen_clock.now()
        report = send(smtp_server.config())
        assert report.attempted == 1
        db.refresh(email)
        assert email.attempts == attempt
        waits.append(email.next_attempt_dt - now)
        frozen_clock(email.next_attempt_dt)
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 5, 15, 60)]
    assert email.status is MailStatus.failed
    assert report.failed == 1
    # A failed mail waits for a person: no sweep picks it up again.
    frozen_clock(frozen_clock.now() + timedelta(days=1))
    assert send(smtp_server.config()).attempted == 0
    assert smtp_server.messages == []
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == email.id))
    assert list(actions) == ["mail.failed"]


def test_every_mail_given_up_in_one_sweep_is_counted(db, smtp_server, make_mail, send):
    """The sweep's report (the line the operator reads in the log) counts each mail it gave up
    on, not only whether it gave up on one."""
    smtp_server.rejected.add("gone@example.org")
    last_tries = [make_mail(to_address="gone@example.org") for _ in range(3)]
    for email in last_tries:
        email.attempts = 4  # one try left
    db.commit()

    report = send(smtp_server.config())

    assert (report.sent, report.retrying, report.failed) == (0, 0, 3)
    for email in last_tries:
        db.refresh(email)
        assert email.status is MailStatus.failed


def test_a_sweep_sends_at_most_its_batch_the_longest_due_first(
    db, smtp_server, make_mail, send, frozen_clock
):
    """A backlog drains oldest first, a batch at a time: the mail waiting longest is not
    overtaken by newer ones, whatever order the rows were made in."""
    now = frozen_clock.now()
    newest, oldest, middle = (make_mail(subject=s) for s in ("newest", "oldest", "middle"))
    newest.next_attempt_dt = now - timedelta(minutes=1)
    oldest.next_attempt_dt = now - timedelta(minutes=3)
    middle.next_attempt_dt = now - timedelta(minutes=2)
    db.commit()

    report = send(smtp_server.config(), batch=2)

    assert report.sent == 2
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["middle", "oldest"]
    db.refresh(newest)
    assert newest.status is MailStatus.pending  # the next sweep's
    assert send(smtp_server.config(), batch=2).sent == 1


def test_a_mail_server_that_is_down_is_tried_once_per_sweep(db, smtp_server, make_mail, send):
    """A server that answers every connection with 554 is not asked again for each mail of
    the sweep (fifty mails, fifty time-outs): the rest are put back with its answer."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connections = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn)
            conn.sendall(b"554 No SMTP service here\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    mails = [make_mail() for _ in range(3)]
    db.commit()
    try:
        report = send(smtp_server.config(SMTP_PORT=port))
    finally:
        listener.close()

    assert len(connections) == 1
    assert (report.sent, report.retrying) == (0, 3)
    for email in mails:
        db.refresh(email)
        assert email.attempts == 1 and "554" in email.last_error


def test_server_not_listening_is_recorded_not_raised(db, smtp_server, make_mail, send):
    first, second = make_mail(), make_mail()
    port = free_port()

    report = send(smtp_server.config(SMTP_PORT=port))

    assert (report.sent, report.retrying) == (0, 2)
    for email in (first, second):
        db.refresh(email)
        assert email.status is MailStatus.pending and email.attempts == 1
        assert email.last_error.startswith(
            f"Could not connect to the mail server at 127.0.0.1:{port}"
        )
    assert report.errors == [first.last_error]


def test_starttls_not_offered_is_explained(db, smtp_server, make_mail, send):
    email = make_mail()
    send(smtp_server.config(SMTP_SECURITY="starttls"))
    db.refresh(email)
    assert email.attempts == 1
    assert "does not offer STARTTLS" in email.last_error
    assert "WITNESS_SMTP_SECURITY" in email.last_error
    assert smtp_server.messages == []


def test_ssl_to_a_plain_server_is_explained(db, smtp_server, make_mail, send):
    email = make_mail()
    send(smtp_server.config(SMTP_SECURITY="ssl"))
    db.refresh(email)
    assert email.attempts == 1 and email.status is MailStatus.pending
    assert email.last_error.startswith("TLS with the mail server at 127.0.0.1:")


def test_a_wrong_password_is_explained_without_the_password(db, make_mail, send):
    from ..mailserver import password_authenticator

    email = make_mail()
    with start_smtp_server(
        authenticator=password_authenticator("witness", "right-secret"),
        auth_require_tls=False,
    ) as server:
        send(server.config(SMTP_USERNAME="witness", SMTP_PASSWORD="wrong-secret"))
        db.refresh(email)
        assert email.attempts == 1
        assert "refused the user name or password" in email.last_error
        assert "535" in email.last_error
        assert "wrong-secret" not in email.last_error
        assert server.messages == []

        email.next_attempt_dt = email.created_dt
        db.flush()
        assert send(server.config(SMTP_USERNAME="witness", SMTP_PASSWORD="right-secret")).sent
        assert len(server.messages) == 1


def test_starttls_and_sign_in(db, make_mail, send, tmp_path, monkeypatch):
    from ..mailserver import password_authenticator, self_signed_tls

    server_context, ca_file = self_signed_tls(tmp_path)
    # The client trusts our test certificate the way it trusts any: through OpenSSL's store.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    make_mail(subject="Over TLS")
    with start_smtp_server(
        tls_context=server_context,
        require_starttls=True,
        authenticator=password_authenticator("witness", "s3cret"),
        auth_required=True,
    ) as server:
        config = server.config(
            SMTP_SECURITY="starttls", SMTP_USERNAME="witness", SMTP_PASSWORD="s3cret"
        )
        report = send(config)
        assert report.sent == 1, report.errors
        assert [m["Subject"] for m in server.messages] == ["Over TLS"]


def _mail_values(office) -> dict:
    """A mail ``enqueue_email`` takes, to spoil one field of."""
    return {
        "organisation_id": office.id,
        "to_address": "alex@example.org",
        "subject": "Your appointment",
        "body": "Body",
        "attachment_name": "invite.ics",
        "attachment": make_ics(),
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\r\nBcc: everyone@example.org"),
        ("subject", "Hello\nthere"),
        ("subject", "Bell\x07"),
        ("to_address", "alex@example.org\r\nBcc: everyone@example.org"),
        ("to_address", "alex@example.org, everyone@example.org"),
        ("to_address", "Alex <alex@example.org>"),
        ("to_address", "not an address"),
        ("attachment_name", "invite.ics\r\nX-Evil: 1"),
    ],
)
def test_header_injection_is_refused(db, office, field, value):
    values = _mail_values(office) | {field: value}
    with pytest.raises(DomainError) as refused:
        enqueue_email(db, **values)
    assert refused.value.field == field
    db.flush()
    assert db.scalar(select(OutboundEmail.id)) is None


LONGEST_ADDRESS = "a" * 242 + "@example.org"  # 254 characters: the most SMTP carries


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("to_address", "alex@example.org\nBcc: x@example.org",
         "The e-mail address must be one line without line breaks or control characters."),
        ("to_address", "  ", "The e-mail address is missing."),
        ("to_address", "a" + LONGEST_ADDRESS,
         "The e-mail address is longer than 254 characters."),
        ("to_address", "not an address", "Give one e-mail address, such as name@example.org."),
        ("subject", "", "The subject is missing."),
        ("subject", "x" * 201, "The subject is longer than 200 characters."),
        ("attachment_name", "invite\x07.ics",
         "The file name must be one line without line breaks or control characters."),
        ("attachment_name", "x" * 97 + ".ics", "The file name is longer than 100 characters."),
        ("attachment", None, "An attachment needs both a file name and content."),
    ],
)  # fmt: skip
def test_each_refusal_says_what_is_wrong_and_where(db, office, field, value, message):
    values = _mail_values(office) | {field: value}
    with pytest.raises(DomainError) as refused:
        enqueue_email(db, **values)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_the_longest_address_smtp_carries_is_taken(db, office):
    email = enqueue_email(
        db, organisation_id=office.id, to_address=LONGEST_ADDRESS, subject="S", body="B"
    )
    assert len(email.to_address) == 254


def test_a_claimed_mail_waits_for_its_claim_to_expire(db, app, make_mail, frozen_clock):
    """A sender that dies after claiming: nobody else sends it until the claim ends."""
    email = make_mail()
    now = frozen_clock.now()
    assert claim_due(db, now) == [email.id]
    assert claim_due(db, now + timedelta(minutes=9)) == []
    assert claim_due(db, now + timedelta(minutes=10)) == [email.id]


def test_delivery_summary_of_an_appointment(db, smtp_server, make_mail, send, world):
    from datetime import UTC, datetime

    from witness.scheduling.models import Appointment, AppointmentKind

    appointment = Appointment(
        organisation_id=world.office.id,
        witness_id=world.assigned.id,
        kind=AppointmentKind.counselling,
        start_dt=datetime(2026, 3, 12, 10, tzinfo=UTC),
        end_dt=datetime(2026, 3, 12, 11, tzinfo=UTC),
        created_by_id=world.officer.id,
    )
    db.add(appointment)
    world.assigned.email = "witness@example.org"
    db.add(
        Consent(
            witness_id=world.assigned.id,
            kind=ConsentKind.notify,
            channel=Channel.email,
            is_granted=True,
            recorded_by_id=world.supervisor.id,
        )
    )
    db.flush()
    smtp_server.rejected.add("witness@example.org")
    make_mail(appointment_id=appointment.id, to_address="officer@example.org")
    make_mail(
        appointment_id=appointment.id,
        witness_id=world.assigned.id,
        to_address="witness@example.org",
    )
    make_mail(to_address="other@example.org")  # about something else
    send(smtp_server.config())

    summary = delivery_summary(db, appointment.id)

    assert [(d.recipient_kind, d.status) for d in summary] == [
        ("witness", MailStatus.pending),
        ("staff", MailStatus.sent),
    ]
    assert REJECT_REPLY in summary[0].last_error


def test_an_address_the_server_cannot_take_does_not_stop_the_rest(db, make_mail, send):
    unusual = make_mail(to_address="jö@example.org")  # needs SMTPUTF8
    usual = make_mail(to_address="jo@example.org")

    with start_smtp_server(enable_SMTPUTF8=False) as server:
        report = send(server.config())
        assert [m["To"] for m in server.messages] == ["jo@example.org"]

    assert (report.sent, report.retrying) == (1, 1)
    db.refresh(unusual)
    assert "non-ASCII" in unusual.last_error and unusual.attempts == 1
    db.refresh(usual)
    assert usual.status is MailStatus.sent
