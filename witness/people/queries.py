"""What the witness pages read: the list, a file's needs, the choices its forms offer, and the
records of one witness a page names by id. Need to know through ``core.access``."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from witness.audit.services import audit_type, record_event
from witness.auth.models import Organisation, OrganisationKind, User
from witness.cases.models import Case, Court
from witness.core.access import assignable_staff, visible_witnesses
from witness.core.crypto import email_index, normal_phone, phone_index
from witness.core.errors import NotFound
from witness.people.models import Assignment, NeedsAssessment, Participation, Phase, Witness
from witness.people.search import reference_contains


def witness_list(
    actor: User,
    *,
    reference: str = "",
    phase: Phase | None = None,
    case_id: int | None = None,
    case_reference: str = "",
) -> Select:
    """The witnesses ``actor`` may see, by reference: those whose reference contains
    ``reference``, in ``phase`` in some case, in case ``case_id`` or ``case_reference``."""
    query = (
        select(Witness)
        .where(visible_witnesses(actor))
        .order_by(Witness.reference)
        .options(selectinload(Witness.participations))
    )
    if reference:
        by_contact = contact_matches(actor, reference)
        found = reference_contains(reference)
        query = query.where(found if by_contact is None else or_(found, by_contact))
    conditions = [Participation.witness_id == Witness.id]
    if phase is not None:
        conditions.append(Participation.phase == phase)
    if case_id:
        conditions.append(Participation.case_id == case_id)
    if case_reference:
        conditions += [Participation.case_id == Case.id, Case.reference == case_reference]
    if len(conditions) > 1:
        query = query.where(exists().where(*conditions))
    return query


def contact_matches(actor: User, text: str) -> ColumnElement[bool] | None:
    """``Witness`` whose e-mail address or phone number is ``text`` (in any case, however the
    number is spaced), by their blind indexes: the values themselves are encrypted. Only in
    the actor's own office, whose staff hold the identity; None when ``text`` looks like
    neither."""
    if "@" in text:
        condition = Witness.email_index == email_index(text)
    elif len(normal_phone(text) or "") >= 7 and not any(c.isalpha() for c in text):
        condition = Witness.phone_index == phone_index(text)
    else:
        return None
    return and_(condition, Witness.organisation_id == actor.organisation_id)


def witnesses_with_contact(session: Session, actor: User, text: str) -> list[Witness]:
    """The witnesses ``actor`` may see whose e-mail address or phone number is ``text``."""
    condition = contact_matches(actor, text)
    if condition is None:
        return []
    query = select(Witness).where(visible_witnesses(actor), condition).order_by(Witness.id)
    return list(session.scalars(query))


def court_options(session: Session) -> list[tuple[int, str]]:
    """Every court, by name: a case reference is found within its court."""
    return list(session.execute(select(Court.id, Court.name).order_by(Court.name)))


def needs_of(session: Session, witness: Witness) -> list[NeedsAssessment]:
    """The witness's needs, open first, each by its review date."""
    return list(
        session.scalars(
            select(NeedsAssessment)
            .where(NeedsAssessment.witness_id == witness.id)
            .order_by(NeedsAssessment.is_open.desc(), NeedsAssessment.review_date)
        )
    )


def organisations_to_share_with(session: Session, witness: Witness) -> list[Organisation]:
    """The organisations a witness may consent to share their file with: NGOs and court
    services, never another prosecution office."""
    return list(
        session.scalars(
            select(Organisation)
            .where(
                Organisation.id != witness.organisation_id,
                Organisation.kind != OrganisationKind.prosecution,
            )
            .order_by(Organisation.name)
        )
    )


def assignable_users(session: Session, witness: Witness) -> list[User]:
    """Who may be assigned to the witness (``access.assignable_staff``) and is not already."""
    already = select(Assignment.user_id).where(
        Assignment.witness_id == witness.id, Assignment.ended_dt.is_(None)
    )
    return list(
        session.scalars(
            select(User)
            .where(assignable_staff(witness), User.id.not_in(already))
            .order_by(User.name)
        )
    )


def record_of(session: Session, actor: User, witness: Witness, model, ident: int, *, refusal: str):
    """A participation, assignment or need of ``witness`` named by id on one of its pages;
    another witness's (or none) is refused as not found, and audited as ``refusal``."""
    record = session.get(model, ident)
    if record is None or record.witness_id != witness.id:
        kind = audit_type(model)
        record_event(
            session, actor, refusal, object_type=kind, object_id=ident, witness_id=witness.id
        )
        raise NotFound(f"No such {kind.replace('_', ' ')}.")
    return record
