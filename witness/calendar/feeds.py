"""Calendar subscription feeds: a secret URL per member of staff, or per witness.

A feed's token is 32 random bytes, shown once when it is created; only its SHA-256 is kept
(as for API tokens), so whoever reads the table cannot subscribe. Revoking a feed makes its URL
answer 404 from then on. A staff feed lists the appointments its owner attends (staff copies);
a witness feed lists the witness's appointments as the witness's own (discreet) copies.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from witness.audit.services import record_event
from witness.auth.models import Organisation, User
from witness.auth.tokens import hash_token
from witness.calendar.ics import AppointmentView, Identity, Person, render_feed
from witness.calendar.models import CalendarFeed
from witness.cases.models import Case, Court, Hearing
from witness.core.access import can_manage_witness, invites_in_full_detail, require
from witness.core.errors import DomainError, NotFound
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.people.models import Participation, Witness
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentStaff, AppointmentStatus, Interpreter

#: a feed shows appointments from this long ago ...
FEED_PAST = timedelta(days=30)
#: ... to this far ahead
FEED_AHEAD = timedelta(days=365)
#: how stale ``last_used_dt`` may get before a fetch refreshes it (calendar programs poll often)
LAST_USED_RESOLUTION = timedelta(hours=1)
#: how long a rendered feed may be served again while nothing it shows has changed
FEED_CACHE_TTL = timedelta(minutes=10)
#: live feeds one person or witness may have at once (one per device is plenty)
MAX_LIVE_FEEDS = 10
STAFF_FEED_NAME = "My appointments (Witness)"
#: what the witness's calendar program calls the subscription: nothing about a case
WITNESS_FEED_NAME = "Appointments"


def _new_token() -> tuple[str, str]:
    plaintext = secrets.token_urlsafe(32)
    return plaintext, hash_token(plaintext)


def _check_room(session: Session, condition) -> None:
    live = session.scalars(
        select(CalendarFeed.id).where(condition, CalendarFeed.revoked_dt.is_(None))
    ).all()
    if len(live) >= MAX_LIVE_FEEDS:
        raise DomainError(
            gettext(
                "There are already %(MAX_LIVE_FEEDS)s active feeds: revoke one you no longer use.",
                MAX_LIVE_FEEDS=MAX_LIVE_FEEDS,
            )
        )


def create_staff_feed(session: Session, actor: User) -> tuple[CalendarFeed, str]:
    """A feed of the appointments ``actor`` attends; returns it with its token, never kept."""
    _check_room(session, CalendarFeed.user_id == actor.id)
    plaintext, digest = _new_token()
    feed = CalendarFeed(token_hash=digest, user_id=actor.id, created_by_id=actor.id)
    session.add(feed)
    session.flush()
    record_event(session, actor, "calendar_feed.create", feed, owner="staff")
    return feed, plaintext


def create_witness_feed(
    session: Session, actor: User, witness: Witness
) -> tuple[CalendarFeed, str]:
    """A feed of a witness's appointments (their discreet copies), made by their office."""
    require(can_manage_witness(actor, witness), "Only the witness's office sets up their feeds.")
    _check_room(session, CalendarFeed.witness_id == witness.id)
    plaintext, digest = _new_token()
    feed = CalendarFeed(token_hash=digest, witness_id=witness.id, created_by_id=actor.id)
    session.add(feed)
    session.flush()
    record_event(
        session, actor, "calendar_feed.create", feed, witness_id=witness.id, owner="witness"
    )
    return feed, plaintext


def _revoke(session: Session, actor: User, feed: CalendarFeed) -> CalendarFeed:
    if feed.revoked_dt is not None:
        raise DomainError(gettext("This feed is already revoked."))
    feed.revoked_dt = now_utc()
    record_event(session, actor, "calendar_feed.revoke", feed, witness_id=feed.witness_id)
    return feed


def _refuse_revoking(
    session: Session, actor: User, feed_id: int, witness_id: int | None = None
) -> NoReturn:
    """Another's feed, or none: the same answer for both, and the attempt is audited."""
    record_event(
        session,
        actor,
        "calendar_feed.revoke_refused",
        object_type="calendar_feed",
        object_id=feed_id,
        witness_id=witness_id,
    )
    raise NotFound("No such feed.")


def revoke_staff_feed(session: Session, actor: User, feed_id: int) -> CalendarFeed:
    """Revoke one of the actor's own feeds; its URL answers 404 from now on. Another user's
    feed is ``NotFound``, audited."""
    feed = session.scalar(
        select(CalendarFeed).where(CalendarFeed.id == feed_id, CalendarFeed.user_id == actor.id)
    )
    if feed is None:
        _refuse_revoking(session, actor, feed_id)
    return _revoke(session, actor, feed)


def revoke_witness_feed(
    session: Session, actor: User, witness: Witness, feed_id: int
) -> CalendarFeed:
    """Revoke one of a witness's feeds (their office only). Another witness's feed is
    ``NotFound``, audited."""
    require(can_manage_witness(actor, witness), "Only the witness's office revokes their feeds.")
    feed = session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.id == feed_id, CalendarFeed.witness_id == witness.id
        )
    )
    if feed is None:
        _refuse_revoking(session, actor, feed_id, witness.id)
    return _revoke(session, actor, feed)


def user_feeds(session: Session, user: User) -> list[CalendarFeed]:
    """The user's own feeds, newest first, revoked ones included."""
    return list(
        session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.user_id == user.id)
            .order_by(CalendarFeed.created_dt.desc(), CalendarFeed.id.desc())
        )
    )


def witness_feeds(session: Session, witness: Witness) -> list[CalendarFeed]:
    """A witness's feeds, newest first, revoked ones included, with who made each."""
    return list(
        session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.witness_id == witness.id)
            .order_by(CalendarFeed.created_dt.desc(), CalendarFeed.id.desc())
            .options(joinedload(CalendarFeed.created_by))
        )
    )


def feed_for_token(session: Session, plaintext: str) -> CalendarFeed | None:
    """The live feed a token opens, or None (unknown, revoked, or its owner disabled)."""
    if not plaintext or len(plaintext) > 100:
        return None
    feed = session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.token_hash == hash_token(plaintext))
        .options(joinedload(CalendarFeed.user))
    )
    if feed is None or feed.revoked_dt is not None:
        return None
    if feed.user_id is not None and (feed.user is None or not feed.user.is_enabled):
        return None
    if feed.user_id is None and feed.witness_id is None:
        return None
    return feed


def _window(feed: CalendarFeed):
    """Which appointments the feed shows: not cancelled, from 30 days ago to a year ahead."""
    now = now_utc()
    if feed.user_id is not None:
        whose = Appointment.id.in_(
            select(AppointmentStaff.appointment_id).where(AppointmentStaff.user_id == feed.user_id)
        )
    else:
        whose = Appointment.witness_id == feed.witness_id
    return (
        whose,
        Appointment.start_dt >= now - FEED_PAST,
        Appointment.start_dt < now + FEED_AHEAD,
        Appointment.status != AppointmentStatus.cancelled,
    )


def _feed_rows(session: Session, window) -> list:
    """The appointments in ``window`` as rows of columns, each labelled with the field of
    ``AppointmentView`` it fills (and the witness's columns ``feed_views`` decides on)."""
    resource_court, hearing_court, case_court = aliased(Court), aliased(Court), aliased(Court)
    # A witness's zone is that of the court of their first case (``Witness.timezone``).
    witness_zone = (
        select(Court.timezone)
        .join(Case, Case.court_id == Court.id)
        .join(Participation, Participation.case_id == Case.id)
        .where(Participation.witness_id == Appointment.witness_id)
        .order_by(Participation.id)
        .limit(1)
        .correlate(Appointment)
        .scalar_subquery()
    )
    return session.execute(
        select(
            Appointment.id.label("appointment_id"),
            Appointment.ical_uid.label("uid"),
            Appointment.ical_sequence.label("sequence"),
            Appointment.status,
            Appointment.kind,
            Appointment.start_dt.label("start"),
            Appointment.end_dt.label("end"),
            Appointment.updated_dt.label("updated"),
            Appointment.travel_minutes,
            Appointment.address,
            Appointment.notes,
            Appointment.status_reason,
            Appointment.language,
            Appointment.witness_meeting_point,
            func.coalesce(
                resource_court.timezone,
                hearing_court.timezone,
                case_court.timezone,
                witness_zone,
                "UTC",
            ).label("timezone"),
            Witness.reference.label("witness_reference"),
            Witness.invites_full_detail,
            Witness.date_of_birth,
            Witness.is_presumed_child,
            Organisation.name.label("office_name"),
            Case.reference.label("case_reference"),
            case_court.name.label("case_court_name"),
            Hearing.type.label("hearing_type"),
            Hearing.start_dt.label("hearing_start"),
            Hearing.status.label("hearing_status"),
            hearing_court.timezone.label("hearing_timezone"),
            Resource.kind.label("resource_kind"),
            Resource.name.label("resource_name"),
            func.coalesce(Resource.location, "").label("resource_location"),
            resource_court.name.label("resource_court_name"),
            resource_court.address.label("resource_court_address"),
            Interpreter.name.label("interpreter_name"),
        )
        .select_from(Appointment)
        .join(Witness, Witness.id == Appointment.witness_id)
        .join(Organisation, Organisation.id == Witness.organisation_id)
        .outerjoin(Case, Case.id == Appointment.case_id)
        .outerjoin(case_court, case_court.id == Case.court_id)
        .outerjoin(Hearing, Hearing.id == Appointment.hearing_id)
        .outerjoin(hearing_court, hearing_court.id == Hearing.court_id)
        .outerjoin(Resource, Resource.id == Appointment.resource_id)
        .outerjoin(resource_court, resource_court.id == Resource.court_id)
        .outerjoin(Interpreter, Interpreter.id == Appointment.interpreter_id)
        .where(*window)
        .order_by(Appointment.start_dt, Appointment.id)
    ).all()


def _feed_staff(session: Session, window) -> dict[int, list[Person]]:
    """Who attends each appointment in ``window``, in one query."""
    staff: dict[int, list[Person]] = {}
    for appointment_id, name, email in session.execute(
        select(AppointmentStaff.appointment_id, User.name, User.email)
        .join(User, User.id == AppointmentStaff.user_id)
        .where(AppointmentStaff.appointment_id.in_(select(Appointment.id).where(*window)))
        .order_by(AppointmentStaff.appointment_id, AppointmentStaff.user_id)
    ):
        staff.setdefault(appointment_id, []).append(Person(name, email))
    return staff


def feed_views(session: Session, feed: CalendarFeed) -> list[AppointmentView]:
    """The feed's appointments as plain views, by start: two queries whatever their number.

    Columns rather than ORM objects: a feed of 500 events is polled every hour by every
    subscribed device, and building 500 appointments with their witness, case, hearing, room
    and courts as objects costs many times the query itself. Each column is labelled with the
    view's field it fills, so a row becomes a view by name.
    """
    window = _window(feed)
    rows = _feed_rows(session, window)
    staff = _feed_staff(session, window)
    today = now_utc().date()
    views = []
    for row in rows:
        values = row._asdict()
        appointment_id = values.pop("appointment_id")
        # the witness's choice counts only while they are an adult (access rule)
        full_detail = invites_in_full_detail(row, today)
        for name in ("invites_full_detail", "date_of_birth", "is_presumed_child"):
            del values[name]
        views.append(
            AppointmentView(
                **values,
                full_detail=full_detail,
                staff=tuple(staff.get(appointment_id, ())),
            )
        )
    return views


def feed_version(session: Session, feed: CalendarFeed) -> tuple:
    """A fingerprint of what the feed shows, from one aggregate query: which appointments
    (count and sum of ids), their changes (SEQUENCE, last update) and their witnesses' and
    hearings' last updates (a witness choosing discreet invites again changes it)."""
    row = session.execute(
        select(
            func.count(Appointment.id),
            func.sum(Appointment.id),
            func.sum(Appointment.ical_sequence),
            func.max(Appointment.updated_dt),
            func.max(Witness.updated_dt),
            func.max(Hearing.updated_dt),
        )
        .select_from(Appointment)
        .join(Witness, Witness.id == Appointment.witness_id)
        .outerjoin(Hearing, Hearing.id == Appointment.hearing_id)
        .where(*_window(feed))
    ).one()
    return tuple(row)


class FeedCache:
    """Rendered feeds, each kept while its fingerprint holds and for at most ``ttl``.

    Calendar programs fetch a feed every hour or so and it rarely changes in between, so a
    fetch usually costs one aggregate query instead of reading and rendering every event.
    The fingerprint catches every change to the appointments, their witnesses and hearings;
    the time limit bounds how long a renamed room or member of staff shows its old name.
    Keyed by the token's hash, so a feed's body never outlives its own token. Per process
    (each server process has its own), bounded in bytes, least recently used dropped first.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024, ttl: timedelta = FEED_CACHE_TTL):
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[tuple, datetime, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, version: tuple) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            cached_version, expires, body = item
            if cached_version != version or now_utc() >= expires:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return body

    def put(self, key: str, version: tuple, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._items[key] = (version, now_utc() + self.ttl, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= len(item[2])


feed_cache = FeedCache()


def render_feed_for(session: Session, feed: CalendarFeed, identity: Identity) -> bytes:
    """The feed's calendar; notes the fetch in the audit log and (hourly) on the feed."""
    version = (*feed_version(session, feed), identity)
    body = feed_cache.get(feed.token_hash, version)
    if body is None:
        views = feed_views(session, feed)
        if feed.user_id is not None:
            body = render_feed(views, audience="staff", identity=identity, name=STAFF_FEED_NAME)
        else:
            body = render_feed(views, audience="witness", identity=identity, name=WITNESS_FEED_NAME)
        feed_cache.put(feed.token_hash, version, body)
    now = now_utc()
    if feed.last_used_dt is None or now - feed.last_used_dt >= LAST_USED_RESOLUTION:
        feed.last_used_dt = now
    record_event(
        session,
        feed.user,
        "calendar_feed.fetch",
        feed,
        witness_id=feed.witness_id,
        events=version[0],
    )
    return body
