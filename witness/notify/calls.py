"""Telling a witness by phone: the call list, a script per event kind in the witness's language
(for the interpreter) with English beside it (for the officer), and logging each call.

A call that does not reach the witness (no answer, a message left, someone else answered) keeps
the task on the list; the third escalates once: the office's supervisors and the NGO workers of
organisations the witness shares with are alerted, and the task moves to the next channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import (
    current_preference,
    get_witness,
    notification_refusal,
    require,
    sharing_organisations,
    visible_witnesses,
)
from witness.core.access_after import can_call
from witness.core.errors import DomainError, NotFound
from witness.core.i18n import gettext, in_language
from witness.core.time import now_utc, to_local
from witness.notify.attempts import failed_calls, record_attempt
from witness.notify.delivery import alert, current_channel, supervisors_of
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    ContactPreference,
    NotificationTask,
    TaskStatus,
    open_tasks,
    preferred_address,
)
from witness.notify.preferences import parse_safe_times
from witness.notify.wording import Facts, call_back, what_happened
from witness.outcomes.models import EventKind
from witness.people.models import Channel, Witness

#: what an officer may log after a call
CALL_OUTCOMES = (
    AttemptOutcome.spoke_to_witness,
    AttemptOutcome.no_answer,
    AttemptOutcome.message_left,
    AttemptOutcome.someone_else_answered,
)
#: failed calls after which the task is escalated and moves to the next channel
ESCALATE_AFTER = 3

_RELEASE = frozenset(
    {
        EventKind.bailed,
        EventKind.released,
        EventKind.temporary_release,
        EventKind.escaped,
        EventKind.absconded,
        EventKind.release_date_set,
        EventKind.parole_hearing,
        EventKind.parole_eligible,
    }
)
_DECISION = frozenset(
    {EventKind.verdict, EventKind.sentence, EventKind.appeal_decided, EventKind.discontinued}
)

# --- the script -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptLine:
    """One line of a call script: for the officer (an instruction) or to say aloud."""

    english: str
    own: str  #: in the witness's language, for the interpreter
    say: bool = True


def _lines(kind: EventKind, facts: Facts) -> list[tuple[str, bool]]:
    """The script's lines in the current gettext language."""
    lines = [
        (gettext("Hello. Am I speaking to %(name)s?", name=facts.person), True),
        (
            gettext(
                "If anyone else answers: say nothing about why you are calling. Ask when "
                "%(name)s can be reached. Leave no message unless the witness allowed it.",
                name=facts.person,
            ),
            False,
        ),
        (gettext("My name is %(name)s, from your support service.", name=facts.officer), True),
        (gettext("Is this a safe time to talk? Are you somewhere private?"), True),
        (what_happened(facts), True),
    ]
    if kind in _RELEASE:
        said = gettext(
            "If you feel unsafe, or you see this person, call the police at once, then call "
            "me. We can talk about keeping you safe."
        )
        lines.append((said, True))
    elif kind in _DECISION:
        said = gettext("I can explain what this means for you, and whether there can be an appeal.")
        lines.append((said, True))
    lines.append((gettext("Do you have any questions?") + " " + call_back(facts), True))
    return lines


def script(kind: EventKind, language: str, facts: Facts) -> list[ScriptLine]:
    """The call's script for news of ``kind``: each line in ``language`` (for the interpreter)
    and in English (for the officer). Needs an app context."""
    with in_language(language or "en"):
        own = _lines(kind, facts)
    with in_language("en"):
        english = _lines(kind, facts)
    return [ScriptLine(e, o, say) for (e, say), (o, _) in zip(english, own, strict=True)]


def message_to_leave(language: str, facts: Facts) -> ScriptLine:
    """What may be left on voicemail (only when allowed): who to call back, nothing else."""

    def text() -> str:
        return (
            gettext("This is a message for %(name)s.", name=facts.person) + " " + (call_back(facts))
        )

    with in_language(language or "en"):
        own = text()
    with in_language("en"):
        english = text()
    return ScriptLine(english, own)


# --- the call list ----------------------------------------------------------------------------


@dataclass
class CallRow:
    """One call to make."""

    task: NotificationTask
    witness: Witness
    preference: ContactPreference | None
    phone: str
    safe_times: str
    #: True/False when the safe times are "HH:MM-HH:MM" and now is inside/outside; else None
    safe_now: bool | None
    failed_calls: int

    @property
    def may_leave_message(self) -> bool:
        return bool(self.preference and self.preference.may_leave_message)

    @property
    def language(self) -> str:
        if self.preference is not None:
            return self.preference.language
        return (self.witness.languages or ["en"])[0]


def safe_now(safe_times: str, now: datetime, tz: str) -> bool | None:
    """Whether ``now`` in the court's zone falls within ``safe_times`` ("18:00-20:00"; a span
    past midnight such as "22:00-01:00" too); None when the text is in no such form."""
    span = parse_safe_times(safe_times)
    if span is None:
        return None
    start, end = span
    local: time = to_local(now, tz).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _may_call(session: Session, task: NotificationTask, preference) -> str | None:
    """The phone to call, or None when the call may not be made now (consent, preferences)."""
    phone = preferred_address(preference, task.witness, Channel.phone.value)
    kind = task.event.kind
    if notification_refusal(session, task.witness, Channel.phone, phone, kind) is not None:
        return None
    return phone


def call_list(session: Session, actor: User, now: datetime | None = None) -> list[CallRow]:
    """Open tasks whose current channel is phone, of witnesses ``actor`` may see and call,
    soonest deadline first. Tasks whose call the delivery check refuses are left off (the
    delivery sweep records the refusal and moves them on)."""
    if actor.role not in (Role.liaison_officer, Role.supervisor):
        return []
    now = now or now_utc()
    tasks = session.scalars(
        select(NotificationTask)
        .join(Witness, Witness.id == NotificationTask.witness_id)
        .where(
            open_tasks(),
            Witness.organisation_id == actor.organisation_id,
            visible_witnesses(actor),
        )
        .order_by(NotificationTask.due_dt, NotificationTask.id)
        .options(joinedload(NotificationTask.witness), joinedload(NotificationTask.event))
    )
    rows = []
    for task in tasks:
        if current_channel(session, task) is not Channel.phone:
            continue
        preference = current_preference(session, task.witness_id)
        phone = _may_call(session, task, preference)
        if phone is None:
            continue
        times = preference.safe_times if preference is not None else ""
        rows.append(
            CallRow(
                task=task,
                witness=task.witness,
                preference=preference,
                phone=phone,
                safe_times=times,
                safe_now=safe_now(times, now, task.case.court.timezone),
                failed_calls=failed_calls(session, task),
            )
        )
    return rows


def call_row(session: Session, task: NotificationTask, now: datetime | None = None) -> CallRow:
    """The call list's row for one task (``DomainError`` when it is not a call to make now)."""
    if task.status is not TaskStatus.open:
        raise DomainError("This task is no longer open: nothing more is needed.")
    if current_channel(session, task) is not Channel.phone:
        raise DomainError("This witness is not to be told by phone now.")
    preference = current_preference(session, task.witness_id)
    phone = _may_call(session, task, preference)
    if phone is None:
        raise DomainError("The witness's consent or preferences no longer allow this call.")
    times = preference.safe_times if preference is not None else ""
    return CallRow(
        task, task.witness, preference, phone, times,
        safe_now(times, now or now_utc(), task.case.court.timezone), failed_calls(session, task),
    )  # fmt: skip


def load_task(session: Session, actor: User, task_id: int) -> NotificationTask:
    """The task if ``actor`` may see its witness; otherwise the refusal is audited and
    ``NotFound`` raised (a loader for ``core.web.load_or_404``)."""
    task = session.get(NotificationTask, task_id)
    if task is None:
        record_event(
            session,
            actor,
            "notification_task.refused",
            object_type="notification_task",
            object_id=task_id,
        )
        raise NotFound("No such task.")
    get_witness(session, actor, task.witness_id)
    return task


# --- logging a call ---------------------------------------------------------------------------


def log_call(
    session: Session, actor: User, task: NotificationTask, outcome: AttemptOutcome, note: str = ""
) -> ContactAttempt:
    """Keep one call's outcome. A message may be left only when the witness allowed it; the
    third call that does not reach the witness escalates (once) and moves the task on."""
    require(can_call(actor, task.witness), "Only the witness's office logs calls.")
    if outcome not in CALL_OUTCOMES:
        raise DomainError("Choose how the call went.", field="outcome")
    row = call_row(session, task)
    if outcome is AttemptOutcome.message_left and not row.may_leave_message:
        raise DomainError(
            "The witness did not allow messages: log it as no answer.", field="outcome"
        )
    failing = outcome is not AttemptOutcome.spoke_to_witness
    escalate = failing and task.escalated_dt is None and row.failed_calls + 1 >= ESCALATE_AFTER
    # a call with an interpreter stood in for a channel already passed: ending it is moving on
    instead = bool(task.interpreter_call)
    attempt = record_attempt(
        session, actor, task, channel=Channel.phone, outcome=outcome, note=note,
        move_on=escalate and not instead,
    )  # fmt: skip
    if escalate and instead:
        task.interpreter_call = ""
    if escalate:
        escalate_task(session, task)
    return attempt


def escalate_task(session: Session, task: NotificationTask) -> None:
    """Alert the office's supervisors and the NGO workers the witness shares with, once."""
    task.escalated_dt = now_utc()
    witness = task.witness
    ngo_workers = list(
        session.scalars(
            select(User).where(
                User.role == Role.ngo_worker,
                User.is_enabled.is_(True),
                User.organisation_id.in_(sharing_organisations(witness.id)),
            )
        )
    )
    alert(
        session,
        supervisors_of(session, witness.organisation_id) + ngo_workers,
        f"calls:task:{task.id}",
        f"{ESCALATE_AFTER} calls did not reach {witness.reference} (task {task.id}): "
        "please help tell them.",
        f"/witnesses/{witness.id}",
        witness.id,
    )
    session.flush()
    record_event(session, None, "notification_task.escalated", task, witness_id=witness.id)
