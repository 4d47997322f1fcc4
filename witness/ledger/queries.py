"""What the ledger's pages read: an entry named in a URL (through need to know), a witness's
ledger with its running totals, a case's ledger and its totals, each chain's badge, the open
needs an item may meet, and the supervisors' queue of flags. What counts is
``totals.Counted``'s to say; who may do what, ``services``' and ``core.access``'s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Row, Select, exists, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case
from witness.core.access import sees_every_witness_of, visible_witnesses
from witness.core.errors import NotFound
from witness.db import unindexed
from witness.ledger import services, totals
from witness.ledger.models import FlagRule, LedgerFlag, SupportApproval, SupportItem
from witness.people.models import NeedsAssessment, Witness

#: a witness's ledger is filtered by one of these
STATUSES = ("all", "pending", "approved")


# --- one entry --------------------------------------------------------------------------------


def open_needs(session: Session, witness: Witness) -> list[NeedsAssessment]:
    """The witness's open needs, soonest review first: what an item recorded may meet."""
    return list(
        session.scalars(
            select(NeedsAssessment)
            .where(NeedsAssessment.witness_id == witness.id, NeedsAssessment.is_open.is_(True))
            .order_by(NeedsAssessment.review_date, NeedsAssessment.id)
        )
    )


# --- a chain's badge --------------------------------------------------------------------------


@dataclass
class ChainBadge:
    """A chain's state as a page shows it to the current user: the number of entries is the
    chain's length only for someone who sees every witness of the case (the count must not
    include entries of witnesses the user may not see)."""

    case: Case
    status: services.ChainStatus
    whole: bool
    shown: int


def chain_badges(session: Session, actor: User, case_ids: Iterable[int]) -> list[ChainBadge]:
    """The badge of each case's chain, as ``actor`` may be told of it."""
    badges = []
    for case_id in case_ids:
        case = session.get(Case, case_id)
        status = services.page_chain_status(session, case_id)
        whole = sees_every_witness_of(actor, case)
        shown = status.length if whole else services.visible_chain_entries(session, actor, case_id)
        badges.append(ChainBadge(case, status, whole, shown))
    return badges


# --- a witness's ledger -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a witness's ledger page lists: a category (its value, or all), a status (one of
    ``STATUSES``) and the dates provided between ``start`` and ``end``."""

    category: str = ""
    status: str = "all"
    start: date | None = None
    end: date | None = None


@dataclass
class LedgerPage:
    """The pager of a witness's ledger: which page of the entries that match is shown."""

    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.per_page))
        self.page = min(max(self.page, 1), self.pages)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, ids: list[int]) -> list[int]:
        return ids[(self.page - 1) * self.per_page : self.page * self.per_page]


@dataclass
class WitnessLedger:
    """A witness's ledger as its page shows it: the shown page's entries loaded in full, and
    over every entry the running totals, the totals, each entry's number in its chain, which
    are approved and which reversed (by which entry, and why)."""

    items: list[SupportItem]
    page: LedgerPage
    all_count: int
    approved: set[int]
    reversed_by: dict[int, tuple[int, str]]
    number: dict[int, int]
    running: dict[int, Decimal]
    figures: totals.Totals
    several_cases: bool


def _light_entries(session: Session, witness_id: int) -> list[Row]:
    """Every entry of the witness in date order, a few columns each, with whether it is
    approved and whether it counts (``totals.Counted``): a witness in a long case can have
    thousands, and only the page shown is loaded in full."""
    rule = totals.Counted()
    query = select(
        SupportItem.id,
        SupportItem.category,
        SupportItem.date_provided,
        SupportItem.currency,
        SupportItem.value,
        SupportItem.reverses_id,
        SupportItem.reversal_reason,
        SupportItem.phase,
        SupportItem.chain_seq,
        SupportItem.case_id,
        SupportApproval.id.is_not(None).label("approved"),
        rule.condition.label("counted"),
    ).outerjoin(SupportApproval, SupportApproval.item_id == SupportItem.id)
    query = rule.joined(query).where(SupportItem.witness_id == witness_id)
    return session.execute(query.order_by(SupportItem.date_provided, SupportItem.id)).all()


def _listed(entry: Row, filters: Filters, reversed_by: dict) -> bool:
    """Whether the filters admit the entry; pending: an item that does not count yet, and
    was not reversed (the totals' "awaiting approval")."""
    if filters.category and entry.category.value != filters.category:
        return False
    if (filters.start and entry.date_provided < filters.start) or (
        filters.end and entry.date_provided > filters.end
    ):
        return False
    if filters.status == "pending":
        return not entry.counted and entry.reverses_id is None and entry.id not in reversed_by
    return filters.status != "approved" or bool(entry.approved)


def _loaded(session: Session, ids: list[int]) -> list[SupportItem]:
    """The entries ``ids`` in full, in that order: one query (each relation is one row)."""
    query = (
        select(SupportItem)
        .where(SupportItem.id.in_(ids))
        .options(
            joinedload(SupportItem.need),
            joinedload(SupportItem.provider),
            joinedload(SupportItem.recorded_by),
            joinedload(SupportItem.approval).joinedload(SupportApproval.approved_by),
        )
    )
    by_id = {item.id: item for item in session.scalars(query)}
    return [by_id[i] for i in ids]


def witness_ledger(
    session: Session, witness: Witness, filters: Filters, page: int, per_page: int
) -> WitnessLedger:
    """The witness's ledger: one light pass over every entry for the running totals (per
    currency, in date order) and the filters, then page ``page`` of what matches in full."""
    entries = _light_entries(session, witness.id)
    reversed_by = {
        e.reverses_id: (e.id, e.reversal_reason) for e in entries if e.reverses_id is not None
    }
    figures = totals.Totals()
    running: dict[int, Decimal] = {}
    cumulative: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if e.counted:
            cumulative[e.currency] += e.value
        running[e.id] = cumulative[e.currency]
        figures.add(
            e.category,
            e.phase,
            e.currency,
            e.value,
            counted=bool(e.counted),
            reversal=e.reverses_id is not None,
            reversed_=e.id in reversed_by,
        )
    shown = [e.id for e in entries if _listed(e, filters, reversed_by)]
    pager = LedgerPage(len(shown), page, per_page)
    return WitnessLedger(
        items=_loaded(session, pager.window(shown)),
        page=pager,
        all_count=len(entries),
        approved={e.id for e in entries if e.approved},
        reversed_by=reversed_by,
        number={e.id: e.chain_seq for e in entries},  # its position in its case's chain
        running=running,
        figures=figures,
        several_cases=len({e.case_id for e in entries}) > 1,
    )


# --- a case's ledger --------------------------------------------------------------------------


def case_entries(actor: User, case: Case) -> Select:
    """The case's entries of the witnesses ``actor`` may see, in chain order (for a ``Page``)."""
    return (
        select(SupportItem)
        .join(Witness, Witness.id == SupportItem.witness_id)
        .where(SupportItem.case_id == case.id, visible_witnesses(actor))
        .options(selectinload(SupportItem.witness), selectinload(SupportItem.recorded_by))
        .order_by(SupportItem.chain_seq)
    )


@dataclass
class CaseFigures:
    """What a case's ledger page shows beside its entries: the totals of the entries ``actor``
    may see, and of the shown entries which are approved (with the approval's number in the
    chain) and which reversed."""

    figures: totals.Totals
    approval_entries: dict[int, int | None]
    reversed_ids: set[int]

    @property
    def approved(self) -> set[int]:
        return set(self.approval_entries)

    @property
    def by_category(self) -> list:
        return sorted(self.figures.by_category.items(), key=lambda kv: (kv[0][0].label, kv[0][1]))

    @property
    def by_phase(self) -> list:
        return sorted(self.figures.by_phase.items(), key=lambda kv: (kv[0][0].label, kv[0][1]))


def case_figures(
    session: Session, actor: User, case: Case, shown: list[SupportItem]
) -> CaseFigures:
    """The totals of the case's entries ``actor`` may see, summed by the database, and the
    approvals and reversals of the ``shown`` ones."""
    ids = [item.id for item in shown]
    reversed_ids = select(SupportItem.reverses_id).where(SupportItem.reverses_id.in_(ids))
    return CaseFigures(
        figures=totals.summed_totals(
            session, SupportItem.case_id == case.id, visible_witnesses(actor)
        ),
        approval_entries=services.approval_entries(session, ids),
        reversed_ids=set(session.scalars(reversed_ids)) if ids else set(),
    )


# --- the supervisors' queue of flags ----------------------------------------------------------


def _office_flags(actor: User) -> Select:
    return (
        select(LedgerFlag)
        .join(Witness, Witness.id == LedgerFlag.witness_id)
        .where(Witness.organisation_id == actor.organisation_id)
        .options(joinedload(LedgerFlag.witness), joinedload(LedgerFlag.item))
    )


def flag_queue(actor: User, *, closed: bool, rule: FlagRule | None) -> Select:
    """The flags of ``actor``'s office's witnesses, open ones newest first (or closed ones,
    last closed first), of ``rule`` only when given."""
    query = _office_flags(actor)
    if closed:
        query = query.where(LedgerFlag.closed_dt.is_not(None)).order_by(
            LedgerFlag.closed_dt.desc(), LedgerFlag.id.desc()
        )
    else:
        query = query.where(LedgerFlag.closed_dt.is_(None)).order_by(
            LedgerFlag.raised_dt.desc(), LedgerFlag.id.desc()
        )
    return query if rule is None else query.where(LedgerFlag.rule == rule)


def pending_approvals(actor: User) -> Select:
    """Items of ``actor``'s office's witnesses still awaiting a second person's approval,
    longest waiting first: needing approval, not approved, neither a reversal nor reversed
    (a reversal nets a pending item to nothing). The partial index
    ``ix_support_items_needs_approval`` holds only the items that need one."""
    reversal = aliased(SupportItem)
    return (
        select(SupportItem)
        .join(Witness, Witness.id == SupportItem.witness_id)
        .where(
            SupportItem.needs_approval == True,  # noqa: E712 -- the partial index's own term
            # nearly every entry is no reversal: SQLite would read them all by this key
            unindexed(SupportItem.reverses_id).is_(None),
            Witness.organisation_id == actor.organisation_id,
            ~exists().where(SupportApproval.item_id == SupportItem.id),
            ~exists().where(reversal.reverses_id == SupportItem.id),
        )
        .options(joinedload(SupportItem.witness), joinedload(SupportItem.recorded_by))
        .order_by(SupportItem.recorded_dt, SupportItem.id)
    )


def get_flag(session: Session, actor: User, flag_id: int) -> LedgerFlag:
    """A flag of ``actor``'s office's witnesses; any other (or none) is refused as not found,
    and audited."""
    flag = session.scalar(_office_flags(actor).where(LedgerFlag.id == flag_id))
    if flag is None:
        record_event(
            session, actor, "ledger_flag.refused", object_type="ledger_flag", object_id=flag_id
        )
        raise NotFound("No such flag.")
    return flag
