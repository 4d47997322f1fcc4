"""Notification tasks: who must be told of an event, by when. Each event makes one task for
every victim of the case who is entitled to hear it (their contact preferences may narrow the
news to key stages, or opt out), with a deadline in working days of the court's jurisdiction:
1 for a victim with enhanced rights, 5 otherwise (``notify.deadlines``). Recording the same
event twice adds nothing (one task per event, witness and reminder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.cases.models import Case, OffenceCategory
from witness.core.access import current_preference
from witness.core.time import now_utc, to_local
from witness.notify import deadlines
from witness.notify.models import NotificationTask, TaskStatus, wants_news
from witness.outcomes.models import OutcomeEvent
from witness.people.models import (
    NeedArea,
    NeedsAssessment,
    Participation,
    ParticipationRole,
    Witness,
)

#: the most serious crimes: their victims have enhanced rights (UK Victims' Code, chapter 1)
SERIOUS_OFFENCES = frozenset(
    {
        OffenceCategory.trafficking_sexual_exploitation,
        OffenceCategory.trafficking_forced_labour,
        OffenceCategory.trafficking_domestic_servitude,
        OffenceCategory.trafficking_organ_removal,
        OffenceCategory.child_trafficking,
        OffenceCategory.sexual_offence,
        OffenceCategory.domestic_abuse,
    }
)
#: open needs that make a witness vulnerable or intimidated
VULNERABLE_NEEDS = frozenset({NeedArea.intimidation, NeedArea.disability_medical})


def has_enhanced_rights(session: Session, witness: Witness, case: Case, on: datetime) -> bool:
    """A child, a vulnerable or intimidated witness, or a victim of one of the most serious
    crimes (trafficking, sexual offences, domestic abuse)."""
    if witness.is_child_on(to_local(on, case.court.timezone).date()):
        return True
    if SERIOUS_OFFENCES.intersection(case.offence_categories):
        return True
    open_need = session.scalar(
        select(NeedsAssessment.id)
        .where(
            NeedsAssessment.witness_id == witness.id,
            NeedsAssessment.is_open,
            NeedsAssessment.area.in_(VULNERABLE_NEEDS),
        )
        .limit(1)
    )
    return open_need is not None


def victims_of(session: Session, case_id: int) -> list[Witness]:
    """The victims in a case, whatever their phase (release news matters years after)."""
    return list(
        session.scalars(
            select(Witness)
            .join(Participation, Participation.witness_id == Witness.id)
            .where(
                Participation.case_id == case_id,
                Participation.role == ParticipationRole.victim_witness,
            )
            .order_by(Witness.id)
        )
    )


def create_tasks_for_event(
    session: Session,
    event: OutcomeEvent,
    *,
    reminder: str = "",
    learned: datetime | None = None,
    due: datetime | None = None,
) -> list[NotificationTask]:
    """A task to tell each entitled victim of ``event`` (or remind them, when ``reminder``
    names the reminder, e.g. "release-30"), due ``due`` or by the deadline counted from
    ``learned`` (now). Victims already holding a task for it, or who opted out of this news,
    get none. Returns the new tasks."""
    learned = learned or now_utc()
    case = event.case
    existing = set(
        session.scalars(
            select(NotificationTask.witness_id).where(
                NotificationTask.event_id == event.id, NotificationTask.reminder == reminder
            )
        )
    )
    created = []
    for witness in victims_of(session, case.id):
        if witness.id in existing:
            continue
        if not wants_news(current_preference(session, witness.id), event.kind):
            continue
        enhanced = has_enhanced_rights(session, witness, case, learned)
        days = deadlines.days_allowed(event.kind.value, enhanced)
        task = NotificationTask(
            witness_id=witness.id,
            case_id=case.id,
            event_id=event.id,
            reminder=reminder,
            enhanced=enhanced,
            learned_dt=learned,
            due_dt=due or deadlines.due_by(case.court, learned, days),
        )
        session.add(task)
        created.append(task)
    session.flush()
    for task in created:
        record_event(
            session,
            None,
            "notification_task.created",
            task,
            witness_id=task.witness_id,
            event_id=event.id,
            kind=event.kind.value,
            reminder=reminder,
            due=task.due_dt.isoformat(),
        )
    return created


def cancel_open_tasks(
    session: Session, *, reason: str, event_id: int | None = None, witness_id: int | None = None
) -> int:
    """Cancel the open tasks of an event (it was corrected) or of a witness (they opted out);
    returns how many."""
    conditions = [NotificationTask.status == TaskStatus.open]
    if event_id is not None:
        conditions.append(NotificationTask.event_id == event_id)
    if witness_id is not None:
        conditions.append(NotificationTask.witness_id == witness_id)
    tasks = list(session.scalars(select(NotificationTask).where(*conditions)))
    for task in tasks:
        task.status = TaskStatus.cancelled
        task.cancelled_reason = reason
    session.flush()
    for task in tasks:
        record_event(
            session,
            None,
            "notification_task.cancelled",
            task,
            witness_id=task.witness_id,
            reason=reason,
        )
    return len(tasks)
