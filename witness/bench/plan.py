"""What the benchmark and the load test request, per user: a sample of the witnesses they may
see, the busiest days of their scheduling pages, bookings to check for clashes, a staff feed
and the witnesses to record ledger items for; read from the generated data."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from witness.auth.models import User
from witness.auth.tokens import create_token
from witness.bench.generate import typical_users
from witness.bench.vocabulary import COURT_TIMEZONE
from witness.calendar.models import CalendarFeed
from witness.cases.models import Case, Court, Hearing
from witness.core.access import visible_witnesses
from witness.core.time import now_utc
from witness.db import db_session
from witness.people.models import NeedsAssessment, Participation, Witness
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import Appointment, AppointmentStaff, AppointmentStatus

#: the staff feed measured has about this many events (issue 4)
FEED_EVENTS = 500
#: a feed's window (witness.calendar.feeds): 30 days back to a year ahead
FEED_PAST, FEED_AHEAD = timedelta(days=30), timedelta(days=365)
#: how many of the busiest days (weeks) each scheduling page cycles through
BUSY_DAYS = 5
SAMPLE = 50


class BenchmarkError(Exception):
    """The benchmark cannot run (no data, no such user, sign-in refused)."""


def choose_users(email: str | None, supervisor: bool) -> dict[str, User]:
    """The user given by e-mail, or the typical officer (and supervisor) of generated data."""
    db = db_session()
    if email:
        user = db.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise BenchmarkError(f"No user with e-mail {email}.")
        return {user.role.label.lower(): user}
    users = typical_users(db)
    if not users:
        raise BenchmarkError(
            "No liaison officer with assigned witnesses: run `flask generate-data` first."
        )
    if not supervisor:
        users.pop("supervisor", None)
    return users


@dataclass
class Plan:
    label: str
    email: str
    rows: list[tuple[int, str]]
    token: str | None
    #: scheduling pages: endpoint -> paths (empty when there is nothing to show)
    pages: dict[str, list[str]] = field(default_factory=dict)
    #: the double-booking checks to time: plan_slots() keyword arguments
    bookings: list[dict] = field(default_factory=list)
    #: the public staff feed's path and how many events it holds
    feed: tuple[str, int] | None = None
    #: ledger rows: (witness, one of their cases, an open need or None) to record against
    ledger: list[tuple[int, int, int | None]] = field(default_factory=list)


def make_plan(label: str, user: User, api: str | None) -> Plan:
    """The witnesses one user will open (a sample of those they may see), and an API token."""
    db = db_session()
    rows = db.execute(
        select(Witness.id, Witness.reference)
        .where(visible_witnesses(user))
        .order_by(Witness.id)
        .limit(10 * SAMPLE)
    ).all()
    if not rows:
        raise BenchmarkError(f"{user.email} sees no witnesses; choose another user.")
    rows = random.Random(user.id).sample([tuple(r) for r in rows], min(SAMPLE, len(rows)))
    token = None
    if api is not None:
        try:
            with db.begin_nested():
                _, token = create_token(db, user, "benchmark")
        except SQLAlchemyError:  # e.g. the API's migration has not been applied
            token = None
    plan = Plan(label, user.email, rows, token)
    try:
        with db.begin_nested():
            schedule_plan(plan, user, officer=label == "liaison officer", secret=secret_key())
    except SQLAlchemyError:  # the scheduling migration has not been applied
        plan.pages, plan.bookings, plan.feed = {}, [], None
    # "To tell": the open notification tasks the user may see, and the overdue ones alone
    plan.pages["due list"] = ["/tasks", "/tasks?overdue=1"]
    # Risk reviews overdue: the officer's own witnesses, the supervisor's whole office (each
    # role's default scope)
    plan.pages["risk overdue"] = ["/risk/?which=overdue"]
    plan.ledger = ledger_plan([wid for wid, _ in rows])
    return plan


def ledger_plan(witness_ids: list[int]) -> list[tuple[int, int, int | None]]:
    """Each sampled witness with one of their cases and an open need an item would meet."""
    db = db_session()
    cases = dict(
        db.execute(
            select(Participation.witness_id, func.min(Participation.case_id))
            .where(Participation.witness_id.in_(witness_ids))
            .group_by(Participation.witness_id)
        ).all()
    )
    needs = dict(
        db.execute(
            select(NeedsAssessment.witness_id, func.min(NeedsAssessment.id))
            .where(NeedsAssessment.witness_id.in_(witness_ids), NeedsAssessment.is_open.is_(True))
            .group_by(NeedsAssessment.witness_id)
        ).all()
    )
    return [(wid, cases[wid], needs.get(wid)) for wid in witness_ids if wid in cases]


def secret_key() -> bytes:
    """The app's secret key, from which the benchmark's feed token is derived."""

    return str(current_app.config["SECRET_KEY"]).encode()


def busiest_days(instants, tz: str, count: int = BUSY_DAYS) -> list[date]:
    """The local dates with the most of ``instants``, busiest first."""
    zone = ZoneInfo(tz)
    days = Counter(instant.astimezone(zone).date() for instant in instants)
    return [day for day, _ in sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


def scheduling_paths(user: User) -> dict[str, list[str]]:
    """The week, court-day and room-day pages (busiest first) the load test requests too."""
    plan = Plan("", user.email, [], None)
    schedule_plan(plan, user, officer=False, secret=b"")
    return plan.pages


def schedule_plan(plan: Plan, user: User, *, officer: bool, secret: bytes) -> None:
    """The user's busiest weeks, the court their witnesses mostly go to on its busiest days,
    its busiest room, and (for the officer) bookings on their busiest days and a staff feed."""
    db = db_session()
    now = now_utc()
    mine = db.scalars(
        select(Appointment.start_dt)
        .join(AppointmentStaff, AppointmentStaff.appointment_id == Appointment.id)
        .where(AppointmentStaff.user_id == user.id, *_around(now))
    ).all()
    court = db.execute(
        select(Court.id, Court.timezone)
        .join(Case, Case.court_id == Court.id)
        .join(Participation, Participation.case_id == Case.id)
        .join(Witness, Witness.id == Participation.witness_id)
        .where(visible_witnesses(user))
        .group_by(Court.id, Court.timezone)
        .order_by(func.count().desc(), Court.id)
        .limit(1)
    ).first()
    tz = court.timezone if court else COURT_TIMEZONE
    today = now.astimezone(ZoneInfo(tz)).date()
    week_days = busiest_days(mine, tz) or [today]
    plan.pages["officer week"] = [f"/calendar/week?date={d.isoformat()}" for d in week_days]
    if court is None:
        return
    plan.pages.update(_court_pages(court.id, tz, today, now))
    if not officer:
        return
    ahead = busiest_days([t for t in mine if t > now], tz) or [today + timedelta(days=7)]
    plan.bookings = _bookings(user, court.id, tz, ahead)
    plan.feed = benchmark_feed(secret)


def _around(now: datetime) -> tuple:
    """Appointments that hold, from 30 days back to 90 days ahead: the window the scheduling
    pages' busiest days are taken from."""
    return (
        Appointment.start_dt >= now - timedelta(days=30),
        Appointment.start_dt < now + timedelta(days=90),
        Appointment.status != AppointmentStatus.cancelled,
    )


def _court_pages(court_id: int, tz: str, today: date, now: datetime) -> dict[str, list[str]]:
    """The court's day list on its busiest hearing days, and its busiest room's day."""
    db = db_session()
    hearings = db.scalars(
        select(Hearing.start_dt).where(
            Hearing.court_id == court_id,
            Hearing.start_dt >= now - timedelta(days=30),
            Hearing.start_dt < now + timedelta(days=90),
        )
    ).all()
    court_days = busiest_days(hearings, tz) or [today]
    pages = {"court day": [f"/courts/{court_id}/day?date={d.isoformat()}" for d in court_days]}
    rooms = select(Resource.id).where(Resource.court_id == court_id)
    room = db.execute(
        select(Appointment.resource_id, func.count())
        .where(Appointment.resource_id.in_(rooms), *_around(now))
        .group_by(Appointment.resource_id)
        .order_by(func.count().desc(), Appointment.resource_id)
        .limit(1)
    ).first()
    if room is not None:
        used = db.scalars(
            select(Appointment.start_dt).where(Appointment.resource_id == room[0], *_around(now))
        ).all()
        pages["resource day"] = [
            f"/resources/{room[0]}/day?date={d.isoformat()}" for d in busiest_days(used, tz)
        ]
    return pages


def _bookings(user: User, court_id: int, tz: str, days: list[date]) -> list[dict]:
    """Bookings an officer would try on their busiest days ahead: one of their witnesses, a
    waiting room of the court, a morning or an afternoon, half an hour's travel each way."""
    db = db_session()
    witness_ids = db.scalars(
        select(Witness.id).where(visible_witnesses(user)).order_by(Witness.id).limit(50)
    ).all()
    waiting = db.scalars(
        select(Resource.id)
        .where(Resource.court_id == court_id, Resource.kind == ResourceKind.waiting_room)
        .order_by(Resource.id)
    ).all()
    zone = ZoneInfo(tz)
    rng = random.Random(user.id)
    bookings = []
    for k, day in enumerate(days * 4):
        start = datetime.combine(day, clock_time(9 + 2 * (k % 4), 0), zone)
        bookings.append(
            dict(
                witness_id=rng.choice(witness_ids),
                staff_ids=[user.id],
                interpreter_id=None,
                resource_id=waiting[k % len(waiting)] if waiting else None,
                start=start,
                end=start + timedelta(hours=2),
                travel_minutes=30,
            )
        )
    return bookings


def benchmark_feed(secret: bytes) -> tuple[str, int] | None:
    """A staff feed with about FEED_EVENTS events: that of the member of staff (of any
    office or NGO) whose count in the feed's window is nearest. Its token is derived from the
    secret key, so runs reuse one feed row. Returns its path and its number of events."""
    db = db_session()
    now = now_utc()
    counts = db.execute(
        select(AppointmentStaff.user_id, func.count())
        .join(Appointment, Appointment.id == AppointmentStaff.appointment_id)
        .where(
            Appointment.start_dt >= now - FEED_PAST,
            Appointment.start_dt < now + FEED_AHEAD,
            Appointment.status != AppointmentStatus.cancelled,
        )
        .group_by(AppointmentStaff.user_id)
    ).all()
    if not counts:
        return None
    owner_id, events = min(counts, key=lambda row: (abs(row[1] - FEED_EVENTS), row[0]))
    token = hmac.new(secret, f"bench-feed:{owner_id}".encode(), hashlib.sha256).hexdigest()
    digest = hashlib.sha256(token.encode()).hexdigest()
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest))
    if feed is None:
        db.add(CalendarFeed(token_hash=digest, user_id=owner_id, created_by_id=owner_id))
    else:
        feed.revoked_dt = None
    db.flush()
    return f"/feeds/{token}.ics", events
