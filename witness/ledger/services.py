"""Recording support, approving it, reversing it, and the totals; the hash chain that proves
the ledger was not altered is ``witness.ledger.chain``'s."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from babel.numbers import get_territory_currencies
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.config import DEFAULT_APPROVAL_THRESHOLDS
from witness.core.access import can_manage_witness, require, visible_witnesses
from witness.core.errors import AccessDenied, DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc, today_in
from witness.ledger.chain import (  # noqa: F401  (the chain's names, where callers look)
    GENESIS,
    PAGE_FULL_WALK,
    ChainProblem,
    ChainStatus,
    append_approval,
    append_item,
    canonical_content,
    page_chain_status,
    record_full_check,
    verify_chain,
)
from witness.ledger.flags import raise_flags
from witness.ledger.models import SupportApproval, SupportCategory, SupportItem
from witness.ledger.money import (
    STORED_PLACES,
    currency_code,
    negated,
    parse_amount,
    places_for,
)
from witness.people.models import NeedsAssessment, Participation, Phase, Witness

#: items worth more than this need a second person's approval, in a currency with no threshold
#: of its own (see ``approval_threshold``)
DEFAULT_APPROVAL_THRESHOLD = Decimal("100.00")
APPROVER_ROLES = frozenset({Role.supervisor, Role.admin})


class RefusedReference(DomainError):
    """A form or request named a record that is not the witness's (another witness's need, a
    case they are not in): refused beside the field, and audited as a probe, since ids are
    not typed by chance. ``audit`` is the refusal's audit event, written after the rollback."""

    def __init__(self, message: str, field: str, audit: dict) -> None:
        super().__init__(message, field=field)
        self.audit = audit


def audit_refusal(session: Session, actor: User, exc: DomainError) -> None:
    """Record the audit row of a ``RefusedReference`` (after the change was rolled back)."""
    if isinstance(exc, RefusedReference):
        record_event(session, actor, **exc.audit)


# --- recording --------------------------------------------------------------------------------


def can_record_support(actor: User, witness: Witness) -> bool:
    """The witness's office, and NGO workers the witness shares their file with (who record
    what their organisation gives); no one once the file is anonymised."""
    if witness.anonymised_dt is not None:
        return False
    return can_manage_witness(actor, witness) or actor.role is Role.ngo_worker


def record_defaults(witness: Witness, fallback_currency: str) -> tuple[int | None, str, date]:
    """What the record form starts with: the witness's first case, the currency of its
    court's country (Babel's territory currency: THB for a Bangkok court) and today in that
    court's timezone; ``fallback_currency`` and today in UTC when the witness has no case."""
    for participation in witness.participations:
        court = participation.case.court
        try:
            currencies = get_territory_currencies(court.country, today_in(court.timezone))
        except (ValueError, KeyError, TypeError):  # a country Babel does not know
            currencies = []
        currency = currencies[0] if currencies else fallback_currency
        return participation.case_id, currency, today_in(court.timezone)
    return None, fallback_currency, today_in("UTC")


def approval_threshold(currency: str, config: Mapping | None = None) -> Decimal:
    """Above this value an item in ``currency`` needs a second person's approval: the
    currency's own threshold (``LEDGER_APPROVAL_THRESHOLDS``, built-in ones by default), else
    the single ``LEDGER_APPROVAL_THRESHOLD``. ``config`` is the app's configuration."""
    config = config or {}
    thresholds = config.get("LEDGER_APPROVAL_THRESHOLDS")
    if thresholds is None:
        thresholds = DEFAULT_APPROVAL_THRESHOLDS
    code = (currency or "").strip().upper()
    if code in thresholds:
        return Decimal(str(thresholds[code]))
    fallback = config.get("LEDGER_APPROVAL_THRESHOLD")
    return DEFAULT_APPROVAL_THRESHOLD if fallback is None else Decimal(str(fallback))


def _participation(
    session: Session, witness: Witness, case_id: int, need_id: int | None
) -> Participation:
    """The witness's participation in the case the item is for, once the case and the need
    named are the witness's own (else an audited ``RefusedReference``)."""
    participation = session.scalar(
        select(Participation).where(
            Participation.witness_id == witness.id, Participation.case_id == case_id
        )
    )
    if participation is None:
        raise RefusedReference(
            "Choose one of the witness's cases.",
            "case_id",
            dict(
                action="support.case_refused",
                object_type="case",
                object_id=case_id,
                witness_id=witness.id,
            ),
        )
    if need_id is not None:
        need = session.get(NeedsAssessment, need_id)
        if need is None or need.witness_id != witness.id:
            raise RefusedReference(
                "Choose one of the witness's assessed needs.",
                "need_id",
                dict(
                    action="support.need_refused",
                    object_type="needs_assessment",
                    object_id=need_id,
                    witness_id=witness.id,
                ),
            )
    return participation


def _checked_values(
    *, description: str, rationale: str, unit: str, currency: str, date_provided: date
) -> tuple[str, str, str, str]:
    """The item's words and currency as stored (clean text, an ISO 4217 code), or the
    ``DomainError`` that says, beside its field, what is wrong."""
    description = clean_text(description, "description", max_length=500)
    if not description:
        raise DomainError(gettext("Say what was given."), field="description")
    rationale = clean_text(rationale, "rationale", multiline=True, max_length=4000)
    if not rationale:
        raise DomainError(
            gettext("Give the rationale: the need this meets (every item must be justified)."),
            field="rationale",
        )
    unit = clean_text(unit, "unit", max_length=40)
    if not unit:
        raise DomainError(gettext("Give the unit, e.g. nights, trips, sessions."), field="unit")
    currency = currency_code(clean_text(currency, "currency", max_length=3))
    if date_provided > now_utc().date():
        raise DomainError(
            gettext("The date provided cannot be in the future."), field="date_provided"
        )
    if date_provided < date(1900, 1, 1):
        raise DomainError(gettext("Give a date after 1900."), field="date_provided")
    return description, rationale, unit, currency


def record_item(
    session: Session,
    actor: User,
    witness: Witness,
    *,
    case_id: int,
    category: SupportCategory,
    description: str,
    quantity,
    unit: str,
    value,
    currency: str,
    date_provided: date,
    rationale: str,
    is_cash: bool = False,
    need_id: int | None = None,
    provider_organisation_id: int | None = None,
    approval_threshold: Decimal = DEFAULT_APPROVAL_THRESHOLD,
) -> SupportItem:
    """Record one item given to a witness (``witness`` already checked by need to know)."""
    require(can_record_support(actor, witness), "You may not record support for this witness.")
    participation = _participation(session, witness, case_id, need_id)
    description, rationale, unit, currency = _checked_values(
        description=description,
        rationale=rationale,
        unit=unit,
        currency=currency,
        date_provided=date_provided,
    )
    if actor.role is Role.ngo_worker or provider_organisation_id is None:
        provider_organisation_id = actor.organisation_id
    amount = parse_amount(value, "value", places=places_for(currency), positive=False)
    category = SupportCategory(category)
    cash = bool(is_cash) or category.is_cash_like
    item = SupportItem(
        case_id=case_id,
        witness_id=witness.id,
        category=category,
        description=description,
        quantity=parse_amount(quantity, "quantity", places=STORED_PLACES, positive=True),
        unit=unit,
        value=amount,
        currency=currency,
        is_cash=cash,
        date_provided=date_provided,
        provider_organisation_id=provider_organisation_id,
        recorded_by_id=actor.id,
        rationale=rationale,
        need_id=need_id,
        phase=participation.phase,
        needs_approval=cash or amount > approval_threshold,
    )
    append_item(session, item)
    raise_flags(session, item)
    record_event(
        session,
        actor,
        "support.record",
        item,
        witness_id=witness.id,
        case_id=case_id,
        category=category,
        needs_approval=item.needs_approval,
    )
    return item


# --- approving and reversing: one rule each, for the service and for the page's buttons ------


def may_approve(actor: User, witness: Witness) -> bool:
    """Who approves support given to the witness: a supervisor (or admin) of their office."""
    return actor.role in APPROVER_ROLES and witness.organisation_id == actor.organisation_id


def approval_refusal(
    actor: User, witness: Witness, item: SupportItem, *, approved: bool, reversed_: bool
) -> DomainError | None:
    """Why ``actor`` may not approve ``item`` now (``AccessDenied`` when it is not theirs to
    approve at all), or None: four eyes, on an item that needs it, once, and not once reversed.
    ``approved`` and ``reversed_``: whether the item has an approval, and a reversal."""
    if not may_approve(actor, witness):
        return AccessDenied("Only a supervisor of the witness's office approves support.")
    if item.recorded_by_id == actor.id:
        return DomainError(
            gettext("Someone other than the person who recorded it must approve it.")
        )
    if not item.needs_approval:
        return DomainError(gettext("This item does not need approval."))
    if approved:
        return DomainError(gettext("This item is already approved."))
    if reversed_:
        return DomainError(gettext("This item was reversed: there is nothing left to approve."))
    return None


def can_approve(
    actor: User, witness: Witness, item: SupportItem, *, approved: bool, reversed_: bool
) -> bool:
    """Whether a page offers ``actor`` the button that approves ``item`` (``approve_item``'s
    rule, ``approval_refusal``)."""
    refusal = approval_refusal(actor, witness, item, approved=approved, reversed_=reversed_)
    return refusal is None


def _is_reversed(session: Session, item: SupportItem) -> bool:
    return (
        session.scalar(select(SupportItem.id).where(SupportItem.reverses_id == item.id)) is not None
    )


def approve_item(
    session: Session, actor: User, item: SupportItem, note: str = ""
) -> SupportApproval:
    """Four eyes: a supervisor of the witness's office who did not record the item."""
    witness = session.get(Witness, item.witness_id)
    refusal = approval_refusal(
        actor,
        witness,
        item,
        approved=item.approval is not None,
        reversed_=_is_reversed(session, item),
    )
    if refusal is not None:
        raise refusal
    approval = SupportApproval(
        item_id=item.id,
        approved_by_id=actor.id,
        note=clean_text(note, "note", multiline=True, max_length=2000),
    )
    append_approval(session, approval, item)
    session.refresh(item)
    record_event(session, actor, "support.approve", item, witness_id=item.witness_id)
    return approval


def reversal_refusal(
    actor: User, witness: Witness, item: SupportItem, *, reversed_: bool
) -> DomainError | None:
    """Why ``actor`` may not reverse ``item`` now (``AccessDenied`` when they may not correct
    the witness's ledger at all), or None: an item is reversed once, a reversal never."""
    if not can_record_support(actor, witness):
        return AccessDenied("You may not correct this witness's ledger.")
    if item.reverses_id is not None:
        return DomainError(gettext("A reversal cannot itself be reversed; record the item again."))
    if reversed_:
        return DomainError(gettext("This item has already been reversed."))
    return None


def can_reverse(actor: User, witness: Witness, item: SupportItem, *, reversed_: bool) -> bool:
    """Whether a page offers ``actor`` the link that reverses ``item`` (``reverse_item``'s
    rule, ``reversal_refusal``)."""
    return reversal_refusal(actor, witness, item, reversed_=reversed_) is None


def reverse_item(session: Session, actor: User, item: SupportItem, reason: str) -> SupportItem:
    """Correct a mistake: a new entry that cancels ``item`` and says why."""
    witness = session.get(Witness, item.witness_id)
    refusal = reversal_refusal(actor, witness, item, reversed_=_is_reversed(session, item))
    if refusal is not None:
        raise refusal
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Give the reason for the reversal."), field="reason")
    participation_phase = session.scalar(
        select(Participation.phase).where(
            Participation.witness_id == item.witness_id, Participation.case_id == item.case_id
        )
    )
    reversal = SupportItem(
        case_id=item.case_id,
        witness_id=item.witness_id,
        category=item.category,
        description=f"Reversal of entry {item.chain_seq}: {item.description}"[:500],
        quantity=negated(item.quantity),
        unit=item.unit,
        value=negated(item.value),
        currency=item.currency,
        is_cash=item.is_cash,
        date_provided=now_utc().date(),
        provider_organisation_id=item.provider_organisation_id,
        recorded_by_id=actor.id,
        rationale=item.rationale,
        need_id=item.need_id,
        phase=participation_phase or Phase.closed,
        needs_approval=False,
        reverses_id=item.id,
        reversal_reason=reason,
    )
    append_item(session, reversal)
    record_event(
        session, actor, "support.reverse", reversal, witness_id=item.witness_id, reverses=item.id
    )
    return reversal


def approval_entries(session: Session, item_ids: Iterable[int]) -> dict[int, int | None]:
    """The approved ones of ``item_ids``, each with its approval's number in the chain (None
    for an approval made before approvals were chained)."""
    ids = list(item_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(SupportApproval.item_id, SupportApproval.chain_seq).where(
                SupportApproval.item_id.in_(ids)
            )
        ).all()
    )


def witness_ledger(session: Session, witness: Witness) -> list[SupportItem]:
    return list(
        session.scalars(
            select(SupportItem)
            .where(SupportItem.witness_id == witness.id)
            .order_by(SupportItem.date_provided, SupportItem.id)
        )
    )


def visible_chain_entries(session: Session, actor: User, case_id: int) -> int:
    """Entries of the case's chain ``actor`` may see: the items of the witnesses they may see,
    and the approvals of those items (what a page may count for them)."""
    items = session.scalar(
        select(func.count(SupportItem.id))
        .join(Witness, Witness.id == SupportItem.witness_id)
        .where(SupportItem.case_id == case_id, visible_witnesses(actor))
    )
    approvals = session.scalar(
        select(func.count(SupportApproval.id))
        .join(SupportItem, SupportItem.id == SupportApproval.item_id)
        .join(Witness, Witness.id == SupportItem.witness_id)
        .where(
            SupportApproval.case_id == case_id,
            SupportApproval.chain_seq.is_not(None),
            visible_witnesses(actor),
        )
    )
    return (items or 0) + (approvals or 0)
