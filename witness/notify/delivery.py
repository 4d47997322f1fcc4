"""The delivery sweep: for each open notification task, try the witness's current channel.

The channel to try is ``channels[task.channel_index]`` of the witness's contact preferences (no
preferences: the channels the witness file consents to, in the order post, phone, e-mail). The
delivery check (``access.notification_refusal``) is asked first, every time: a refusal is kept
as a ``withheld`` attempt, which moves the task on. Then by channel:

- **email**: an e-mail carrying the task is queued (``task_id``), discreet subject and sender,
  the body the witness chose; the mail sweep records ``sent`` when it hands it over, or
  ``withheld``/``failed`` (next channel) when it cannot;
- **post**: the letter for the task, made by ``letters.services.letter_for_task`` (printed and
  posted by the letters feature);
- **phone**, **via_ngo**, **in_person**: nothing automatic; the task is on the call list or on
  the NGO worker's / officer's list, and they record the attempt.

When no channel is left the officer is alerted once: tell the witness in person.

Two sweeps never act on the same task: each batch locks its tasks (PostgreSQL ``FOR UPDATE SKIP
LOCKED``; SQLite's one writer) and checks again, under the lock, that nothing is in flight."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import (
    accepted_channels,
    accepts_channel,
    current_preference,
    notification_refusal,
)
from witness.core.i18n import in_language
from witness.letters.discreet import forbidden_words
from witness.letters.models import Letter, LetterStatus
from witness.letters.services import letter_for_task, letter_pdf_for_task
from witness.letters.translations import EMAIL, translation_refusal
from witness.notify.attempts import call_with_interpreter, record_attempt, task_language
from witness.notify.mail import enqueue_email
from witness.notify.models import (
    AttemptOutcome,
    ContactPreference,
    EmailDetail,
    MailStatus,
    NotificationTask,
    OutboundEmail,
    StaffAlert,
    TaskStatus,
    WithheldReason,
    open_tasks,
    preferred_address,
)
from witness.notify.tasks import cancel_open_tasks
from witness.notify.wording import STANDARD_SUBJECT, Facts, email_body, subject
from witness.people.models import Assignment, Channel, Witness

log = logging.getLogger(__name__)

#: the order of a witness file's consented channels when no preferences were recorded
DEFAULT_ORDER = (Channel.post, Channel.phone, Channel.email)
#: a letter or an e-mail that is on its way (or went): the channel is not tried again
LIVE_LETTERS = (LetterStatus.queued, LetterStatus.printed, LetterStatus.posted)
LIVE_MAIL = (MailStatus.pending, MailStatus.sent)


def task_channels(
    session: Session,
    witness: Witness,
    preference: ContactPreference | None,
    accepted: set[Channel] | None = None,
) -> list[Channel]:
    """The channels to try, in order: the preferences', else the consented ones of the file
    (``accepted``: those channels, when the caller has already read them)."""
    if preference is not None:
        return [Channel(value) for value in preference.channels]
    if accepted is not None:
        return [c for c in DEFAULT_ORDER if c in accepted]
    return [c for c in DEFAULT_ORDER if accepts_channel(session, witness.id, c)]


def live_mail_query(task_ids) -> Select:
    """The tasks among ``task_ids`` with an e-mail waiting or sent (the partial index
    ``ix_outbound_emails_task_id``: most mail carries no task)."""
    return select(OutboundEmail.task_id).where(
        OutboundEmail.task_id.in_(task_ids), OutboundEmail.status.in_(LIVE_MAIL)
    )


@dataclass
class BatchFacts:
    """What a sweep reads once for a batch of tasks, to pick each one's channel and see what
    is already in flight: four queries a batch instead of up to six a task. The delivery check
    itself (``notification_refusal``) is still asked task by task, when something would go."""

    preferences: dict[int, ContactPreference]
    accepted: dict[int, set[Channel]]
    letters_live: set[int]
    mail_live: set[int]

    @classmethod
    def read(cls, session: Session, tasks: list[NotificationTask]) -> BatchFacts:
        task_ids = [t.id for t in tasks]
        witness_ids = {t.witness_id for t in tasks}
        preferences: dict[int, ContactPreference] = {}
        for preference in session.scalars(
            select(ContactPreference)
            .where(ContactPreference.witness_id.in_(witness_ids), ContactPreference.is_current)
            .order_by(ContactPreference.id)
        ):
            preferences[preference.witness_id] = preference  # the newest wins
        live_letters = select(Letter.task_id).where(
            Letter.task_id.in_(task_ids), Letter.status.in_(LIVE_LETTERS)
        )
        live_mail = live_mail_query(task_ids)
        return cls(
            preferences=preferences,
            accepted=accepted_channels(session, witness_ids),
            letters_live=set(session.scalars(live_letters)),
            mail_live=set(session.scalars(live_mail)),
        )


def current_channel(session: Session, task: NotificationTask) -> Channel | None:
    """The channel to try now for ``task``, or None when every channel was tried: the phone
    while the task is to be told by a call with an interpreter (``interpreter_call``)."""
    if task.interpreter_call:
        return Channel.phone
    channels = task_channels(session, task.witness, current_preference(session, task.witness_id))
    return channels[task.channel_index] if task.channel_index < len(channels) else None


def officers_of(session: Session, witness: Witness) -> list[User]:
    """The witness's assigned liaison officers (enabled), newest assignment first."""
    return list(
        session.scalars(
            select(User)
            .join(Assignment, Assignment.user_id == User.id)
            .where(
                Assignment.witness_id == witness.id,
                Assignment.ended_dt.is_(None),
                User.role == Role.liaison_officer,
                User.is_enabled.is_(True),
            )
            .order_by(Assignment.id.desc())
        )
    )


def supervisors_of(session: Session, organisation_id: int) -> list[User]:
    """The office's enabled supervisors."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role == Role.supervisor,
                User.is_enabled.is_(True),
            )
            .order_by(User.id)
        )
    )


def alert(session: Session, users: list[User], key: str, message: str, url: str, witness_id):
    """One alert per user and ``key``, however often it is raised; returns the new ones."""
    made = []
    for user in users:
        seen = session.scalar(
            select(StaffAlert.id).where(StaffAlert.user_id == user.id, StaffAlert.key == key)
        )
        if seen is None:
            made.append(
                StaffAlert(
                    user_id=user.id, key=key, message=message, url=url, witness_id=witness_id
                )
            )
    session.add_all(made)
    session.flush()
    for row in made:
        record_event(session, None, "staff_alert.created", row, witness_id=witness_id, key=key)
    return made


def facts_for(session: Session, task: NotificationTask, office_phone: str) -> Facts:
    """What a message about ``task`` may say, and whom to call back (the officer's first name
    and the office's safe line)."""
    event = task.event
    officers = officers_of(session, task.witness)
    officer = officers[0].name.split()[0] if officers else ""
    preference = current_preference(session, task.witness_id)
    person = (preference.contact_person if preference is not None else "") or ""
    person = person or task.witness.legal_name
    return Facts(
        kind=event.kind,
        result=event.result,
        effective=event.effective_date,
        officer=officer,
        line=office_phone,
        person=person.split()[0] if person.split() else "",
    )


@dataclass
class DeliveryReport:
    """What one sweep did."""

    emails: int = 0
    letters: int = 0
    withheld: int = 0
    exhausted: int = 0
    #: tasks waiting on a person: a call, a visit, the NGO worker
    waiting: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def _queue_email(session: Session, task, preference, address: str, config) -> OutboundEmail:
    """The e-mail carrying ``task``, in the witness's language, as detailed as they chose."""
    detail = preference.email_detail if preference is not None else EmailDetail.call_me
    language = task_language(session, task)
    facts = facts_for(session, task, config.get("OFFICE_PHONE", ""))
    attachment = None
    if detail is EmailDetail.letter:
        attachment = letter_pdf_for_task(session, task)
    with in_language(language):
        body = email_body(detail, facts)
        title = subject(config.get("NOTIFY_MAIL_SUBJECT", ""))
    if forbidden_words(title, language):  # a catalogue's subject that says too much
        title = STANDARD_SUBJECT
    email = enqueue_email(
        session,
        organisation_id=task.witness.organisation_id,
        to_address=address,
        subject=title,
        body=body,
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
        witness_id=task.witness_id,
    )
    email.task_id = task.id
    session.flush()
    record_event(
        session,
        None,
        "notification_task.emailed",
        task,
        witness_id=task.witness_id,
        email_id=email.id,
        detail=detail.value,
    )
    return email


def deliver_task(
    session: Session,
    task: NotificationTask,
    config,
    report: DeliveryReport,
    facts: BatchFacts | None = None,
) -> None:
    """Try ``task``'s current channel once (see the module's docstring); ``facts`` read for its
    batch (read here for the task alone when not given)."""
    facts = facts or BatchFacts.read(session, [task])
    preference = facts.preferences.get(task.witness_id)
    channels = task_channels(
        session, task.witness, preference, facts.accepted.get(task.witness_id, set())
    )
    if task.interpreter_call:
        _interpreter_call(session, task, preference, report)
        return
    if task.channel_index >= len(channels):
        _exhausted(session, task, report)
        return
    channel = channels[task.channel_index]
    if channel is Channel.email and task.id in facts.mail_live:
        report.skipped += 1
        return
    if channel is Channel.post and task.id in facts.letters_live:
        report.skipped += 1
        return
    address = (
        preferred_address(preference, task.witness, channel.value)
        if channel in (Channel.post, Channel.email, Channel.phone)
        else None
    )
    reason = notification_refusal(session, task.witness, channel, address, task.event.kind)
    if reason is not None:
        record_attempt(
            session, None, task, channel=channel, outcome=AttemptOutcome.withheld, note=reason.label
        )
        report.withheld += 1
        if reason is WithheldReason.opted_out:
            # No channel will do: the witness no longer wants this news (it is not a reason to
            # go and tell them in person).
            cancel_open_tasks(
                session,
                reason="The witness no longer wants this news.",
                event_id=task.event_id,
                witness_id=task.witness_id,
            )
        return
    if channel is Channel.email:
        refusal = _email_language_refusal(session, task, preference)
        if refusal is not None:
            call_with_interpreter(session, None, task, channel=channel, reason=refusal)
            report.withheld += 1
            return
        _queue_email(session, task, preference, address, config)
        report.emails += 1
    elif channel is Channel.post:
        if letter_for_task(session, None, task) is not None:
            report.letters += 1
        else:
            report.withheld += 1
    else:
        report.waiting += 1


def _email_language_refusal(session: Session, task: NotificationTask, preference) -> str | None:
    """Why the e-mail may not be written in the witness's language (no reviewed translation of
    the e-mails, or of the letter it would attach), or None. Re-checked at every delivery."""
    language = task_language(session, task)
    refusal = translation_refusal(session, EMAIL, language)
    detail = preference.email_detail if preference is not None else EmailDetail.call_me
    if refusal is None and detail is EmailDetail.letter:
        refusal = translation_refusal(session, task.event.kind.value, language)
    return refusal


def _interpreter_call(session: Session, task, preference, report: DeliveryReport) -> None:
    """A task to be told by phone with an interpreter: it waits on the call list while the call
    may be made; when it may not (consent, preferences), the reason is kept and the task goes
    on from the channel after the one that could not carry the news."""
    phone = preferred_address(preference, task.witness, Channel.phone.value)
    reason = notification_refusal(session, task.witness, Channel.phone, phone, task.event.kind)
    if reason is None:
        report.waiting += 1
        return
    task.interpreter_call = ""
    record_attempt(
        session, None, task, channel=Channel.phone, outcome=AttemptOutcome.withheld,
        note=f"No call with an interpreter: {reason.label}.", stay=True,
    )  # fmt: skip
    report.withheld += 1


def _exhausted(session: Session, task: NotificationTask, report: DeliveryReport) -> None:
    """Every channel was tried: the officer (or, with none, the supervisors) must tell the
    witness in person; alerted once."""
    users = officers_of(session, task.witness) or supervisors_of(
        session, task.witness.organisation_id
    )
    made = alert(
        session,
        users,
        f"exhausted:task:{task.id}",
        f"No channel left for {task.witness.reference} (task {task.id}): tell in person.",
        f"/witnesses/{task.witness_id}",
        task.witness_id,
    )
    if made:
        report.exhausted += 1
    else:
        report.skipped += 1


def lock_tasks(session: Session, ids: list[int]) -> list[NotificationTask]:
    """The open tasks among ``ids``, locked for this sweep: on PostgreSQL rows another sweep
    holds are skipped; on SQLite the transaction already holds the one write lock."""
    query = (
        select(NotificationTask)
        .where(NotificationTask.id.in_(ids), NotificationTask.status == TaskStatus.open)
        .order_by(NotificationTask.due_dt, NotificationTask.id)
        .with_for_update(skip_locked=True, of=NotificationTask)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def deliver_due(session_factory: Callable[[], Session], config, batch: int = 50) -> DeliveryReport:
    """One sweep over every open task, ``batch`` tasks per transaction (locked, checked,
    acted on, committed)."""
    report = DeliveryReport()
    with session_factory() as session:
        ids = list(
            session.scalars(
                select(NotificationTask.id)
                .where(open_tasks())
                .order_by(NotificationTask.due_dt, NotificationTask.id)
            )
        )
        session.commit()
        for start in range(0, len(ids), batch):
            tasks = lock_tasks(session, ids[start : start + batch])
            facts = BatchFacts.read(session, tasks)
            for task in tasks:
                try:
                    with session.begin_nested():  # one bad task must not hold up the rest
                        deliver_task(session, task, config, report, facts)
                except Exception as exc:
                    log.exception("task %s could not be delivered", task.id)
                    report.errors.append(f"task {task.id}: {type(exc).__name__}")
            session.commit()
    return report


def deliver_news_sweep(app: Flask) -> DeliveryReport:
    """The scheduler's sweep (every minute) and ``flask deliver-news``: act on every open task
    now, in the app's context (the witness's language for e-mails)."""
    with app.app_context():
        report = deliver_due(app.extensions["witness.db"].sessionmaker, app.config)
    if report.emails or report.letters or report.withheld or report.exhausted:
        app.logger.info(
            "news: %d e-mails queued, %d letters made, %d withheld, %d with no channel left",
            report.emails,
            report.letters,
            report.withheld,
            report.exhausted,
        )
    return report
