"""The grid generated schedules are laid on: calendar days around today, each from 08:00 to
18:00 in the court's timezone in quarter hours, a day's use of a person or room being one 40-bit
mask (``witness.bench.hearings``, ``witness.bench.appointments``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: the grid: quarter hours from 08:00 to 18:00, the resources' opening hours
CELL_MINUTES = 15
DAY_OPENS = time(8, 0)
DAY_CLOSES = time(18, 0)
CELLS = 40
FULL_DAY = (1 << CELLS) - 1
CELL_TIMES = [timedelta(minutes=CELL_MINUTES * cell) for cell in range(CELLS + 1)]
#: days of the grid before and after today: the oldest generated cases are ~900 days old
PAST_DAYS = 950
FUTURE_DAYS = 400


def weighted_table(weights: dict, size: int = 200) -> list:
    """Values repeated in proportion to their weights: ``table[int(random() * len(table))]``
    draws one with a single call to the generator (random.choices makes a dozen)."""
    total = sum(weights.values())
    table = []
    for value, weight in weights.items():
        table += [value] * round(size * weight / total)
    return table


class Timeline:
    """Calendar days around today, each from 08:00 to 18:00 local time in quarter hours."""

    def __init__(self, today: date, tz: str) -> None:
        zone = ZoneInfo(tz)
        self.base = today - timedelta(days=PAST_DAYS)
        self.today = PAST_DAYS
        self.days = PAST_DAYS + FUTURE_DAYS + 1
        dates = [self.base + timedelta(days=d) for d in range(self.days)]
        # Local opening time as a UTC instant per day: on a weekday the grid never crosses a
        # daylight-saving change (those happen at night on Sundays), so minutes simply add.
        self.opens = [datetime.combine(d, DAY_OPENS, zone).astimezone(UTC) for d in dates]
        self.is_weekday = bytes(1 if d.weekday() < 5 else 0 for d in dates)

    def at(self, day: int, cell: int) -> datetime:
        """The UTC instant of ``cell`` on ``day``."""
        return self.opens[day] + CELL_TIMES[cell]

    def clamp(self, day: int) -> int:
        """The nearest day inside the grid."""
        return min(max(day, 0), self.days - 1)

    def weekday(self, day: int, forward: bool = True) -> int:
        """The day itself if a weekday, else the next (or previous) one inside the grid."""
        day = self.clamp(day)
        step = 1 if forward else -1
        while not self.is_weekday[day]:
            if not 0 <= day + step < self.days:
                step = -step
            day += step
        return day

    def add_weekdays(self, day: int, n: int) -> int:
        """The ``n``-th weekday after ``day`` (or the last weekday of the grid)."""
        while n > 0 and day < self.days - 1:
            day += 1
            n -= self.is_weekday[day]
        return self.weekday(day, forward=False)


def run_starts(free: int, length: int) -> int:
    """Bits b of ``free`` where bits b .. b+length-1 are all set: where a run can start."""
    runs, span = free, 1
    while span < length:
        step = min(span, length - span)
        runs &= runs >> step
        span += step
    return runs


def minutes_to_cells(minutes: int) -> int:
    """How many quarter hours ``minutes`` take, rounded up."""
    return -(-minutes // CELL_MINUTES)
