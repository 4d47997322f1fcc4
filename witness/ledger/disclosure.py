"""The disclosure report: every ledger entry of a case or a witness, as a PDF and as a CSV.

``disclosure_rows`` reads the entries in chain order (streamed); ``disclosure_pdf.render_pdf``
(and ``disclosure_csv.render_csv``) turn plain rows into bytes and text without touching the
database, so they are unit-tested by parsing their output back, and
``disclosure_pdf.layout_floor`` lays out the same table alone for the benchmark.
Witnesses appear by their reference (pseudonym), never by their legal name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from witness.auth.models import Organisation, User
from witness.cases.models import Case
from witness.ledger.models import SupportApproval, SupportCategory, SupportItem
from witness.ledger.services import ChainStatus
from witness.ledger.totals import Counted
from witness.people.models import NeedsAssessment, Phase, Witness


@dataclass(frozen=True)
class DisclosureRow:
    """One ledger entry as the report shows it: names, labels and links already resolved."""

    entry: int  #: the entry's number: its position in the case's chain, as everywhere
    case: str
    case_id: int
    date_provided: date
    witness: str  #: the witness's reference, never their legal name
    category: SupportCategory
    description: str
    quantity: Decimal
    unit: str
    value: Decimal
    currency: str
    rationale: str
    linked_need: str
    provider: str
    recorded_by: str
    needs_approval: bool
    approved_by: str | None
    approved_on: date | None
    #: the approval's own number in the chain
    approval_entry: int | None
    #: the numbers of the entry this one reverses, and of the entry reversing this one
    reverses: int | None
    reversal_reason: str
    reversed_by: int | None
    reversed_by_reason: str
    phase: Phase
    #: approved or not needing approval (for a reversal: the entry it reverses counts)
    counts: bool

    @property
    def approval(self) -> str:
        if self.approved_by is not None:
            return f"approved by {self.approved_by} on {self.approved_on:%d %b %Y}" + (
                f" (entry {self.approval_entry})" if self.approval_entry else ""
            )
        if self.reverses is not None or not self.needs_approval:
            return "not required"
        if self.reversed_by is not None:
            return "not required: reversed before approval"
        return "pending"

    @property
    def reversal(self) -> str:
        parts = []
        if self.reverses is not None:
            parts.append(f"reverses entry {self.reverses}: {self.reversal_reason}")
        if self.reversed_by is not None:
            parts.append(f"reversed by entry {self.reversed_by}: {self.reversed_by_reason}")
        return "; ".join(parts)


def _entries_query(
    case_id: int | None, witness_id: int | None, visible: ColumnElement[bool] | None
) -> Select:
    """The columns of a report's rows, in the order ``_as_row`` takes them."""
    recorder, approver, reversal = aliased(User), aliased(User), aliased(SupportItem)
    rule = Counted()  # its join of the entry a reversal reverses gives that entry's number
    query = select(
        SupportItem.chain_seq.label("entry"),
        Case.reference.label("case"),
        SupportItem.case_id,
        SupportItem.date_provided,
        Witness.reference.label("witness"),
        SupportItem.category,
        SupportItem.description,
        SupportItem.quantity,
        SupportItem.unit,
        SupportItem.value,
        SupportItem.currency,
        SupportItem.rationale,
        NeedsAssessment.area.label("need_area"),
        Organisation.name.label("provider"),
        recorder.name.label("recorded_by"),
        SupportItem.needs_approval,
        approver.name.label("approved_by"),
        SupportApproval.approved_dt,
        SupportApproval.chain_seq.label("approval_entry"),
        rule.original.chain_seq.label("reverses"),
        SupportItem.reversal_reason,
        reversal.chain_seq.label("reversed_by"),
        reversal.reversal_reason.label("reversed_by_reason"),
        SupportItem.phase,
        rule.condition.label("counts"),
    )
    query = (
        rule.joined(query)
        .join(Case, Case.id == SupportItem.case_id)
        .join(Witness, Witness.id == SupportItem.witness_id)
        .join(Organisation, Organisation.id == SupportItem.provider_organisation_id)
        .join(recorder, recorder.id == SupportItem.recorded_by_id)
        .outerjoin(NeedsAssessment, NeedsAssessment.id == SupportItem.need_id)
        .outerjoin(SupportApproval, SupportApproval.item_id == SupportItem.id)  # its own
        .outerjoin(approver, approver.id == SupportApproval.approved_by_id)
        .outerjoin(reversal, reversal.reverses_id == SupportItem.id)
    )
    if case_id is not None:
        query = query.where(SupportItem.case_id == case_id)
    else:
        query = query.where(SupportItem.witness_id == witness_id)
    if visible is not None:
        query = query.where(visible)
    return query.order_by(SupportItem.case_id, SupportItem.chain_seq)


def disclosure_rows(
    session: Session,
    *,
    case_id: int | None = None,
    witness_id: int | None = None,
    visible: ColumnElement[bool] | None = None,
) -> Iterator[DisclosureRow]:
    """The entries of a case (all its witnesses) or of a witness, in chain order, streamed.

    ``visible`` is an optional SQL condition on ``Witness`` (need to know) that leaves out the
    entries of witnesses the reader may not see.
    """
    if (case_id is None) == (witness_id is None):
        raise ValueError("give a case or a witness")
    query = _entries_query(case_id, witness_id, visible)
    result = session.execute(query.execution_options(yield_per=1000))
    with result:
        for columns in result:
            yield _as_row(*columns)  # by position: reading a row's columns by name costs a
            # third of the report's time at 10,000 entries


def _as_row(
    entry, case, case_id, date_provided, witness, category, description, quantity, unit, value,
    currency, rationale, need_area, provider, recorded_by, needs_approval, approved_by,
    approved_dt, approval_entry, reverses, reversal_reason, reversed_by, reversed_by_reason,
    phase, counts,
) -> DisclosureRow:  # fmt: skip
    """A row of ``_entries_query`` (its columns in order) as the report shows it."""
    return DisclosureRow(
        entry=entry,
        case=case,
        case_id=case_id,
        date_provided=date_provided,
        witness=witness,
        category=category,
        description=description,
        quantity=quantity,
        unit=unit,
        value=value,
        currency=currency,
        rationale=rationale,
        linked_need=need_area.label if need_area is not None else "",
        provider=provider,
        recorded_by=recorded_by,
        needs_approval=needs_approval,
        approved_by=approved_by,
        approved_on=approved_dt.date() if approved_dt is not None else None,
        approval_entry=approval_entry,
        reverses=reverses,
        reversal_reason=reversal_reason or "",
        reversed_by=reversed_by,
        reversed_by_reason=reversed_by_reason or "",
        phase=phase,
        counts=bool(counts),
    )


# --- totals -----------------------------------------------------------------------------------


@dataclass
class DisclosureTotals:
    """What counts, per currency, by category and by phase; what is pending, per currency."""

    entries: int = 0
    total: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_category: dict[tuple[SupportCategory, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )
    by_phase: dict[tuple[Phase, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    pending: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    pending_entries: list[int] = field(default_factory=list)
    #: the period the entries cover, and the witnesses they are of (by reference)
    first: date | None = None
    last: date | None = None
    witnesses: set[str] = field(default_factory=set)

    def add(self, row: DisclosureRow) -> None:
        self.entries += 1
        self.first = min(self.first or row.date_provided, row.date_provided)
        self.last = max(self.last or row.date_provided, row.date_provided)
        self.witnesses.add(row.witness)
        if row.counts:
            self.total[row.currency] += row.value
            self.by_category[(row.category, row.currency)] += row.value
            self.by_phase[(row.phase, row.currency)] += row.value
        elif row.reverses is None and row.reversed_by is None:
            self.pending[row.currency] += row.value
            self.pending_entries.append(row.entry)


def money(value: Decimal, currency: str) -> str:
    """``1,234.50 GBP``."""
    return f"{value:,.2f} {currency}"


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What a report says of one case's chain: the full check's verdict and, for a reader who
    sees every entry of the case, its anchor (length and head hash), against which a copy of
    the report held by the court or the defence can later prove the ledger was not rewritten.
    A reader who sees only some witnesses is given neither the length nor the head: both would
    count entries of witnesses they may not see."""

    reference: str
    status: ChainStatus
    #: the reader sees every entry of the case
    whole: bool = True

    @property
    def anchor(self) -> tuple[int, str] | None:
        """(entries, head hash), when the chain is whole-checked and the reader sees it all."""
        if not self.whole or not self.status.intact or not self.status.length:
            return None
        return self.status.length, self.status.last_hash


@dataclass(frozen=True)
class ReportHeading:
    """What the report is of, who made it and when, and what the chain check found; the title
    block's court, case reference(s) and witness (a reference, never a legal name): for a case,
    the witnesses are those its entries name."""

    subject: str  #: "case T00001" or "witness VW-00012"
    generated_by: str
    generated_at: datetime  #: already in the court's timezone
    chains: list[ChainReport]  #: one for each chain covered
    note: str = ""
    court: str = ""
    case_reference: str = ""  #: "T00001" (a witness's report: each case, comma-separated)
    witness: str = ""  #: a witness's report: its reference

    @property
    def title(self) -> str:
        return f"Support ledger disclosure — {self.subject}"


def chain_lines(report: ChainReport) -> list[str]:
    """The chain check's verdict on one case, as the report states it: every broken entry."""
    status, name = report.status, f"Chain check, case {report.reference}"
    lines = []
    if status.broken:
        lines.append(f"{name}: BROKEN: {len(status.broken)} problem(s) found.")
        lines += [f"BROKEN at {problem}." for problem in status.broken]
    elif status.unverifiable:
        lines.append(f"{name}: NOT VERIFIABLE with the keys at hand.")
    elif not report.whole:
        lines.append(
            f"{name}: intact (every entry of the case checked; this report lists those of "
            "the witnesses its author may see, and the lead prosecutor's gives the anchor)."
        )
    else:
        lines.append(f"{name}: intact.")
    lines += [f"NOT VERIFIABLE: {problem}." for problem in status.unverifiable]
    if status.unkeyed or status.unchained_approvals:
        lines.append(
            f"{status.unkeyed} entries and {status.unchained_approvals} approvals were recorded "
            "before keyed hashes: they are consistent, but someone with database access could "
            "have rewritten them before the chain's first checkpoint."
        )
    if report.anchor:
        entries, head = report.anchor
        lines.append(f"Anchor, case {report.reference}: {entries} entries, head hash {head}.")
    return lines
