"""After the trial: a victim's impact statement and compensation (property held as evidence
is in ``evidence``).

Each moves forward only by the steps below (a statement's mistake is put right by a correction
that gives its reason); every change is audited as ``posttrial.*`` on the record, and a change
that matters to the victim queues a letter (``posttrial.letters``) when they accept post.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case
from witness.core.access import can_manage_witness, require
from witness.core.errors import DomainError, InvalidTransition
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import check_year, today_in
from witness.ledger.money import currency_code, parse_amount, places_for
from witness.outcomes.models import OutcomeEvent
from witness.people.models import Witness
from witness.posttrial import letters, queries
from witness.posttrial.models import (
    ClaimRoute,
    ClaimStatus,
    CompensationClaim,
    CompensationPayment,
    ImpactStatement,
    StatementStatus,
)

S = StatementStatus
#: the steps a statement may take; anything else is a correction, with a reason
STATEMENT_STEPS: dict[StatementStatus, tuple[StatementStatus, ...]] = {
    S.offered: (S.written, S.declined),
    S.written: (S.submitted, S.declined),
    S.submitted: (S.considered,),
    S.declined: (S.offered,),  # they changed their mind
    S.considered: (),
}
#: how a claim may end without being paid in full
CLAIM_ENDINGS: dict[ClaimStatus, tuple[ClaimStatus, ...]] = {
    ClaimStatus.refused: (ClaimStatus.lodged,),
    ClaimStatus.withdrawn: (ClaimStatus.lodged, ClaimStatus.ordered, ClaimStatus.paying),
}


# --- shared checks ----------------------------------------------------------------------------


def check_managed(session: Session, actor: User, witness: Witness, case: Case) -> None:
    """The actor's office manages the witness, and the witness is in the case."""
    require(can_manage_witness(actor, witness))
    if queries.participation_of(session, witness.id, case.id) is None:
        raise DomainError(
            gettext(
                "%(reference)s is not a witness in case %(reference2)s.",
                reference=witness.reference,
                reference2=case.reference,
            )
        )


def matter_day(
    value: date | None, field: str, case: Case, *, required: bool, after=None
) -> date | None:
    """A date of the matter: between 1900 and 2100, not after today in the court's calendar,
    and not before ``after`` (the step before it) when given."""
    if value is None:
        if required:
            raise DomainError(gettext("Give the date."), field=field)
        return None
    check_year(value, field)
    if value > today_in(case.court.timezone):
        raise DomainError(gettext("This date cannot be in the future."), field=field)
    if after is not None and value < after:
        raise DomainError(
            gettext("This date cannot be before %(isoformat)s.", isoformat=after.isoformat()),
            field=field,
        )
    return value


def clean_note(value: str | None, field: str = "note") -> str:
    return clean_text(value, field, multiline=True, max_length=2000)


def _reason(value: str | None) -> str:
    reason = clean_text(value, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Give the reason."), field="reason")
    return reason


def audit_change(session, actor, action, obj, **detail) -> None:
    session.flush()
    record_event(session, actor, f"posttrial.{action}", obj, witness_id=obj.witness_id, **detail)


# --- impact statement -------------------------------------------------------------------------


def offer_impact_statement(
    session: Session,
    actor: User,
    witness: Witness,
    case: Case,
    *,
    offered_date: date,
    note: str = "",
) -> ImpactStatement:
    """Record that the victim was offered the chance to make an impact statement, and invite
    them by letter. One statement per witness and case."""
    check_managed(session, actor, witness, case)
    existing = queries.matters_of(session, witness.id, case.id).statements
    if existing:
        raise DomainError(
            gettext(
                "An impact statement is already recorded (%(lower)s): move it on, or correct it.",
                lower=existing[0].status.label.lower(),
            )
        )
    statement = ImpactStatement(
        witness_id=witness.id,
        case_id=case.id,
        status=S.offered,
        offered_date=matter_day(offered_date, "offered_date", case, required=True),
        note=clean_note(note),
        updated_by_id=actor.id,
    )
    session.add(statement)
    audit_change(
        session, actor, "statement_offered", statement, offered_date=statement.offered_date
    )
    letters.tell(session, actor, witness, case, "impact_statement_invitation", {})
    return statement


def _statement_sentence(session: Session, statement: ImpactStatement, event_id: int | None):
    """The sentence event that considered the statement: the one named (a sentence in force
    in the statement's case), else the case's latest sentence, else None."""
    events = queries.sentence_events(session, statement.case_id)
    if event_id is None:
        return events[0] if events else None
    for event in events:
        if event.id == event_id:
            return event
    raise DomainError(
        gettext(
            "Choose a sentence recorded in this case (a corrected one is replaced by its "
            "correction)."
        ),
        field="sentence_event_id",
    )


def _set_statement_dates(
    session: Session,
    statement: ImpactStatement,
    target: StatementStatus,
    on: date | None,
    sentence_event_id: int | None,
) -> None:
    """The date of the step ``target``: written (today by default), submitted, considered
    (the sentence's day by default); a step's date is never before the one before it."""
    case = statement.case
    if target is S.offered:
        statement.offered_date = matter_day(on, "on", case, required=True)
    elif target is S.written:
        statement.written_date = matter_day(
            on or today_in(case.court.timezone),
            "on",
            case,
            required=True,
            after=statement.offered_date,
        )
    elif target is S.submitted:
        after = statement.written_date or statement.offered_date
        statement.submitted_date = matter_day(on, "on", case, required=True, after=after)
    elif target is S.considered:
        event = _statement_sentence(session, statement, sentence_event_id)
        day = on or (event.effective_date if event is not None else None)
        statement.considered_date = matter_day(
            day, "on", case, required=True, after=statement.submitted_date
        )
        statement.sentence_event_id = event.id if event is not None else None


def advance_impact_statement(
    session: Session,
    actor: User,
    statement: ImpactStatement,
    target: StatementStatus,
    *,
    on: date | None = None,
    sentence_event_id: int | None = None,
    note: str = "",
) -> ImpactStatement:
    """Move the statement one allowed step on (``STATEMENT_STEPS``) with the step's date;
    "considered" ties it to the sentence at which the court read it."""
    check_managed(session, actor, statement.witness, statement.case)
    current = statement.status
    if target not in STATEMENT_STEPS[current]:
        allowed = ", ".join(s.label.lower() for s in STATEMENT_STEPS[current]) or "none"
        raise InvalidTransition(
            gettext(
                "An impact statement that is %(lower)s cannot become %(lower2)s (allowed next: "
                "%(allowed)s). A mistake is put right with a correction, which gives its reason.",
                lower=current.label.lower(),
                lower2=target.label.lower(),
                allowed=allowed,
            ),
            field="status",
        )
    _set_statement_dates(session, statement, target, on, sentence_event_id)
    statement.status = target
    if note:
        statement.note = clean_note(note)
    statement.updated_by_id = actor.id
    audit_change(
        session,
        actor,
        "statement_step",
        statement,
        from_status=current,
        to_status=target,
        on=on,
        sentence_event_id=statement.sentence_event_id,
    )
    if target is S.offered:
        letters.tell(
            session, actor, statement.witness, statement.case, "impact_statement_invitation", {}
        )
    return statement


#: the date columns that belong to each status and every status after it
_LATER_DATES = {
    S.offered: ("written_date", "submitted_date", "considered_date"),
    S.declined: ("written_date", "submitted_date", "considered_date"),
    S.written: ("submitted_date", "considered_date"),
    S.submitted: ("considered_date",),
    S.considered: (),
}


def correct_impact_statement(
    session: Session,
    actor: User,
    statement: ImpactStatement,
    target: StatementStatus,
    reason: str,
    *,
    on: date | None = None,
    sentence_event_id: int | None = None,
) -> ImpactStatement:
    """Put a mistake right: set the status the statement should have, with the reason (kept
    in the history); the dates of the steps after it are cleared."""
    check_managed(session, actor, statement.witness, statement.case)
    reason = _reason(reason)
    current = statement.status
    if target is current:
        raise DomainError(
            gettext("The statement is already %(lower)s.", lower=current.label.lower()),
            field="status",
        )
    for column in _LATER_DATES[target]:
        setattr(statement, column, None)
    if target is not S.considered:
        statement.sentence_event_id = None
    if target is not S.declined and (on is not None or target is not S.offered):
        _set_statement_dates(session, statement, target, on, sentence_event_id)
    statement.status = target
    statement.updated_by_id = actor.id
    audit_change(
        session,
        actor,
        "statement_corrected",
        statement,
        from_status=current,
        to_status=target,
        reason=reason,
        on=on,
    )
    return statement


# --- compensation -----------------------------------------------------------------------------


def _money(value, field: str, currency: str) -> Decimal:
    return parse_amount(value, field, places=places_for(currency), positive=True)


def lodge_compensation_claim(
    session: Session,
    actor: User,
    witness: Witness,
    case: Case,
    *,
    route: ClaimRoute,
    lodged_date: date,
    amount_claimed=None,
    currency: str | None = None,
    note: str = "",
) -> CompensationClaim:
    """Record a claim lodged for the victim, with the court or a scheme, and what it asks for
    (optional; an amount needs its currency, and is refused beyond its minor unit)."""
    check_managed(session, actor, witness, case)
    amount = None
    code = None
    if amount_claimed not in (None, ""):
        code = currency_code(currency or "")
        amount = _money(amount_claimed, "amount_claimed", code)
    elif currency:
        code = currency_code(currency)
    claim = CompensationClaim(
        witness_id=witness.id,
        case_id=case.id,
        status=ClaimStatus.lodged,
        route=route,
        lodged_date=matter_day(lodged_date, "lodged_date", case, required=True),
        amount_claimed=amount,
        currency=code,
        note=clean_note(note),
        updated_by_id=actor.id,
    )
    session.add(claim)
    audit_change(
        session,
        actor,
        "claim_lodged",
        claim,
        route=route,
        amount_claimed=str(amount) if amount is not None else None,
        currency=code,
    )
    return claim


def _compensation_order(session: Session, claim: CompensationClaim, event_id: int | None):
    """The sentence (in force, in the claim's case) whose compensation order decided it."""
    orders = [e for e in queries.sentence_events(session, claim.case_id) if e.compensation_amount]
    if event_id is None and orders:
        return orders[0]
    for event in orders:
        if event.id == event_id:
            return event
    raise DomainError(
        "Record the sentence with its compensation order first: no sentence in force in this "
        "case orders compensation."
        if not orders
        else "Choose a sentence of this case that orders compensation.",
        field="order_event_id",
    )


def order_compensation(
    session: Session,
    actor: User,
    claim: CompensationClaim,
    *,
    order_event_id: int | None = None,
    amount=None,
    currency: str | None = None,
) -> CompensationClaim:
    """The claim was granted. A court order ties it to the sentence's compensation order
    (its amount by default; a share of it when the order covers several victims, never
    more); a scheme's award gives its amount and currency."""
    check_managed(session, actor, claim.witness, claim.case)
    if claim.status is not ClaimStatus.lodged:
        raise InvalidTransition(
            gettext(
                "Only a lodged claim can be ordered; this one is %(lower)s.",
                lower=claim.status.label.lower(),
            ),
            field="status",
        )
    event: OutcomeEvent | None = None
    if claim.route is ClaimRoute.court_order:
        event = _compensation_order(session, claim, order_event_id)
        code = event.compensation_currency or claim.currency or ""
        ordered = event.compensation_amount
        if amount not in (None, ""):
            ordered = _money(amount, "amount", code)
            if ordered > event.compensation_amount:
                raise DomainError(
                    gettext(
                        "The court ordered %(compensation_amount)s %(code)s: a victim's share "
                        "cannot be more.",
                        compensation_amount=event.compensation_amount,
                        code=code,
                    ),
                    field="amount",
                )
    else:
        if amount in (None, ""):
            raise DomainError(gettext("Give the amount the scheme awarded."), field="amount")
        code = currency_code(currency or claim.currency or "")
        ordered = _money(amount, "amount", code)
    claim.status = ClaimStatus.ordered
    claim.order_event_id = event.id if event is not None else None
    claim.amount_ordered = ordered
    claim.currency = code
    claim.updated_by_id = actor.id
    audit_change(
        session,
        actor,
        "claim_ordered",
        claim,
        amount_ordered=str(ordered),
        currency=code,
        order_event_id=claim.order_event_id,
    )
    letters.tell(
        session,
        actor,
        claim.witness,
        claim.case,
        "compensation_ordered",
        {
            "amount": str(ordered),
            "currency": code,
            "defendant": event.defendant.name if event and event.defendant else "",
        },
    )
    return claim


def _locked(session: Session, claim: CompensationClaim) -> CompensationClaim:
    """The claim read again under a row lock (PostgreSQL; SQLite's transactions are already
    one writer at a time): two instalments recorded at once cannot both pass the total."""
    return session.scalar(
        select(CompensationClaim)
        .where(CompensationClaim.id == claim.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def record_compensation_payment(
    session: Session,
    actor: User,
    claim: CompensationClaim,
    *,
    paid_date: date,
    amount,
) -> CompensationPayment:
    """One instalment received for the victim. The total never exceeds what was ordered; the
    instalment that completes it marks the claim paid."""
    check_managed(session, actor, claim.witness, claim.case)
    claim = _locked(session, claim)
    session.refresh(claim, ["payments"])
    if claim.status not in queries.OUTSTANDING_CLAIMS:
        raise InvalidTransition(
            gettext(
                "Instalments are recorded against an ordered claim that is not paid in full; this "
                "one is %(lower)s.",
                lower=claim.status.label.lower(),
            ),
            field="status",
        )
    value = _money(amount, "amount", claim.currency)
    balance = queries.outstanding(claim)
    if value > balance:
        raise DomainError(
            gettext(
                "Only %(balance)s %(currency)s is still owed of the %(amount_ordered)s ordered: "
                "an instalment cannot take the total above the order.",
                balance=balance,
                currency=claim.currency,
                amount_ordered=claim.amount_ordered,
            ),
            field="amount",
        )
    payment = CompensationPayment(
        claim=claim,
        paid_date=matter_day(paid_date, "paid_date", claim.case, required=True),
        amount=value,
        recorded_by_id=actor.id,
    )
    session.add(payment)
    remaining = balance - value
    claim.status = ClaimStatus.paid if remaining == 0 else ClaimStatus.paying
    claim.updated_by_id = actor.id
    session.flush()
    record_event(
        session,
        actor,
        "posttrial.payment_recorded",
        payment,
        witness_id=claim.witness_id,
        claim_id=claim.id,
        amount=str(value),
        currency=claim.currency,
        outstanding=str(remaining),
        status=claim.status,
    )
    letters.tell(
        session,
        actor,
        claim.witness,
        claim.case,
        "compensation_payment",
        {
            "amount": str(value),
            "currency": claim.currency,
            "payment_date": payment.paid_date.isoformat(),
            "outstanding": str(remaining),
        },
    )
    return payment


def end_compensation_claim(
    session: Session, actor: User, claim: CompensationClaim, target: ClaimStatus, reason: str
) -> CompensationClaim:
    """A claim refused (while lodged) or withdrawn by the victim (until paid in full), with
    the reason."""
    check_managed(session, actor, claim.witness, claim.case)
    if target not in CLAIM_ENDINGS:
        raise DomainError(gettext("A claim ends as refused or withdrawn."), field="status")
    reason = _reason(reason)
    if claim.status not in CLAIM_ENDINGS[target]:
        raise InvalidTransition(
            gettext(
                "A claim that is %(lower)s cannot be %(value)s.",
                lower=claim.status.label.lower(),
                value=target.value,
            ),
            field="status",
        )
    current = claim.status
    claim.status = target
    claim.updated_by_id = actor.id
    audit_change(
        session,
        actor,
        "claim_ended",
        claim,
        from_status=current,
        to_status=target,
        reason=reason,
    )
    return claim
