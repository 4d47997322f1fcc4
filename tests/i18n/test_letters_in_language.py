"""Every letter kind, e-mail and call script comes out in the reader's language (nothing left
in the English source), with the reader's dates (Buddhist era for Thai), money and durations;
and each letter, rendered through the services and read back with pdftotext, gives back every
word in order (run for each language this install has a font for)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest

from tests import pdf_read
from witness.core.i18n import format_day, in_language, language_name
from witness.letters import services, translations
from witness.letters.content import TEMPLATES, compose
from witness.letters.layout import can_write
from witness.letters.words import duration, money
from witness.notify.calls import script
from witness.notify.models import EmailDetail
from witness.notify.wording import Facts, email_body
from witness.outcomes.models import EventKind, EventResult

from ..letters.conftest import pdf_text
from ..letters.test_content import FACTS

LANGUAGES = [code for code in translations.languages() if code != "en"]
#: facts that are copied into a letter as given (names, numbers, the office's own text)
AS_GIVEN = {str(v) for v in FACTS.values() if isinstance(v, str)}


def lines(content) -> list[str]:
    out = [content.title, content.greeting]
    for heading, paragraph in content.sections:
        out += [heading, *paragraph]
    return out + content.closing


def translated(own: str, english: str) -> bool:
    return own != english or own in AS_GIVEN


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_line_of_every_letter_is_translated(app, kind, language):
    with app.app_context():
        with in_language("en"):
            english = lines(compose(kind, FACTS))
        with in_language(language):
            own = lines(compose(kind, FACTS))
    assert len(own) == len(english)
    left = [e for o, e in zip(own, english, strict=True) if not translated(o, e)]
    assert left == [], f"{language} {kind}: still in English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_emails_and_call_scripts_are_translated(app, language):
    facts = Facts(EventKind.verdict, EventResult.guilty, date(2026, 3, 2), "Sam", "0800 1", "Mai")
    with app.app_context():
        for detail in EmailDetail:
            with in_language("en"):
                english = email_body(detail, facts).splitlines()
            with in_language(language):
                own = email_body(detail, facts).splitlines()
            assert [e for o, e in zip(own, english, strict=True) if e and o == e] == []
        for line in script(EventKind.released, language, facts):
            assert line.own != line.english


def test_thai_dates_are_in_the_buddhist_era_in_one_place():
    assert format_day(date(2026, 3, 2), "th") == "2 มีนาคม พ.ศ. 2569"
    assert format_day(date(2026, 3, 2), "th_TH", "short") == "2/3/2569"
    assert format_day(date(2026, 3, 2), "vi") == "2 tháng 3, 2026"
    assert format_day(date(2026, 3, 2), "en_GB") == "2 March 2026"


def test_a_thai_letter_dates_its_facts_in_the_buddhist_era(app):
    with app.app_context(), in_language("th"):
        text = " ".join(lines(compose("release_date_set", FACTS)))
    assert "1 กันยายน พ.ศ. 2571" in text and "2028" not in text


def test_durations_money_and_language_names_follow_the_reader():
    assert duration(54, locale="en") == "4 years and 6 months"
    assert duration(13, 2, locale="en_GB") == "1 year, 1 month and 2 days"
    assert money("1500", "GBP", "vi") == "1.500,00\u00a0£"  # a no-break space
    assert money("1500", "EUR", "id") == "€1.500,00"
    assert language_name("th", "en") == "Thai"
    assert language_name("th", "vi") == "Tiếng Thái"
    assert language_name("vi", "th") == "เวียดนาม"
    assert language_name("zz-nope", "en") == "zz-nope"


def test_a_vietnamese_duration_is_joined_in_vietnamese(app):
    with app.app_context(), in_language("vi"):
        assert duration(54) == "4 năm và 6 tháng"


#: languages written right to left among those tested
RIGHT_TO_LEFT = frozenset({"ar", "fa", "ur", "he"})


def _words(text: str, language: str) -> list[str]:
    if language in ("th", "km", "lo", "my"):  # no spaces between words: compare the letters
        return list("".join(text.split()))
    return text.split()


def _right_to_left(lines_: list[str]) -> list[str]:
    """The words of a right-to-left letter's lines for comparing: a digit joined to a letter
    ("و6", "and 6") apart, as poppler gives them back as two runs; and each stretch of
    left-to-right words inside a line sorted, as poppler writes such a stretch in display
    order, which differs from reading order where numbers and Latin letters meet ("1,500.00
    UK£" shows as "£UK 1,500.00", as python-bidi and browsers show it too)."""
    out: list[str] = []
    for line in lines_:
        stretch: list[str] = []
        for part in (p for w in pdf_read.words(line) for p in re.findall(r"\d+|[^\W\d]+", w)):
            if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in part):
                out += [*sorted(stretch), part]
                stretch = []
            else:
                stretch.append(part)
        out += sorted(stretch)
    return out


def _in_order(wanted: list[str], got: list[str]) -> bool:
    at = 0
    for word in wanted:
        try:
            at = got.index(word, at) + 1
        except ValueError:
            return False
    return True


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_word_comes_back_from_the_pdf_in_order(app, db, post, kind, language):
    """Made through the services (reviewed first), read back with pdftotext and pdffonts."""
    if not can_write(language):
        pytest.skip(f"no font for {language_name(language)} ships in this install yet")
    post.preference.language = language
    translations.review_translation(db, post.world.supervisor, kind, language, "Native speaker")
    with app.app_context():
        letter = services.queue_letter(db, None, witness=post.witness, kind=kind, facts=FACTS)
        with in_language(language):
            composed = lines(compose(kind, {**FACTS, "recipient_name": letter.recipient_name}))
    assert letter.language == language
    if language in RIGHT_TO_LEFT:
        # pdftotext marks right-to-left runs; read every line back in reading order
        got = _right_to_left(
            [pdf_read.logical_line(line) for line in pdf_read.text(letter.pdf).splitlines()]
        )
        wanted = _right_to_left(composed)
    else:
        got = _words(pdf_text(letter.pdf), language)
        wanted = [w for line in composed for w in _words(line, language)]
    missing = [w for w in wanted if w not in got]
    assert missing == [] and _in_order(wanted, got), (language, kind, missing[:10])
    # and pdffonts: every font in it embedded, as a subset, with a map back to the characters
    fonts = pdf_read.fonts(letter.pdf)
    assert fonts and all(f["emb"] == f["sub"] == f["uni"] == "yes" for f in fonts), fonts
