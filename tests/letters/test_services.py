"""The letters API other parts call: ``letter_for_task`` (the post channel of a task),
``letter_pdf_for_task`` (an e-mail's attachment) and ``queue_letter`` (post-trial matters);
reprints identical, a tampered PDF refused."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import update

from witness.audit.models import AuditEvent
from witness.core.errors import RecordedRefusal
from witness.letters import services
from witness.letters.models import Letter, LetterStatus
from witness.notify.models import AttemptOutcome, ContactAttempt, NewsWanted
from witness.outcomes.models import EventKind, SentenceKind
from witness.people.models import Channel, ConsentKind
from witness.people.services import record_consent

from .conftest import SAFE_ADDRESS, consent_post, pdf_text


def audits(db, action: str, letter: Letter) -> list[AuditEvent]:
    return (
        db.query(AuditEvent)
        .filter_by(action=action, object_type="letter", object_id=letter.id)
        .all()
    )


def test_a_task_gets_one_queued_letter_with_the_facts_and_the_safe_address(db, post, frozen_clock):
    task = post.task(
        EventKind.sentence,
        sentence_kind=SentenceKind.custody,
        sentence_months=54,
        release_date=date(2028, 9, 1),
    )
    letter = services.letter_for_task(db, post.world.officer, task)
    assert letter is not None and letter.status is LetterStatus.queued
    assert (letter.recipient_name, letter.recipient_address) == ("Mai Tran", SAFE_ADDRESS)
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()
    text = " ".join(pdf_text(letter.pdf).split())
    assert "4 years and 6 months" in text
    assert "1 September 2028" in text
    assert post.world.officer.name in text
    assert "You can stop these letters at any time" in text
    assert len(audits(db, "letter.created", letter)) == 1
    # the sweep calling again makes no second letter
    assert services.letter_for_task(db, post.world.officer, task) is letter
    assert db.query(Letter).filter_by(task_id=task.id).count() == 1


def test_withdrawn_consent_makes_no_letter_and_moves_the_task_on(db, post):
    task = post.task()
    consent_post(db, post.witness, post.world.supervisor, granted=False)
    assert services.letter_for_task(db, None, task) is None
    assert db.query(Letter).filter_by(task_id=task.id).count() == 0
    attempt = db.query(ContactAttempt).filter_by(task_id=task.id).one()
    assert attempt.outcome is AttemptOutcome.withheld and attempt.channel == "post"
    assert task.channel_index == 1


def test_an_opted_out_witness_gets_no_letter(db, post):
    task = post.task()
    post.preference.news_wanted = NewsWanted.nothing
    assert services.letter_for_task(db, None, task) is None
    assert db.query(ContactAttempt).filter_by(task_id=task.id).one().outcome is (
        AttemptOutcome.withheld
    )


def test_the_pdf_for_an_email_is_not_queued_for_post_and_is_taken_up_by_post_later(db, post):
    task = post.task()
    name, pdf = services.letter_pdf_for_task(db, task)
    letter = db.query(Letter).filter_by(task_id=task.id).one()
    assert name == f"letter-{letter.id}.pdf" and pdf == letter.pdf
    assert letter.status is LetterStatus.cancelled
    assert letter.withheld_reason == services.EMAIL_ONLY
    assert "The verdict in your case" in pdf_text(pdf)
    # asked again: the same letter
    assert services.letter_pdf_for_task(db, task) == (name, pdf)
    # the post channel later queues that same letter rather than making another
    assert services.letter_for_task(db, None, task) is letter
    assert letter.status is LetterStatus.queued
    assert db.query(Letter).filter_by(task_id=task.id).count() == 1


def test_queue_letter_for_a_post_trial_matter(db, post):
    letter = services.queue_letter(
        db,
        post.world.officer,
        witness=post.witness,
        kind="compensation_ordered",
        facts={"amount": "1500.00", "currency": "GBP", "defendant": "John Smith"},
        case=post.world.case,
    )
    assert letter.status is LetterStatus.queued and letter.task_id is None
    text = pdf_text(letter.pdf)
    assert "£1,500.00" in text and "John Smith" in text
    assert letter.case_id == post.world.case.id
    assert audits(db, "letter.created", letter)[0].detail["kind"] == "compensation_ordered"


def test_an_unknown_kind_is_refused(db, post):
    from witness.core.errors import DomainError

    with pytest.raises(DomainError):
        services.queue_letter(db, None, witness=post.witness, kind="nonsense", facts={})


def test_a_reprint_is_the_same_bytes_and_a_tampered_pdf_is_refused(db, post, frozen_clock):
    letter = services.letter_for_task(db, None, post.task())
    first = bytes(letter.pdf)
    # made again from the same inputs: the same bytes (deterministic layout)
    services.render(db, letter, services.facts_for_task(db, letter_task(db, letter)))
    assert letter.pdf == first
    assert services.reprint(db, post.world.officer, letter) == first
    assert len(audits(db, "letter.reprinted", letter)) == 1
    # someone changes the stored PDF behind the application's back
    middle = len(first) // 2
    tampered = first[:middle] + bytes([first[middle] ^ 0xFF]) + first[middle + 1 :]
    db.execute(update(Letter).where(Letter.id == letter.id).values(pdf=tampered))
    db.expire(letter)
    with pytest.raises(RecordedRefusal, match="changed after it was made"):
        services.reprint(db, post.world.officer, letter)
    assert len(audits(db, "letter.reprint_refused", letter)) == 1


def letter_task(db, letter):
    from witness.notify.models import NotificationTask

    return db.get(NotificationTask, letter.task_id)


def test_a_child_s_letter_goes_to_the_person_named_to_write_to(db, post):
    post.preference.contact_person = "Ana Lopez"
    post.preference.contact_person_relation = "Guardian"
    letter = services.letter_for_task(db, None, post.task())
    assert letter.recipient_name == "Ana Lopez"
    assert "Dear Ana Lopez," in pdf_text(letter.pdf)


def test_a_reminder_says_how_long_until_the_release(db, post):
    task = post.task(
        EventKind.release_date_set, reminder="release-30", release_date=date(2026, 4, 9)
    )
    letter = services.letter_for_task(db, None, task)
    text = " ".join(pdf_text(letter.pdf).split())
    assert "in 30 days, on 9 April 2026" in text


def test_a_language_without_a_reviewed_translation_gets_no_letter_not_an_english_one(db, post):
    post.preference.language = "vi"  # a catalogue and a font, nobody reviewed it
    post.preference.phone = "+44 7700 900555"
    record_consent(
        db, post.world.officer, post.witness, ConsentKind.notify, True, channel=Channel.phone
    )
    task = post.task()
    assert services.letter_for_task(db, None, task) is None
    assert db.query(Letter).filter_by(task_id=task.id).count() == 0
    assert [a.note for a in task.attempts] == [
        "No letter: no reviewed Vietnamese translation of the verdict letter. Call with a "
        "Vietnamese interpreter instead."
    ]
    assert task.interpreter_call == (
        "No reviewed Vietnamese translation of the verdict letter: call with a Vietnamese "
        "interpreter."
    )
