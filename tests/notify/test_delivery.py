"""The delivery sweep: each open task's current channel is tried after the delivery check;
an e-mail carries the task and its handover is the attempt; refusals move to the next channel;
with no channel left the officer is alerted once."""

import pytest
from sqlalchemy import select

from witness.notify.delivery import current_channel, deliver_due, live_mail_query
from witness.notify.mail import MAX_ATTEMPTS
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    MailStatus,
    OutboundEmail,
    StaffAlert,
    TaskStatus,
)
from witness.notify.preferences import record_preferences
from witness.outcomes.models import EventKind, EventResult
from witness.people.models import Channel, ConsentKind
from witness.people.services import record_consent

from ..sql_plan import sqlite_plan

EMAIL_FIRST = dict(channels=["email", "phone"], email="safe@example.org", phone="+44 7700 900111")


@pytest.fixture
def deliver(app, db, monkeypatch):
    """One delivery sweep through the test's transaction, with the office's safe line set."""
    monkeypatch.setitem(app.config, "OFFICE_PHONE", "+44 20 7946 0000")

    def run():
        with app.app_context():
            report = deliver_due(app.extensions["witness.db"].sessionmaker, app.config)
        db.expire_all()
        return report

    return run


def _emails(db, task):
    return db.scalars(select(OutboundEmail).where(OutboundEmail.task_id == task.id)).all()


def _attempts(db, task):
    return db.scalars(
        select(ContactAttempt).where(ContactAttempt.task_id == task.id).order_by(ContactAttempt.id)
    ).all()


def test_an_email_call_me_carries_the_task_and_its_handover_closes_it(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    record_preferences(db, world.officer, world.assigned, **EMAIL_FIRST)
    task = make_task(world.assigned, world.case)
    assert deliver().emails == 1
    assert deliver().emails == 0  # in flight: never twice
    [email] = _emails(db, task)
    assert email.to_address == "safe@example.org" and email.witness_id == world.assigned.id
    assert email.subject == "A message for you"
    first_name = world.officer.name.split()[0]
    assert f"Please call {first_name} on +44 20 7946 0000." in email.body
    for word in ("court", "trafficking", "prosecution", "offence", world.case.reference):
        assert word.lower() not in email.body.lower()

    assert send(smtp_server.config()).sent == 1
    [message] = smtp_server.messages
    assert message["Subject"] == "A message for you"
    assert "appointments.invalid" in message["From"]
    assert "You have news from your support officer." in message.get_content()
    assert task.status is TaskStatus.done
    [attempt] = _attempts(db, task)
    assert attempt.outcome is AttemptOutcome.sent and attempt.email_id == email.id
    assert attempt.channel == "email" and attempt.by_id is None
    assert attempt.note == ""  # handed over: nothing to explain on the task's page
    assert deliver().emails == 0  # done: nothing more
    assert send(smtp_server.config()).attempted == 0


def test_a_summary_says_what_happened_in_plain_words(db, world, make_task, make_event, deliver):
    record_preferences(db, world.officer, world.assigned, **EMAIL_FIRST, email_detail="summary")
    event = make_event(world.case, EventKind.verdict, result=EventResult.guilty)
    task = make_task(world.assigned, world.case, event=event)
    deliver()
    [email] = _emails(db, task)
    assert "The court has reached its decision. The decision is: guilty." in email.body
    assert "This was on March 2, 2026." in email.body
    assert "trafficking" not in email.body.lower() and "forced labour" not in email.body.lower()


def test_a_refused_channel_is_a_withheld_attempt_and_the_next_channel_is_tried(
    db, world, make_task, deliver
):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    record_consent(db, world.officer, w, ConsentKind.notify, False, channel=Channel.email)
    task = make_task(w, world.case)
    report = deliver()
    assert report.withheld == 1 and report.emails == 0
    [attempt] = _attempts(db, task)
    assert attempt.outcome is AttemptOutcome.withheld and attempt.note == "consent withdrawn"
    assert task.channel_index == 1 and current_channel(db, task) is Channel.phone
    assert _emails(db, task) == []
    assert deliver().waiting == 1  # on the call list now: nothing automatic


def test_consent_withdrawn_between_queueing_and_smtp_is_withheld_and_moves_on(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    task = make_task(w, world.case)
    deliver()
    record_consent(db, world.officer, w, ConsentKind.notify, False, channel=Channel.email)
    report = send(smtp_server.config())
    assert report.withheld == 1 and smtp_server.messages == []
    [email] = _emails(db, task)
    assert email.status is MailStatus.withheld
    [attempt] = _attempts(db, task)
    assert attempt.outcome is AttemptOutcome.withheld and attempt.email_id == email.id
    assert task.status is TaskStatus.open and current_channel(db, task) is Channel.phone


def test_a_preference_change_before_smtp_is_caught_at_delivery(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    task = make_task(w, world.case)
    deliver()
    record_preferences(db, world.officer, w, **(EMAIL_FIRST | {"email": "new@example.org"}))
    send(smtp_server.config())
    assert smtp_server.messages == []
    [email] = _emails(db, task)
    assert email.withheld_reason.value == "address_changed"
    assert task.channel_index == 1
    deliver()  # the next channel is phone: no second e-mail to the new address either
    assert len(_emails(db, task)) == 1


def test_mail_that_fails_for_good_moves_the_task_on(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    record_preferences(db, world.officer, world.assigned, **EMAIL_FIRST)
    task = make_task(world.assigned, world.case)
    deliver()
    [email] = _emails(db, task)
    email.attempts = MAX_ATTEMPTS - 1
    db.flush()
    smtp_server.rejected.add("safe@example.org")
    send(smtp_server.config())
    assert email.status is MailStatus.failed
    [attempt] = _attempts(db, task)
    assert attempt.outcome is AttemptOutcome.failed and "550" in attempt.note
    assert task.channel_index == 1 and task.status is TaskStatus.open


def test_a_task_told_another_way_meanwhile_sends_nothing(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    from witness.notify.attempts import record_attempt

    record_preferences(db, world.officer, world.assigned, **EMAIL_FIRST)
    task = make_task(world.assigned, world.case)
    deliver()
    record_attempt(
        db, world.officer, task, channel=Channel.phone, outcome=AttemptOutcome.spoke_to_witness
    )
    send(smtp_server.config())
    assert smtp_server.messages == []
    [email] = _emails(db, task)
    assert email.status is MailStatus.withheld
    assert email.last_error == "Not needed: the witness was already told."  # the Outbox says
    assert len(_attempts(db, task)) == 1


def test_a_refusal_at_delivery_is_the_reason_given_even_when_the_task_closed_too(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    """Moved address and a task told by phone meanwhile: the Outbox gives the refusal (why the
    mail must never go) as the reason, and no second, softer note beside it."""
    from witness.notify.attempts import record_attempt

    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    task = make_task(w, world.case)
    deliver()
    record_preferences(db, world.officer, w, **(EMAIL_FIRST | {"email": "new@example.org"}))
    record_attempt(
        db, world.officer, task, channel=Channel.phone, outcome=AttemptOutcome.spoke_to_witness
    )
    send(smtp_server.config())
    assert smtp_server.messages == []
    [email] = _emails(db, task)
    assert email.status is MailStatus.withheld
    assert email.withheld_reason.value == "address_changed"
    assert email.last_error == ""
    # the task was already done: the withheld mail adds no attempt to it
    [attempt] = _attempts(db, task)
    assert attempt.outcome is AttemptOutcome.spoke_to_witness and task.status is TaskStatus.done


def test_a_task_cancelled_meanwhile_says_why_on_the_outbox_in_one_short_line(
    db, world, make_task, deliver, send, smtp_server, frozen_clock
):
    from witness.notify.task_services import cancel_task

    record_preferences(db, world.officer, world.assigned, **EMAIL_FIRST)
    task = make_task(world.assigned, world.case)
    deliver()
    reason = "The verdict was recorded against the wrong case; " + "x" * 440
    cancel_task(db, world.supervisor, task, reason)
    send(smtp_server.config())
    assert smtp_server.messages == []
    [email] = _emails(db, task)
    assert email.status is MailStatus.withheld and email.withheld_reason is None
    shown = f"Not needed: the notification was cancelled ({reason})."
    assert len(shown) > 300 and email.last_error == shown[:300]


def test_with_no_channel_left_the_officer_is_alerted_once(db, world, make_task, deliver):
    record_preferences(db, world.officer, world.assigned, channels=["in_person"])
    make_task(world.assigned, world.case, channel_index=1)
    assert deliver().exhausted == 1
    assert deliver().exhausted == 0
    [alert] = db.scalars(select(StaffAlert).where(StaffAlert.witness_id == world.assigned.id))
    assert alert.user_id == world.officer.id
    assert "tell in person" in alert.message and world.assigned.legal_name not in alert.message


def test_without_preferences_the_files_consented_channels_go_post_phone_email(db, world, make_task):
    w = world.assigned
    for channel in (Channel.email, Channel.phone):
        record_consent(db, world.officer, w, ConsentKind.notify, True, channel=channel)
    task = make_task(w, world.case)
    assert current_channel(db, task) is Channel.phone
    task.channel_index = 1
    assert current_channel(db, task) is Channel.email
    task.channel_index = 2
    assert current_channel(db, task) is None


def test_an_opted_out_witness_gets_nothing(db, world, make_task, deliver):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    task = make_task(w, world.case)
    record_preferences(db, world.officer, w, **EMAIL_FIRST, news_wanted="nothing")
    assert task.status is TaskStatus.cancelled
    report = deliver()
    assert report.emails == 0 and _emails(db, task) == []


def test_key_stages_only_withholds_other_news(db, world, make_task, make_event, deliver):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST, news_wanted="key_stages")
    task = make_task(w, world.case, event=make_event(world.case, EventKind.transferred))
    deliver()
    [attempt] = _attempts(db, task)
    assert attempt.note == "the witness opted out of this news"
    assert task.status is TaskStatus.cancelled and _emails(db, task) == []
    assert db.scalar(select(StaffAlert.id)) is None  # not "tell in person"


def test_an_email_with_the_letter_attached_carries_the_pdf_the_witness_chose(
    db, world, make_task, make_event, deliver, send, smtp_server, frozen_clock, tmp_path
):
    """The witness chose the letter attached: the mail at the server carries a PDF that
    pdftotext reads back with the news, and no letter is queued for post."""
    import subprocess

    from witness.letters.models import Letter, LetterStatus

    record_preferences(db, world.officer, world.assigned, **EMAIL_FIRST, email_detail="letter")
    event = make_event(world.case, EventKind.verdict, result=EventResult.guilty)
    task = make_task(world.assigned, world.case, event=event)
    assert deliver().emails == 1
    assert send(smtp_server.config()).sent == 1
    [message] = smtp_server.messages
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    pdf = tmp_path / part.get_filename()
    pdf.write_bytes(part.get_content())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "guilty" in text.lower()
    queued = db.scalars(select(Letter).where(Letter.task_id == task.id)).all()
    assert [letter.status for letter in queued] == [LetterStatus.cancelled]  # e-mail only
    assert task.status is TaskStatus.done


def test_a_task_on_post_gets_its_letter_queued_once(db, world, make_task, deliver):
    from witness.letters.models import Letter, LetterStatus

    world.assigned.address = "1 Home Street, Leeds"
    record_preferences(
        db, world.officer, world.assigned, channels=["post"], postal_address="PO Box 7, Leeds"
    )
    task = make_task(world.assigned, world.case)
    assert deliver().letters == 1
    assert deliver().letters == 0  # in flight: never twice
    [letter] = db.scalars(select(Letter).where(Letter.task_id == task.id)).all()
    assert letter.status is LetterStatus.queued
    assert letter.recipient_address == "PO Box 7, Leeds"
    assert task.status is TaskStatus.open  # told only once it is posted


def test_the_sweep_finds_a_tasks_mail_through_the_index_among_many_invites(db, world, make_task):
    """Most mail is invites, with no task. After ANALYZE, SQLite counted those NULLs as one
    value and judged the index on ``task_id`` useless: each batch of the delivery sweep would
    scan the whole outbox. The partial index holds only the mail that carries a task."""
    task = make_task(world.assigned, world.case)
    mail = dict(organisation_id=world.office.id, to_address="x@example.org", subject="-", body="-")
    db.add(OutboundEmail(task_id=task.id, status=MailStatus.sent, **mail))
    db.execute(OutboundEmail.__table__.insert(), [dict(mail, status="sent")] * 300)
    batch = [task.id, *range(10**6, 10**6 + 49)]  # the sweep reads 50 tasks at a time
    plan = sqlite_plan(db, live_mail_query(batch))
    assert "USING INDEX ix_outbound_emails_task_id" in plan, plan
    assert set(db.scalars(live_mail_query(batch))) == {task.id}


def test_news_the_witness_stopped_wanting_before_smtp_is_withheld_at_delivery(
    db, world, make_task, make_event, deliver, send, smtp_server, frozen_clock
):
    """Queued while they wanted all news; before it was handed to the mail server they asked
    for the key stages only: a transfer's news is not sent (found by mutation testing: the
    check at delivery could lose the event's kind and let it through)."""
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    task = make_task(w, world.case, event=make_event(world.case, EventKind.transferred))
    deliver()
    [email] = _emails(db, task)
    record_preferences(db, world.officer, w, **EMAIL_FIRST, news_wanted="key_stages")
    send(smtp_server.config())
    assert smtp_server.messages == []
    db.refresh(email)
    assert email.status is MailStatus.withheld
