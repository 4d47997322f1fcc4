"""What the notify pages read besides the outbox itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.cases.models import Case, Court


def office_timezone(session: Session, organisation_id: int) -> str:
    """The zone an office's outbox shows times in: that of the court of its latest case."""
    zone = session.scalar(
        select(Court.timezone)
        .join(Case, Case.court_id == Court.id)
        .where(Case.organisation_id == organisation_id)
        .order_by(Case.id.desc())
        .limit(1)
    )
    return zone or "UTC"


def sharing_organisation_options(session: Session, witness_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organisations the witness shares their file with: the NGOs that may
    tell them (contact preferences' "through their NGO worker")."""
    from witness.auth.models import Organisation
    from witness.core.access import sharing_organisations

    return [
        (org_id, name)
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(sharing_organisations(witness_id)))
            .order_by(Organisation.name)
        )
    ]
