"""iCalendar files for appointments: pure functions from plain values to bytes.

An ``AppointmentView`` holds every value an .ics names; it is taken from a loaded appointment
(``view_of``) or, for a feed, straight from one SQL query's rows. Nothing here reads the
database, the request or the app configuration: the identity (PRODID, organizers) is passed
in.

One appointment always has the same UID; its SEQUENCE rises with every change, so calendar
programs replace the event rather than add a second one. Times carry the TZID of the court's
zone with its VTIMEZONE, so an appointment booked before a daylight-saving change still shows
at the right local time after it.

Two copies exist. The staff copy carries full detail (a typed address or a remote site's
location only for those who may know it). The witness copy is read by whoever picks up the
witness's phone. What goes into it is decided by which fields it is built from, never by
looking at their text: unless the witness chose full detail it names no court, case, room,
address, office or product — only the kind of meeting in neutral words, the time, and the
meeting point the officer wrote for the witness's copy (or a neutral one); it never carries
staff notes or staff addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration

from witness.calendar.vtimezone import vtimezone
from witness.cases.models import HearingStatus, HearingType
from witness.core.access import invites_in_full_detail
from witness.core.i18n import in_english
from witness.core.text import CONTROL
from witness.core.time import now_utc
from witness.rooms.models import ResourceKind
from witness.scheduling.models import AppointmentKind, AppointmentStatus

if TYPE_CHECKING:
    from witness.scheduling.models import Appointment

Audience = Literal["staff", "witness"]
#: an invitation or update; a cancellation for all; a removal of one member of staff
Notice = Literal["invite", "cancel", "removal"]

#: what a discreet witness copy gives as the place when the officer wrote no meeting point
NEUTRAL_MEETING_POINT = "Meeting point agreed with your support worker"
#: the organizer's name on a discreet witness copy, whatever the office is called
DISCREET_ORGANIZER_NAME = "Appointments"
#: how often a subscribed calendar program should fetch a feed again
FEED_REFRESH = timedelta(hours=1)

_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu"})


@dataclass(frozen=True)
class Organizer:
    """Who sends the invite: an address that takes no replies, and a name for staff copies
    (empty: the office of the witness). Discreet witness copies use a neutral name."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class Identity:
    """How the files present themselves (configured, see ``invites.identity_from_config``):
    the PRODID, the organizer of staff copies and the neutral organizer of witness copies.
    Nothing in a witness's copy names the product or the office unless they chose full
    detail."""

    prodid: str
    staff: Organizer
    witness: Organizer

    def organizer(self, audience: Audience) -> Organizer:
        return self.staff if audience == "staff" else self.witness


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class AppointmentView:
    """Everything an appointment's .ics may name, as plain values (hashable: a feed caches
    each event's bytes by its view)."""

    uid: str
    sequence: int
    status: AppointmentStatus
    kind: AppointmentKind
    start: datetime  #: UTC
    end: datetime  #: UTC
    updated: datetime
    timezone: str  #: the zone the times are given in (the court's)
    travel_minutes: int
    address: str
    notes: str
    status_reason: str
    language: str | None
    witness_reference: str
    #: the witness (an adult) chose invites naming the court, the case and the place
    full_detail: bool
    office_name: str
    staff: tuple[Person, ...]
    case_reference: str | None = None
    case_court_name: str | None = None
    hearing_type: HearingType | None = None
    hearing_start: datetime | None = None
    hearing_status: HearingStatus | None = None
    hearing_timezone: str | None = None
    resource_kind: ResourceKind | None = None
    resource_name: str | None = None
    resource_location: str = ""
    resource_court_name: str | None = None
    resource_court_address: str | None = None
    interpreter_name: str | None = None
    #: what a discreet witness copy gives as the place (written by the officer for it)
    witness_meeting_point: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status is AppointmentStatus.cancelled

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))


def view_of(appointment: Appointment) -> AppointmentView:
    """The plain view of a loaded appointment (reads its relationships)."""
    witness, case, hearing = appointment.witness, appointment.case, appointment.hearing
    resource, interpreter = appointment.resource, appointment.interpreter
    organisation = witness.organisation
    return AppointmentView(
        uid=appointment.ical_uid,
        sequence=appointment.ical_sequence or 0,
        status=appointment.status or AppointmentStatus.scheduled,
        kind=appointment.kind,
        start=appointment.start_dt,
        end=appointment.end_dt,
        updated=appointment.updated_dt or appointment.start_dt,
        timezone=appointment.timezone or "UTC",
        travel_minutes=appointment.travel_minutes or 0,
        address=appointment.address or "",
        notes=appointment.notes or "",
        status_reason=appointment.status_reason or "",
        language=appointment.language,
        witness_reference=witness.reference,
        full_detail=invites_in_full_detail(witness, now_utc().date()),
        office_name=organisation.name if organisation is not None else "",
        staff=tuple(Person(link.user.name, link.user.email) for link in appointment.staff_links),
        case_reference=case.reference if case else None,
        case_court_name=case.court.name if case else None,
        hearing_type=hearing.type if hearing else None,
        hearing_start=hearing.start_dt if hearing else None,
        hearing_status=hearing.status if hearing else None,
        hearing_timezone=hearing.court.timezone if hearing else None,
        resource_kind=resource.kind if resource else None,
        resource_name=resource.name if resource else None,
        resource_location=(resource.location or "") if resource else "",
        resource_court_name=resource.court.name if resource else None,
        resource_court_address=resource.court.address if resource else None,
        interpreter_name=interpreter.name if interpreter else None,
        witness_meeting_point=appointment.witness_meeting_point or "",
    )


# --- text ------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    """Multi-line text without control characters (the library escapes the rest)."""
    value = CONTROL.sub("", value or "").replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def _line(value: str | None) -> str:
    """One line of text: line breaks become spaces."""
    return _BREAKS.sub(" ", _text(value)).strip()


def _param(value: str | None) -> str:
    """A parameter value (CN=...): a double quote cannot be escaped there in every client."""
    return _line(value).replace('"', "'")


# --- what the event says -------------------------------------------------------------------


def full_location(view: AppointmentView, show_location: bool) -> str:
    """Room, court and address for staff; a typed address or a remote site's location only
    for those who may know where the appointment is (``access.can_see_place``)."""
    if view.resource_kind is None:
        return _line(view.address) if show_location else "(address given to the staff attending)"
    if view.resource_kind is ResourceKind.remote_site:
        if show_location and view.resource_location:
            return _line(f"{view.resource_name}, {view.resource_location}")
        return _line(f"{view.resource_name} (address given to the staff attending)")
    return _line(f"{view.resource_name}, {view.resource_court_name}, {view.resource_court_address}")


def witness_location(view: AppointmentView) -> str:
    """The place on the witness's copy: the full place when they chose full detail, otherwise
    only the meeting point written for their copy, or a neutral one. Never the typed address,
    the room or the court of a discreet copy, whatever their text says."""
    if view.full_detail:
        return full_location(view, show_location=True) or NEUTRAL_MEETING_POINT
    return _line(view.witness_meeting_point) or NEUTRAL_MEETING_POINT


def when(view: AppointmentView) -> str:
    """``Fri 27 Mar 2026 10:00 to 12:00 GMT`` in the appointment's zone."""
    zone = ZoneInfo(view.timezone)
    start, end = view.start.astimezone(zone), view.end.astimezone(zone)
    return f"{start:%a %d %b %Y %H:%M} to {end:%H:%M} {end.tzname()}"


def _interpreter_line(view: AppointmentView, *, audience: Audience) -> str:
    if view.interpreter_name is None and not view.language:
        return ""
    language = _line(view.language)
    suffix = f" ({language})" if language else ""
    if audience == "witness":
        return f"An interpreter{suffix} will be there."
    return f"Interpreter: {_line(view.interpreter_name) or 'to be arranged'}{suffix}"


def _staff_description(view: AppointmentView, show_location: bool, notice: Notice) -> str:
    lines = []
    if notice == "cancel":
        reason = _line(view.status_reason)
        lines.append(f"CANCELLED{f': {reason}' if reason else ''}")
    elif notice == "removal":
        lines += [
            "You are no longer attending this appointment. It has not been cancelled: it goes "
            "ahead without you.",
            "",
        ]
    lines.append(view.kind.label)
    lines.append(f"Witness: {view.witness_reference}")
    if view.case_reference is not None:
        lines.append(f"Case: {view.case_reference}, {view.case_court_name}")
    if view.hearing_type is not None:
        # in the hearing's court's zone, which a video link may put in another from the
        # appointment's: so the zone is named
        start = view.hearing_start.astimezone(ZoneInfo(view.hearing_timezone or view.timezone))
        lines.append(
            f"Hearing: {view.hearing_type.label}, {start:%a %d %b %Y %H:%M} {start.tzname()} "
            f"({view.hearing_status.label})"
        )
    lines.append(f"When: {when(view)}")
    location = full_location(view, show_location)
    if location:
        lines.append(f"Where: {location}")
    interpreter = _interpreter_line(view, audience="staff")
    if interpreter:
        lines.append(interpreter)
    if view.travel_minutes:
        lines.append(f"Travel: {view.travel_minutes} minutes each way")
    if view.staff:
        lines.append("Staff: " + ", ".join(_line(p.name) for p in view.staff))
    lines.append(f"Status: {view.status.label}")
    lines = [_line(line) for line in lines]
    notes = _text(view.notes)
    if notes and notice != "removal":
        lines += ["", "Notes:", notes]
    return "\n".join(lines)


def _witness_description(view: AppointmentView, location: str, notice: Notice) -> str:
    lines = []
    if notice == "cancel":
        lines += ["This appointment is cancelled.", ""]
    if view.full_detail:
        lines.append(view.kind.witness_label)
        if view.case_reference is not None:
            lines.append(f"Case: {view.case_reference}, {view.case_court_name}")
        if view.hearing_type is not None:
            lines.append(f"Hearing: {view.hearing_type.label}")
    else:
        lines.append(view.kind.discreet_label)
    lines.append(f"When: {when(view)}")
    lines.append(f"Where: {location}")
    interpreter = _interpreter_line(view, audience="witness")
    if interpreter:
        lines.append(interpreter)
    lines += ["", "Questions or changes: please contact your support worker."]
    return "\n".join(_line(line) for line in lines)


def _status(view: AppointmentView, notice: Notice) -> str | None:
    if notice == "cancel":
        return "CANCELLED"
    if notice == "removal":
        # RFC 5546 3.2.5: a CANCEL that uninvites some attendees carries no STATUS, which
        # would cancel the event for everyone.
        return None
    if view.status is AppointmentStatus.scheduled:
        return "TENTATIVE"
    return "CONFIRMED"


def _address(email: str, name: str = "", **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{_line(email)}")
    if name:
        address.params["CN"] = _param(name)
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def _attendee(person: Person) -> vCalAddress:
    return _address(
        person.email,
        person.name,
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        cutype="INDIVIDUAL",
    )


def build_event(
    view: AppointmentView,
    *,
    audience: Audience,
    identity: Identity,
    notice: Notice,
    stamp: datetime,
    show_location: bool,
    removed: Person | None = None,
    witness_address: str | None = None,
) -> Event:
    """The VEVENT of one appointment for one audience (see ``render_appointment``)."""
    tz = ZoneInfo(view.timezone)
    organizer = identity.organizer(audience)
    event = Event()
    event.add("uid", view.uid)
    event.add("sequence", view.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", view.start.astimezone(tz))
    event.add("dtend", view.end.astimezone(tz))
    status = _status(view, notice)
    if status is not None:
        event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("class", "CONFIDENTIAL")
    if audience == "staff":
        summary = f"{view.kind.label}: {view.witness_reference}"
        location = full_location(view, show_location)
        description = _staff_description(view, show_location, notice)
        event.add("organizer", _address(organizer.email, organizer.name or view.office_name))
        for person in (removed,) if removed is not None else view.staff:
            event.add("attendee", _attendee(person))
    else:
        summary = view.kind.discreet_label
        name = DISCREET_ORGANIZER_NAME
        if view.full_detail:
            summary = view.kind.witness_label
            if view.hearing_type is not None:
                summary += f" ({view.hearing_type.label})"
            name = view.office_name or name
        location = witness_location(view)
        description = _witness_description(view, location, notice)
        event.add("organizer", _address(organizer.email, name))
        if witness_address:
            event.add(
                "attendee",
                _address(witness_address, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION"),
            )
    if notice == "cancel":
        summary = f"Cancelled: {summary}"
    event.add("summary", _line(summary))
    if location:
        event.add("location", _line(location))
    event.add("description", description)
    return event


# --- calendars -------------------------------------------------------------------------------


def _timezones(views: Iterable[AppointmentView]) -> list[bytes]:
    """One VTIMEZONE per zone used, covering the years its events fall in (a year either
    side: an instant near New Year can fall in another year locally)."""
    spans: dict[str, tuple[int, int]] = {}
    for view in views:
        if view.timezone in _UTC_NAMES:
            continue  # UTC times are written with a Z and need no VTIMEZONE
        first, last = spans.get(view.timezone, (view.start.year, view.end.year))
        spans[view.timezone] = (min(first, view.start.year), max(last, view.end.year))
    return [vtimezone(tz, first - 1, last + 1) for tz, (first, last) in sorted(spans.items())]


def _calendar(
    method: str, timezones: list[bytes], identity: Identity, name: str | None = None
) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", identity.prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name is not None:
        calendar.add("x-wr-calname", _line(name))
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        # an X- property is text unless told otherwise: without vDuration it was "1:00:00"
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for vtimezone_bytes in timezones:
        calendar.add_component(Timezone.from_ical(vtimezone_bytes))
    return calendar


@in_english
def render_appointment(
    appointment: Appointment | AppointmentView,
    *,
    audience: Audience,
    identity: Identity,
    notice: Notice | None = None,
    show_location: bool = True,
    removed: Person | None = None,
    witness_address: str | None = None,
) -> bytes:
    """One appointment as an invitation or update (METHOD:REQUEST), a cancellation
    (METHOD:CANCEL, STATUS:CANCELLED: ``notice="cancel"``, the default when it is cancelled),
    or a removal (``notice="removal"``: METHOD:CANCEL to ``removed`` alone, without STATUS, so
    their calendar drops it while it goes ahead for everyone else).

    ``audience`` picks the staff copy (full detail, staff as attendees) or the witness copy
    (discreet unless the witness chose full detail; never notes). ``show_location`` hides a
    typed address or a remote site's location from someone who may not know it.
    ``witness_address`` lists the witness as attendee on the copy e-mailed to them.
    """
    view = appointment if isinstance(appointment, AppointmentView) else view_of(appointment)
    if notice is None:
        notice = "cancel" if view.is_cancelled else "invite"
    if notice == "removal" and (removed is None or audience != "staff"):
        raise ValueError("a removal is sent to one member of staff")
    method = "REQUEST" if notice == "invite" else "CANCEL"
    calendar = _calendar(method, _timezones([view]), identity)
    calendar.add_component(
        build_event(
            view,
            audience=audience,
            identity=identity,
            notice=notice,
            stamp=now_utc(),
            show_location=show_location,
            removed=removed,
            witness_address=witness_address,
        )
    )
    return calendar.to_ical()


@lru_cache(maxsize=20_000)
def _feed_event(
    view: AppointmentView, audience: Audience, identity: Identity, show_location: bool
) -> bytes:
    # Keyed by every value the event names, so a cached event is never stale; a feed fetched
    # again (calendar programs poll) renders only the appointments that changed.
    event = build_event(
        view,
        audience=audience,
        identity=identity,
        notice="invite",
        stamp=view.updated,
        show_location=show_location,
    )
    return event.to_ical()


@in_english
def render_feed(
    appointments: Iterable[Appointment | AppointmentView],
    *,
    audience: Audience,
    identity: Identity,
    name: str,
    show_location: Callable[[AppointmentView], bool] = lambda view: True,
) -> bytes:
    """A subscription calendar (METHOD:PUBLISH) of many appointments; cancelled ones are left
    out, so a calendar program drops them at its next refresh. Each event's DTSTAMP is when
    the appointment last changed."""
    views = [a if isinstance(a, AppointmentView) else view_of(a) for a in appointments]
    views = [v for v in views if not v.is_cancelled]
    head = _calendar("PUBLISH", _timezones(views), identity, name=name).to_ical()
    tail = head.rindex(b"END:VCALENDAR")
    events = [_feed_event(v, audience, identity, show_location(v)) for v in views]
    return b"".join([head[:tail], *events, head[tail:]])
