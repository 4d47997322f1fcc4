"""What the "After the trial" pages read: a witness's statements, claims and property in one
case, the sentence events they tie to, their history, and the office's open matters."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from witness.audit.models import AuditEvent
from witness.auth.models import User
from witness.core import access
from witness.core.access import visible_witnesses
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.people.models import Participation, Witness
from witness.posttrial.models import (
    ClaimStatus,
    CompensationClaim,
    CompensationPayment,
    ImpactStatement,
    PropertyItem,
    PropertyStatus,
)

#: claims with money still to come
OUTSTANDING_CLAIMS = (ClaimStatus.ordered, ClaimStatus.paying)
#: property not yet back with its owner nor disposed of by order
PROPERTY_AWAITING = (PropertyStatus.held, PropertyStatus.ready_for_return)
#: the audit log's names of the records this page shows the history of
HISTORY_TYPES = ("impact_statement", "compensation_claim", "compensation_payment", "property_item")


def current_events(kind: EventKind, case_id: int) -> Select:
    """Events of ``kind`` in the case that no correction has replaced, newest first."""
    newer = aliased(OutcomeEvent)
    return (
        select(OutcomeEvent)
        .where(
            OutcomeEvent.case_id == case_id,
            OutcomeEvent.kind == kind,
            ~exists().where(newer.supersedes_id == OutcomeEvent.id),
        )
        .order_by(OutcomeEvent.effective_date.desc(), OutcomeEvent.id.desc())
    )


def sentence_events(session: Session, case_id: int) -> list[OutcomeEvent]:
    """The case's sentences in force (a corrected one is replaced by its correction)."""
    return list(session.scalars(current_events(EventKind.sentence, case_id)))


def participation_of(session: Session, witness_id: int, case_id: int) -> Participation | None:
    return session.scalar(
        select(Participation).where(
            Participation.witness_id == witness_id, Participation.case_id == case_id
        )
    )


def paid_total(claim: CompensationClaim) -> Decimal:
    """What was received for the claim so far."""
    return sum((p.amount for p in claim.payments), Decimal("0.00"))


def outstanding(claim: CompensationClaim) -> Decimal | None:
    """The balance still to be paid of an ordered claim; None before an order (or after a
    refusal or withdrawal: nothing is owed any more)."""
    if claim.amount_ordered is None or claim.status in (ClaimStatus.refused, ClaimStatus.withdrawn):
        return None
    return claim.amount_ordered - paid_total(claim)


@dataclass
class Matters:
    """A witness's post-trial matters in one case."""

    statements: list[ImpactStatement] = field(default_factory=list)
    claims: list[CompensationClaim] = field(default_factory=list)
    property: list[PropertyItem] = field(default_factory=list)


def matters_of(session: Session, witness_id: int, case_id: int) -> Matters:
    """Every statement, claim (with its payments) and item of property of the witness in the
    case, oldest first."""
    where = dict(witness_id=witness_id, case_id=case_id)
    return Matters(
        statements=list(
            session.scalars(
                select(ImpactStatement)
                .filter_by(**where)
                .options(joinedload(ImpactStatement.sentence_event))
                .order_by(ImpactStatement.id)
            )
        ),
        claims=list(
            session.scalars(
                select(CompensationClaim)
                .filter_by(**where)
                .options(
                    selectinload(CompensationClaim.payments),
                    joinedload(CompensationClaim.order_event),
                )
                .order_by(CompensationClaim.id)
            )
        ),
        property=list(
            session.scalars(select(PropertyItem).filter_by(**where).order_by(PropertyItem.id))
        ),
    )


def history(session: Session, witness_id: int, matters: Matters, participation_id: int | None):
    """The audit trail of the case's matters (every status change, payment, correction and
    the closure), newest first."""
    ids = {
        "impact_statement": [s.id for s in matters.statements],
        "compensation_claim": [c.id for c in matters.claims],
        "compensation_payment": [p.id for c in matters.claims for p in c.payments],
        "property_item": [p.id for p in matters.property],
        "participation": [participation_id] if participation_id else [],
    }
    clauses = [
        and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(found))
        for kind, found in ids.items()
        if found
    ]
    if not clauses:
        return []
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.witness_id == witness_id,
            AuditEvent.action.like("posttrial.%"),
            or_(*clauses),
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    )
    return list(session.scalars(query))


def get_statement(session: Session, actor: User, ident: int) -> ImpactStatement:
    return access.via_witness(session, actor, ImpactStatement, ident, "impact statement")


def get_claim(session: Session, actor: User, ident: int) -> CompensationClaim:
    return access.via_witness(session, actor, CompensationClaim, ident, "compensation claim")


def get_property(session: Session, actor: User, ident: int) -> PropertyItem:
    return access.via_witness(session, actor, PropertyItem, ident, "item of property")


def open_claims(actor: User, limit: int = 200) -> Select:
    """Claims ordered and not yet paid in full, of witnesses the actor sees, oldest first,
    with what was paid so far (summed in SQL)."""
    paid = (
        select(func.coalesce(func.sum(CompensationPayment.amount), 0))
        .where(CompensationPayment.claim_id == CompensationClaim.id)
        .scalar_subquery()
    )
    return (
        select(CompensationClaim, paid.label("paid"))
        .join(Witness, Witness.id == CompensationClaim.witness_id)
        .where(CompensationClaim.status.in_(OUTSTANDING_CLAIMS), visible_witnesses(actor))
        .options(joinedload(CompensationClaim.witness), joinedload(CompensationClaim.case))
        .order_by(CompensationClaim.id)
        .limit(limit)
    )


def awaiting_property(actor: User, limit: int = 200) -> Select:
    """Property held or ready for return, of witnesses the actor sees, oldest first."""
    return (
        select(PropertyItem)
        .join(Witness, Witness.id == PropertyItem.witness_id)
        .where(PropertyItem.status.in_(PROPERTY_AWAITING), visible_witnesses(actor))
        .options(joinedload(PropertyItem.witness), joinedload(PropertyItem.case))
        .order_by(PropertyItem.status.desc(), PropertyItem.id)
        .limit(limit)
    )


def office_matters(session: Session, actor: User) -> dict:
    """The office list: outstanding compensation (with its balance) and property awaiting
    return."""
    claims = [
        (claim, Decimal(paid), claim.amount_ordered - Decimal(paid))
        for claim, paid in session.execute(open_claims(actor)).unique().all()
    ]
    items = list(session.scalars(awaiting_property(actor)).unique())
    return {"claims": claims, "property": items}
