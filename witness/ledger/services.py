"""Recording support, approving it, reversing it, and proving the ledger was not altered."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session, aliased

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.config import DEFAULT_APPROVAL_THRESHOLDS
from witness.core.access import can_manage_witness, require
from witness.core.errors import DomainError
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.ledger.models import (
    LedgerChainCheck,
    SupportApproval,
    SupportCategory,
    SupportItem,
)
from witness.people.models import NeedsAssessment, Participation, Phase, Witness

#: items worth more than this need a second person's approval, in a currency with no threshold
#: of its own (see ``approval_threshold``)
DEFAULT_APPROVAL_THRESHOLD = Decimal("100.00")
GENESIS = "0" * 64
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
APPROVER_ROLES = frozenset({Role.supervisor, Role.admin})


# --- the hash chain ---------------------------------------------------------------------------


def _amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def canonical_content(item: SupportItem) -> bytes:
    """The entry as the hash sees it: every recorded field, in a fixed form."""
    content = {
        "case_id": item.case_id,
        "chain_seq": item.chain_seq,
        "witness_id": item.witness_id,
        "category": item.category.value,
        "description": item.description,
        "quantity": _amount(item.quantity),
        "unit": item.unit,
        "value": _amount(item.value),
        "currency": item.currency,
        "is_cash": bool(item.is_cash),
        "date_provided": item.date_provided.isoformat(),
        "provider_organisation_id": item.provider_organisation_id,
        "recorded_by_id": item.recorded_by_id,
        "recorded_dt": item.recorded_dt.isoformat(timespec="microseconds"),
        "rationale": item.rationale,
        "need_id": item.need_id,
        "phase": item.phase.value,
        "needs_approval": bool(item.needs_approval),
        "reverses_id": item.reverses_id,
        "reversal_reason": item.reversal_reason or "",
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


#: what the chain check reads of each entry: its content, its position and its hashes
CHAIN_COLUMNS = (
    "id", "case_id", "chain_seq", "witness_id", "category", "description", "quantity", "unit",
    "value", "currency", "is_cash", "date_provided", "provider_organisation_id",
    "recorded_by_id", "recorded_dt", "rationale", "need_id", "phase", "needs_approval",
    "reverses_id", "reversal_reason", "prev_hash", "entry_hash",
)  # fmt: skip


def entry_hash(prev_hash: str, item: SupportItem) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_content(item)).hexdigest()


#: a chain up to this long is walked in full on every page that shows its badge; a longer one
#: from its last full check (a 10,000-entry chain takes about a second to walk)
PAGE_FULL_WALK = 1000


@dataclass
class ChainStatus:
    case_id: int
    entries: int = 0
    #: the first entry whose stored hash does not match its content or its predecessor
    first_broken_id: int | None = None
    problem: str = ""
    #: the hash of the last entry walked (what a checkpoint keeps)
    last_hash: str = GENESIS
    #: set when only the entries after the last full check were walked now: that check's time
    full_check_dt: datetime | None = None
    #: entries walked now
    walked: int = 0

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(
    session: Session, case_id: int, *, after_seq: int = 0, after_hash: str = GENESIS
) -> ChainStatus:
    """Walk the case's chain in order, recomputing every hash; streamed, never all in memory.
    From its start, or after entry ``after_seq`` whose hash is known to be ``after_hash``."""
    status = ChainStatus(case_id, entries=after_seq, last_hash=after_hash)
    expected_prev, expected_seq = after_hash, after_seq + 1
    # Plain rows, not entities: a row answers canonical_content's attribute reads as an item
    # does, at a third of the cost (a 10,000-entry case is walked on every ledger page).
    result = session.execute(
        select(*(SupportItem.__table__.c[name] for name in CHAIN_COLUMNS))
        .where(SupportItem.case_id == case_id, SupportItem.chain_seq > after_seq)
        .order_by(SupportItem.chain_seq)
        .execution_options(yield_per=1000)
    )
    with result:  # closes the server-side cursor when the walk stops early
        for item in result:
            status.entries += 1
            status.walked += 1
            problem = ""
            if item.chain_seq != expected_seq:
                problem = f"entry {expected_seq} of the chain is missing"
            elif item.prev_hash != expected_prev:
                problem = "it does not follow the entry before it"
            elif item.entry_hash != entry_hash(item.prev_hash, item):
                problem = "its content was changed after it was recorded"
            if problem:
                status.first_broken_id, status.problem = item.id, problem
                break
            expected_prev, expected_seq = item.entry_hash, expected_seq + 1
    status.last_hash = expected_prev
    return status


def record_full_check(session: Session, status: ChainStatus) -> None:
    """Remember a full walk (``verify_chain`` from the start) for ``page_chain_status``: where
    it found the chain intact, or — when broken — forget the last good one, so that every page
    walks the chain in full and names the bad entry."""
    if status.full_check_dt is not None or status.walked != status.entries:
        raise ValueError("only a walk from the start of the chain is a full check")
    check = session.get(LedgerChainCheck, status.case_id)
    if not status.intact or not status.entries:
        if check is not None:
            session.delete(check)
        return
    if check is None:
        check = LedgerChainCheck(case_id=status.case_id)
        session.add(check)
    check.checked_seq, check.checked_hash = status.entries, status.last_hash
    check.checked_dt = now_utc()


def page_chain_status(session: Session, case_id: int) -> ChainStatus:
    """The badge of a chain: a short chain walked in full; a long one walked from its last full
    check (if the entry it ended at is unchanged), so the badge says when that check was. An
    alteration before that entry is found by the next full check (``flask ledger-verify``, the
    daily sweep, every disclosure report)."""
    check = session.get(LedgerChainCheck, case_id)
    if check is None or check.checked_seq <= PAGE_FULL_WALK:
        return verify_chain(session, case_id)
    # the entry the full check ended at is re-hashed too: its content, its link and its hash
    # must still be what that check found
    anchor = session.execute(
        select(*(SupportItem.__table__.c[name] for name in CHAIN_COLUMNS)).where(
            SupportItem.case_id == case_id, SupportItem.chain_seq == check.checked_seq
        )
    ).first()
    if (
        anchor is None
        or anchor.entry_hash != check.checked_hash
        or entry_hash(anchor.prev_hash, anchor) != check.checked_hash
    ):
        return verify_chain(session, case_id)  # walked in full, it names the first bad entry
    status = verify_chain(
        session, case_id, after_seq=check.checked_seq, after_hash=check.checked_hash
    )
    status.full_check_dt = check.checked_dt
    return status


def _lock_chain(session: Session, case_id: int) -> None:
    """One writer per case chain at a time (PostgreSQL); the unique (case, position) refuses a
    fork anywhere else."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"witness.ledger:{case_id}"},
        )


def _append(session: Session, item: SupportItem) -> SupportItem:
    _lock_chain(session, item.case_id)
    last = session.execute(
        select(SupportItem.chain_seq, SupportItem.entry_hash)
        .where(SupportItem.case_id == item.case_id)
        .order_by(SupportItem.chain_seq.desc())
        .limit(1)
    ).first()
    item.chain_seq = last.chain_seq + 1 if last else 1
    item.prev_hash = last.entry_hash if last else GENESIS
    # microseconds are what both databases keep, so the hash survives the round trip
    item.recorded_dt = now_utc()
    item.entry_hash = entry_hash(item.prev_hash, item)
    session.add(item)
    session.flush()
    return item


# --- recording --------------------------------------------------------------------------------


def _decimal(value, field_name: str, *, positive: bool) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("Give a number, e.g. 12.50.", field=field_name) from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise DomainError("Give a number, e.g. 12.50.", field=field_name)
    if amount < 0 or (positive and amount == 0):
        raise DomainError(
            "Give an amount above zero." if positive else "Give zero or more.", field=field_name
        )
    return amount


def can_record_support(actor: User, witness: Witness) -> bool:
    """The witness's office, and NGO workers the witness shares their file with (who record
    what their organisation gives)."""
    return can_manage_witness(actor, witness) or actor.role is Role.ngo_worker


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
    participation = session.scalar(
        select(Participation).where(
            Participation.witness_id == witness.id, Participation.case_id == case_id
        )
    )
    if participation is None:
        raise DomainError("Choose one of the witness's cases.", field="case_id")
    description = clean_text(description, "description", max_length=500)
    if not description:
        raise DomainError("Say what was given.", field="description")
    rationale = clean_text(rationale, "rationale", multiline=True, max_length=4000)
    if not rationale:
        raise DomainError(
            "Give the rationale: the need this meets (every item must be justified).",
            field="rationale",
        )
    unit = clean_text(unit, "unit", max_length=40)
    if not unit:
        raise DomainError("Give the unit, e.g. nights, trips, sessions.", field="unit")
    currency = clean_text(currency, "currency", max_length=3).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError("Give the currency as three letters, e.g. GBP.", field="currency")
    if date_provided > now_utc().date():
        raise DomainError("The date provided cannot be in the future.", field="date_provided")
    if date_provided < date(1900, 1, 1):
        raise DomainError("Give a date after 1900.", field="date_provided")
    if need_id is not None:
        need = session.get(NeedsAssessment, need_id)
        if need is None or need.witness_id != witness.id:
            raise DomainError("Choose one of the witness's assessed needs.", field="need_id")
    if actor.role is Role.ngo_worker or provider_organisation_id is None:
        provider_organisation_id = actor.organisation_id
    amount = _decimal(value, "value", positive=False)
    category = SupportCategory(category)
    cash = bool(is_cash) or category.is_cash_like
    item = SupportItem(
        case_id=case_id,
        witness_id=witness.id,
        category=category,
        description=description,
        quantity=_decimal(quantity, "quantity", positive=True),
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
    _append(session, item)
    from witness.ledger.flags import raise_flags  # the rules read the ledger this module writes

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


def approve_item(
    session: Session, actor: User, item: SupportItem, note: str = ""
) -> SupportApproval:
    """Four eyes: a supervisor of the witness's office who did not record the item."""
    witness = session.get(Witness, item.witness_id)
    require(
        actor.role in APPROVER_ROLES and witness.organisation_id == actor.organisation_id,
        "Only a supervisor of the witness's office approves support.",
    )
    if item.recorded_by_id == actor.id:
        raise DomainError("Someone other than the person who recorded it must approve it.")
    if not item.needs_approval:
        raise DomainError("This item does not need approval.")
    if item.approval is not None:
        raise DomainError("This item is already approved.")
    if session.scalar(select(SupportItem.id).where(SupportItem.reverses_id == item.id)):
        raise DomainError("This item was reversed: there is nothing left to approve.")
    approval = SupportApproval(
        item_id=item.id,
        approved_by_id=actor.id,
        note=clean_text(note, "note", multiline=True, max_length=2000),
    )
    session.add(approval)
    session.flush()
    session.refresh(item)
    record_event(session, actor, "support.approve", item, witness_id=item.witness_id)
    return approval


def reverse_item(session: Session, actor: User, item: SupportItem, reason: str) -> SupportItem:
    """Correct a mistake: a new entry that cancels ``item`` and says why."""
    witness = session.get(Witness, item.witness_id)
    require(can_record_support(actor, witness), "You may not correct this witness's ledger.")
    if item.reverses_id is not None:
        raise DomainError("A reversal cannot itself be reversed; record the item again.")
    already = session.scalar(select(SupportItem.id).where(SupportItem.reverses_id == item.id))
    if already is not None:
        raise DomainError("This item has already been reversed.")
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError("Give the reason for the reversal.", field="reason")
    participation_phase = session.scalar(
        select(Participation.phase).where(
            Participation.witness_id == item.witness_id, Participation.case_id == item.case_id
        )
    )
    reversal = SupportItem(
        case_id=item.case_id,
        witness_id=item.witness_id,
        category=item.category,
        description=f"Reversal of entry {item.id}: {item.description}"[:500],
        quantity=-item.quantity,
        unit=item.unit,
        value=-item.value,
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
    _append(session, reversal)
    record_event(
        session, actor, "support.reverse", reversal, witness_id=item.witness_id, reverses=item.id
    )
    return reversal


# --- totals -----------------------------------------------------------------------------------


def counts(item: SupportItem, approved_ids: set[int], by_id: dict[int, SupportItem]) -> bool:
    """An item counts once approved (or when it needs no approval); a reversal counts when the
    item it reverses counts, so a pending item reversed nets to nothing either way."""
    if item.reverses_id is not None:
        original = by_id.get(item.reverses_id)
        return original is not None and counts(original, approved_ids, by_id)
    return not item.needs_approval or item.id in approved_ids


@dataclass
class Totals:
    """Sums per currency of what counts, by category and by phase, and what is pending."""

    total: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_category: dict[tuple[SupportCategory, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )
    by_phase: dict[tuple[Phase, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    pending: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def totals(items: Iterable[SupportItem], approved_ids: set[int]) -> Totals:
    """What counts, and what awaits approval: an item reversed before it was approved awaits
    nothing (its reversal cancels it either way)."""
    items = list(items)
    by_id = {i.id: i for i in items}
    reversed_ids = {i.reverses_id for i in items if i.reverses_id is not None}
    result = Totals()
    for item in items:
        if counts(item, approved_ids, by_id):
            result.total[item.currency] += item.value
            result.by_category[(item.category, item.currency)] += item.value
            result.by_phase[(item.phase, item.currency)] += item.value
        elif item.reverses_id is None and item.id not in reversed_ids:
            result.pending[item.currency] += item.value
    return result


def summed_totals(session: Session, *where) -> Totals:
    """``totals`` of the entries matching ``where`` (conditions on the entry or its
    ``Witness``), summed by the database: a case of 10,000 entries comes back as a few dozen
    (category, phase, currency) rows."""
    original, reversal = aliased(SupportItem), aliased(SupportItem)
    approval = aliased(SupportApproval)
    # counts(): an entry counts when it needs no approval or is approved; a reversal when the
    # entry it reverses does (the original's flag and approval decide).
    counted = case(
        (func.coalesce(original.needs_approval, SupportItem.needs_approval).is_(False), True),
        (approval.id.is_not(None), True),
        else_=False,
    ).label("counted")
    is_reversal = SupportItem.reverses_id.is_not(None).label("is_reversal")
    is_reversed = reversal.id.is_not(None).label("is_reversed")
    rows = session.execute(
        select(
            SupportItem.category,
            SupportItem.phase,
            SupportItem.currency,
            counted,
            is_reversal,
            is_reversed,
            func.sum(SupportItem.value),
        )
        .join(Witness, Witness.id == SupportItem.witness_id)
        .outerjoin(original, original.id == SupportItem.reverses_id)
        .outerjoin(reversal, reversal.reverses_id == SupportItem.id)
        .outerjoin(
            approval,
            approval.item_id == func.coalesce(SupportItem.reverses_id, SupportItem.id),
        )
        .where(*where)
        .group_by(
            SupportItem.category,
            SupportItem.phase,
            SupportItem.currency,
            counted,
            is_reversal,
            is_reversed,
        )
    ).all()
    result = Totals()
    for category, phase, currency, counts_, a_reversal, reversed_, value in rows:
        value = Decimal(value).quantize(CENT)
        if counts_:
            result.total[currency] += value
            result.by_category[(category, currency)] += value
            result.by_phase[(phase, currency)] += value
        elif not a_reversal and not reversed_:
            result.pending[currency] += value
    return result


def approved_ids(session: Session, item_ids: Iterable[int]) -> set[int]:
    ids = list(item_ids)
    if not ids:
        return set()
    return set(
        session.scalars(select(SupportApproval.item_id).where(SupportApproval.item_id.in_(ids)))
    )


def witness_ledger(session: Session, witness: Witness) -> list[SupportItem]:
    return list(
        session.scalars(
            select(SupportItem)
            .where(SupportItem.witness_id == witness.id)
            .order_by(SupportItem.date_provided, SupportItem.id)
        )
    )


def case_ids_with_entries(session: Session) -> list[int]:
    return list(session.scalars(select(SupportItem.case_id).group_by(SupportItem.case_id)))


def entry_count(session: Session, case_id: int) -> int:
    return session.scalar(select(func.count(SupportItem.id)).where(SupportItem.case_id == case_id))
