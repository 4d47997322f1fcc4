"""What the case pages and the API read: the list of cases, a case's witnesses, the courts, and
a defendant named by id. Need to know through ``core.access``."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case, CaseStatus, Court, Defendant
from witness.core.access import get_case, visible_cases, visible_witnesses
from witness.core.errors import NotFound
from witness.people.models import Participation, Witness


def courts(session: Session) -> list[Court]:
    """Every court, by name: where a case is heard."""
    return list(session.scalars(select(Court).order_by(Court.name)))


def case_list(actor: User, *, search: str = "", status: CaseStatus | None = None) -> Select:
    """The cases ``actor`` may see, newest first, with their offences; those whose reference
    or title contains ``search``, or of one ``status``, when given."""
    query = (
        select(Case)
        .where(visible_cases(actor))
        .order_by(Case.id.desc())
        .options(selectinload(Case.offences))
    )
    if search:
        query = query.where(
            or_(
                Case.reference.icontains(search, autoescape=True),
                Case.title.icontains(search, autoescape=True),
            )
        )
    if status is not None:
        query = query.where(Case.status == status)
    return query


def visible_participations(session: Session, actor: User, case: Case) -> list[Participation]:
    """The case's witnesses that ``actor`` may see (no one else's), by reference."""
    return list(
        session.scalars(
            select(Participation)
            .join(Witness, Participation.witness_id == Witness.id)
            .where(Participation.case_id == case.id, visible_witnesses(actor))
            .order_by(Witness.reference)
        )
    )


def defendant_of(session: Session, actor: User, case: Case, defendant_id: int) -> Defendant:
    """A defendant of ``case`` named by id on one of its pages; another case's (or none) is
    refused as not found, and audited."""
    defendant = session.get(Defendant, defendant_id)
    if defendant is None or defendant.case_id != case.id:
        record_event(
            session, actor, "defendant.refused", object_type="defendant", object_id=defendant_id
        )
        raise NotFound("No such defendant.")
    return defendant


def get_defendant(session: Session, actor: User, defendant_id: int) -> Defendant:
    """The defendant if ``actor`` may see their case (a refusal audited by ``get_case``);
    otherwise ``NotFound``."""
    defendant = session.get(Defendant, defendant_id)
    if defendant is None:
        raise NotFound("No such defendant.")
    try:
        get_case(session, actor, defendant.case_id)
    except NotFound as exc:
        raise NotFound("No such defendant.") from exc
    return defendant
