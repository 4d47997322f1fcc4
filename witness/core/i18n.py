"""Languages: the pages in the user's language, and letters, e-mails and call scripts in the
witness's. Strings are marked with ``gettext``/``lazy_gettext`` (Flask-Babel) and extracted with
``pybabel extract -F babel.cfg -o witness/translations/messages.pot .``; catalogues live in
``witness/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``).

A letter is written in the witness's language, not the reader's: ``in_language(code)`` switches
gettext for a block (``with in_language("th"): render(...)``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_babel import Babel, force_locale, gettext, lazy_gettext, ngettext

from witness.paths import ROOT

__all__ = ["gettext", "in_language", "init_app", "lazy_gettext", "ngettext"]

TRANSLATIONS = ROOT / "witness" / "translations"


def init_app(app: Flask) -> None:
    """Pages in the configured default language (``WITNESS_DEFAULT_LOCALE``, English)."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app)


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """gettext in ``code`` (a language code such as "th" or "pt_BR") for the block; a language
    with no catalogue falls back to English strings."""
    with force_locale(code or "en"):
        yield
