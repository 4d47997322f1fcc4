"""What the retention pages read: a file's closures and holds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.retention.models import FileClosure, LegalHold


def closures_of(session: Session, witness_id: int) -> list[FileClosure]:
    """Every closing of the file, newest first."""
    return list(
        session.scalars(
            select(FileClosure)
            .where(FileClosure.witness_id == witness_id)
            .order_by(FileClosure.id.desc())
        )
    )


def holds_of(session: Session, witness_id: int) -> list[LegalHold]:
    """Every legal hold on the file, newest first."""
    return list(
        session.scalars(
            select(LegalHold)
            .where(LegalHold.witness_id == witness_id)
            .order_by(LegalHold.id.desc())
        )
    )
