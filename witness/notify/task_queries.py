"""What the "To tell" pages read: the due list (open notification tasks the user may see,
soonest deadline first), one task's context, and the user's unseen alerts. Need to know through
``core.access_after.visible_tasks``."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_timedelta
from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from witness.auth.models import User
from witness.cases.models import Case
from witness.core.access import current_preference
from witness.core.access_after import visible_tasks
from witness.core.i18n import gettext, reader
from witness.core.time import to_local
from witness.notify.models import (
    ContactPreference,
    NotificationTask,
    StaffAlert,
    TaskStatus,
    open_tasks,
)
from witness.notify.tasks import SERIOUS_OFFENCES, VULNERABLE_NEEDS
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.people.models import Assignment, Channel, NeedsAssessment, Witness

#: the channel filter's value for tasks whose witness has no chosen channel left to try
NO_CHANNEL_LEFT = "none"


class Scope(enum.Enum):
    """Whose tasks the due list shows: everything the user may see, or only some of it."""

    all = ""
    mine = "mine"  #: witnesses assigned to the user
    office = "office"  #: witnesses whose file the user's office holds

    @property
    def label(self) -> str:
        return {
            "": gettext("Everything I may see"),
            "mine": gettext("My witnesses"),
            "office": gettext("My office"),
        }[self.value]


class channel_at(FunctionElement):
    """SQL: the ``index``-th element (0-based) of a JSON list of strings, as text, or NULL."""

    type = String()
    inherit_cache = True


@compiles(channel_at, "sqlite")
def _channel_at_sqlite(element, compiler, **kw):
    channels, index = list(element.clauses)
    return (
        f"json_extract({compiler.process(channels, **kw)}, "
        f"'$[' || {compiler.process(index, **kw)} || ']')"
    )


@compiles(channel_at, "postgresql")
def _channel_at_postgresql(element, compiler, **kw):
    channels, index = list(element.clauses)
    return f"({compiler.process(channels, **kw)} ->> {compiler.process(index, **kw)})"


@dataclass(frozen=True)
class DueFilters:
    """The due list's filters, as parsed from the query string."""

    scope: Scope = Scope.all
    overdue: bool = False
    kind: EventKind | None = None
    #: a ``Channel`` value or ``NO_CHANNEL_LEFT``
    channel: str = ""


def _channel_condition(channel: str):
    """Tasks whose channel to try now is ``channel`` (or none is left)."""
    current = and_(
        ContactPreference.witness_id == NotificationTask.witness_id,
        ContactPreference.is_current.is_(True),
    )
    now = channel_at(ContactPreference.channels, NotificationTask.channel_index)
    if channel == NO_CHANNEL_LEFT:
        return ~exists().where(current, now.is_not(None))
    return exists().where(current, now == channel)


def due_list(actor: User, now: datetime, filters: DueFilters = DueFilters()) -> Select:
    """The ids of the open tasks ``actor`` may see, soonest deadline first (the partial index
    ``ix_notification_tasks_open_due`` read in order), narrowed by ``filters``. Ids only: the
    count and the sort carry two columns, and ``due_rows`` loads the page's tasks."""
    query = (
        select(NotificationTask.id)
        .join(Witness, Witness.id == NotificationTask.witness_id)
        .where(open_tasks(), visible_tasks(actor))
        .order_by(NotificationTask.due_dt, NotificationTask.id)
    )
    if filters.scope is Scope.mine:
        query = query.where(
            Witness.id.in_(
                select(Assignment.witness_id).where(
                    Assignment.user_id == actor.id, Assignment.ended_dt.is_(None)
                )
            )
        )
    elif filters.scope is Scope.office:
        query = query.where(Witness.organisation_id == actor.organisation_id)
    if filters.overdue:
        query = query.where(NotificationTask.due_dt < now)
    if filters.kind is not None:
        query = query.where(
            NotificationTask.event_id.in_(
                select(OutcomeEvent.id).where(OutcomeEvent.kind == filters.kind)
            )
        )
    if filters.channel:
        query = query.where(_channel_condition(filters.channel))
    return query


def preferences_of(session: Session, witness_ids: set[int]) -> dict[int, ContactPreference]:
    """The preferences in force of each witness (one query for a page of tasks)."""
    if not witness_ids:
        return {}
    found: dict[int, ContactPreference] = {}
    for preference in session.scalars(
        select(ContactPreference)
        .where(ContactPreference.witness_id.in_(witness_ids), ContactPreference.is_current)
        .order_by(ContactPreference.id)
    ):
        found[preference.witness_id] = preference  # the newest wins, as current_preference
    return found


def channel_now(preference: ContactPreference | None, task: NotificationTask) -> Channel | None:
    """The channel to try now: the witness's ``channel_index``-th chosen one, or None when
    every chosen channel was tried (or none was chosen): tell them in person."""
    channels = preference.channels if preference is not None else []
    if task.channel_index < len(channels):
        return next((c for c in Channel if c.value == channels[task.channel_index]), None)
    return None


def due_in_words(due: datetime, now: datetime) -> str:
    """ "in 3 hours", "overdue by 2 days"."""
    delta = due - now
    if delta.total_seconds() >= 0:
        return gettext("in %(time)s", time=format_timedelta(delta, locale=reader(), threshold=1.1))
    return gettext(
        "overdue by %(time)s", time=format_timedelta(-delta, locale=reader(), threshold=1.1)
    )


def reminder_label(task: NotificationTask) -> str:
    """What a reminder is for: "release-30" reads "30 days before the release date"."""
    if not task.reminder:
        return ""
    what, _, days = task.reminder.rpartition("-")
    subject = {
        "release": "the expected release date",
        "parole": "the parole hearing",
        "appeal-deadline": "the appeal deadline",
        "appeal-hearing": "the appeal hearing",
    }.get(what, what.replace("-", " "))
    if days == "0":
        return f"Reminder: the day of {subject}"
    if days == "1":
        return f"Reminder: 1 day before {subject}"
    return f"Reminder: {days} days before {subject}"


@dataclass
class DueRow:
    """One line of the due list."""

    task: NotificationTask
    channel: Channel | None
    overdue: bool
    due_words: str
    timezone: str


def due_rows(session: Session, task_ids: list[int], now: datetime) -> list[DueRow]:
    """The due list's lines for a page of task ids (in that order), loaded in one query."""
    loaded = {
        t.id: t
        for t in session.scalars(
            select(NotificationTask)
            .where(NotificationTask.id.in_(task_ids))
            .options(
                joinedload(NotificationTask.witness),
                joinedload(NotificationTask.case).joinedload(Case.court),
                joinedload(NotificationTask.event),
            )
        )
    }
    tasks = [loaded[i] for i in task_ids if i in loaded]
    preferences = preferences_of(session, {t.witness_id for t in tasks})
    return [
        DueRow(
            task=t,
            channel=channel_now(preferences.get(t.witness_id), t),
            overdue=t.due_dt < now,
            due_words=due_in_words(t.due_dt, now),
            timezone=t.case.court.timezone,
        )
        for t in tasks
    ]


def enhanced_reasons(session: Session, task: NotificationTask) -> list[str]:
    """Why the witness has enhanced rights (a child, a victim of the most serious crimes, a
    vulnerable or intimidated witness), as things stood when Witness learned of the event."""
    witness, case = task.witness, task.case
    reasons = []
    if witness.is_child_on(to_local(task.learned_dt, case.court.timezone).date()):
        reasons.append("a child")
    serious = sorted(c.label for c in SERIOUS_OFFENCES.intersection(case.offence_categories))
    if serious:
        reasons.append("a victim of " + ", ".join(serious).lower())
    needs = session.scalars(
        select(NeedsAssessment.area).where(
            NeedsAssessment.witness_id == witness.id,
            NeedsAssessment.is_open,
            NeedsAssessment.area.in_(VULNERABLE_NEEDS),
        )
    ).all()
    if needs:
        reasons.append("vulnerable or intimidated (" + ", ".join(n.label for n in needs) + ")")
    return reasons


#: what packages built on this one add to the task page, by name (``letters`` registers the
#: task's letters): notify cannot import them, as they import notify
TASK_PAGE_PARTS: dict[str, Callable[[Session, NotificationTask], object]] = {}


def task_context(session: Session, task: NotificationTask, now: datetime) -> dict:
    """What the task page shows besides the task itself."""
    preference = current_preference(session, task.witness_id)
    return dict(
        {name: part(session, task) for name, part in TASK_PAGE_PARTS.items()},
        preference=preference,
        channel=channel_now(preference, task),
        overdue=task.status is TaskStatus.open and task.due_dt < now,
        due_words=due_in_words(task.due_dt, now),
        timezone=task.case.court.timezone,
        reasons=enhanced_reasons(session, task) if task.enhanced else [],
        reminder=reminder_label(task),
    )


# --- alerts ------------------------------------------------------------------------------------


def unseen_alerts(session: Session, user: User, limit: int = 20) -> list[StaffAlert]:
    """The user's alerts not yet marked seen, newest first."""
    return list(
        session.scalars(
            select(StaffAlert)
            .where(StaffAlert.user_id == user.id, StaffAlert.seen_dt.is_(None))
            .order_by(StaffAlert.id.desc())
            .limit(limit)
        )
    )


def unseen_alert_count(session: Session, user: User) -> int:
    """How many alerts the user has not marked seen (index ``ix_staff_alerts_user_unseen``)."""
    return session.scalar(
        select(func.count(StaffAlert.id)).where(
            StaffAlert.user_id == user.id, StaffAlert.seen_dt.is_(None)
        )
    )
