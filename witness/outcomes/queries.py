"""What the outcome pages and the API read: a case's events by defendant (newest first, with
the correction that replaced each superseded one), the custody pictures, a witness's cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from witness.auth.models import User
from witness.cases.models import Case, Defendant
from witness.core.access import visible_cases
from witness.core.access_after import outcome_cases
from witness.outcomes.custody import CustodyPicture, picture
from witness.outcomes.models import OutcomeEvent
from witness.people.models import Participation, Witness


@dataclass
class DefendantOutcomes:
    """One defendant's events (``defendant`` None: events of the whole case)."""

    defendant: Defendant | None
    events: list[OutcomeEvent] = field(default_factory=list)
    custody: CustodyPicture | None = None


def events_query(case_id: int) -> Select:
    """A case's events, newest first (by effective date, then as recorded)."""
    return (
        select(OutcomeEvent)
        .where(OutcomeEvent.case_id == case_id)
        .options(selectinload(OutcomeEvent.recorded_by), selectinload(OutcomeEvent.defendant))
        .order_by(OutcomeEvent.effective_date.desc(), OutcomeEvent.id.desc())
    )


def corrections_of(events: list[OutcomeEvent]) -> dict[int, OutcomeEvent]:
    """superseded event id → the event that corrected it."""
    return {e.supersedes_id: e for e in events if e.supersedes_id is not None}


def case_outcomes(session: Session, case: Case) -> list[DefendantOutcomes]:
    """Each defendant's events and custody picture, then the whole case's events."""
    events = list(session.scalars(events_query(case.id)))
    groups = {d.id: DefendantOutcomes(d) for d in case.defendants}
    whole = DefendantOutcomes(None)
    for event in events:
        groups.get(event.defendant_id, whole).events.append(event)
    for group in groups.values():
        group.custody = picture(session, group.defendant)
    return [*groups.values(), *([whole] if whole.events else [])]


def witness_cases(session: Session, actor: User, witness: Witness) -> list[Case]:
    """The cases of ``witness`` that ``actor`` may see, by reference."""
    return list(
        session.scalars(
            select(Case)
            .join(Participation, Participation.case_id == Case.id)
            .where(Participation.witness_id == witness.id, visible_cases(actor))
            .order_by(Case.reference)
            .distinct()
        )
    )


def posted_event(session: Session, source_system: str, external_id: str) -> OutcomeEvent | None:
    return session.scalar(
        select(OutcomeEvent).where(
            OutcomeEvent.source_system == source_system, OutcomeEvent.external_id == external_id
        )
    )


def defendants_by_custody_number(
    session: Session, actor: User, custody_number: str
) -> list[Defendant]:
    """The defendants of cases ``actor`` may record events for whose custody number is
    ``custody_number`` (one person may be a defendant in several cases)."""
    return list(
        session.scalars(
            select(Defendant)
            .join(Case, Case.id == Defendant.case_id)
            .where(
                Defendant.custody_number == custody_number,
                outcome_cases(actor),
                Case.organisation_id == actor.organisation_id,
            )
            .order_by(Defendant.id)
        )
    )
