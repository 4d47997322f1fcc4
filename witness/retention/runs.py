"""The retention run: which closed files are due for anonymisation, which are skipped and why,
and (unless it is a dry run) anonymising the due ones. The run and the Retention page share
``plan``, so the page shows exactly what a run would do."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.i18n import gettext
from witness.people.models import Phase, Witness
from witness.retention.anonymise import Change, anonymise, changes
from witness.retention.models import FileClosure, LegalHold


class Verdict(enum.Enum):
    due = "due"  #: the period has passed: anonymised by the run
    held = "held"  #: a legal hold stands
    not_due = "not_due"  #: the period has not passed yet
    reopened_case = "reopened_case"  #: a participation was moved out of closed since

    @property
    def label(self) -> str:
        return {
            "due": gettext("Due: would be anonymised"),
            "held": gettext("Skipped: on legal hold"),
            "not_due": gettext("Skipped: not yet due"),
            "reopened_case": gettext("Skipped: a case of the witness is open again"),
        }[self.value]


@dataclass
class Candidate:
    """One closed, not yet anonymised file, and what the run does with it."""

    witness_id: int
    reference: str
    closed_dt: datetime
    due_date: date
    verdict: Verdict
    changes: list[Change] = field(default_factory=list)


def add_years(day: date, years: int) -> date:
    """``day`` ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def plan(
    session: Session, now: datetime, years: int, *, organisation_id: int | None = None
) -> list[Candidate]:
    """Every closed, not yet anonymised file (of one office, when given), oldest closure
    first, with its verdict and, for a due one, what anonymising it would change."""
    query = (
        select(Witness, FileClosure)
        .join(FileClosure, FileClosure.witness_id == Witness.id)
        .where(FileClosure.reopened_dt.is_(None), Witness.anonymised_dt.is_(None))
        .order_by(FileClosure.closed_dt, Witness.id)
    )
    if organisation_id is not None:
        query = query.where(Witness.organisation_id == organisation_id)
    rows = session.execute(query).all()
    held = set(
        session.scalars(
            select(LegalHold.witness_id).where(
                LegalHold.witness_id.in_([w.id for w, _ in rows]), LegalHold.lifted_dt.is_(None)
            )
        )
    )
    found = []
    for witness, closure in rows:
        due_date = add_years(closure.closed_dt.date(), years)
        if witness.id in held:
            verdict = Verdict.held
        elif any(p.phase is not Phase.closed for p in witness.participations):
            verdict = Verdict.reopened_case
        elif due_date > now.date():
            verdict = Verdict.not_due
        else:
            verdict = Verdict.due
        candidate = Candidate(witness.id, witness.reference, closure.closed_dt, due_date, verdict)
        if verdict is Verdict.due:
            candidate.changes = changes(session, witness)
        found.append(candidate)
    return found


def run(
    session: Session, now: datetime, years: int, *, apply: bool, actor: User | None = None
) -> list[Candidate]:
    """The plan, and, when ``apply``, every due file anonymised (each audited with its
    counts). A dry run writes nothing, not even an audit event."""
    candidates = plan(session, now, years)
    if not apply:
        return candidates
    for candidate in candidates:
        if candidate.verdict is Verdict.due:
            witness = session.get(Witness, candidate.witness_id)
            candidate.changes = anonymise(session, actor, witness)
    counts = {v.value: sum(c.verdict is v for c in candidates) for v in Verdict}
    record_event(session, actor, "retention.run", object_type="retention", years=years, **counts)
    return candidates
