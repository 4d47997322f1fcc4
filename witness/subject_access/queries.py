"""What the witness's own-data page reads: their access and correction requests, the edits a
correction may be linked to, and what is overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import visible_witnesses
from witness.core.access_after import can_answer_data_request
from witness.core.errors import NotFound
from witness.core.time import day_bounds, today_in
from witness.people.models import Witness
from witness.subject_access.models import AccessRequest, CorrectionRequest

#: the edits offered as "the edit that made the correction", newest first
EDIT_CHOICES = 30


def access_requests(session: Session, witness: Witness) -> list[AccessRequest]:
    return list(
        session.scalars(
            select(AccessRequest)
            .where(AccessRequest.witness_id == witness.id)
            .order_by(AccessRequest.id.desc())
        )
    )


def correction_requests(session: Session, witness: Witness) -> list[CorrectionRequest]:
    query = select(CorrectionRequest).where(CorrectionRequest.witness_id == witness.id)
    return list(session.scalars(query.order_by(CorrectionRequest.id.desc())))


def record_of(session: Session, actor: User, witness: Witness, model, ident: int):
    """An access or correction request of this witness named in the URL; another witness's,
    or an unknown one, is audited and ``NotFound``."""
    record = session.get(model, ident)
    if record is None or record.witness_id != witness.id:
        kind = model.__tablename__.removesuffix("s")
        record_event(
            session,
            actor,
            f"{kind}.refused",
            object_type=kind,
            object_id=ident,
            witness_id=witness.id,
        )
        raise NotFound("No such request.")
    return record


def edit_choices(session: Session, witness: Witness, correction: CorrectionRequest) -> list:
    """The audited edits of the witness's file (``witness.update``) made on or after the day
    the request was received, newest first."""
    since, _ = day_bounds(correction.received_date, witness.timezone)
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.witness_id == witness.id,
            AuditEvent.action == "witness.update",
            AuditEvent.occurred_dt >= since,
        )
        .order_by(AuditEvent.id.desc())
        .limit(EDIT_CHOICES)
    )
    return list(session.scalars(query))


def summary(session: Session, actor: User, witness: Witness) -> dict | None:
    """For the witness page: the requests and which corrections are overdue, when the user may
    answer them; else None (the section is not shown). ``witness`` was loaded through need to
    know (``core.access.get_witness``), so the role and office decide here."""
    if not can_answer_data_request(actor, witness):
        return None
    today = today_in(witness.timezone)
    corrections = correction_requests(session, witness)
    return {
        "access_requests": access_requests(session, witness),
        "corrections": corrections,
        "overdue": [c for c in corrections if c.is_overdue(today)],
        "today": today,
    }


#: who has a list of correction requests to answer (``core.access_after.can_answer_data_request``)
ANSWERERS = (Role.supervisor, Role.liaison_officer)


def open_corrections(actor: User, today: date, *, overdue: bool = False) -> Select:
    """Open correction requests the actor may answer (a supervisor's office, an officer's own
    witnesses), the soonest due first; ``overdue``: only those past their due date."""
    query = (
        select(CorrectionRequest)
        .join(Witness, Witness.id == CorrectionRequest.witness_id)
        .where(
            CorrectionRequest.outcome.is_(None),
            Witness.organisation_id == actor.organisation_id,
            visible_witnesses(actor),
        )
        .order_by(CorrectionRequest.due_date, CorrectionRequest.id)
    )
    if actor.role not in ANSWERERS:
        query = query.where(false())
    if overdue:
        query = query.where(CorrectionRequest.due_date < today)
    return query
