"""What counts in the ledger: one rule, stated twice — ``counts`` for entries loaded in Python,
``Counted`` for queries — and the totals built from it. Every total, running total, flag and
report uses one of the two (tests/ledger/test_rules.py holds them to each other)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from witness.ledger.models import SupportApproval, SupportCategory, SupportItem
from witness.ledger.money import CENT
from witness.people.models import Phase, Witness


def counts(item: SupportItem, approved_ids: set[int], by_id: dict[int, SupportItem]) -> bool:
    """An item counts once approved (or when it needs no approval); a reversal counts when the
    item it reverses counts, so a pending item reversed nets to nothing either way."""
    if item.reverses_id is not None:
        original = by_id.get(item.reverses_id)
        return original is not None and counts(original, approved_ids, by_id)
    return not item.needs_approval or item.id in approved_ids


class Counted:
    """``counts`` in SQL, for the entries (``SupportItem``) of a query: ``joined(query)`` adds
    the two outer joins it reads, and ``condition`` is true for an entry that counts."""

    def __init__(self) -> None:
        #: the entry a reversal reverses (no row for an item)
        self.original = aliased(SupportItem)
        #: the approval that decides: the item's own; for a reversal, its original's
        self.approval = aliased(SupportApproval)

    def joined(self, query: Select) -> Select:
        """``query`` with the outer joins ``condition`` reads (each at most one row: the
        original by its key, the approval by its unique ``item_id``)."""
        deciding = func.coalesce(SupportItem.reverses_id, SupportItem.id)
        return query.outerjoin(
            self.original, self.original.id == SupportItem.reverses_id
        ).outerjoin(self.approval, self.approval.item_id == deciding)

    @property
    def condition(self) -> ColumnElement[bool]:
        """True when the entry counts: the deciding item (the entry, or the one it reverses)
        needs no approval, or is approved. Never NULL."""
        needs = func.coalesce(self.original.needs_approval, SupportItem.needs_approval)
        return or_(needs.is_(False), self.approval.id.is_not(None))


@dataclass
class Totals:
    """Sums per currency of what counts, by category and by phase, and what is pending."""

    total: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_category: dict[tuple[SupportCategory, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )
    by_phase: dict[tuple[Phase, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    pending: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(
        self,
        category: SupportCategory,
        phase: Phase,
        currency: str,
        value: Decimal,
        *,
        counted: bool,
        reversal: bool,
        reversed_: bool,
    ) -> None:
        """Add an entry (or a sum of like entries): to the totals when it counts, else to what
        awaits approval, unless it is a reversal or reversed (that nets to nothing)."""
        if counted:
            self.total[currency] += value
            self.by_category[(category, currency)] += value
            self.by_phase[(phase, currency)] += value
        elif not reversal and not reversed_:
            self.pending[currency] += value


def totals(items: Iterable[SupportItem], approved_ids: set[int]) -> Totals:
    """What counts, and what awaits approval: an item reversed before it was approved awaits
    nothing (its reversal cancels it either way)."""
    items = list(items)
    by_id = {i.id: i for i in items}
    reversed_ids = {i.reverses_id for i in items if i.reverses_id is not None}
    result = Totals()
    for item in items:
        result.add(
            item.category,
            item.phase,
            item.currency,
            item.value,
            counted=counts(item, approved_ids, by_id),
            reversal=item.reverses_id is not None,
            reversed_=item.id in reversed_ids,
        )
    return result


def summed_totals(session: Session, *where) -> Totals:
    """``totals`` of the entries matching ``where`` (conditions on the entry or its
    ``Witness``), summed by the database: a case of 10,000 entries comes back as a few dozen
    (category, phase, currency) rows."""
    rule, reversal = Counted(), aliased(SupportItem)
    counted = rule.condition.label("counted")
    is_reversal = SupportItem.reverses_id.is_not(None).label("is_reversal")
    is_reversed = reversal.id.is_not(None).label("is_reversed")
    groups = (SupportItem.category, SupportItem.phase, SupportItem.currency)
    query = select(*groups, counted, is_reversal, is_reversed, func.sum(SupportItem.value))
    rows = session.execute(
        rule.joined(query.join(Witness, Witness.id == SupportItem.witness_id))
        .outerjoin(reversal, reversal.reverses_id == SupportItem.id)
        .where(*where)
        .group_by(*groups, counted, is_reversal, is_reversed)
    ).all()
    result = Totals()
    for category, phase, currency, counts_, a_reversal, reversed_, value in rows:
        result.add(
            category,
            phase,
            currency,
            Decimal(value).quantize(CENT),
            counted=bool(counts_),
            reversal=bool(a_reversal),
            reversed_=bool(reversed_),
        )
    return result


def approved_ids(session: Session, item_ids: Iterable[int]) -> set[int]:
    ids = list(item_ids)
    if not ids:
        return set()
    return set(
        session.scalars(select(SupportApproval.item_id).where(SupportApproval.item_id.in_(ids)))
    )
