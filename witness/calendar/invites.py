"""Invite e-mails for appointments, written to the outbox in the booking's own transaction.

Each member of staff attending gets the staff copy; the witness gets their copy only when they
consented to e-mail (checked again by the sender when the mail is due). Staff taken off an
appointment get a removal that drops it from their calendar alone. Subjects are discreet for
everyone: they show on lock screens.
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
    Identity,
    Notice,
    Organizer,
    Person,
    render_appointment,
    view_of,
    witness_location,
)
from witness.config import DEFAULT_PRODID
from witness.core.access import witness_contact_refusal
from witness.core.errors import DomainError
from witness.core.i18n import in_english
from witness.notify.mail import check_address, enqueue_email
from witness.notify.models import OutboundEmail
from witness.people.models import Channel
from witness.scheduling.models import Appointment

#: used when the configuration names no sender (a fresh install without settings)
DEFAULT_SENDER = "no-reply@witness.invalid"
DEFAULT_DISCREET_SENDER = "no-reply@appointments.invalid"


def identity_from_config(config: Mapping | None = None) -> Identity:
    """How the files present themselves: the configured PRODID, the staff sender (``MAIL_FROM``)
    as the staff copies' organizer, and the neutral sender (``DISCREET_MAIL_FROM``) as the
    witness copies'. Both addresses take no replies."""
    if config is None:
        config = current_app.config if has_app_context() else {}
    staff = parseaddr(config.get("MAIL_FROM") or "")[1] or DEFAULT_SENDER
    witness = parseaddr(config.get("DISCREET_MAIL_FROM") or "")[1] or DEFAULT_DISCREET_SENDER
    return Identity(
        prodid=config.get("ICS_PRODID") or DEFAULT_PRODID,
        staff=Organizer(email=staff),
        witness=Organizer(email=witness),
    )


def attachment_name(view: AppointmentView) -> str:
    """A file name that says nothing but the day."""
    return f"appointment-{view.local_start:%Y-%m-%d}.ics"


def subject_for(view: AppointmentView, *, notice: Notice) -> str:
    """``Appointment on Tue 10 Mar``, ``Updated: ...``, ``Cancelled: ...`` or ``No longer
    needed: ...``: never a case, an offence or a court."""
    day = f"{view.local_start:%a %d %b}"
    if notice == "cancel":
        return f"Cancelled: appointment on {day}"
    if notice == "removal":
        return f"You are no longer needed: appointment on {day}"
    if view.sequence > 0:
        return f"Updated: appointment on {day}"
    return f"Appointment on {day}"


def _when(view: AppointmentView) -> str:
    zone = ZoneInfo(view.timezone)
    start, end = view.start.astimezone(zone), view.end.astimezone(zone)
    return f"{start:%A %d %B %Y}, {start:%H:%M} to {end:%H:%M} ({end.tzname()})"


def staff_body(view: AppointmentView, *, notice: Notice) -> str:
    """Plain text for staff; the detail is in the attachment and in Witness."""
    what = f"{view.kind.label.lower()}, witness {view.witness_reference}"
    first = {
        "cancel": f"This appointment is cancelled: {what}.",
        "removal": f"You are no longer attending this appointment ({what}). It has not been "
        "cancelled: it goes ahead without you.",
    }.get(notice, f"{view.kind.label}, witness {view.witness_reference}.")
    return "\n".join(
        [
            first,
            f"When: {_when(view)}",
            "",
            "Open the attached invitation to update your calendar. The full detail is in Witness.",
        ]
    )


def witness_body(view: AppointmentView, *, notice: Notice) -> str:
    """Plain text for the witness: when and where (as their copy gives it), and how to change
    what they receive."""
    place = witness_location(view)
    if notice == "cancel":
        lines = [
            f"Your appointment on {_when(view)} is cancelled.",
            "Your support worker will contact you about what happens next.",
        ]
    else:
        lines = [
            f"{view.kind.witness_label if view.full_detail else view.kind.discreet_label}.",
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


def _usable(address: str | None) -> str | None:
    try:
        return check_address(address or "")
    except DomainError:
        return None


@in_english
def queue_invites(
    session: Session, appointment: Appointment, *, previous_staff_ids: Iterable[int] = ()
) -> list[OutboundEmail]:
    """Put the appointment's invitations (or updates, or cancellations) in the outbox.

    Staff attending get the staff copy; staff in ``previous_staff_ids`` who no longer attend
    get a removal; the witness gets their copy only while they consent to e-mail at that
    address (``access.witness_contact_refusal``, asked again by the sender). A recipient
    without a usable address is skipped rather than failing the booking."""
    identity = identity_from_config()
    view = view_of(appointment)
    notice: Notice = "cancel" if view.is_cancelled else "invite"
    name = attachment_name(view)
    queued: list[OutboundEmail] = []

    def enqueue(to: str, subject: str, body: str, ics: bytes, **recipient) -> None:
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
                **recipient,
            )
        )

    staff = [user for user in appointment.staff if user.is_enabled]
    if staff:
        ics = render_appointment(view, audience="staff", identity=identity, notice=notice)
        subject, body = subject_for(view, notice=notice), staff_body(view, notice=notice)
        for user in staff:
            address = _usable(user.email)
            if address:
                enqueue(address, subject, body, ics, user_id=user.id)

    attending = {link.user_id for link in appointment.staff_links}
    removed_ids = sorted(set(previous_staff_ids) - attending)
    if removed_ids and notice == "invite":
        for user in session.scalars(select(User).where(User.id.in_(removed_ids))):
            address = _usable(user.email)
            if not address or not user.is_enabled:
                continue
            ics = render_appointment(
                view,
                audience="staff",
                identity=identity,
                notice="removal",
                removed=Person(user.name, user.email),
            )
            subject = subject_for(view, notice="removal")
            enqueue(address, subject, staff_body(view, notice="removal"), ics, user_id=user.id)

    witness = appointment.witness
    address = _usable(witness.email)
    if address and witness_contact_refusal(session, witness, Channel.email, address) is None:
        ics = render_appointment(
            view, audience="witness", identity=identity, notice=notice, witness_address=address
        )
        subject, body = subject_for(view, notice=notice), witness_body(view, notice=notice)
        enqueue(address, subject, body, ics, witness_id=witness.id)
    return queued
