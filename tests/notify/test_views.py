"""The outbox page: who sees it, what it shows, and retrying a mail by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.notify.models import MailStatus
from witness.scheduling.services import book_appointment

from ..factories import booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _failed(db, email, error="The mail server refused the recipient: 550 Mailbox unavailable"):
    email.status = MailStatus.failed
    email.attempts = 5
    email.last_error = error
    db.flush()
    return email


@pytest.mark.parametrize("role", ["ngo_worker", "prosecutor"])
def test_outbox_is_for_office_roles_only(world, login, make_mail, role):
    make_mail()
    user = getattr(world, role)
    client = login(user)
    assert client.get("/outbox").status_code == 404
    assert "Outbox" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "supervisor", "officer"])
def test_office_roles_see_their_offices_mail(world, login, make_mail, role):
    make_mail(to_address="alex@example.org", subject="Your appointment on Thursday")
    make_mail(
        organisation_id=world.other_office.id,
        to_address="bo@example.net",
        subject="Another office's mail",
    )
    client = login(getattr(world, role))

    page = client.get("/outbox")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Your appointment on Thursday" in html
    assert "a…@example.org" in html
    assert "alex@example.org" not in html  # the address itself is not shown
    assert "Another office" not in html and "example.net" not in html
    assert 'href="/outbox"' in client.get("/").get_data(as_text=True)


def test_a_failed_mail_is_visible_with_its_error(db, world, login, make_mail):
    sent = make_mail(subject="Went fine")
    sent.status = MailStatus.sent
    _failed(db, make_mail(subject="Did not go"))
    client = login(world.supervisor)

    html = client.get("/outbox?status=failed").get_data(as_text=True)

    assert "Did not go" in html and "550 Mailbox unavailable" in html
    assert "Went fine" not in html
    assert "Retry now" in html
    all_html = client.get("/outbox").get_data(as_text=True)
    assert "Went fine" in all_html and "Did not go" in all_html
    assert all_html.count("Retry now") == 1  # not for a mail already sent


def test_outbox_is_newest_first_and_paged(db, world, login, make_mail, frozen_clock):
    start = frozen_clock.now()
    for n in range(30):
        frozen_clock(start + timedelta(minutes=n))
        make_mail(subject=f"Mail number {n:02d}")
    client = login(world.officer)

    first = client.get("/outbox").get_data(as_text=True)
    second = client.get("/outbox?page=2").get_data(as_text=True)

    assert first.index("Mail number 29") < first.index("Mail number 28")
    assert "Mail number 00" not in first and "Mail number 00" in second
    assert "Page 1 of 2" in first


def test_retry_now_makes_a_failed_mail_due(db, world, login, make_mail, frozen_clock):
    appointment = book_appointment(db, world.officer, world.assigned, booking([world.officer]))
    # a mail of a witness's appointment: the retry is audited on both (the witness's "who
    # looked" page lists it)
    email = _failed(db, make_mail(witness_id=world.assigned.id, appointment_id=appointment.id))
    email.next_attempt_dt = frozen_clock.now() - timedelta(hours=3)
    # other mails that failed: this office's and another's, not retried with it
    others = [
        _failed(db, make_mail()),
        _failed(db, make_mail(organisation_id=world.other_office.id)),
    ]
    db.flush()
    frozen_clock(frozen_clock.now() + timedelta(minutes=30))
    client = login(world.officer)

    response = client.submit(f"/outbox/{email.id}/retry?status=failed")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/outbox?status=failed")
    db.expire_all()
    assert email.status is MailStatus.pending
    assert email.next_attempt_dt == frozen_clock.now()
    assert email.attempts == 5  # kept: one more failure and it is failed again
    assert [o.status for o in others] == [MailStatus.failed, MailStatus.failed]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "mail.retry")).one()
    assert event.actor_id == world.officer.id and event.object_id == email.id
    assert event.witness_id == world.assigned.id
    assert event.detail == {"appointment_id": appointment.id, "attempts": 5}
    assert "due again" in client.get("/outbox").get_data(as_text=True)


def test_retried_mail_goes_out(db, world, login, make_mail, smtp_server, runner):
    smtp_server.rejected.add("alex@example.org")
    email = make_mail(to_address="alex@example.org")
    for _ in range(5):
        email.next_attempt_dt = email.created_dt
        db.flush()
        runner.invoke(args=["send-mail"])
        db.expire_all()
    assert email.status is MailStatus.failed
    smtp_server.rejected.clear()

    login(world.supervisor).submit(f"/outbox/{email.id}/retry")
    result = runner.invoke(args=["send-mail"])

    assert "Sent 1 e-mail(s)" in result.output
    db.expire_all()
    assert email.status is MailStatus.sent
    assert [m["To"] for m in smtp_server.messages] == ["alex@example.org"]


def test_retry_of_another_offices_mail_is_refused(db, world, login, make_mail):
    email = _failed(db, make_mail(organisation_id=world.other_office.id))

    response = login(world.supervisor).submit(f"/outbox/{email.id}/retry")

    assert response.status_code == 404
    db.expire_all()
    assert email.status is MailStatus.failed
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "mail.retry_refused"))
    # the audit says who tried, on what
    assert [(e.actor_id, e.object_type, e.object_id) for e in refused] == [
        (world.supervisor.id, "outbound_email", email.id)
    ]


def test_ngo_worker_cannot_retry(db, world, login, make_mail):
    email = _failed(db, make_mail())
    assert login(world.ngo_worker).submit(f"/outbox/{email.id}/retry").status_code == 404
    db.expire_all()
    assert email.status is MailStatus.failed


def test_a_sent_mail_is_not_retried(db, world, login, make_mail):
    email = make_mail()
    email.status = MailStatus.sent
    db.flush()
    client = login(world.officer)

    response = client.submit(f"/outbox/{email.id}/retry", follow_redirects=True)

    # the message as written, not merely containing it
    assert ">This e-mail was already sent.<" in response.get_data(as_text=True)
    db.expire_all()
    assert email.status is MailStatus.sent


def test_retry_needs_a_post_with_csrf(db, world, login, make_mail):
    email = _failed(db, make_mail())
    client = login(world.officer)
    assert client.get(f"/outbox/{email.id}/retry").status_code == 405
    assert client.post(f"/outbox/{email.id}/retry", data={}).status_code == 400
    db.expire_all()
    assert email.status is MailStatus.failed


def test_the_outbox_services_refuse_whoever_may_not_see_it_themselves(db, world):
    """The page is not the only way in: each query refuses an NGO worker on its own (found by
    mutation testing: the page's check alone was tested)."""
    from witness.core.errors import AccessDenied
    from witness.notify.mail import outbox_query
    from witness.notify.queries import outbox_letters, outbox_tasks
    from witness.people.models import Channel

    for ask in (
        lambda: outbox_query(world.ngo_worker),
        lambda: outbox_letters(world.ngo_worker),
        lambda: outbox_tasks(db, world.ngo_worker, Channel.phone),
    ):
        with pytest.raises(AccessDenied) as refused:
            ask()
        assert str(refused.value) == "Only the office's staff see its outbox."
    outbox_query(world.officer)  # the office's own staff: no refusal
