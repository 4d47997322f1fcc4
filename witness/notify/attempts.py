"""Contact attempts: the one way a notification task moves. A success (a letter posted, an
e-mail sent, the witness told on the phone, in person or by their NGO worker) closes the task;
a letter returned or a channel refused moves the task on to the witness's next channel. Every
attempt is kept, on the task and on the witness's timeline, and audited."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import current_preference, notification_refusal
from witness.core.errors import DomainError
from witness.core.i18n import english, gettext, language_name
from witness.core.time import now_utc
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    NotificationTask,
    TaskStatus,
    preferred_address,
)
from witness.people.models import Channel

#: outcomes after which the same channel is not tried again for this task
MOVES_ON = frozenset({AttemptOutcome.returned, AttemptOutcome.withheld})
#: outcomes of a call that did not reach the witness (three of them escalate, see
#: ``failed_calls``)
FAILED_CALLS = frozenset(
    {
        AttemptOutcome.no_answer,
        AttemptOutcome.message_left,
        AttemptOutcome.someone_else_answered,
        AttemptOutcome.failed,
    }
)


def record_attempt(
    session: Session,
    actor: User | None,
    task: NotificationTask,
    *,
    channel: Channel,
    outcome: AttemptOutcome,
    note: str = "",
    email_id: int | None = None,
    letter_id: int | None = None,
    move_on: bool = False,
    stay: bool = False,
) -> ContactAttempt:
    """Keep one attempt at telling ``task``'s witness and move the task by its outcome.

    ``actor`` is None when the system made the attempt (the mail sweep). An attempt on a task
    already done or cancelled is refused, except a letter coming back or a late success, which
    are kept as history without reopening or re-closing anything. ``move_on`` moves an open
    task to the next channel whatever the outcome: the caller found this channel spent (an
    e-mail that failed for good, the third failed call); ``stay`` keeps it where it is (an
    interpreter's call put in place of a channel that was already passed)."""
    late = task.status is not TaskStatus.open
    if late and outcome not in MOVES_ON and not outcome.succeeded:
        raise DomainError(gettext("This task is no longer open: nothing more is needed."))
    attempt = ContactAttempt(
        task=task,
        witness_id=task.witness_id,
        channel=channel.value,
        outcome=outcome,
        attempted_dt=now_utc(),
        by_id=actor.id if actor is not None else None,
        note=note,
        email_id=email_id,
        letter_id=letter_id,
    )
    session.add(attempt)
    if outcome.succeeded and not late:
        task.status = TaskStatus.done
        task.done_dt = attempt.attempted_dt
        task.done_by_id = attempt.by_id
    elif outcome is AttemptOutcome.returned and task.status is TaskStatus.done:
        # The letter that closed the task never reached them: they have not been told.
        task.status = TaskStatus.open
        task.done_dt = None
        task.done_by_id = None
        task.channel_index += 1
    elif (outcome in MOVES_ON or move_on) and not late and not stay:
        task.channel_index += 1
    session.flush()
    record_event(
        session,
        actor,
        "contact_attempt.recorded",
        attempt,
        witness_id=task.witness_id,
        task_id=task.id,
        channel=channel.value,
        outcome=outcome.value,
    )
    return attempt


def failed_calls(session: Session, task: NotificationTask) -> int:
    """Calls for ``task`` that did not reach the witness."""
    return session.scalar(
        select(func.count())
        .select_from(ContactAttempt)
        .where(
            ContactAttempt.task_id == task.id,
            ContactAttempt.channel == Channel.phone.value,
            ContactAttempt.outcome.in_(FAILED_CALLS),
        )
    )


def task_language(session: Session, task: NotificationTask) -> str:
    """The language the witness reads news in: their contact preferences' (a code), else
    English."""
    preference = current_preference(session, task.witness_id)
    return preference.language if preference is not None and preference.language else "en"


def call_with_interpreter(
    session: Session,
    actor: User | None,
    task: NotificationTask,
    *,
    channel: Channel,
    reason: str,
) -> ContactAttempt:
    """``channel`` cannot carry the news in the witness's language (``reason``: "no reviewed
    Thai translation of the sentence letter"): nothing is sent by it, and the task is to be
    told by phone with an interpreter instead, saying why, when the witness may be called (the
    usual delivery check); otherwise it moves on to the next channel. Audited."""
    language = language_name(task_language(session, task), "en")
    preference = current_preference(session, task.witness_id)
    phone = preferred_address(preference, task.witness, Channel.phone.value)
    refusal = notification_refusal(session, task.witness, Channel.phone, phone, task.event.kind)
    what = "letter" if channel is Channel.post else channel.value.replace("_", " ")
    if refusal is None:
        task.interpreter_call = (
            f"{reason[:1].upper()}{reason[1:]}: call with a {language} interpreter."
        )
        note = f"No {what}: {reason}. Call with a {language} interpreter instead."
    else:
        note = english(
            lambda: f"No {what}: {reason}; no call with an interpreter either: {refusal.label}."
        )
    attempt = record_attempt(
        session, actor, task, channel=channel, outcome=AttemptOutcome.withheld, note=note
    )
    record_event(
        session,
        actor,
        "notification_task.interpreter_call"
        if refusal is None
        else "notification_task.no_language",
        task,
        witness_id=task.witness_id,
        channel=channel.value,
        reason=reason,
    )
    return attempt
