"""Languages: the pages in the user's language, and letters, e-mails and call scripts in the
witness's. Strings are marked with ``gettext``/``lazy_gettext`` (Flask-Babel) and extracted with
``pybabel extract -F babel.cfg -k lazy_gettext -o witness/translations/messages.pot .``;
catalogues live in
``witness/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``).

A letter is written in the witness's language, not the reader's: ``in_language(code)`` switches
gettext for a block (``with in_language("th"): render(...)``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, wraps

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_date_format, match_skeleton
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import (
    Babel,
    LazyString,
    force_locale,
    get_locale,
    get_translations,
    refresh,
)
from flask_login import current_user

from witness.paths import ROOT

__all__ = [
    "N_",
    "UI_LANGUAGES",
    "LazyString",
    "english",
    "format_day",
    "format_money",
    "format_number",
    "format_when",
    "gettext",
    "in_english",
    "in_language",
    "init_app",
    "language_code",
    "language_name",
    "lazy_gettext",
    "ngettext",
    "page_locale",
    "reader",
    "refresh",
    "weekday_names",
]

TRANSLATIONS = ROOT / "witness" / "translations"

#: the languages Witness's pages are written in: English (the source) and those whose catalogue
#: translates every page's message (``tests/i18n/test_catalogues.py`` holds each to that). The
#: other catalogues translate the letters alone, so their readers' pages stay in English.
UI_LANGUAGES = ("en", "th")
#: languages written right to left (the page's ``dir``)
RTL = frozenset({"ar", "fa", "he", "ur"})


def init_app(app: Flask) -> None:
    """Pages in the user's language (``page_locale``), English by default."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=page_locale)
    # Flask-Babel's own callables find the request's translations anew for every string, through
    # a dozen context-local look-ups (14 µs): the 400 strings of a witness's page cost 6 ms
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
    )
    filters = app.jinja_env.filters
    # pages name a language in the reader's language, never by its code
    filters["language_name"] = lambda code: language_name(code, reader())
    filters["number"] = lambda value: format_number(value, reader())
    filters["money"] = lambda amount, currency: format_money(amount, currency, reader())
    app.jinja_env.globals["page_lang"] = lambda: reader().replace("_", "-")
    app.jinja_env.globals["page_dir"] = lambda: "rtl" if _language(reader()) in RTL else "ltr"


#: the catalogues of each language pages have been written in, as Flask-Babel loaded them
_LOADED: dict[Locale, Translations | NullTranslations] = {}


def _page_translations() -> Translations | NullTranslations:
    """The translations of the language being written now: the page's, or the one
    ``in_language`` forces (Flask-Babel keeps the locale of the moment in ``g``)."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # the first string of the request: the locale is chosen now
        return get_translations()
    loaded = _LOADED.get(locale)
    if loaded is None:
        loaded = _LOADED[locale] = get_translations()
    return loaded


def gettext(string: str, **variables) -> str:
    """``string`` in the language being written now, ``variables`` filled in (as Flask-Babel's
    ``gettext``, through the translations found once per language: enum labels and form labels
    call it hundreds of times a page)."""
    translated = _translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural of a message for ``num`` (``%(num)d`` in it), as Flask-Babel's."""
    variables.setdefault("num", num)
    translated = _translations().ungettext(singular, plural, num)
    return translated % variables if variables else translated


def lazy_gettext(string: str, **variables) -> LazyString:
    """``gettext`` when the text is shown (form labels, defined before any request)."""
    return LazyString(gettext, string, **variables)


def _translations() -> Translations | NullTranslations:
    return _page_translations() if has_app_context() else NullTranslations()


def N_(message: str) -> str:
    """Marks ``message`` for extraction where it is defined and translated later, where it is
    shown (``gettext(message)``)."""
    return message


def page_locale() -> str:
    """The language of a page: the signed-in user's choice, else the first of the browser's
    (Accept-Language) that Witness's pages are written in, else English."""
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "locale", None)
        if chosen in UI_LANGUAGES:
            return chosen
    return request.accept_languages.best_match(UI_LANGUAGES) or "en"


def reader() -> str:
    """The language of what is being written now ("th"): the page's, or the letter's inside
    ``in_language``; English outside a request."""
    return str(get_locale() or "en") if has_request_context() else "en"


def _language(locale: str | None) -> str:
    return str(locale or "en").replace("-", "_").split("_")[0].lower()


def format_number(value, locale: str = "en") -> str:
    """A count with the reader's thousands separators ("12,480")."""
    if value is None:
        return ""
    return format_decimal(value, locale=locale or "en")


def format_money(amount, currency: str, locale: str = "en") -> str:
    """An amount in its own currency, two decimals and thousands separators: in English
    "1,500.00 GBP" (the code, as Witness has always written it: offices handle several
    currencies); in another language as its readers write money ("฿1,500.00")."""
    value = Decimal(amount or 0)
    if _language(locale) == "en":
        return f"{format_decimal(value, format='#,##0.00', locale='en')} {currency}"
    return format_currency(value, currency, locale=locale)


#: strftime directives of the page templates and the CLDR skeleton field each stands for
_SKELETON = (("%Y", "y"), ("%B", "MMMM"), ("%b", "MMM"), ("%A", "EEEE"), ("%a", "E"), ("%d", "d"))


def format_when(value: date | datetime, fmt: str, locale: str = "en") -> str:
    """``value`` as ``fmt`` (strftime, as the templates give it) says, for a reader of
    ``locale``: English as strftime writes it; another language with its own month and day
    names and order (Babel's skeletons), Thai with Buddhist-era years. Times stay "14:30";
    an ISO date ("%Y-%m-%d") stays ISO."""
    if _language(locale) == "en" or fmt == "%Y-%m-%d":
        return value.strftime(fmt)
    skeleton = "".join(field for directive, field in _SKELETON if directive in fmt)
    parts = []
    if skeleton:
        day = value.date() if isinstance(value, datetime) else value
        parts.append(_format_skeleton(day, skeleton, locale))
    if "%H" in fmt and isinstance(value, datetime):
        parts.append(value.strftime("%H:%M"))
    return " ".join(parts)


def weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated, in the reader's language ("Mon", "จ.")."""
    days = Locale.parse(reader()).days["format"]["abbreviated"]
    return [days[i] for i in range(7)]


def _format_skeleton(day: date, skeleton: str, locale: str) -> str:
    known = Locale.parse(locale).datetime_skeletons
    pattern = known[match_skeleton(skeleton, known) or "yMMMd"].pattern
    language = _language(locale)
    if language in BUDDHIST_ERA:
        era, offset = BUDDHIST_ERA[language]
        pattern = _buddhist_pattern(pattern, era, day.year + offset)
    return format_date(day, format=pattern, locale=locale)


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """gettext in ``code`` (a language code such as "th" or "pt_BR") for the block; a language
    with no catalogue falls back to English strings."""
    with force_locale(code or "en"):
        yield


def in_english(func):
    """``func`` writes English whatever the page's language: what leaves Witness for staff and
    calendars (invites, calendar files, deadline alerts) reads as it always has, never half in
    the language of whoever pressed the button; a witness's own words go through
    ``in_language`` instead."""

    @wraps(func)
    def english(*args, **kwargs):
        with in_language("en"):
            return func(*args, **kwargs)

    return english


def english(write):
    """``write()`` in English: a line kept in the records (a review's reason, an attempt's
    note) reads the same whoever's page wrote it."""
    with in_language("en"):
        return write()


#: languages whose readers count years in the Buddhist era (พ.ศ. = the Gregorian year + 543)
BUDDHIST_ERA = {"th": ("\u0e1e.\u0e28.", 543)}


def _buddhist_pattern(pattern: str, era: str, year: int) -> str:
    """``pattern`` (CLDR) with its era and year fields replaced by the Buddhist era's, as
    quoted literals (a pattern without an era, such as "d/M/y", gets the year alone); quoted
    text in the pattern is left alone."""
    out, i, quoted = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            quoted = not quoted
            out.append(char)
            i += 1
            continue
        if not quoted and char in "Gy":
            while i < len(pattern) and pattern[i] == char:
                i += 1
            out.append(f"'{era}'" if char == "G" else f"'{year}'")
            continue
        out.append(char)
        i += 1
    return "".join(out)


def format_day(day: date, locale: str, format: str = "long") -> str:
    """``day`` written for a reader of ``locale`` (Babel's ``format_date``), with the year in
    the era that reader expects: a Thai letter says "2 มีนาคม พ.ศ. 2569". The one place letters,
    e-mails and call scripts write a date."""
    language = str(locale or "en").split("_")[0].split("-")[0].lower()
    if language not in BUDDHIST_ERA:
        return format_date(day, format=format, locale=locale or "en")
    era, offset = BUDDHIST_ERA[language]
    pattern = get_date_format(format, locale=locale).pattern
    return format_date(
        day, format=_buddhist_pattern(pattern, era, day.year + offset), locale=locale
    )


def language_name(code: str, reader: str = "en") -> str:
    """The name of language ``code`` in ``reader``'s language ("ภาษาไทย" is "Thai" to an
    English reader, "tiếng Thái" to a Vietnamese one); the code itself when Babel does not
    know it."""
    try:
        name = Locale.parse((code or "").replace("-", "_")).get_display_name(reader or "en")
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


#: languages whose own names a person may type ("ภาษาไทย" is no code): those of the victims
#: this serves most often; any language may still be named in English or given by its code
OWN_NAMES = (
    "th", "km", "vi", "id", "ar", "my", "lo", "fil", "tl", "ro", "sq", "fa", "ur", "zh",
    "es", "pt", "fr", "ru", "uk", "ti", "am", "so", "yo", "ig", "ha", "bn",
)  # fmt: skip


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    """Languages by their English names, and those above by their own, case-blind."""
    english = Locale("en")
    found = {name.casefold(): code for code, name in english.languages.items()}
    for code in OWN_NAMES:
        own = Locale.parse(code).get_display_name(code)
        if own:
            found.setdefault(own.casefold(), code)
    return found


@lru_cache(maxsize=1)
def _territories_by_name() -> dict[str, str]:
    return {name.casefold(): code for code, name in Locale("en").territories.items()}


def language_code(text: str) -> str | None:
    """The language a person named ("Thai", "ไทย", "Portuguese (Brazil)") or gave by its code
    ("th", "pt-BR"), as a code ("th", "pt_BR"); None when it is no language Babel knows."""
    value = " ".join((text or "").split())
    if not value:
        return None
    for candidate in (value.replace("-", "_"), _by_name(value)):
        try:
            if candidate:
                Locale.parse(candidate)
                return candidate
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


def _by_name(value: str) -> str | None:
    """ "Portuguese (Brazil)" as "pt_BR"; "Thai" as "th"."""
    name, _, rest = value.partition("(")
    code = _codes_by_name().get(name.strip().casefold())
    if code is None or not rest:
        return code
    territory = _territories_by_name().get(rest.rstrip(") ").strip().casefold())
    return f"{code}_{territory}" if territory else None
