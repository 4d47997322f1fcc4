"""E-mail: the outbox (``enqueue_email``) and the sweep that delivers it (``send_due``).

A mail is written to the outbox in the transaction that caused it, so it exists exactly when
the change does. ``send_due`` claims due rows in a short transaction of its own (PostgreSQL:
``FOR UPDATE SKIP LOCKED``), so two senders never take the same row; a sender that dies after
claiming leaves the row to be retried once the claim expires. Each result is committed as soon
as the mail has gone, so a crash resends at most the one mail in flight, with the same
Message-ID for the receiving side to recognise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import NamedTuple

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import (
    can_see_outbox,
    notification_refusal,
    require,
    staff_contact_refusal,
    witness_contact_refusal,
)
from witness.core.errors import DomainError, NotFound
from witness.core.i18n import gettext
from witness.core.text import CONTROL, LINE_BREAK
from witness.core.time import now_utc
from witness.notify.attempts import record_attempt
from witness.notify.models import (
    AttemptOutcome,
    MailStatus,
    NotificationTask,
    OutboundEmail,
    TaskStatus,
    WithheldReason,
)
from witness.notify.smtp import MAX_ERROR_LENGTH, MailError, MailSettings, SmtpTransport
from witness.people.models import Channel, Witness

log = logging.getLogger(__name__)

#: how long a sender owns the rows it claimed; after that another sweep may retry them
CLAIM_FOR = timedelta(minutes=10)
#: minutes to wait after the 1st, 2nd, ... failure before trying again
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
#: after this many failed attempts a mail is marked failed and waits for a person to retry it
MAX_ATTEMPTS = 5

_ADDRESS = re.compile(r"^[^@\s,;<>()\[\]\"\\]+@[^@\s,;<>()\[\]\"\\]+\.[^@\s,;<>()\[\]\"\\]+$")
_METHOD = re.compile(rb"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


# --- the outbox ------------------------------------------------------------------------------


def _one_line(value: str, field_name: str, what: str, max_length: int) -> str:
    value = (value or "").strip()
    if CONTROL.search(value) or LINE_BREAK.search(value):
        raise DomainError(
            gettext(
                "The %(what)s must be one line without line breaks or control characters.",
                what=what,
            ),
            field=field_name,
        )
    if not value:
        raise DomainError(gettext("The %(what)s is missing.", what=what), field=field_name)
    if len(value) > max_length:
        raise DomainError(
            gettext(
                "The %(what)s is longer than %(max_length)s characters.",
                what=what,
                max_length=max_length,
            ),
            field=field_name,
        )
    return value


def check_address(value: str, field_name: str = "to_address") -> str:
    """``value`` as one plain e-mail address, or a ``DomainError`` (never a list of addresses,
    never anything that could add a header)."""
    value = _one_line(value, field_name, "e-mail address", 254)
    if not _ADDRESS.match(value):
        raise DomainError(
            gettext("Give one e-mail address, such as name@example.org."), field=field_name
        )
    return value


def enqueue_email(
    session: Session,
    *,
    organisation_id: int,
    to_address: str,
    subject: str,
    body: str,
    attachment_name: str | None = None,
    attachment: bytes | None = None,
    appointment_id: int | None = None,
    witness_id: int | None = None,
    user_id: int | None = None,
) -> OutboundEmail:
    """Put one mail to one recipient in the outbox, due now; the sweep sends it. A mail to a
    witness names them (``witness_id``), one to staff the user (``user_id``): the sender checks
    again, when the mail is due, that the recipient may still be sent it at that address.

    Refuses (``DomainError``) a subject, address or file name that could inject a header."""
    to_address = check_address(to_address)
    subject = _one_line(subject, "subject", "subject", 200)
    if (attachment is None) != (attachment_name is None):
        raise DomainError(
            gettext("An attachment needs both a file name and content."), field="attachment"
        )
    if attachment_name is not None:
        attachment_name = _one_line(attachment_name, "attachment_name", "file name", 100)
    email = OutboundEmail(
        organisation_id=organisation_id,
        to_address=to_address,
        subject=subject,
        body=body,
        attachment_name=attachment_name,
        attachment=attachment,
        appointment_id=appointment_id,
        witness_id=witness_id,
        user_id=user_id,
        status=MailStatus.pending,
        attempts=0,
        next_attempt_dt=now_utc(),
        created_dt=now_utc(),
        last_error="",
    )
    session.add(email)
    return email


# --- building and sending one message ----------------------------------------------------------


def calendar_method(ics: bytes) -> str | None:
    """The METHOD of an iCalendar object (REQUEST, CANCEL, ...), read from its bytes."""
    match = _METHOD.search(ics)
    return match.group(1).decode("ascii") if match else None


def build_message(email: OutboundEmail, settings: MailSettings, now: datetime) -> EmailMessage:
    """The RFC 5322 message for an outbox row; an .ics goes as ``text/calendar; method=...``.

    Mail to a witness comes from the neutral sender; every Message-ID uses the neutral message
    domain, so nothing in the headers names the product or the office."""
    message = EmailMessage()
    message["From"] = settings.discreet_from if email.witness_id is not None else settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    # Stable per row: a mail resent after a crash carries the same id, so it can be recognised.
    stamp = int(email.created_dt.timestamp())
    message["Message-ID"] = f"<outbox-{email.id}.{stamp}@{settings.message_domain}>"
    # Quoted-printable keeps a non-English body intact through servers without 8BITMIME.
    message.set_content(email.body, cte=None if email.body.isascii() else "quoted-printable")
    if email.attachment is not None:
        name = email.attachment_name or "attachment"
        if name.lower().endswith(".ics"):
            params = {"charset": "utf-8"}
            method = calendar_method(email.attachment)
            if method:
                params["method"] = method
            message.add_attachment(
                email.attachment, "text", "calendar", filename=name, params=params
            )
        else:
            maintype, subtype = (
                ("application", "pdf")
                if name.lower().endswith(".pdf")
                else ("application", "octet-stream")
            )
            message.add_attachment(email.attachment, maintype, subtype, filename=name)
    return message


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What one ``send_due`` did."""

    sent: int = 0
    #: failed this time, will be tried again later
    retrying: int = 0
    #: failed for the last time; waiting in the outbox for a person to retry
    failed: int = 0
    #: not handed over: the recipient may no longer be sent it
    withheld: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed + self.withheld


def claim_due(session: Session, now: datetime, batch: int = 50) -> list[int]:
    """Claim up to ``batch`` due mails for this sender until ``now + CLAIM_FOR``; return ids.

    On PostgreSQL two statements: the select locks the rows it picks, skipping rows another
    sender holds, and the update marks exactly those (one UPDATE ... WHERE id IN (SELECT ...
    LIMIT) may run its subquery more than once and claim more than ``batch``). On SQLite one
    statement, which takes the database's single write lock, so claims never overlap."""
    due = (
        select(OutboundEmail.id)
        .where(
            OutboundEmail.status == MailStatus.pending,
            OutboundEmail.next_attempt_dt <= now,
            or_(OutboundEmail.claimed_until_dt.is_(None), OutboundEmail.claimed_until_dt <= now),
        )
        .order_by(OutboundEmail.next_attempt_dt, OutboundEmail.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claim = update(OutboundEmail).values(claimed_until_dt=now + CLAIM_FOR)
    claim = claim.execution_options(synchronize_session=False)
    if session.get_bind().dialect.name == "sqlite":
        # one statement, so the read and the write share the single write lock
        claimed = session.scalars(
            claim.where(OutboundEmail.id.in_(due)).returning(OutboundEmail.id)
        )
        return sorted(claimed)
    ids = list(session.scalars(due))
    if ids:
        session.execute(claim.where(OutboundEmail.id.in_(ids)))
    return sorted(ids)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def _record_failure(email: OutboundEmail, error: str, now: datetime, report: SendReport) -> None:
    email.attempts += 1
    email.last_error = error[:MAX_ERROR_LENGTH]
    email.claimed_until_dt = None
    email.next_attempt_dt = now + backoff(email.attempts)
    if email.attempts >= MAX_ATTEMPTS:
        email.status = MailStatus.failed
        report.failed += 1
    else:
        report.retrying += 1
    if error not in report.errors:
        report.errors.append(error)


def delivery_refusal(session: Session, email: OutboundEmail) -> WithheldReason | None:
    """Why this mail must not be handed over now, or None: the witness withdrew consent to
    e-mail or changed address, the member of staff was disabled or changed address. Mail
    carrying news (a notification task), or a notice about the witness's own file (no task,
    no appointment), is asked the delivery check for news (``access.notification_refusal``):
    opted out, e-mail no longer chosen, the safe address."""
    if email.witness_id is not None:
        witness = session.get(Witness, email.witness_id)
        if witness is None:
            return WithheldReason.no_address
        if email.task_id is not None:
            task = session.get(NotificationTask, email.task_id)
            kind = task.event.kind
            return notification_refusal(session, witness, Channel.email, email.to_address, kind)
        if email.appointment_id is None:
            # A notice about the witness's own file (the final notice when it is closed): the
            # rule for news, as it goes to the safe address their preferences give.
            return notification_refusal(session, witness, Channel.email, email.to_address, None)
        return witness_contact_refusal(session, witness, Channel.email, email.to_address)
    if email.user_id is not None:
        return staff_contact_refusal(session.get(User, email.user_id), email.to_address)
    return None


def _withhold(email: OutboundEmail, reason: WithheldReason | None, note: str = "") -> None:
    email.status = MailStatus.withheld
    email.withheld_reason = reason
    email.claimed_until_dt = None
    email.last_error = "" if reason is not None else note


def task_closed(session: Session, email: OutboundEmail) -> str:
    """Why the news this mail carries need not be sent any more ("" when it must): its task
    was done another way (the witness was told on the phone), or cancelled (the event was
    corrected: the mail would tell them something wrong)."""
    if email.task_id is None:
        return ""
    task = session.get(NotificationTask, email.task_id)
    if task.status is TaskStatus.done:
        return "Not needed: the witness was already told."
    if task.status is TaskStatus.cancelled:
        note = f"Not needed: the notification was cancelled ({task.cancelled_reason})."
        return note[:MAX_ERROR_LENGTH]
    return ""


def record_task_attempt(session: Session, email: OutboundEmail) -> None:
    """An e-mail carrying a notification task is a contact attempt on it: handed over is
    ``sent`` (the task is done); withheld, or failed for good, moves it to the next channel.
    A mail withheld because the task closed meanwhile adds nothing."""
    if email.task_id is None or email.status is MailStatus.pending:
        return
    task = session.get(NotificationTask, email.task_id)
    if email.status is MailStatus.sent:
        outcome, note = AttemptOutcome.sent, ""
    elif email.status is MailStatus.failed:
        outcome, note = AttemptOutcome.failed, email.last_error
    elif email.withheld_reason is not None and task.status is TaskStatus.open:
        outcome, note = AttemptOutcome.withheld, email.withheld_reason.label
    else:
        return
    record_attempt(
        session,
        None,
        task,
        channel=Channel.email,
        outcome=outcome,
        note=note,
        email_id=email.id,
        move_on=outcome is AttemptOutcome.failed,
    )


def send_due(
    session_factory: Callable[[], Session],
    transport: SmtpTransport,
    now: datetime,
    batch: int = 50,
) -> SendReport:
    """Send the mails due at ``now`` (one batch); failures are recorded on the row and retried
    later with back-off, never raised."""
    report = SendReport()
    with session_factory() as session:
        ids = claim_due(session, now, batch)
        session.commit()
        if not ids:
            return report
        emails: Sequence[OutboundEmail] = session.scalars(
            select(OutboundEmail).where(OutboundEmail.id.in_(ids)).order_by(OutboundEmail.id)
        ).all()
        broken: str | None = None  # the server cannot be used: fail the rest without trying
        try:
            for email in emails:
                # Consent and addresses are checked again now, not only when the mail was
                # queued: a witness who withdrew consent since gets nothing, retries included.
                reason = delivery_refusal(session, email)
                no_longer_needed = task_closed(session, email)
                if reason is not None or no_longer_needed:
                    _withhold(email, reason, no_longer_needed)
                    report.withheld += 1
                elif broken is None:
                    try:
                        transport.send(build_message(email, transport.settings, now))
                    except MailError as exc:
                        if exc.connection:
                            broken = exc.message
                        _record_failure(email, exc.message, now, report)
                    except Exception as exc:  # one bad row must not hold up the rest
                        log.exception("mail %s could not be sent", email.id)
                        _record_failure(
                            email,
                            f"The message could not be built ({type(exc).__name__}).",
                            now,
                            report,
                        )
                    else:
                        email.status = MailStatus.sent
                        email.sent_dt = now
                        email.claimed_until_dt = None
                        email.last_error = ""
                        report.sent += 1
                else:
                    _record_failure(email, broken, now, report)
                _audit(session, email)
                # The attempt on the task it carries, in the same commit as the mail's outcome.
                record_task_attempt(session, email)
                # Commit each outcome at once: a crash later must not resend this one.
                session.commit()
        finally:
            transport.close()
    return report


def _audit(session: Session, email: OutboundEmail) -> None:
    """Record that a mail left (or finally could not); never its address, subject or body."""
    detail = {}
    if email.status is MailStatus.sent:
        action = "mail.sent"
    elif email.status is MailStatus.failed:
        action = "mail.failed"
    elif email.status is MailStatus.withheld:
        action, detail = "mail.withheld", {"reason": email.withheld_reason}
    else:
        return
    record_event(
        session,
        None,
        action,
        email,
        witness_id=email.witness_id,
        appointment_id=email.appointment_id,
        attempts=email.attempts,
        **detail,
    )


# --- the outbox page and an appointment's delivery -----------------------------------------


def outbox_query(actor: User, status: MailStatus | None = None) -> Select:
    """The mails of the actor's office, newest first (office roles only: ``AccessDenied``)."""
    require(can_see_outbox(actor), "Only the office's staff see its outbox.")
    query = (
        select(OutboundEmail)
        .where(OutboundEmail.organisation_id == actor.organisation_id)
        .order_by(OutboundEmail.id.desc())
    )
    if status is not None:
        query = query.where(OutboundEmail.status == status)
    return query


def retry_email(session: Session, actor: User, email_id: int) -> OutboundEmail:
    """Make a pending or failed mail of the actor's office due now; its attempts are kept, so a
    failed one gets one more try. A mail already sent is refused."""
    email = session.get(OutboundEmail, email_id)
    if email is None or email.organisation_id != actor.organisation_id or not can_see_outbox(actor):
        record_event(
            session, actor, "mail.retry_refused", object_type="outbound_email", object_id=email_id
        )
        raise NotFound("No such e-mail.")
    # One conditional statement, so a sweep that is sending this very mail cannot have it
    # marked sent and then put back to pending by a stale read.
    changed = session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.status != MailStatus.sent)
        .values(status=MailStatus.pending, next_attempt_dt=now_utc(), withheld_reason=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(email)
    if not changed:
        raise DomainError(gettext("This e-mail was already sent."))
    record_event(
        session,
        actor,
        "mail.retry",
        email,
        witness_id=email.witness_id,
        appointment_id=email.appointment_id,
        attempts=email.attempts,
    )
    return email


def mask_address(address: str) -> str:
    """``a…@example.org``: enough to tell recipients apart, not enough to reveal who."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}" if local else address


class Delivery(NamedTuple):
    """One mail about an appointment: to staff or to the witness, and how it went."""

    recipient_kind: str  # "staff" | "witness"
    status: MailStatus
    last_error: str
    withheld_reason: WithheldReason | None = None

    @property
    def status_text(self) -> str:
        """``Sent``, ``Failed``, or ``Not sent: consent withdrawn``."""
        if self.status is MailStatus.withheld and self.withheld_reason is not None:
            return f"{self.status.label}: {self.withheld_reason.label}"
        return self.status.label


def delivery_summary(session: Session, appointment_id: int) -> list[Delivery]:
    """The mails sent (or not yet) about an appointment, newest first. The caller has already
    checked that the viewer may see the appointment."""
    rows = session.execute(
        select(
            OutboundEmail.witness_id,
            OutboundEmail.status,
            OutboundEmail.last_error,
            OutboundEmail.withheld_reason,
        )
        .where(OutboundEmail.appointment_id == appointment_id)
        .order_by(OutboundEmail.id.desc())
    )
    return [
        Delivery("witness" if witness_id is not None else "staff", status, error or "", reason)
        for witness_id, status, error, reason in rows
    ]
