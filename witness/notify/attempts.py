"""Contact attempts: the one way a notification task moves. A success (a letter posted, an
e-mail sent, the witness told on the phone, in person or by their NGO worker) closes the task;
a letter returned or a channel refused moves the task on to the witness's next channel. Every
attempt is kept, on the task and on the witness's timeline, and audited."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.errors import DomainError
from witness.core.time import now_utc
from witness.notify.models import AttemptOutcome, ContactAttempt, NotificationTask, TaskStatus
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
) -> ContactAttempt:
    """Keep one attempt at telling ``task``'s witness and move the task by its outcome.

    ``actor`` is None when the system made the attempt (the mail sweep). An attempt on a task
    already done or cancelled is refused, except a letter coming back or a late success, which
    are kept as history without reopening or re-closing anything. ``move_on`` moves an open
    task to the next channel whatever the outcome: the caller found this channel spent (an
    e-mail that failed for good, the third failed call)."""
    late = task.status is not TaskStatus.open
    if late and outcome not in MOVES_ON and not outcome.succeeded:
        raise DomainError("This task is no longer open: nothing more is needed.")
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
    elif (outcome in MOVES_ON or move_on) and not late:
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
