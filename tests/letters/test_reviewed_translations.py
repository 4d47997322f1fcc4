"""Reviewed translations only: a letter in a language other than English is made only while a
review of that kind in that language holds (same catalogue, not revoked); otherwise no letter at
all, and the task is told by phone with an interpreter, saying why, in the task's attempts and
the audit."""

from __future__ import annotations

import shutil

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from witness.audit.models import AuditEvent
from witness.core.errors import AccessDenied, DomainError
from witness.letters import services, translations
from witness.letters.layout import can_write
from witness.letters.models import Letter, TranslationReview
from witness.notify.calls import call_list
from witness.notify.delivery import DeliveryReport, current_channel, deliver_task
from witness.people.models import Channel, ConsentKind
from witness.people.services import record_consent

from .conftest import pdf_text


@pytest.fixture
def vietnamese(db, post):
    """``post``'s witness reads Vietnamese and may be called on a safe phone."""
    post.preference.language = "vi"
    post.preference.phone = "+44 7700 900555"
    record_consent(
        db, post.world.officer, post.witness, ConsentKind.notify, True, channel=Channel.phone
    )
    return post


def review(db, post, kind="verdict", language="vi"):
    return translations.review_translation(
        db, post.world.supervisor, kind, language, "Native speaker, court interpreter"
    )


def test_a_reviewed_kind_is_written_in_the_readers_language(app, db, vietnamese):
    review(db, vietnamese)
    with app.app_context():
        letter = services.letter_for_task(db, None, vietnamese.task())
    assert letter is not None and letter.language == "vi"
    text = " ".join(pdf_text(letter.pdf).split())
    assert "Phán quyết trong vụ việc của bạn" in text  # the Vietnamese title
    assert "The verdict in your case" not in text
    event = db.query(AuditEvent).filter_by(action="translation.reviewed").one()
    assert event.detail["kind"] == "verdict" and event.detail["language"] == "vi"


def test_a_review_of_one_kind_does_not_cover_another(app, db, vietnamese):
    review(db, vietnamese, kind="sentence")
    task = vietnamese.task()
    assert services.letter_for_task(db, None, task) is None
    assert "no reviewed Vietnamese translation of the verdict letter" in task.attempts[0].note


def test_the_task_is_called_with_an_interpreter_and_says_why(db, vietnamese):
    task = vietnamese.task()
    assert services.letter_for_task(db, None, task) is None
    assert current_channel(db, task) is Channel.phone  # though phone was not next in line
    rows = call_list(db, vietnamese.world.officer)
    assert [row.task.id for row in rows] == [task.id]
    audit = db.query(AuditEvent).filter_by(action="notification_task.interpreter_call").one()
    assert audit.detail["reason"] == "no reviewed Vietnamese translation of the verdict letter"


def test_without_a_phone_the_task_moves_on_and_says_so(db, vietnamese):
    record_consent(
        db, vietnamese.world.officer, vietnamese.witness, ConsentKind.notify, False,
        channel=Channel.phone,
    )  # fmt: skip
    task = vietnamese.task()
    assert services.letter_for_task(db, None, task) is None
    assert task.interpreter_call == "" and task.channel_index == 1
    assert "no call with an interpreter either" in task.attempts[0].note


def test_the_delivery_sweep_rechecks_at_delivery(app, db, vietnamese):
    """Reviewed when the task was made, revoked before the sweep: no letter."""
    task = vietnamese.task()
    done = review(db, vietnamese)
    translations.revoke_review(db, vietnamese.world.supervisor, done, "A typo in the date line")
    with app.app_context():
        deliver_task(db, task, app.config, DeliveryReport())
    assert db.query(Letter).filter_by(task_id=task.id).count() == 0
    assert task.interpreter_call.startswith("No reviewed Vietnamese translation")
    # the revoked review is kept, with who and why
    kept = db.query(TranslationReview).one()
    assert kept.revoked_by_id == vietnamese.world.supervisor.id
    assert kept.revoked_reason == "A typo in the date line"


def test_an_edit_of_the_catalogue_unreviews_it(app, db, vietnamese, tmp_path, monkeypatch):
    copy = tmp_path / "translations"
    shutil.copytree(translations.TRANSLATIONS, copy)
    monkeypatch.setattr(translations, "TRANSLATIONS", copy)
    review(db, vietnamese)
    assert translations.translation_refusal(db, "verdict", "vi") is None
    folder = copy / "vi" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    catalogue["guilty"].string = "phạm tội"
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalogue)
    assert translations.translation_refusal(db, "verdict", "vi") == (
        "no reviewed Vietnamese translation of the verdict letter"
    )


def test_english_needs_no_review_and_a_language_without_a_catalogue_is_refused(db, post):
    assert translations.translation_refusal(db, "verdict", "en_GB") is None
    assert translations.translation_refusal(db, "verdict", "fr") == (
        "no French translation of the verdict letter"
    )
    with pytest.raises(DomainError, match="English is the source"):
        review(db, post, language="en")


def test_thai_is_refused_until_its_font_ships_and_it_is_reviewed(db, post):
    reason = translations.translation_refusal(db, "verdict", "th")
    if can_write("th"):
        assert reason == "no reviewed Thai translation of the verdict letter"
    else:
        assert reason == "no font for Thai in this install to print the verdict letter"


def test_only_a_supervisor_or_administrator_records_a_review_and_says_who_read_it(db, post):
    with pytest.raises(AccessDenied):
        translations.review_translation(db, post.world.officer, "verdict", "vi", "I read it")
    with pytest.raises(DomainError, match="Say who read it"):
        translations.review_translation(db, post.world.supervisor, "verdict", "vi", "  ")
    with pytest.raises(DomainError, match="nothing called"):
        translations.review_translation(db, post.world.admin, "nonsense", "vi", "Native")
    review(db, post)
    with pytest.raises(DomainError, match="already reviewed"):
        review(db, post)


def test_an_email_in_an_unreviewed_language_is_not_sent(app, db, vietnamese):
    vietnamese.preference.channels = ["email", "phone"]
    vietnamese.preference.email = "safe@example.org"
    record_consent(
        db, vietnamese.world.officer, vietnamese.witness, ConsentKind.notify, True,
        channel=Channel.email,
    )  # fmt: skip
    task = vietnamese.task()
    with app.app_context():
        deliver_task(db, task, app.config, DeliveryReport())
    assert task.attempts[0].channel == "email"
    assert "no reviewed Vietnamese translation of the e-mails" in task.attempts[0].note
    assert current_channel(db, task) is Channel.phone
