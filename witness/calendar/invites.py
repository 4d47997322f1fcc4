"""Invite e-mails for appointments, written to the outbox in the booking's own transaction.

Each member of staff attending gets the staff copy; the witness gets the discreet copy only
when they consented to e-mail. Staff taken off an appointment by a reschedule get a
cancellation. Subjects are discreet for everyone: they show on lock screens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.calendar.ics import (
    NEUTRAL_MEETING_POINT,
    AppointmentView,
    Organizer,
    Person,
    discreet_location,
    render_appointment,
    view_of,
)
from witness.core.errors import DomainError
from witness.notify.mail import check_address, enqueue_email
from witness.notify.models import OutboundEmail
from witness.people.models import Channel, Consent, ConsentKind, Witness
from witness.scheduling.models import Appointment

#: used when the configuration names no sender (tests, a fresh install)
DEFAULT_SENDER = "no-reply@witness.invalid"


def organizer_from_config(config: Mapping | None = None) -> Organizer:
    """The invites' organizer: the configured sender address (``MAIL_FROM``), which takes no
    replies. The name is left empty so each copy names the office, or stays discreet."""
    if config is None:
        config = current_app.config if has_app_context() else {}
    address = parseaddr(config.get("MAIL_FROM") or "")[1]
    return Organizer(email=address or DEFAULT_SENDER)


def attachment_name(view: AppointmentView) -> str:
    """A file name that says nothing but the day."""
    return f"appointment-{view.local_start:%Y-%m-%d}.ics"


def subject_for(view: AppointmentView, *, cancelled: bool) -> str:
    """``Appointment on Tue 10 Mar``, ``Updated: ...`` or ``Cancelled: ...``: never a case,
    an offence or a court."""
    day = f"{view.local_start:%a %d %b}"
    if cancelled:
        return f"Cancelled: appointment on {day}"
    if view.sequence > 0:
        return f"Updated: appointment on {day}"
    return f"Appointment on {day}"


def _when(view: AppointmentView) -> str:
    zone = ZoneInfo(view.timezone)
    start, end = view.start.astimezone(zone), view.end.astimezone(zone)
    return f"{start:%A %d %B %Y}, {start:%H:%M} to {end:%H:%M} ({end.tzname()})"


def staff_body(view: AppointmentView, *, cancelled: bool) -> str:
    """Plain text for staff; the detail is in the attachment and in Witness."""
    first = (
        f"This appointment is cancelled: {view.kind.label.lower()}, "
        f"witness {view.witness_reference}."
        if cancelled
        else f"{view.kind.label}, witness {view.witness_reference}."
    )
    return "\n".join(
        [
            first,
            f"When: {_when(view)}",
            "",
            "Open the attached invitation to update your calendar. The full detail is in Witness.",
        ]
    )


def witness_body(view: AppointmentView, *, cancelled: bool) -> str:
    """Plain text for the witness: when and where (discreetly), and how to change what they
    receive."""
    place = discreet_location(view)
    if cancelled:
        lines = [
            f"Your appointment on {_when(view)} is cancelled.",
            "Your support worker will contact you about what happens next.",
        ]
    else:
        lines = [
            f"{view.kind.discreet_label}.",
            f"When: {_when(view)}",
            f"Where: {place}",
            "",
            "The attached file adds it to your calendar.",
        ]
        if place == NEUTRAL_MEETING_POINT:
            lines.append("Your support worker will tell you where to meet.")
    lines += [
        "",
        "To stop these e-mails, or to change how we contact you, tell your support worker. "
        "You can change this at any time.",
    ]
    return "\n".join(lines)


def witness_accepts_email(session: Session, witness: Witness) -> bool:
    """The witness's current decision about e-mail is a yes."""
    return bool(
        session.scalar(
            select(Consent.id).where(
                Consent.witness_id == witness.id,
                Consent.kind == ConsentKind.notify,
                Consent.channel == Channel.email,
                Consent.is_current.is_(True),
                Consent.is_granted.is_(True),
            )
        )
    )


def _usable(address: str | None) -> str | None:
    try:
        return check_address(address or "")
    except DomainError:
        return None


def queue_invites(
    session: Session, appointment: Appointment, *, previous_staff_ids: Iterable[int] = ()
) -> list[OutboundEmail]:
    """Put the appointment's invitations (or updates, or cancellations) in the outbox.

    Staff attending get the staff copy; staff in ``previous_staff_ids`` who no longer attend
    get a cancellation; the witness gets their copy only with a current e-mail consent. A
    recipient without a usable address is skipped rather than failing the booking."""
    organizer = organizer_from_config()
    view = view_of(appointment)
    cancelled = view.is_cancelled
    name = attachment_name(view)
    queued: list[OutboundEmail] = []

    def enqueue(to: str, subject: str, body: str, ics: bytes, witness_id=None) -> None:
        queued.append(
            enqueue_email(
                session,
                organisation_id=appointment.organisation_id,
                to_address=to,
                subject=subject,
                body=body,
                attachment_name=name,
                attachment=ics,
                appointment_id=appointment.id,
                witness_id=witness_id,
            )
        )

    staff = [user for user in appointment.staff if user.is_enabled]
    if staff:
        ics = render_appointment(view, audience="staff", organizer=organizer)
        subject = subject_for(view, cancelled=cancelled)
        body = staff_body(view, cancelled=cancelled)
        for user in staff:
            address = _usable(user.email)
            if address:
                enqueue(address, subject, body, ics)

    attending = {link.user_id for link in appointment.staff_links}
    removed_ids = sorted(set(previous_staff_ids) - attending)
    if removed_ids and not cancelled:
        removed = session.scalars(select(User).where(User.id.in_(removed_ids))).all()
        for user in removed:
            address = _usable(user.email)
            if not address:
                continue
            ics = render_appointment(
                view,
                audience="staff",
                organizer=organizer,
                cancelled=True,
                attendees=[Person(user.name, user.email)],
            )
            enqueue(
                address,
                subject_for(view, cancelled=True),
                staff_body(view, cancelled=True),
                ics,
            )

    witness = appointment.witness
    address = _usable(witness.email)
    if address and witness_accepts_email(session, witness):
        ics = render_appointment(
            view, audience="witness", organizer=organizer, witness_address=address
        )
        enqueue(
            address,
            subject_for(view, cancelled=cancelled),
            witness_body(view, cancelled=cancelled),
            ics,
            witness_id=witness.id,
        )
    return queued
