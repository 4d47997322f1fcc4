"""VTIMEZONE components that every calendar program reads the same way.

A zone's offsets are written as one STANDARD or DAYLIGHT sub-component per change, each with
only its own DTSTART: no RDATE lists and no RRULE. Both of those are read differently by
different programs (Thunderbird's parser, ical.js, takes only the first date of an RDATE line
and ignores DTSTART when RDATEs follow it, so summer events came out an hour late), while one
onset per sub-component is read alike everywhere. Pure: zoneinfo in, icalendar component out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard


@dataclass(frozen=True)
class Onset:
    """From ``instant`` (UTC) the zone's offset is ``offset_to`` and its name ``name``."""

    instant: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_start(self) -> datetime:
        """The onset on the wall clock before it, as RFC 5545 writes a DTSTART here."""
        return (self.instant + self.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.tzname() or "", bool(local.dst())


def _change_within(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first minute in (low, high] whose offset or name differs from ``low``'s."""
    before = _state(zone, low)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            middle = low + timedelta(minutes=1)
        if _state(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


def onsets(tzid: str, first: date, last: date) -> list[Onset]:
    """The zone's state at ``first`` and every change until ``last``, in order."""
    zone = ZoneInfo(tzid)
    cursor = datetime.combine(first, datetime.min.time(), UTC)
    end = datetime.combine(last, datetime.min.time(), UTC)
    offset, name, dst = _state(zone, cursor)
    found = [Onset(cursor, offset, offset, name, dst)]
    # Offsets change at most a few times a year and never twice within a day.
    step = timedelta(days=1)
    while cursor < end:
        following = cursor + step
        if _state(zone, following) != (offset, name, dst):
            instant = _change_within(zone, cursor, following)
            new_offset, new_name, new_dst = _state(zone, instant)
            found.append(Onset(instant, offset, new_offset, new_name, new_dst))
            offset, name, dst = new_offset, new_name, new_dst
        cursor = following
    return found


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of ``tzid`` covering 1 January ``first_year`` to the end of
    ``last_year``, one sub-component per onset (cached: it walks the zone day by day)."""
    component = Timezone()
    component.add("tzid", tzid)
    for onset in onsets(tzid, date(first_year, 1, 1), date(last_year + 1, 1, 1)):
        part = TimezoneDaylight() if onset.is_dst else TimezoneStandard()
        part.add("dtstart", onset.local_start)
        part.add("tzoffsetfrom", onset.offset_from)
        part.add("tzoffsetto", onset.offset_to)
        if onset.name:
            part.add("tzname", onset.name)
        component.add_component(part)
    return component.to_ical()
