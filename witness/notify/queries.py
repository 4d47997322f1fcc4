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
