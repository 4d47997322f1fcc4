"""Print batches: built in the background, each letter on its own sheets, delivery checked
again at print time, exactly once across a crash; posted and returned letters move the task."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from witness.core.errors import DomainError
from witness.letters import jobs, services
from witness.letters.models import BatchStatus, Letter, LetterStatus
from witness.notify.models import AttemptOutcome, ContactAttempt, NotificationTask, TaskStatus
from witness.outcomes.models import EventKind, SentenceKind

from .conftest import consent_post


def make_letters(post, n: int) -> list[Letter]:
    kinds = [EventKind.verdict, EventKind.sentence, EventKind.remanded, EventKind.escaped]
    letters = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        extra = {
            "sentence_kind": SentenceKind.custody,
            "sentence_months": 30,
            "release_date": date(2028, 9, 1),
            "orders": [
                {"kind": "no_contact", "until": "2031-01-01"},
                {"kind": "exclusion_zone", "detail": "the city of Leeds"},
            ],
            "compensation_amount": Decimal("1500.00"),
            "compensation_currency": "GBP",
        }
        task = post.task(kind, **(extra if kind is EventKind.sentence else {}))
        letters.append(services.letter_for_task(post.db, post.world.officer, task))
    return letters


@pytest.fixture
def office_post(db, post):
    post.db = db
    return post


def starts(batch_pdf: bytes) -> list[tuple[int, str]]:
    """(page index, letter reference) of each page that starts a letter."""
    reader = PdfReader(io.BytesIO(batch_pdf))
    found = []
    for index, page in enumerate(reader.pages):
        text = page.extract_text() or ""
        if "Page 1 of" in text:
            ref = text.split("Page 1 of", 1)[1].split("·", 1)[1].split()[0]
            found.append((index, ref))
    return found


def test_a_batch_puts_each_letter_on_its_own_sheets(db, office_post, frozen_clock):
    letters = make_letters(office_post, 5)
    assert any(letter.pages == 2 for letter in letters)  # the sentence runs to two pages
    batch = services.request_batch(db, office_post.world.officer)
    assert batch.status is BatchStatus.queued and batch.total == 5
    assert jobs.run_due(db) == 1
    db.refresh(batch)
    assert batch.status is BatchStatus.ready and batch.done == 5
    found = starts(batch.pdf)
    assert [ref for _, ref in found] == [services.reference(letter) for letter in letters]
    # every letter starts on the front of a sheet: an even page index
    assert all(index % 2 == 0 for index, _ in found)
    assert len(PdfReader(io.BytesIO(batch.pdf)).pages) % 2 == 0
    assert {letter.status for letter in letters} == {LetterStatus.printed}


def test_nothing_waiting_is_a_clear_refusal(db, office_post):
    with pytest.raises(DomainError, match="No letters are waiting"):
        services.request_batch(db, office_post.world.officer)


def test_consent_withdrawn_before_printing_withholds_the_letter_and_moves_the_task_on(
    db, office_post, frozen_clock
):
    kept, dropped = make_letters(office_post, 2)
    batch = services.request_batch(db, office_post.world.officer)
    consent_post(db, office_post.witness, office_post.world.supervisor, granted=False)
    db.commit()
    jobs.run_due(db)
    db.refresh(batch)
    assert batch.status is BatchStatus.ready and batch.pdf is None  # nothing to print
    for letter in (kept, dropped):
        db.refresh(letter)
        assert letter.status is LetterStatus.withheld
        assert letter.withheld_reason == "consent_withdrawn"
        attempts = db.query(ContactAttempt).filter_by(letter_id=letter.id).all()
        assert [a.outcome for a in attempts] == [AttemptOutcome.withheld]
        task = db.get(NotificationTask, letter.task_id)
        assert task.channel_index == 1 and task.status is TaskStatus.open


def test_a_builder_that_dies_mid_batch_is_taken_over_and_each_letter_printed_once(
    db, office_post, frozen_clock, monkeypatch
):
    letters = make_letters(office_post, 7)
    # the witness stops wanting letters for one of them: withheld in the first chunk
    services.request_batch(db, office_post.world.officer)
    db.commit()
    monkeypatch.setattr(jobs, "CHUNK", 3)
    real_append, calls = jobs.append_letter, []

    def dying(writer, pdf):
        calls.append(1)
        if len(calls) == 5:
            raise SystemExit("the builder's process was killed")
        return real_append(writer, pdf)

    monkeypatch.setattr(jobs, "append_letter", dying)
    with pytest.raises(SystemExit):
        jobs.run_due(db)
    db.rollback()
    batch = letters[0].batch
    db.refresh(batch)
    assert batch.status is BatchStatus.running and batch.done == 3  # the first chunk's progress
    # another sweep before the claim passes leaves it alone
    assert jobs.run_due(db) == 0
    frozen_clock(frozen_clock.now() + jobs.CLAIM_FOR + timedelta(seconds=1))
    assert jobs.run_due(db) == 1
    db.refresh(batch)
    assert batch.status is BatchStatus.ready
    refs = [ref for _, ref in starts(batch.pdf)]
    assert refs == [services.reference(letter) for letter in letters]
    assert len(refs) == len(set(refs))


def test_posted_then_returned_reopens_the_task_on_the_next_channel(db, office_post, frozen_clock):
    (letter,) = make_letters(office_post, 1)
    with pytest.raises(DomainError, match="only a letter that was sent"):
        services.return_letter(db, office_post.world.officer, letter, "Moved away")
    batch = services.request_batch(db, office_post.world.officer)
    jobs.run_due(db)
    db.refresh(batch)
    assert services.post_batch(db, office_post.world.officer, batch) == 1
    db.refresh(letter)
    task = db.get(NotificationTask, letter.task_id)
    assert letter.status is LetterStatus.posted and task.status is TaskStatus.done
    services.return_letter(db, office_post.world.officer, letter, "Moved away")
    assert letter.status is LetterStatus.returned and letter.return_reason == "Moved away"
    assert task.status is TaskStatus.open and task.channel_index == 1
    outcomes = [a.outcome for a in db.query(ContactAttempt).filter_by(letter_id=letter.id)]
    assert outcomes == [AttemptOutcome.posted, AttemptOutcome.returned]
    with pytest.raises(DomainError, match="already marked posted"):
        services.post_batch(db, office_post.world.officer, batch)


def test_a_tampered_letter_is_not_printed(db, office_post, frozen_clock):
    from sqlalchemy import update

    (letter,) = make_letters(office_post, 1)
    services.request_batch(db, office_post.world.officer)
    db.execute(update(Letter).where(Letter.id == letter.id).values(pdf=b"%PDF-1.4 forged"))
    db.commit()
    jobs.run_due(db)
    db.refresh(letter)
    assert letter.status is LetterStatus.withheld and letter.withheld_reason == jobs.PDF_CHANGED


def test_progress_and_eta(db, office_post, frozen_clock):
    make_letters(office_post, 2)
    batch = services.request_batch(db, office_post.world.officer)
    batch.status, batch.started_dt, batch.done, batch.total = (
        BatchStatus.running,
        frozen_clock.now() - timedelta(seconds=10),
        1,
        3,
    )
    assert jobs.eta_seconds(batch, frozen_clock.now()) == 20
