"""What the protection plan page reads: the witness's actions (open first, soonest due first)
and the consultations, newest first."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session, joinedload

from witness.protection.models import (
    OPEN_STATUSES,
    PlanConsultation,
    ProtectionAction,
)


def actions_of(session: Session, witness_id: int) -> list[ProtectionAction]:
    return list(
        session.scalars(
            select(ProtectionAction)
            .where(ProtectionAction.witness_id == witness_id)
            .options(
                joinedload(ProtectionAction.owner_user),
                joinedload(ProtectionAction.owner_organisation),
            )
            .order_by(
                case((ProtectionAction.status.in_(OPEN_STATUSES), 0), else_=1),
                ProtectionAction.due_date.is_(None),
                ProtectionAction.due_date,
                ProtectionAction.id,
            )
        )
    )


def consultations_of(session: Session, witness_id: int) -> list[PlanConsultation]:
    return list(
        session.scalars(
            select(PlanConsultation)
            .where(PlanConsultation.witness_id == witness_id)
            .options(joinedload(PlanConsultation.recorded_by))
            .order_by(PlanConsultation.recorded_dt.desc(), PlanConsultation.id.desc())
        )
    )
