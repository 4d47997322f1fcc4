"""The one clock of the application, and the one place local times become UTC.

Everything asks ``now_utc()`` for the time so tests can freeze it (``tests/conftest.py``).
Every local time a person types — in a form, a CSV, an API call without an offset, a query
string — becomes an instant through ``local_to_utc`` (or ``parse_local``), which refuses a time
the clocks skip and a time that happens twice, naming the instants, rather than guess an hour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from witness.core.errors import DomainError
from witness.core.i18n import gettext

_clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731

#: the years a date or time may fall in: beyond them no hearing, appointment or birth is real,
#: and arithmetic near datetime's own limits would fail
FIRST_YEAR, LAST_YEAR = 1900, 2100


def now_utc() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return _clock()


def set_clock(clock: Callable[[], datetime]) -> None:
    """Replace the clock (tests only)."""
    global _clock
    _clock = clock


def today_in(tz: str) -> date:
    """Today's date in the given IANA timezone."""
    return now_utc().astimezone(ZoneInfo(tz)).date()


def to_local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


@cache
def _known_timezones() -> frozenset[str]:
    # available_timezones() walks the whole tz database on disk: 25 ms a call.
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    return name in _known_timezones()


def _label(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%H:%M} {local.tzname()} ({instant.astimezone(UTC):%H:%M} UTC)"


def _change_between(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The UTC minute in (``low``, ``high``] (naive UTC) at which ``zone``'s offset changes."""
    low, high = low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def check_year(day: date, field: str | None = None) -> date:
    """``day`` when it falls between 1900 and 2100; otherwise a ``DomainError``."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            gettext(
                "Give a date between %(FIRST_YEAR)s and %(LAST_YEAR)s.",
                FIRST_YEAR=FIRST_YEAR,
                LAST_YEAR=LAST_YEAR,
            ),
            field=field,
        )
    return day


def local_to_utc(day: date, clock: time, tz: str, field: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time in ``tz``, or a ``DomainError`` on ``field`` when
    the clocks change then: a time they skip does not exist, and one they repeat happens
    twice. The message names the instants, so the person can choose; nothing is guessed."""
    check_year(day, field)
    zone = ZoneInfo(tz)
    naive = datetime.combine(day, clock.replace(second=0, microsecond=0))
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    when = f"{naive:%H:%M} on {day:%d %b %Y} in {tz}"
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        change = _change_between(zone, naive - second.utcoffset(), naive - first.utcoffset())
        # the last minute before the change, on the old clock, and the first after it
        before = (change - timedelta(minutes=1)).astimezone(zone)
        after = change.astimezone(zone)
        raise DomainError(
            gettext(
                "%(when)s does not exist: at %(value)s %(tzname)s the clocks go forward to "
                "%(after)s %(tzname2)s (%(change)s UTC). Choose another time.",
                when=when,
                value=format(before + timedelta(minutes=1), "%H:%M"),
                tzname=before.tzname(),
                after=format(after, "%H:%M"),
                tzname2=after.tzname(),
                change=format(change, "%H:%M"),
            ),
            field=field,
        )
    if first.utcoffset() != second.utcoffset():
        one, two = first.astimezone(UTC), second.astimezone(UTC)
        raise DomainError(
            gettext(
                "%(when)s happens twice: the clocks go back then, so it could be %(label)s or "
                "%(label2)s. Choose a time outside the repeated hour, or book it in two parts.",
                when=when,
                label=_label(one, zone),
                label2=_label(two, zone),
            ),
            field=field,
        )
    return first.astimezone(UTC)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants of midnight starting ``day`` in ``tz`` and the next midnight: 23 or
    25 hours apart when the clocks change that day."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def format_span(start: datetime, end: datetime, tz: str, *, with_date: bool = True) -> str:
    """``Thu 12 Mar 2026 10:00-11:00 GMT`` (with an en dash) in ``tz``, each end labelled with
    the abbreviation in force at that instant (``01:00 BST - 03:00 GMT`` across a change); the
    end's date only when it differs. ``with_date=False`` leaves the start's date out."""
    zone = ZoneInfo(tz)
    start, end = start.astimezone(zone), end.astimezone(zone)
    first = f"{start:%a %d %b %Y %H:%M}" if with_date else f"{start:%H:%M}"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %Y %H:%M}"
    if end.tzname() != start.tzname():
        return f"{first} {start.tzname()} \N{EN DASH} {until} {end.tzname()}"
    return f"{first}\N{EN DASH}{until} {start.tzname()}"


def parse_local(text: str, tz: str, field: str | None = None) -> datetime:
    """An ISO 8601 date-time from a person or another system, as a UTC instant: with an
    offset it is taken as given; without one it is read in ``tz`` through ``local_to_utc``.
    ``DomainError`` when it is not a date-time, outside 1900-2100, skipped or repeated."""
    message = (
        f"Give a date and time between {FIRST_YEAR} and {LAST_YEAR} as YYYY-MM-DDTHH:MM, "
        "for example 2026-03-12T09:30."
    )
    try:
        given = datetime.fromisoformat(text.strip())
    except (ValueError, TypeError):
        raise DomainError(message, field) from None
    if not FIRST_YEAR <= given.year <= LAST_YEAR:
        raise DomainError(message, field)
    if given.tzinfo is None:
        return local_to_utc(given.date(), given.time(), tz, field)
    return given.astimezone(UTC)
