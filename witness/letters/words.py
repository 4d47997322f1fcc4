"""The pieces every letter's words are made of: the facts as a letter reads them (dates in the
court's calendar formatted for the letter's language, a sentence's length in plain words, money,
what an order forbids), and the parts a kind's template fills in.

Pure: no database, no request. Call inside ``witness.core.i18n.in_language(code)`` so gettext and
Babel's formats are the letter's language; outside an application context English is used."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.numbers import format_currency
from flask_babel import get_locale

from witness.core.i18n import format_day, gettext, ngettext


def locale_code(region: str = "") -> str:
    """The language gettext is writing in now ("en" outside an application context), with the
    court's ``region`` ("GB") when the language names none and Babel knows the pair: an
    English letter from a court in England says "2 March 2026"."""
    try:
        locale = get_locale()
    except RuntimeError:  # no application context
        locale = None
    code = str(locale) if locale is not None else "en"
    if region and "_" not in code:
        try:
            return str(Locale.parse(f"{code}_{region.upper()}"))
        except (UnknownLocaleError, ValueError):
            return code
    return code


@dataclass
class Parts:
    """What one kind says: a title (inside the letter only), what happened, what it means for
    the reader, what comes next; ``appeal`` adds the appeal paragraph, ``urgent`` puts the
    safety paragraph first."""

    title: str
    happened: list[str] = field(default_factory=list)
    means: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    appeal: bool = False
    urgent: bool = False


class Facts:
    """The facts of a letter (``facts_for_task`` or a post-trial caller's dict) as the words
    read them: every value optional, dates as ``date`` or ISO text."""

    def __init__(self, values: dict) -> None:
        self.values = dict(values)

    def text(self, key: str, default: str = "") -> str:
        value = self.values.get(key)
        return str(value).strip() if value not in (None, "") else default

    def number(self, key: str) -> int:
        value = self.values.get(key)
        try:
            return int(value) if value not in (None, "") else 0
        except (TypeError, ValueError):
            return 0

    def day(self, key: str) -> date | None:
        value = self.values.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str) and value:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return None
        return None

    def date(self, key: str, default: str = "") -> str:
        """The date under ``key`` written out for the letter's language ("2 March 2026"; in
        a Thai letter the Buddhist-era year)."""
        day = self.day(key)
        return format_day(day, self.locale) if day else default

    @property
    def locale(self) -> str:
        return locale_code(self.text("region"))

    @property
    def defendant(self) -> str:
        """Who the news is about: the defendant's name, or "the defendant"."""
        return self.text("defendant") or gettext("the defendant")

    @property
    def officer(self) -> str:
        return self.text("officer_name") or gettext("your support officer")


def duration(months: int, days: int = 0, locale: str = "") -> str:
    """A length in plain words, the parts joined as the letter's language joins a list:
    "4 years and 6 months", "18 days", "4 năm và 6 tháng"."""
    years, months = divmod(max(months, 0), 12)
    parts = []
    if years:
        parts.append(ngettext("%(num)d year", "%(num)d years", years))
    if months:
        parts.append(ngettext("%(num)d month", "%(num)d months", months))
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if not parts:
        return gettext("no time")
    return format_list(parts, locale=locale or locale_code())


def money(amount, currency: str | None, locale: str = "") -> str:
    """An amount in the letter's language ("£1,500.00"); "" when there is none."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(value, (currency or "GBP").upper(), locale=locale or locale_code())


def order_line(order: dict, defendant: str) -> str:
    """What one order means for the reader, in plain words."""
    detail = str(order.get("detail") or "").strip()
    until = Facts({"until": order.get("until")}).date("until")
    kind = str(order.get("kind") or "other")
    if kind == "no_contact":
        line = gettext(
            "%(defendant)s must not contact you in any way: not in person, by phone, by message "
            "or through anyone else.",
            defendant=defendant,
        )
    elif kind == "restraining":
        line = gettext(
            "A restraining order: %(defendant)s must not contact you or come near you. %(detail)s",
            defendant=defendant,
            detail=detail,
        )
    elif kind == "exclusion_zone":
        line = gettext(
            "%(defendant)s must not go into this area: %(detail)s",
            defendant=defendant,
            detail=detail or gettext("the area the order names"),
        )
    elif kind == "compensation":
        line = gettext("%(defendant)s must pay you compensation.", defendant=defendant)
    elif kind == "confiscation":
        line = gettext(
            "The court will take money or property %(defendant)s gained from the crime.",
            defendant=defendant,
        )
    elif kind == "deportation":
        line = gettext(
            "%(defendant)s is to be sent out of the country after the sentence.",
            defendant=defendant,
        )
    else:
        line = gettext("Another order: %(detail)s", detail=detail or gettext("see below"))
    if until:
        line = gettext("%(line)s This lasts until %(until)s.", line=line.strip(), until=until)
    return line.strip()


def orders_lines(facts: Facts) -> list[str]:
    orders = facts.values.get("orders") or []
    return [order_line(o, facts.defendant) for o in orders if isinstance(o, dict)]


def breach_line(facts: Facts) -> str:
    return gettext(
        "If %(defendant)s breaks any of these rules, call the police on 999 at once, then tell "
        "%(officer)s.",
        defendant=facts.defendant,
        officer=facts.officer,
    )
