"""The one clock of the application, and timezone helpers.

Everything asks ``now_utc()`` for the time so tests can freeze it (``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

_clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


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
