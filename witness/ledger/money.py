"""Amounts in the ledger: what a person may type, and the one form in which it is stored and
hashed.

Python's ``Decimal`` reads far more than a person means by an amount: ``"1_000"``, fullwidth
digits, ``"-0"``, ``"1e3"``. Each of those once reached the ledger, and ``-0`` was hashed as
``"-0.00"`` but stored as ``0``, so its chain read broken for ever. Here an amount is plain
ASCII digits with an optional decimal point and no more decimals than its currency's minor
unit (from Babel's CLDR data: JPY 0, GBP 2, BHD 3), never rounded; and the hash takes
``amount_text``, the stored form.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import get_currency_precision, is_currency

from witness.core.errors import DomainError
from witness.core.i18n import gettext

CENT = Decimal("0.01")
#: the ledger's columns keep two decimal places (``Numeric(14, 2)``, ``Numeric(12, 2)``)
STORED_PLACES = 2
MAX_AMOUNT = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("9999999999.99")
#: what a person types: digits, optionally a point and more digits; ASCII only
PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
#: the same, for the OpenAPI document
AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]+)?$"


def currency_code(text: str) -> str:
    """An ISO 4217 code, upper-cased; refused (naming the field) when CLDR does not know it."""
    code = (text or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise DomainError(
            gettext("Give the currency as three letters, e.g. GBP."), field="currency"
        )
    if not is_currency(code):
        raise DomainError(
            gettext("%(code)s is not a currency code (ISO 4217), e.g. GBP, EUR or THB.", code=code),
            field="currency",
        )
    return code


def places_for(currency: str) -> int:
    """Decimal places an amount in ``currency`` may have: its minor unit, and at most what the
    ledger stores (BHD's third place cannot be kept, so it is refused rather than rounded)."""
    return min(get_currency_precision(currency), STORED_PLACES)


def _text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):  # format(12, "f") would be "12.000000": six places
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return ""


def parse_amount(value, field: str, *, places: int, positive: bool) -> Decimal:
    """An amount as a person (or a caller) gives it, refused with a message naming ``field``
    unless it is plain digits with at most ``places`` decimals; zero is refused when
    ``positive``. A negative sign is always refused (a correction is a reversal)."""
    text = _text(value)
    if text.startswith("-"):
        raise DomainError(
            "Give zero or more, without a sign: a mistake is corrected by a reversal."
            if not positive
            else "Give an amount above zero, without a sign.",
            field=field,
        )
    if not PLAIN_AMOUNT.fullmatch(text):
        raise DomainError(
            gettext(
                "Give a number, e.g. 12.50: digits and at most one decimal point, nothing else."
            ),
            field=field,
        )
    decimals = text.partition(".")[2]
    if len(decimals) > places:
        raise DomainError(
            "Give a whole number: this currency has no decimal places."
            if places == 0
            else f"Give at most {places} decimal places; {text} has {len(decimals)}.",
            field=field,
        )
    amount = Decimal(text)
    if amount > MAX_AMOUNT:
        raise DomainError(
            gettext(
                "Give an amount of at most %(MAX_AMOUNT)s.", MAX_AMOUNT=format(MAX_AMOUNT, ",")
            ),
            field=field,
        )
    if positive and amount == 0:
        raise DomainError(gettext("Give an amount above zero."), field=field)
    return amount.quantize(CENT)


def amount_text(value: Decimal) -> str:
    """The stored form of an amount, which is what the hash takes: two places, and zero never
    negative (``-0.00`` is stored as ``0.00``)."""
    amount = Decimal(value).quantize(CENT)
    return str(amount.copy_abs() if amount.is_zero() else amount)


def negated(value: Decimal) -> Decimal:
    """``-value`` as the database stores it: the reversal of a zero-value item is ``0.00``."""
    amount = -Decimal(value)
    return amount.copy_abs() if amount.is_zero() else amount
