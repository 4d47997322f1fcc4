"""Discreet in every script: what shows on an envelope or an e-mail's subject is checked with
the word list of the reader's language and English's; Thai, Khmer and Arabic match inside
words (no spaces between Thai or Khmer words; Arabic joins "the" to a word)."""

from __future__ import annotations

import pytest

from witness.config import ConfigError, _channel_settings, _letter_settings
from witness.letters import services, translations
from witness.letters.discreet import WORDS, envelope_refusal, forbidden_words
from witness.letters.models import Letter


def test_every_language_has_its_list():
    assert {"en", "th", "vi", "km", "id", "ar"} <= set(WORDS)
    assert all(len(words) >= 15 for words in WORDS.values())


@pytest.mark.parametrize(
    ("text", "language", "found"),
    [
        ("ตู้ ปณ. 12 ศาลจังหวัด", "th", ["ศาล"]),  # "court", with no space after it
        ("สถานีตำรวจ", "th", ["ตำรวจ"]),  # "police station", one word
        ("12 ถนนศาลาแดง", "th", []),  # a pavilion (ศาลา) is not a court
        ("Tòa án nhân dân quận 1", "vi", ["tòa án"]),
        ("Tòa nhà 5, đường Lê Lợi", "vi", []),  # a building, not a court
        ("ប្រអប់សំបុត្រ 12 តុលាការ", "km", ["តុលាការ"]),
        ("Kantor Pengadilan Negeri", "id", ["pengadilan"]),
        ("صندوق بريد 12، المحكمة", "ar", ["محكمة"]),  # "the court"
        ("PO Box 12, Victim Care", "th", ["victim"]),  # English is always checked
        ("PO Box 4021, London N1 9XX", "vi", []),
    ],
)
def test_the_readers_list_and_englishs(text, language, found):
    assert forbidden_words(text, language) == found


def test_a_line_is_checked_with_the_readers_language_not_every_one():
    assert forbidden_words("12 ศาลจังหวัด", "en") == []
    assert envelope_refusal(["PO Box 1", "Mai", "12 ศาลจังหวัด"], "th") == (
        "the envelope would show 'ศาล'"
    )


def test_a_thai_return_address_holding_court_is_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("WITNESS_LETTER_RETURN_ADDRESS", "ตู้ ปณ. 12 ศาลอาญา กรุงเทพฯ")
    with pytest.raises(ConfigError, match="ศาล"):
        _letter_settings()
    monkeypatch.setenv("WITNESS_LETTER_RETURN_ADDRESS", "ตู้ ปณ. 12 ศาลาแดง กรุงเทพฯ")
    assert _letter_settings()["LETTER_RETURN_ADDRESS"].startswith("ตู้ ปณ. 12")


def test_an_email_subject_in_any_language_is_checked_at_start_up(monkeypatch):
    monkeypatch.setenv("WITNESS_NOTIFY_MAIL_SUBJECT", "Thông báo từ tòa án")
    with pytest.raises(ConfigError, match="tòa án"):
        _channel_settings()


def test_a_letter_whose_envelope_would_tell_is_not_made(db, post):
    post.preference.language = "vi"
    post.preference.postal_address = "Tòa án nhân dân\n9 Quiet Road\nLeeds LS1 1AA"
    translations.review_translation(db, post.world.supervisor, "verdict", "vi", "Native speaker")
    task = post.task()
    assert services.letter_for_task(db, None, task) is None
    assert db.query(Letter).filter_by(task_id=task.id).count() == 0
    assert task.attempts[0].note == "No letter: the envelope would show 'tòa án'."
    assert task.channel_index == 1  # the next channel


@pytest.mark.parametrize("language", ["th", "vi"])
def test_the_catalogues_subject_is_discreet(app, language):
    from witness.core.i18n import in_language
    from witness.notify.wording import subject

    with app.app_context(), in_language(language):
        translated = subject()
    assert translated != "A message for you" and forbidden_words(translated, language) == []
