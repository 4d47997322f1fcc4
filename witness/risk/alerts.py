"""Alerts to staff about a witness's risk: once per person and reason (``notify.delivery.alert``,
on the dashboard) and by e-mail to the staff member, never to the witness. The message names
the witness's reference only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.core.access import staff_contact_refusal
from witness.core.errors import DomainError
from witness.notify.delivery import alert, officers_of, supervisors_of
from witness.notify.mail import check_address, enqueue_email
from witness.notify.models import StaffAlert
from witness.people.models import Witness

SUBJECT = "Witness: a risk review needs you"


def risk_url(witness: Witness) -> str:
    return f"/risk/witnesses/{witness.id}"


def _email(session: Session, made: list[StaffAlert], users: dict[int, User]) -> int:
    sent = 0
    for row in made:
        user = users[row.user_id]
        try:
            address = check_address(user.email or "")
        except DomainError:
            continue
        if staff_contact_refusal(user, address) is None:
            body = f"{row.message}\n\nOpen it in Witness: {row.url}\n"
            enqueue_email(
                session,
                organisation_id=user.organisation_id,
                to_address=address,
                subject=SUBJECT,
                body=body,
                user_id=user.id,
            )
            sent += 1
    return sent


def alert_staff(
    session: Session, users: list[User], witness: Witness, key: str, message: str
) -> list[StaffAlert]:
    """Alert each of ``users`` once for ``key`` (in the app and by e-mail); returns the new
    alerts (none when each was alerted before)."""
    made = alert(session, users, key, message, risk_url(witness), witness.id)
    _email(session, made, {u.id: u for u in users})
    return made


def alert_supervisors(session: Session, witness: Witness, key: str, message: str):
    """The supervisors of the witness's office."""
    supervisors = supervisors_of(session, witness.organisation_id)
    return alert_staff(session, supervisors, witness, key, message)


def alert_officers(session: Session, witness: Witness, key: str, message: str):
    """The witness's assigned officers."""
    return alert_staff(session, officers_of(session, witness), witness, key, message)
