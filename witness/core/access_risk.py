"""Need to know for risk: assessments and incidents are among the most sensitive records.

- The witness's own office sees everything (an officer only the witnesses assigned to them,
  as ``access.visible_witnesses`` decides) and is the one that assesses.
- A prosecutor sees the level, the answers and the dates of the witnesses in the cases they
  lead, but not the notes, the witness's own words or an incident's account, unless assigned
  to the witness.
- An NGO worker (or another office's staff) sees risk only under a sharing consent that covers
  the whole file (identity included, ``access._shared_with(..., identity=True)``); then they may
  also record an incident and ask for a review on the witness's behalf.
- Anyone else: nothing, and a record asked for by id is an audited 404.
"""

from __future__ import annotations

import enum

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import (
    LOADERS,
    _shared_with,
    can_manage_witness,
    may_see_witness,
    visible_witnesses,
)
from witness.core.errors import NotFound
from witness.people.models import Assignment, Witness
from witness.risk.models import RiskAssessment, RiskIncident


class RiskView(enum.Enum):
    none = "none"
    level = "level"  #: level, answers and dates; no notes, no own words, no account
    full = "full"


def _assigned(session: Session, actor: User, witness: Witness) -> bool:
    return (
        session.scalar(
            select(Assignment.id).where(
                Assignment.witness_id == witness.id,
                Assignment.user_id == actor.id,
                Assignment.ended_dt.is_(None),
            )
        )
        is not None
    )


def _shares_whole_file(session: Session, actor: User, witness: Witness) -> bool:
    shared = _shared_with(actor.organisation_id, identity=True)
    return session.scalar(select(Witness.id).where(Witness.id == witness.id, shared)) is not None


def risk_view(session: Session, actor: User, witness: Witness) -> RiskView:
    """How much of the witness's risk records ``actor`` sees."""
    if not may_see_witness(session, actor, witness.id):
        return RiskView.none
    if can_manage_witness(actor, witness):
        return RiskView.full
    if actor.role is Role.prosecutor:
        return RiskView.full if _assigned(session, actor, witness) else RiskView.level
    if _shares_whole_file(session, actor, witness):
        return RiskView.full
    return RiskView.none


def risk_witnesses(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``Witness``: whose risk ``actor`` sees at least in part."""
    match actor.role:
        case Role.admin | Role.supervisor:
            return or_(
                Witness.organisation_id == actor.organisation_id,
                _shared_with(actor.organisation_id, identity=True),
            )
        case Role.liaison_officer:
            return and_(visible_witnesses(actor), Witness.organisation_id == actor.organisation_id)
        case Role.prosecutor:
            return visible_witnesses(actor)
        case Role.ngo_worker:
            return _shared_with(actor.organisation_id, identity=True)
    return false()


def can_assess(actor: User, witness: Witness) -> bool:
    """Start, fill in and complete an assessment: the witness's own office."""
    return can_manage_witness(actor, witness)


def can_report(session: Session, actor: User, witness: Witness) -> bool:
    """Record an incident, ask for a review, note a planned return: whoever sees the whole of
    the witness's risk, apart from a prosecutor."""
    return actor.role is not Role.prosecutor and risk_view(session, actor, witness) is (
        RiskView.full
    )


def _refuse(session: Session, actor: User, kind: str, ident: int, witness_id: int | None):
    record_event(
        session, actor, f"{kind}.refused", object_type=kind, object_id=ident, witness_id=witness_id
    )
    raise NotFound("No such record.")


def get_risk_assessment(session: Session, actor: User, assessment_id: int) -> RiskAssessment:
    """The assessment if ``actor`` sees its witness's risk; otherwise audited ``NotFound``."""
    record = session.get(RiskAssessment, assessment_id)
    if record is None or risk_view(session, actor, record.witness) is RiskView.none:
        witness_id = record.witness_id if record is not None else None
        _refuse(session, actor, "risk_assessment", assessment_id, witness_id)
    return record


def get_risk_incident(session: Session, actor: User, incident_id: int) -> RiskIncident:
    """The incident if ``actor`` sees its witness's risk; otherwise audited ``NotFound``."""
    record = session.get(RiskIncident, incident_id)
    if record is None or risk_view(session, actor, record.witness) is RiskView.none:
        witness_id = record.witness_id if record is not None else None
        _refuse(session, actor, "risk_incident", incident_id, witness_id)
    return record


def get_risk_witness(session: Session, actor: User, witness_id: int) -> Witness:
    """The witness if ``actor`` sees their risk; otherwise audited ``NotFound``
    (``witness.refused`` for one they may not see at all, ``risk.refused`` for the rest)."""
    witness = LOADERS[Witness](session, actor, witness_id)
    if risk_view(session, actor, witness) is RiskView.none:
        _refuse(session, actor, "risk", witness_id, witness_id)
    return witness


LOADERS[RiskAssessment] = get_risk_assessment
LOADERS[RiskIncident] = get_risk_incident

__all__ = [
    "RiskView",
    "can_assess",
    "can_report",
    "get_risk_assessment",
    "get_risk_incident",
    "get_risk_witness",
    "risk_view",
    "risk_witnesses",
]
