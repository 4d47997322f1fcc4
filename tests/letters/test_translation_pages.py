"""The translations page: a supervisor records that a person who reads the language checked a
kind's translation, and withdraws it; audited; nobody else sees the page; bad input is a 400,
never a 500. The task page says why a witness is called with an interpreter, naming the
language, never by its code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.letters import services, translations
from witness.letters.models import TranslationReview
from witness.people.models import Channel, ConsentKind
from witness.people.services import record_consent

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_a_supervisor_reviews_and_withdraws_a_translation(db, post, login):
    client = login(post.world.supervisor)
    page = client.get("/letters/translations").get_data(as_text=True)
    assert "Vietnamese" in page and "Tiếng Việt" in page and "Thai" in page
    assert "the sentence letter" in page and "the e-mails" in page and "the call script" in page
    response = client.submit(
        "/letters/translations/review",
        {"kind": "sentence", "language": "vi", "note": "Native speaker, court interpreter"},
    )
    assert response.status_code == 302
    review = db.scalars(select(TranslationReview)).one()
    assert (review.kind, review.language, review.reviewed_by_id) == (
        "sentence", "vi", post.world.supervisor.id,
    )  # fmt: skip
    page = client.get("/letters/translations").get_data(as_text=True)
    assert "Native speaker, court interpreter" in page
    response = client.submit(
        f"/letters/translations/{review.id}/revoke", {"reason": "Wrong word for parole"}
    )
    assert response.status_code == 302
    db.refresh(review)
    assert review.revoked_reason == "Wrong word for parole"
    assert [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "translation.reviewed",
        "translation.review_revoked",
    ]


def test_bad_input_is_refused_plainly(db, post, login):
    client = login(post.world.supervisor)
    missing = client.submit(
        "/letters/translations/review", {"kind": "sentence", "language": "vi", "note": ""}
    )
    assert missing.status_code == 400
    english = client.submit(
        "/letters/translations/review", {"kind": "sentence", "language": "en", "note": "Me"}
    )
    assert english.status_code == 400 and "English is the source" in english.get_data(True)
    assert db.scalars(select(TranslationReview)).all() == []


def test_an_officer_does_not_see_the_page_and_cannot_record_a_review(db, post, login):
    client = login(post.world.officer)
    assert client.get("/letters/translations").status_code == 404
    response = client.submit(
        "/letters/translations/review", {"kind": "sentence", "language": "vi", "note": "Me"}
    )
    assert response.status_code == 404
    assert db.scalars(select(TranslationReview)).all() == []


def test_the_task_page_says_why_the_witness_is_called_with_an_interpreter(db, post, login):
    post.preference.language = "vi"
    post.preference.phone = "+44 7700 900555"
    record_consent(
        db, post.world.officer, post.witness, ConsentKind.notify, True, channel=Channel.phone
    )
    task = post.task()
    services.letter_for_task(db, None, task)
    page = login(post.world.officer).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert (
        "with an interpreter: No reviewed Vietnamese translation of the verdict letter: call "
        "with a Vietnamese interpreter."
    ) in page


def test_the_task_page_lists_its_letter_in_the_readers_language(db, post, login):
    """The officer opens the task and sees its letter, in Thai, waiting to print, with the way
    to the print page; nothing about a letter on a task that has none."""
    post.preference.language = "th"
    task = post.task()
    page = login(post.world.officer).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="letters"' not in page
    translations.review_translation(db, post.world.supervisor, "verdict", "th", "Native speaker")
    letter = services.letter_for_task(db, None, task)
    page = login(post.world.officer).get(f"/tasks/{task.id}").get_data(as_text=True)
    section = page[page.index('id="letters"') :]
    assert f"L-{letter.id:06d}" in section and "Thai" in section and "Queued" in section
    assert 'href="/letters/"' in section  # the officer prints letters
