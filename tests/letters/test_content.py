"""Every kind of letter renders and reads back (pdftotext): the facts, the officer, the line to
stop the letters; the font is embedded; the envelope's window holds the name and the safe
address only, under a neutral return address."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from witness.core.i18n import in_language
from witness.letters.content import TEMPLATES, compose
from witness.letters.discreet import FORBIDDEN_WORDS, forbidden_words
from witness.letters.layout import WINDOW, Envelope, LetterMeta, render_letter
from witness.outcomes.models import EventKind

from .conftest import pdf_fonts, pdf_text

FACTS = {
    "region": "GB",
    "recipient_name": "Mai Tran",
    "officer_name": "Jo Bloggs",
    "safe_line": "0800 123 456",
    "support_services": "Support line: 08 08 16 89 111",
    "defendant": "John Smith",
    "effective_date": "2026-03-02",
    "result": "guilty",
    "charge": "Forced labour",
    "sentence_kind": "custody",
    "sentence_months": 54,
    "release_date": "2028-09-01",
    "hearing_date": "2027-05-10",
    "deadline_date": "2026-03-30",
    "orders": [{"kind": "no_contact", "until": "2031-01-01"}],
    "conditions": "Must live at an approved address.",
    "amount": "1500.00",
    "currency": "GBP",
    "item": "a mobile phone",
}
ENVELOPE = Envelope(
    "PO Box 4021, London N1 9XX", "Mai Tran", "c/o Safe Harbour\n9 Quiet Road\nLeeds LS1 1AA"
)
META = LetterMeta("L-000042", "2 March 2026", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
#: what each kind must say, beyond what every letter says
SAYS = {
    "sentence": ["4 years and 6 months", "1 September 2028", "must not contact you"],
    "verdict": ["guilty", "Forced labour"],
    "release_date_set": ["1 September 2028", "approved address"],
    "escaped": ["999", "safety plan"],
    "absconded": ["999"],
    "transferred": ["moved to another prison"],
    "parole_hearing": ["10 May 2027", "make a statement"],
    "compensation_ordered": ["£1,500.00"],
    "property_return": ["a mobile phone"],
}


def words(pdf: bytes, *args: str) -> str:
    return " ".join(pdf_text(pdf, *args).split())


def render(app, kind: str, reminder: str = "") -> bytes:
    with app.app_context(), in_language("en"):
        return render_letter(compose(kind, FACTS, reminder=reminder), ENVELOPE, META).pdf


def test_every_event_kind_has_a_template():
    assert {kind.value for kind in EventKind} <= set(TEMPLATES)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_kind_reads_back(app, kind):
    text = words(render(app, kind))
    assert "Jo Bloggs" in text and "0800 123 456" in text
    assert "You can stop these letters at any time" in text
    assert "Support line: 08 08 16 89 111" in text
    assert "L-000042" in text
    for expected in SAYS.get(kind, []):
        assert expected in text, (kind, expected)
    if kind in {"transferred"}:
        assert "HMP" not in text


def test_reminders_name_the_date_and_the_days_left(app):
    text = words(render(app, "release_date_set", reminder="release-30"))
    assert "in 30 days, on 1 September 2028" in text
    assert "today, 1 September 2028" in words(render(app, "release_date_set", "release-0"))


def test_the_font_ships_and_is_embedded(app):
    fonts = pdf_fonts(render(app, "sentence"))
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # emb column
    assert all("DejaVuSans" in row[0] for row in rows)
    assert "Helvetica" not in fonts


def window_text(pdf: bytes) -> list[str]:
    left, top, width, height = WINDOW
    crop = ["-f", "1", "-l", "1", "-x", str(int(left)), "-y", str(int(top))]
    crop += ["-W", str(int(width)), "-H", str(int(height))]
    return [" ".join(line.split()) for line in pdf_text(pdf, *crop).splitlines() if line.strip()]


@pytest.mark.parametrize("kind", ["sentence", "escaped", "case_closed"])
def test_the_window_holds_the_neutral_return_address_the_name_and_the_safe_address(app, kind):
    lines = window_text(render(app, kind))
    assert lines == [
        "PO Box 4021, London N1 9XX",
        "Mai Tran",
        "c/o Safe Harbour",
        "9 Quiet Road",
        "Leeds LS1 1AA",
    ]
    assert forbidden_words(" ".join(lines)) == []


def test_the_discreet_word_list_catches_what_must_not_show():
    assert forbidden_words("Crown Prosecution Service, Victim Care") == [
        "crown",
        "prosecution",
        "victim",
    ]
    assert forbidden_words("Witness Care Unit") == ["witness"]
    assert forbidden_words("12 Courtfield Gardens") == []
    assert {"court", "trafficking", "offence", "victim", "witness"} <= set(FORBIDDEN_WORDS)


def test_a_return_address_that_says_too_much_is_refused_at_start_up(monkeypatch, tmp_path):
    from witness.config import ConfigError, build_config

    monkeypatch.setenv("WITNESS_LETTER_RETURN_ADDRESS", "Witness Care Unit, Leeds Crown Court")
    with pytest.raises(ConfigError, match="without witness, crown, court"):
        build_config(tmp_path)


def test_a_long_letter_numbers_its_pages_and_the_same_inputs_give_the_same_bytes(app):
    first = render(app, "sentence")
    assert first == render(app, "sentence")
    text = words(first)
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
