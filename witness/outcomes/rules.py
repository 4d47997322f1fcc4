"""What each kind of outcome or custody event says: which typed columns it takes, which it
needs, and how each value is read (text, dates in the allowed years, whole numbers, money by the
ledger's strict amount rules, ancillary orders). Pure: no database, no request.

``event_columns(kind, effective_date, fields)`` is the one check; the services, the API and the
CSV import all go through it, so a verdict without a charge is refused the same way everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import check_year
from witness.ledger.money import currency_code, parse_amount, places_for
from witness.outcomes.models import EventKind, EventResult, OrderKind, SentenceKind

#: the typed columns an event may carry (besides its kind, dates, source and defendant)
COLUMNS = (
    "charge",
    "result",
    "sentence_kind",
    "sentence_months",
    "sentence_days",
    "suspended_months",
    "orders",
    "compensation_amount",
    "compensation_currency",
    "release_date",
    "hearing_date",
    "deadline_date",
    "institution",
    "conditions",
    "note",
)
DATE_COLUMNS = ("release_date", "hearing_date", "deadline_date")
_K = EventKind
#: what each kind takes (``note`` always)
TAKES: dict[EventKind, frozenset[str]] = {
    _K.plea: frozenset({"charge", "result"}),
    _K.verdict: frozenset({"charge", "result"}),
    _K.sentence: frozenset(
        {
            "sentence_kind",
            "sentence_months",
            "sentence_days",
            "suspended_months",
            "orders",
            "compensation_amount",
            "compensation_currency",
            "release_date",
        }
    ),
    _K.discontinued: frozenset(),
    _K.appeal_lodged: frozenset({"deadline_date", "hearing_date"}),
    _K.appeal_heard: frozenset({"hearing_date"}),
    _K.appeal_decided: frozenset({"result", "release_date"}),
    _K.retrial_ordered: frozenset({"hearing_date"}),
    _K.remanded: frozenset({"institution", "conditions", "orders"}),
    _K.bailed: frozenset({"conditions", "orders"}),
    _K.bail_varied: frozenset({"conditions", "orders"}),
    _K.transferred: frozenset({"institution"}),
    _K.parole_eligible: frozenset({"deadline_date"}),
    _K.parole_hearing: frozenset({"hearing_date", "institution"}),
    _K.release_date_set: frozenset({"release_date", "institution"}),
    _K.released: frozenset({"conditions", "orders"}),
    _K.temporary_release: frozenset({"conditions", "release_date"}),
    _K.escaped: frozenset({"institution"}),
    _K.absconded: frozenset({"institution"}),
    _K.recaptured: frozenset({"institution"}),
    _K.deported: frozenset(),
    _K.died: frozenset(),
}
#: what each kind needs
NEEDS: dict[EventKind, tuple[str, ...]] = {
    _K.plea: ("charge", "result"),
    _K.verdict: ("charge", "result"),
    _K.sentence: ("sentence_kind",),
    _K.appeal_decided: ("result",),
    _K.remanded: ("conditions",),
    _K.bailed: ("conditions",),
    _K.bail_varied: ("conditions",),
    _K.transferred: ("institution",),
    _K.parole_eligible: ("deadline_date",),
    _K.parole_hearing: ("hearing_date",),
    _K.release_date_set: ("release_date",),
}
#: the answers a plea, a verdict and an appeal's decision may give
RESULTS: dict[EventKind, tuple[EventResult, ...]] = {
    _K.plea: (EventResult.guilty, EventResult.not_guilty),
    _K.verdict: (EventResult.guilty, EventResult.not_guilty, EventResult.no_verdict),
    _K.appeal_decided: (
        EventResult.appeal_allowed,
        EventResult.appeal_dismissed,
        EventResult.sentence_varied,
        EventResult.conviction_quashed,
    ),
}
#: a sentence of these kinds has no length
NO_LENGTH = frozenset({SentenceKind.fine, SentenceKind.discharge})
MAX_MONTHS = 1200  #: a hundred years: a whole-life term is recorded as "other" with a note
MAX_DAYS = 366
MAX_ORDERS = 10
NEEDED_MESSAGES = {
    "charge": "Name the charge.",
    "result": "Choose the result.",
    "sentence_kind": "Choose the kind of sentence.",
    "conditions": "Give the conditions that matter to the victim (e.g. no contact).",
    "institution": "Name the prison or place.",
    "deadline_date": "Give the date.",
    "hearing_date": "Give the hearing's date.",
    "release_date": "Give the expected release date.",
}
_FIELD_NAMES = {
    "sentence_kind": "kind of sentence",
    "sentence_months": "months",
    "sentence_days": "days",
    "suspended_months": "suspended for (months)",
    "compensation_amount": "compensation amount",
    "compensation_currency": "compensation currency",
    "release_date": "release date",
    "hearing_date": "hearing date",
    "deadline_date": "deadline or eligibility date",
}


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def kind_of(value) -> EventKind:
    """An ``EventKind`` from itself or its value; a ``DomainError`` on ``kind`` otherwise."""
    return _enum(EventKind, value, "kind", "Choose a kind of event from the list.")


def _enum(cls, value, field: str, message: str):
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        for member in cls:
            if member.value == value.strip():
                return member
    raise DomainError(message, field=field)


def read_date(value, field: str) -> date:
    """A date from itself or ISO text (YYYY-MM-DD), within the allowed years."""
    if isinstance(value, date):
        return check_year(value, field)
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text.isascii():
            try:
                return check_year(date.fromisoformat(text), field)
            except ValueError:
                pass
    raise DomainError(gettext("Give a date as YYYY-MM-DD, e.g. 2026-03-02."), field=field)


def _whole(value, field: str, high: int) -> int:
    if isinstance(value, bool):
        raise DomainError(gettext("Give a whole number."), field=field)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= high:
        raise DomainError(
            gettext("Give a whole number from 0 to %(high)s.", high=high), field=field
        )
    return value


def _orders(value, effective: date) -> list[dict]:
    if not isinstance(value, list | tuple) or len(value) > MAX_ORDERS:
        raise DomainError(
            gettext(
                "Give at most %(MAX_ORDERS)s orders, each with its kind.", MAX_ORDERS=MAX_ORDERS
            ),
            "orders",
        )
    orders = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"kind", "detail", "until"}:
            raise DomainError(gettext("Each order has a kind, a detail and an end date."), "orders")
        kind = _enum(OrderKind, item.get("kind"), "orders", "Choose the kind of each order.")
        detail = clean_text(item.get("detail") or "", "orders", max_length=500)
        if kind is OrderKind.other and not detail:
            raise DomainError(gettext("Say what the other order forbids or requires."), "orders")
        until = None
        if not is_empty(item.get("until")):
            until = read_date(item["until"], "orders")
            if until < effective:
                raise DomainError(gettext("An order cannot end before the event's date."), "orders")
        orders.append(
            {"kind": kind.value, "detail": detail, "until": until.isoformat() if until else None}
        )
    return orders


def _text_value(name: str, value) -> str:
    if not isinstance(value, str):
        raise DomainError(gettext("Give text."), field=name)
    multiline = name in ("conditions", "note")
    limit = {"charge": 300, "institution": 200}.get(name, 4000)
    return clean_text(value, name, multiline=multiline, max_length=limit)


def _read(name: str, value, kind: EventKind, effective: date):
    """One column's value, read for ``kind``."""
    if name in ("charge", "institution", "conditions", "note"):
        return _text_value(name, value)
    if name == "result":
        allowed = RESULTS[kind]
        result = _enum(EventResult, value, "result", "Choose the result from the list.")
        if result not in allowed:
            names = ", ".join(r.label.lower() for r in allowed)
            raise DomainError(
                gettext("A %(lower)s is one of: %(names)s.", lower=kind.label.lower(), names=names),
                field="result",
            )
        return result
    if name == "sentence_kind":
        return _enum(SentenceKind, value, name, "Choose the kind of sentence from the list.")
    if name in ("sentence_months", "suspended_months"):
        return _whole(value, name, MAX_MONTHS)
    if name == "sentence_days":
        return _whole(value, name, MAX_DAYS)
    if name in DATE_COLUMNS:
        return read_date(value, name)
    if name == "orders":
        return _orders(value, effective)
    if name == "compensation_currency":
        try:
            return currency_code(value if isinstance(value, str) else "")
        except DomainError as exc:
            raise DomainError(exc.message, field=name) from exc
    return value  # compensation_amount: read with its currency (``_sentence``)


def _sentence(columns: dict, raw_amount) -> None:
    kind = columns["sentence_kind"]
    months, days = columns.get("sentence_months"), columns.get("sentence_days")
    if kind in NO_LENGTH:
        if months or days:
            raise DomainError(
                gettext("A %(lower)s has no length.", lower=kind.label.lower()),
                field="sentence_months",
            )
    elif not (months or days):
        raise DomainError(
            gettext("Give the sentence's length in months and/or days."), "sentence_months"
        )
    suspended = columns.get("suspended_months")
    if kind is SentenceKind.suspended_custody and not suspended:
        raise DomainError(
            gettext("Give how many months it is suspended for."), field="suspended_months"
        )
    if kind is not SentenceKind.suspended_custody and suspended:
        raise DomainError(
            gettext("Only a suspended sentence is suspended."), field="suspended_months"
        )
    currency = columns.get("compensation_currency")
    if is_empty(raw_amount) != (currency is None):
        field = "compensation_currency" if currency is None else "compensation_amount"
        raise DomainError(gettext("Give the compensation amount with its currency."), field=field)
    if currency is not None:
        columns["compensation_amount"] = parse_amount(
            raw_amount, "compensation_amount", places=places_for(currency), positive=True
        )
    ordered = any(o["kind"] == OrderKind.compensation.value for o in columns.get("orders", []))
    if ordered and currency is None:
        raise DomainError(
            gettext("A compensation order needs its amount."), field="compensation_amount"
        )


def event_columns(kind: EventKind, effective_date: date, fields: dict) -> dict:
    """The typed columns of an event of ``kind`` from ``fields`` (column name → value; empty
    values are absent), each read and checked; a ``DomainError`` naming the field otherwise.
    Every column is in the answer (absent ones empty), so two events compare column by
    column."""
    unknown = sorted(set(fields) - set(COLUMNS))
    if unknown:
        raise DomainError(
            gettext("Unknown field: %(unknown)s.", unknown=unknown[0]), field=unknown[0]
        )
    takes = TAKES[kind] | {"note"}
    columns: dict = {}
    for name, value in fields.items():
        if is_empty(value):
            continue
        if name not in takes:
            label = _FIELD_NAMES.get(name, name)
            raise DomainError(
                gettext("%(label)s does not take a %(label2)s.", label=kind.label, label2=label),
                field=name,
            )
        columns[name] = _read(name, value, kind, effective_date)
    for name in NEEDS.get(kind, ()):
        if is_empty(columns.get(name)):
            raise DomainError(NEEDED_MESSAGES[name], field=name)
    if kind is EventKind.sentence:
        _sentence(columns, columns.get("compensation_amount"))
    return {name: columns.get(name, _EMPTY.get(name)) for name in COLUMNS}


_EMPTY = {"charge": "", "institution": "", "conditions": "", "note": "", "orders": []}


def same_columns(event, columns: dict) -> bool:
    """Whether a recorded event says exactly what ``columns`` say."""
    for name, value in columns.items():
        stored = getattr(event, name)
        if isinstance(value, Decimal) or isinstance(stored, Decimal):
            if (value is None) != (stored is None) or (
                value is not None and Decimal(value) != Decimal(stored)
            ):
                return False
        elif (stored or _EMPTY.get(name)) != (value or _EMPTY.get(name)):
            return False
    return True
