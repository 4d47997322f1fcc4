"""Court resources (rooms, video-link suites, remote sites) and interpreters."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Court
from witness.core.access import OFFICE_ROLES, require
from witness.core.errors import DomainError
from witness.core.text import clean_text
from witness.scheduling.models import Interpreter, Resource, ResourceKind, ResourceWithdrawal

RESOURCE_MANAGERS = frozenset({Role.admin, Role.supervisor})
WEEKDAYS = "1234567"


def _check_hours(opens_at: time, closes_at: time, open_weekdays: str) -> str:
    if closes_at <= opens_at:
        raise DomainError("Closing time must be after opening time.", field="closes_at")
    days = "".join(sorted(set(open_weekdays or "")))
    if not days or any(d not in WEEKDAYS for d in days):
        raise DomainError("Choose the days it is open.", field="open_weekdays")
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
    require(actor.role in RESOURCE_MANAGERS, "Only supervisors and administrators add rooms.")
    if session.get(Court, court_id) is None:
        raise DomainError("Choose a court.", field="court_id")
    name = clean_text(name, "name", max_length=200)
    if not name:
        raise DomainError("Give the room a name.", field="name")
    taken = select(Resource.id).where(Resource.court_id == court_id, Resource.name == name)
    if session.scalar(taken):
        raise DomainError(f"This court already has a room called {name!r}.", field="name")
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
    require(actor.role in RESOURCE_MANAGERS, "Only supervisors and administrators change rooms.")
    if "name" in fields:
        fields["name"] = clean_text(fields["name"], "name", max_length=200)
        if not fields["name"]:
            raise DomainError("Give the room a name.", field="name")
        clash = session.scalar(
            select(Resource.id).where(
                Resource.court_id == resource.court_id,
                Resource.name == fields["name"],
                Resource.id != resource.id,
            )
        )
        if clash:
            raise DomainError(f"This court already has a room called {fields['name']!r}.", "name")
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
    require(actor.role in RESOURCE_MANAGERS, "Only supervisors and administrators withdraw rooms.")
    if end <= start:
        raise DomainError("The end must be after the start.", field="end")
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError("Say why the room is withdrawn.", field="reason")
    withdrawal = ResourceWithdrawal(
        resource_id=resource.id, start_dt=start, end_dt=end, reason=reason, recorded_by_id=actor.id
    )
    session.add(withdrawal)
    session.flush()
    record_event(session, actor, "resource.withdraw", withdrawal, resource_id=resource.id)
    return withdrawal


def resources_of_court(session: Session, court_id: int, *, active_only: bool = False):
    query = select(Resource).where(Resource.court_id == court_id)
    if active_only:
        query = query.where(Resource.is_active.is_(True))
    return list(session.scalars(query.order_by(Resource.kind, Resource.name)))


def create_interpreter(
    session: Session, actor: User, *, name: str, languages: list[str], email: str | None = None
) -> Interpreter:
    require(actor.role in OFFICE_ROLES, "Only the office adds interpreters.")
    name = clean_text(name, "name", max_length=200)
    if not name:
        raise DomainError("Give the interpreter's name.", field="name")
    languages = [clean_text(lang, "languages", max_length=80) for lang in languages]
    languages = [lang for lang in languages if lang]
    if not languages:
        raise DomainError("Give at least one language.", field="languages")
    interpreter = Interpreter(
        organisation_id=actor.organisation_id,
        name=name,
        languages=languages,
        email=clean_text(email, "email", max_length=254) or None,
    )
    session.add(interpreter)
    session.flush()
    record_event(session, actor, "interpreter.create", interpreter)
    return interpreter


def interpreters_of(session: Session, organisation_id: int, language: str | None = None):
    rows = session.scalars(
        select(Interpreter)
        .where(Interpreter.organisation_id == organisation_id, Interpreter.is_active.is_(True))
        .order_by(Interpreter.name)
    ).all()
    return [i for i in rows if language is None or language in i.languages]
