"""The disclosure report as CSV: the same rows as the PDF (``disclosure.disclosure_rows``), one
line each, amounts as plain numbers that sum, every text cell neutralised against formula
injection, and each chain's anchor on its rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from witness.ledger.disclosure import DisclosureRow

CSV_HEADER = (
    "entry",
    "case",
    "date_provided",
    "witness",
    "category",
    "description",
    "quantity",
    "unit",
    "value",
    "currency",
    "rationale",
    "linked_need",
    "provider",
    "recorded_by",
    "approval",
    "approved_by",
    "approved_on",
    "approval_entry",
    "reverses_entry",
    "reversed_by_entry",
    "reversal_reason",
    "phase",
    "chain_entries",
    "chain_head",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A spreadsheet must not run a cell as a formula: quote anything that could start one."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def render_csv(
    rows: Iterable[DisclosureRow], anchors: Mapping[int, tuple[int, str]] | None = None
) -> str:
    """The same rows as the PDF, one line each after a header. Amounts are written as plain
    numbers (a reversal's negative value included) so that they sum; every text cell is
    neutralised against formula injection. ``anchors``: each case's (entries, head hash), put
    on each of its rows (blank for a reader who may not have them; see ``ChainReport``)."""
    anchors = anchors or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        n = neutralise
        reason = row.reversal_reason if row.reverses is not None else row.reversed_by_reason
        entries, head = anchors.get(row.case_id, ("", ""))
        writer.writerow(
            [
                row.entry,
                n(row.case),
                row.date_provided.isoformat(),
                n(row.witness),
                n(row.category.label),
                n(row.description),
                f"{row.quantity:.2f}",
                n(row.unit),
                f"{row.value:.2f}",
                n(row.currency),
                n(row.rationale),
                n(row.linked_need),
                n(row.provider),
                n(row.recorded_by),
                "approved" if row.approved_by else row.approval,
                n(row.approved_by or ""),
                row.approved_on.isoformat() if row.approved_on else "",
                row.approval_entry or "",
                row.reverses or "",
                row.reversed_by or "",
                n(reason),
                row.phase.label,
                entries,
                head,
            ]
        )
    return out.getvalue()
