"""Rooms of courts and remote witness sites: adding and changing them, withdrawing them from use,
and whether one can be booked at a given time."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Court
from witness.core.access import can_manage_rooms, require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import local_to_utc
from witness.rooms.models import Resource, ResourceKind, ResourceWithdrawal

WEEKDAYS = "1234567"


def _check_hours(opens_at: time, closes_at: time, open_weekdays: str) -> str:
    if closes_at <= opens_at:
        raise DomainError(gettext("Closing time must be after opening time."), field="closes_at")
    days = "".join(sorted(set(open_weekdays or "")))
    if not days or any(d not in WEEKDAYS for d in days):
        raise DomainError(gettext("Choose the days it is open."), field="open_weekdays")
    return days


def create_resource(
    session: Session,
    actor: User,
    *,
    court_id: int,
    kind: ResourceKind,
    name: str,
    location: str = "",
    opens_at: time = time(8, 0),
    closes_at: time = time(18, 0),
    open_weekdays: str = "12345",
) -> Resource:
    """Add a room or remote site to a court (supervisors and administrators)."""
    require(can_manage_rooms(actor), "Only supervisors and administrators add rooms.")
    if session.get(Court, court_id) is None:
        raise DomainError(gettext("Choose a court."), field="court_id")
    name = clean_text(name, "name", max_length=200)
    if not name:
        raise DomainError(gettext("Give the room a name."), field="name")
    taken = select(Resource.id).where(Resource.court_id == court_id, Resource.name == name)
    if session.scalar(taken):
        raise DomainError(
            gettext("This court already has a room called %(name)s.", name=repr(name)), field="name"
        )
    resource = Resource(
        court_id=court_id,
        kind=kind,
        name=name,
        location=clean_text(location, "location"),
        opens_at=opens_at,
        closes_at=closes_at,
        open_weekdays=_check_hours(opens_at, closes_at, open_weekdays),
    )
    session.add(resource)
    session.flush()
    record_event(session, actor, "resource.create", resource, court_id=court_id)
    return resource


def update_resource(session: Session, actor: User, resource: Resource, **fields) -> list[str]:
    """Change name, location, hours or whether it is in use at all."""
    require(can_manage_rooms(actor), "Only supervisors and administrators change rooms.")
    if "name" in fields:
        fields["name"] = clean_text(fields["name"], "name", max_length=200)
        if not fields["name"]:
            raise DomainError(gettext("Give the room a name."), field="name")
        clash = session.scalar(
            select(Resource.id).where(
                Resource.court_id == resource.court_id,
                Resource.name == fields["name"],
                Resource.id != resource.id,
            )
        )
        if clash:
            raise DomainError(
                gettext(
                    "This court already has a room called %(fields)s.", fields=repr(fields["name"])
                ),
                "name",
            )
    if "location" in fields:
        fields["location"] = clean_text(fields["location"], "location")
    opens = fields.get("opens_at", resource.opens_at)
    closes = fields.get("closes_at", resource.closes_at)
    fields["open_weekdays"] = _check_hours(
        opens, closes, fields.get("open_weekdays", resource.open_weekdays)
    )
    changed = [k for k, v in fields.items() if getattr(resource, k) != v]
    for key in changed:
        setattr(resource, key, fields[key])
    if changed:
        record_event(session, actor, "resource.update", resource, fields=changed)
    return changed


def withdraw_resource(
    session: Session, actor: User, resource: Resource, start: datetime, end: datetime, reason: str
) -> ResourceWithdrawal:
    """Take a room out of use for a period. Bookings already made then are not cancelled here:
    they are listed on the room's day so someone moves them."""
    require(can_manage_rooms(actor), "Only supervisors and administrators withdraw rooms.")
    if end <= start:
        raise DomainError(gettext("The end must be after the start."), field="end")
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Say why the room is withdrawn."), field="reason")
    withdrawal = ResourceWithdrawal(
        resource_id=resource.id, start_dt=start, end_dt=end, reason=reason, recorded_by_id=actor.id
    )
    session.add(withdrawal)
    session.flush()
    record_event(session, actor, "resource.withdraw", withdrawal, resource_id=resource.id)
    return withdrawal


def withdraw_resource_local(
    session: Session,
    actor: User,
    resource: Resource,
    start: tuple[date, time],
    end: tuple[date, time],
    reason: str,
) -> ResourceWithdrawal:
    """``withdraw_resource`` for a period given as days and times on the court's clock (the
    room's page). Refusals about the times name the fields ``start_time`` and ``end_time``."""
    tz = resource.court.timezone
    start_dt = local_to_utc(*start, tz, "start_time")
    end_dt = local_to_utc(*end, tz, "end_time")
    try:
        return withdraw_resource(session, actor, resource, start_dt, end_dt, reason)
    except DomainError as exc:
        if exc.field in ("start", "end"):
            exc.field = f"{exc.field}_time"
        raise


def resources_of_court(session: Session, court_id: int, *, active_only: bool = False):
    """The court's rooms and remote sites, by kind and name."""
    query = select(Resource).where(Resource.court_id == court_id)
    if active_only:
        query = query.where(Resource.is_active.is_(True))
    return list(session.scalars(query.order_by(Resource.kind, Resource.name)))


def booking_problem(
    session: Session, resource: Resource, start: datetime, end: datetime
) -> str | None:
    """Why the room cannot be booked from ``start`` to ``end``, or None: out of use, over
    midnight, closed that day or at that hour (on the court's clock), or withdrawn then."""
    if not resource.is_active:
        return f"{resource.name} is no longer in use."
    zone = ZoneInfo(resource.court.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.date() != local_end.date():
        return f"{resource.name} is booked within one day; split the booking."
    if str(local_start.isoweekday()) not in resource.open_weekdays:
        return f"{resource.name} is closed on {local_start:%A}s."
    if local_start.time() < resource.opens_at or local_end.time() > resource.closes_at:
        return (
            f"{resource.name} is open from {resource.opens_at:%H:%M} to "
            f"{resource.closes_at:%H:%M} ({resource.court.timezone})."
        )
    withdrawn = session.scalar(
        select(ResourceWithdrawal).where(
            ResourceWithdrawal.resource_id == resource.id,
            ResourceWithdrawal.start_dt < end,
            ResourceWithdrawal.end_dt > start,
        )
    )
    if withdrawn is not None:
        until = withdrawn.end_dt.astimezone(zone)
        return f"{resource.name} is withdrawn from use until {until:%d %b %Y %H:%M}."
    return None
