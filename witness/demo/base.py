"""The state every step of the demo builder shares, and its clock."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from witness.auth.models import Organisation, User
from witness.cases.models import Court
from witness.core.time import now_utc

SEED = 2026


class DemoState:
    """The session, the seeded random generator, the clock and what the steps have made so
    far; each step of ``witness.demo.builder.DemoBuilder`` is a subclass in its own module."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(SEED)
        self.now = now_utc()
        self.today = self.now.date()
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.courts: dict[str, Court] = {}
        self.case_age: dict[int, int] = {}
        self.counters: Counter[str] = Counter()
        self.used_names: set[str] = set()

    # --- time ---

    def days_ago(self, days: float) -> datetime:
        """An instant ``days`` before now, at a varied time of day."""
        return self.now - timedelta(days=days, minutes=self.rng.randint(0, 480))

    def between(self, start: datetime, end: datetime) -> datetime:
        """An instant between ``start`` and ``end`` (``end`` if they are the wrong way round)."""
        if end <= start:
            return end
        return start + (end - start) * self.rng.uniform(0.1, 0.9)

    def local(self, court: Court, day: date, hour: int, minute: int = 0) -> datetime:
        """That wall-clock time at the court, as a UTC instant."""
        zone = ZoneInfo(court.timezone)
        return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)

    def working_day(self, days_ahead: int) -> date:
        """The day ``days_ahead`` from today, or the Monday after it if it falls at a weekend."""
        day = self.today + timedelta(days=days_ahead)
        while day.isoweekday() > 5:
            day += timedelta(days=1)
        return day
