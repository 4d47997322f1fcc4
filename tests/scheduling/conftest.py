"""Shared set-up for scheduling tests: a London court with rooms, and a booking helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from witness.scheduling.models import AppointmentKind, Resource, ResourceKind
from witness.scheduling.services import Booking


@pytest.fixture
def rooms(db, world):
    """Rooms of ``world.case``'s court (Europe/London), open 08:00-18:00 Monday to Friday."""

    class Rooms:
        pass

    r = Rooms()
    court = world.case.court
    for attr, kind, name in [
        ("courtroom", ResourceKind.courtroom, "Courtroom 1"),
        ("suite", ResourceKind.video_link_suite, "Video suite A"),
        ("suite2", ResourceKind.video_link_suite, "Video suite B"),
        ("remote", ResourceKind.remote_site, "Remote site North"),
        ("waiting", ResourceKind.waiting_room, "Witness waiting room"),
    ]:
        resource = Resource(court=court, kind=kind, name=name, location=f"{name}, 1 Quiet Lane")
        db.add(resource)
        setattr(r, attr, resource)
    db.flush()
    return r


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """An instant in March 2026 given in UTC (London is on UTC until 29 March)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def booking(staff, start=None, minutes=60, **kw) -> Booking:
    start = start or at(12, 10)
    kw.setdefault("kind", AppointmentKind.pre_trial_meeting)
    if "resource_id" not in kw:
        kw.setdefault("address", "Safe house office")
    return Booking(
        start=start,
        end=start + timedelta(minutes=minutes),
        staff_ids=[u.id for u in staff],
        **kw,
    )
