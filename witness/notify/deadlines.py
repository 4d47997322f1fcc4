"""Deadlines in working days of a court's jurisdiction: weekends and public holidays (the
``holidays`` library, by the court's country and region) do not count. A victim with enhanced
rights is told within 1 working day, others within 5 (the UK Victims' Code), configurable per
event kind (``WITNESS_NOTIFY_DEADLINES``)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

import holidays
from flask import current_app, has_app_context

from witness.cases.models import Court
from witness.core.time import day_bounds, to_local

#: (enhanced rights, others): working days to tell a victim, unless configured per kind
DEFAULT_DAYS = (1, 5)


@cache
def _calendar(country: str, subdivision: str) -> holidays.HolidayBase:
    """The public holidays of a country (and region). A country the library does not know
    counts weekends only; a region it does not know counts the country's national holidays."""
    try:
        return holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        if subdivision:
            return _calendar(country, "")
        return holidays.HolidayBase()


def nth_working_day(court: Court, start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` in ``court``'s jurisdiction (0: ``start``
    itself when it is a working day, else the next one)."""
    return _calendar(court.country or "", court.subdivision or "").get_nth_working_day(start, days)


def is_working_day(court: Court, day: date) -> bool:
    return _calendar(court.country or "", court.subdivision or "").is_working_day(day)


def days_allowed(kind: str, enhanced: bool) -> int:
    """Working days to tell a victim of an event of ``kind`` (an ``EventKind`` value)."""
    table = current_app.config.get("NOTIFY_DEADLINES", {}) if has_app_context() else {}
    pair = table.get(kind) or table.get("*") or DEFAULT_DAYS
    return pair[0] if enhanced else pair[1]


def due_by(court: Court, learned: datetime, days: int) -> datetime:
    """The instant a deadline of ``days`` working days ends: midnight at the end of that
    working day in the court's timezone, counted from the court's day on which Witness
    learned of the event."""
    learned_day = to_local(learned, court.timezone).date()
    last_day = nth_working_day(court, learned_day, days)
    return day_bounds(last_day, court.timezone)[1]
