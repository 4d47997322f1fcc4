"""Every word a page shows is marked for translation: no template has literal English text
outside ``_()``/``ngettext`` (the product's name and reference prefixes aside), and none hides
gettext's ``_`` behind a variable of its own (``{% set _ = ... %}`` would break every ``_()``
after it)."""

from __future__ import annotations

import re

import pytest

from witness.paths import ROOT

TEMPLATES = ROOT / "templates"
PAGES = sorted(TEMPLATES.rglob("*.html"))
#: text that is the same in every language: the product's name, a letter reference's prefix
SAME_IN_EVERY_LANGUAGE = {"Witness", "· Witness", "L-"}
TOKEN = re.compile(
    r"(\{#.*?#\})|(\{%.*?%\})|(\{\{.*?\}\})|(<(?:[^>{]|\{\{.*?\}\}|\{%.*?%\}|\{)*>)", re.S
)
ATTRIBUTE = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"{}]*[A-Za-z][^"{}]*)"')
VERBATIM = ("<script", "<style", "<code")  # a command or code is not translated


def unmarked(source: str) -> list[str]:
    found, position, verbatim = [], 0, False
    for match in TOKEN.finditer(source):
        text = source[position : match.start()].strip()
        if not verbatim and re.search("[A-Za-z]", text) and text not in SAME_IN_EVERY_LANGUAGE:
            found.append(text)
        tag = match.group(0).lower()
        if match.group(4):
            verbatim = tag.startswith(VERBATIM) or (verbatim and not tag.startswith("</"))
            found += [a.group(0) for a in ATTRIBUTE.finditer(match.group(0))]
        position = match.end()
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_word_on_the_page_is_marked_for_translation(page):
    source = page.read_text(encoding="utf-8")
    assert unmarked(source) == [], "wrap it in {{ _(...) }}; see README, Languages"
    assert not re.search(r"\{%-?\s*set\s+_\s*=", source), "{% set _ = %} hides gettext"


def test_the_check_finds_unmarked_text():
    assert unmarked('<p>Saved <a title="Open it">{{ x }}</a></p>') == ["Saved", 'title="Open it"']
    assert unmarked("<p>{{ _('Saved') }} <code>flask run</code></p>") == []
