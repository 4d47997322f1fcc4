"""The dashboard's counts, each the total of the list it links to: the count runs the list's
own query (the same function its page pages through), so the two cannot disagree.

What must be told (``notify.task_queries.due_list``), reassessments due
(``risk.queries.reviews_query``), and for supervisors approvals pending
(``ledger.queries.pending_approvals``), open inducement flags (``ledger.queries.flag_queue``),
notification deadlines breached and overdue reviews across the office."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from witness.auth.models import Role, User
from witness.core.i18n import lazy_gettext as _l
from witness.ledger.flags import may_review
from witness.ledger.queries import flag_queue, pending_approvals
from witness.notify.task_queries import DueFilters, Scope, due_list
from witness.risk.queries import default_scope, reviews_query
from witness.subject_access.queries import open_corrections

#: who has a list of notification tasks (a prosecutor tells nobody)
TELLERS = (Role.admin, Role.supervisor, Role.liaison_officer, Role.ngo_worker)

REVIEW_LABELS = {
    "overdue": _l("Reassessments overdue"),
    "week": _l("Reassessments due this week"),
}


@dataclass
class Count:
    """A number on the dashboard and the list it counts: ``url_for(endpoint, **args)``."""

    key: str
    label: str
    number: int
    endpoint: str
    args: dict[str, str] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The number as the card shows it: "99+" past ``CAP`` (the list says how many)."""
        return f"{CAP}+" if self.number > CAP else str(self.number)


#: a card counts this many at most: beyond, "99+" says there is a backlog and the list it links
#: to counts it all (an office's 10,000 items awaiting approval took 160 ms to count in full)
CAP = 99


def total(session: Session, query: Select, cap: int | None = None) -> int:
    """The number of rows ``query`` lists, counted as ``core.web.Page`` counts a list; with
    ``cap``, counting stops past it (at most ``cap + 1``)."""
    rows = query.order_by(None)
    if cap is not None:
        rows = rows.limit(cap + 1)
    return session.scalar(select(func.count()).select_from(rows.subquery()))


def _count(session, key, label, query, endpoint, **args) -> Count:
    return Count(key, str(label), total(session, query, CAP), endpoint, args)


def to_tell(session: Session, actor: User, now: datetime) -> list[Count]:
    """Notification tasks open, and those past their deadline, that ``actor`` may see."""
    if actor.role not in TELLERS:
        return []
    return [
        _count(
            session, "tasks-open", _l("Still to tell"), due_list(actor, now), "notify_tasks.index"
        ),
        _count(
            session,
            "tasks-overdue",
            _l("Past the deadline"),
            due_list(actor, now, DueFilters(overdue=True)),
            "notify_tasks.index",
            overdue="1",
        ),
    ]


def reviews_due(session: Session, actor: User, today: date) -> list[Count]:
    """Risk reviews overdue and due this week, of the witnesses in the risk list's default
    scope (an officer's own, a supervisor's office; a supervisor's overdue ones are in
    ``office``)."""
    scope = default_scope(actor)
    which = ("week",) if may_review(actor) else ("overdue", "week")
    return [
        _count(
            session,
            f"reviews-{w}",
            REVIEW_LABELS[w],
            reviews_query(actor, scope, w, today),
            "risk.index",
            scope=scope,
            which=w,
        )
        for w in which
    ]


def office(session: Session, actor: User, now: datetime, today: date | None = None) -> list[Count]:
    """A supervisor's (or administrator's) view across their office; ``today``: the office's
    day (overdue correction requests, a supervisor's alone: they answer them)."""
    if not may_review(actor):
        return []
    cards = [
        _count(
            session,
            "approvals",
            _l("Approvals pending"),
            pending_approvals(actor),
            "ledger.approvals",
        ),
        _count(
            session,
            "flags",
            _l("Open inducement flags"),
            flag_queue(actor, closed=False, rule=None),
            "ledger_flags.index",
        ),
        _count(
            session,
            "breaches",
            _l("Notification deadlines breached"),
            due_list(actor, now, DueFilters(scope=Scope.office, overdue=True)),
            "notify_tasks.index",
            scope=Scope.office.value,
            overdue="1",
        ),
        _count(
            session,
            "office-reviews-overdue",
            _l("Risk reviews overdue across the office"),
            reviews_query(actor, "office", "overdue", now.date()),
            "risk.index",
            scope="office",
            which="overdue",
        ),
    ]
    if actor.role is Role.supervisor:
        cards.append(
            _count(
                session,
                "corrections-overdue",
                _l("Correction requests overdue"),
                open_corrections(actor, today or now.date(), overdue=True),
                "subject_access.corrections",
                overdue="1",
            )
        )
    return cards
