"""The catalogues a translator edits: the template (.pot) holds every string of the source (the
letters' and the pages'), every language's .po translates every letter's (no empty, no fuzzy),
each language the pages are written in (``core.i18n.UI_LANGUAGES``) translates every page's too,
each keeps every placeholder, and ships compiled (.mo) from exactly that .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from witness.core.i18n import TRANSLATIONS, UI_LANGUAGES
from witness.letters.translations import witness_facing_ids
from witness.paths import ROOT

POT = TRANSLATIONS / "messages.pot"
LANGUAGES = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
#: the modules whose words reach a witness: every gettext call in them must be extractable
WITNESS_FACING = [
    *sorted((ROOT / "witness" / "letters").glob("kinds_*.py")),
    ROOT / "witness" / "letters" / "content.py",
    ROOT / "witness" / "letters" / "words.py",
    ROOT / "witness" / "letters" / "layout.py",
    ROOT / "witness" / "notify" / "wording.py",
    ROOT / "witness" / "notify" / "calls.py",
]
GETTEXT_NAMES = {"gettext", "ngettext", "lazy_gettext", "_", "N_", "pgettext"}


def ids(path: Path) -> set:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_the_languages_written_here_have_catalogues():
    assert {"th", "vi"} <= set(LANGUAGES)


def test_the_template_is_up_to_date_with_the_source(tmp_path, monkeypatch):
    """Re-extracting gives the same messages: nobody added a string without extracting."""
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-o", str(fresh), "."]
    )
    assert ids(fresh) == ids(POT), "run the extract command in README (Languages)"


def test_the_pages_are_extracted_with_the_letters():
    """The template holds the pages' messages (the menu, a form's label) beside the letters',
    and the letters' are told apart by where they are used (their review is theirs alone)."""
    template = ids(POT)
    letters = witness_facing_ids()
    assert {"Witnesses", "My week", "Language of my pages"} <= template - letters
    assert letters and letters < template


def _gettext_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        named = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if named and node.func.id in GETTEXT_NAMES:
            yield node


@pytest.mark.parametrize("path", WITNESS_FACING, ids=lambda p: p.name)
def test_every_string_a_witness_reads_is_extracted(path):
    """Every gettext call has a plain literal message (not an f-string, not a variable) and that
    message is in the template: none is left out of the translators' catalogues."""
    template = ids(POT)
    calls = list(_gettext_calls(path))
    assert calls, path
    for call in calls:
        assert call.func.id != "lazy_gettext", f"{path.name}:{call.lineno}: pybabel skips it"
        first = call.args[0] if call.args else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{path.name}:{call.lineno}: the message must be a literal string"
        )
        plural = call.func.id == "ngettext"
        message = (first.value, call.args[1].value) if plural else first.value
        assert message in template, f"{path.name}:{call.lineno}: {message!r} not extracted"


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _key(msgid):
    return tuple(msgid) if isinstance(msgid, list | tuple) else msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    """Every letter's message in every language; every page's too in a language the pages are
    written in (Thai); a page's message elsewhere may wait (the page stays in English)."""
    cat = catalogue(language)
    assert {m.id for m in cat if m.id} == ids(POT), "run the update command in README"
    letters = witness_facing_ids()
    for message in cat:
        if not message.id:
            continue
        if language in UI_LANGUAGES or _key(message.id) in letters:
            untranslated = not all(s.strip() for s in _strings(message))
            assert not untranslated, f"{language}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{language}: fuzzy {message.id!r}"


def test_the_pages_are_written_in_english_and_thai():
    assert {"en", "th"} <= set(UI_LANGUAGES)
    assert set(UI_LANGUAGES) - {"en"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept_exactly(language):
    for message in catalogue(language):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(source[-1])) | set(PLACEHOLDER.findall(source[0]))
        for string in filter(None, _strings(message)):  # an untranslated page's message waits
            assert set(PLACEHOLDER.findall(string)) == wanted, (language, message.id, string)
            if wanted:  # a stray % would break the formatting at run time
                assert string % dict.fromkeys(wanted, 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_mo_is_compiled_from_the_po(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    for message in catalogue(language):
        if not message.id:
            continue
        if not all(_strings(message)):
            continue  # a page's message not yet translated: the page says it in English
        if isinstance(message.id, tuple):
            assert shipped.ngettext(*message.id, 1) == message.string[0], message.id
        else:
            assert shipped.gettext(message.id) == message.string, (
                f"{language}: {message.id!r}: run the compile command in README"
            )


def test_the_catalogues_ship_with_the_package():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"witness" = ["translations/*/LC_MESSAGES/*.mo"' in pyproject


PAGES_CODE = sorted(
    p
    for p in (ROOT / "witness").rglob("*.py")
    if not {"dashboard", "bench", "demo"} & set(p.relative_to(ROOT / "witness").parts)
)


@pytest.mark.parametrize("path", PAGES_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_literal_message_in_the_code_is_extracted(path):
    """A message the pages show is in the template: pybabel finds no gettext call inside an
    f-string's braces, so such a message would stay English on every page."""
    template = ids(POT)
    for call in _gettext_calls(path):
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue  # a message marked where it is defined (N_) and translated here
        plural = call.func.id == "ngettext"
        message = (first.value, call.args[1].value) if plural else first.value
        assert message in template, f"{path.name}:{call.lineno}: {message!r} not extracted"
