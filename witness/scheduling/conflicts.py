"""The double-booking check: the slots an appointment takes, the appointments that clash with
them, and the next free times to suggest instead.

Every active appointment keeps one ``AppointmentSlot`` per person or room it takes (the witness,
each member of staff, the interpreter, the resource), covering its time plus the travel buffer
for people. The check for clashes is one range read on the slots' index. Under concurrent
requests PostgreSQL serialises bookings that share a subject with transaction-scoped advisory
locks taken in a fixed order before the check, so two requests cannot both see a free slot;
SQLite serialises every write transaction.

A group booking (several witnesses accompanied together, ``Appointment.group_id``) is one
commitment of its staff, interpreter and room: its own appointments are left out of the check
when it is moved, and a new group is checked once for the union of its slots, so the officer
does not clash with themselves. Any other booking of the same people still clashes.

Suggestions stay inside court hours and, when a witness of the booking is a child on the day,
inside the hours allowed for a child (``WITNESS_COURT_HOURS``, ``WITNESS_CHILD_HOURS``), on the
clock of the booking's court.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.core.errors import DomainError
from witness.people.models import Witness
from witness.rooms.models import Resource
from witness.rooms.services import booking_problem
from witness.scheduling.models import AppointmentSlot, Interpreter

#: the longest appointment; bounds the range the clash check reads
MAX_DURATION = timedelta(hours=12)
MAX_TRAVEL_MINUTES = 240
#: the longest time one slot can block, so the check reads a bounded index range
MAX_BLOCK = MAX_DURATION + 2 * timedelta(minutes=MAX_TRAVEL_MINUTES)
#: how far ahead the form looks for free slots to offer
SUGGESTION_HORIZON = timedelta(days=14)
SUGGESTION_STEP = timedelta(minutes=30)
#: the hours suggestions keep to when the configuration gives none (court's local clock)
DEFAULT_COURT_HOURS = (time(9, 30), time(16, 30))
DEFAULT_CHILD_HOURS = (time(9, 30), time(15, 0))


@dataclass(frozen=True)
class SlotSpec:
    subject: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Clash:
    """Another appointment that takes the same person or room at an overlapping time."""

    subject: str
    who: str
    appointment_id: int
    start: datetime
    end: datetime

    def message(self, tz: str) -> str:
        zone = ZoneInfo(tz)
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        return (
            f"{self.who} is already booked from {start:%a %d %b %H:%M} to {end:%H:%M} "
            f"(travel included)."
        )


class BookingConflict(DomainError):
    """The booking would put someone or something in two places at once. ``suggestions`` are
    free starts for a booking of the same ``duration``."""

    def __init__(
        self,
        clashes: Sequence[Clash],
        suggestions: Sequence[datetime],
        tz: str,
        duration: timedelta = timedelta(0),
    ):
        self.clashes = list(clashes)
        self.suggestions = list(suggestions)
        self.timezone = tz
        self.duration = duration
        super().__init__(" ".join(c.message(tz) for c in clashes), field="start")


def subject_key(kind: str, ident: int) -> str:
    """How a slot names whom or what it takes: ``user:7``, ``witness:3``, ``resource:5``."""
    return f"{kind}:{ident}"


def plan_slots(
    *,
    witness_id: int | None = None,
    witness_ids: Iterable[int] = (),
    staff_ids: Iterable[int],
    interpreter_id: int | None,
    resource_id: int | None,
    start: datetime,
    end: datetime,
    travel_minutes: int,
) -> list[SlotSpec]:
    """The slots a booking takes: people with the travel buffer, a room without it. The staff,
    interpreter and room of a group booking are taken once, whatever its number of witnesses."""
    travel = timedelta(minutes=travel_minutes)
    witnesses = set(witness_ids) | ({witness_id} if witness_id is not None else set())
    people = [subject_key("witness", wid) for wid in sorted(witnesses)]
    people += [subject_key("user", uid) for uid in sorted(set(staff_ids))]
    if interpreter_id is not None:
        people.append(subject_key("interpreter", interpreter_id))
    slots = [SlotSpec(s, start - travel, end + travel) for s in people]
    if resource_id is not None:
        slots.append(SlotSpec(subject_key("resource", resource_id), start, end))
    return slots


def witness_share(slots: Sequence[SlotSpec], witness: Witness) -> list[SlotSpec]:
    """One appointment's share of a booking's slots: its own witness's, and the shared ones
    (staff, interpreter, room), which each appointment of the booking holds alike so every
    person's and room's calendar reads it through their own slots."""
    others = {s.subject for s in slots if s.subject.startswith("witness:")}
    own = subject_key("witness", witness.id)
    return [s for s in slots if s.subject == own or s.subject not in others]


def find_clashes(
    session: Session, slots: Sequence[SlotSpec], exclude_appointment_ids: Collection[int] = ()
) -> list[Clash]:
    """Active appointments overlapping any of ``slots`` on the same subject: one index range
    read per subject, bounded by the longest possible block. ``exclude_appointment_ids``: the
    booking being moved (all its witnesses' appointments), which cannot clash with itself."""
    if not slots:
        return []
    conditions = [
        (AppointmentSlot.subject == s.subject)
        & (AppointmentSlot.blocked_start_dt < s.end)
        & (AppointmentSlot.blocked_start_dt > s.start - MAX_BLOCK)
        & (AppointmentSlot.blocked_end_dt > s.start)
        for s in slots
    ]
    query = select(AppointmentSlot).where(or_(*conditions))
    if exclude_appointment_ids:
        query = query.where(AppointmentSlot.appointment_id.not_in(exclude_appointment_ids))
    rows = session.scalars(
        query.order_by(AppointmentSlot.blocked_start_dt, AppointmentSlot.appointment_id)
    ).all()
    clashes: dict[tuple, Clash] = {}
    for r in rows:
        # a group booking holds its staff's slots once per witness: one clash, not one each
        key = (r.subject, r.blocked_start_dt, r.blocked_end_dt)
        if key not in clashes:
            clashes[key] = Clash(
                r.subject,
                describe_subject(session, r.subject),
                r.appointment_id,
                r.blocked_start_dt,
                r.blocked_end_dt,
            )
    return list(clashes.values())


def describe_subject(session: Session, subject: str) -> str:
    """A person's or room's name for a clash message (the witness by reference only)."""
    kind, _, ident = subject.partition(":")
    model = {"user": User, "witness": Witness, "interpreter": Interpreter, "resource": Resource}
    row = session.get(model[kind], int(ident))
    if row is None:
        return subject
    match kind:
        case "witness":
            return f"Witness {row.reference}"
        case "interpreter":
            return f"Interpreter {row.name}"
        case "resource":
            return row.name
    return row.name


def lock_subjects(session: Session, slots: Sequence[SlotSpec]) -> None:
    """Serialise concurrent bookings of the same people and rooms until commit (PostgreSQL).

    Locks are taken in sorted order so two bookings sharing subjects cannot deadlock. SQLite
    needs none: every transaction takes its single write lock as it begins (``witness.db``), so
    a second booking waits for the first to commit and then sees it.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for subject in sorted({s.subject for s in slots}):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"witness.slot:{subject}"},
        )


Hours = tuple[time, time]


def configured_hours() -> tuple[Hours, Hours]:
    """Court hours and a child's hours, from the configuration (the defaults outside an app)."""
    config = current_app.config if has_app_context() else {}
    return (
        config.get("COURT_HOURS", DEFAULT_COURT_HOURS),
        config.get("CHILD_HOURS", DEFAULT_CHILD_HOURS),
    )


def hours_check(
    tz: str, children: Callable[[datetime], bool], hours: tuple[Hours, Hours] | None = None
) -> Callable[[datetime, datetime], bool]:
    """Whether a start and end fall inside court hours on one day of ``tz``'s clock, and inside
    a child's hours too on a day ``children(local start)`` says a witness is a child."""
    court, child = hours or configured_hours()
    zone = ZoneInfo(tz)

    def fits(start: datetime, end: datetime) -> bool:
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        if local_start.date() != local_end.date():
            return False
        opens, closes = court
        if children(local_start):
            opens, closes = max(opens, child[0]), min(closes, child[1])
        return opens <= local_start.time() and local_end.time() <= closes

    return fits


def suggest_free_starts(
    session: Session,
    *,
    slots_at,
    start: datetime,
    duration: timedelta,
    resource: Resource | None,
    exclude_appointment_ids: Collection[int] = (),
    fits: Callable[[datetime, datetime], bool] = lambda start, end: True,
    count: int = 3,
) -> list[datetime]:
    """The next ``count`` start times, on the half hour after ``start``, when everyone and
    the room are free, the room is open and ``fits`` (the hours allowed) says yes."""
    found: list[datetime] = []
    candidate = start + SUGGESTION_STEP
    horizon = start + SUGGESTION_HORIZON
    while candidate < horizon and len(found) < count:
        end = candidate + duration
        if not fits(candidate, end) or (
            resource is not None and booking_problem(session, resource, candidate, end)
        ):
            candidate += SUGGESTION_STEP
            continue
        if not find_clashes(session, slots_at(candidate, end), exclude_appointment_ids):
            found.append(candidate)
        candidate += SUGGESTION_STEP
    return found
