"""Helpers the ledger tests share: recording an item with defaults, and tampering."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import text

from witness.ledger import services
from witness.ledger.disclosure import DisclosureRow
from witness.ledger.models import SupportCategory
from witness.people.models import Phase


def record(db, actor, witness, case, **kw):
    """Record an item through the service; ``kw`` overrides the defaults."""
    fields = dict(
        case_id=case.id,
        category=SupportCategory.transport,
        description="Return bus fare to the shelter",
        quantity="2",
        unit="trips",
        value="12.50",
        currency="GBP",
        date_provided=date(2026, 3, 9),
        rationale="Travel to the pre-trial meeting",
    )
    fields.update(kw)
    return services.record_item(db, actor, witness, **fields)


def drop_update_guard(db) -> None:
    """What someone with database access could do: drop the trigger that refuses UPDATE on the
    ledger (inside the test's transaction, so it comes back afterwards)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("DROP TRIGGER support_items_append_only ON support_items"))
    else:
        db.execute(text("DROP TRIGGER support_items_no_update"))


def is_postgresql(db) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def drop_guards(db) -> None:
    """Drop every trigger that keeps the ledger append-only (items, approvals, checkpoints), as
    someone who owns the database could; rolled back with the test. Needs ``db_owner``."""
    for table in ("support_items", "support_approvals", "ledger_checkpoints"):
        if is_postgresql(db):
            db.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            db.execute(text(f"DROP TRIGGER {table}_no_update"))
            db.execute(text(f"DROP TRIGGER {table}_no_delete"))


def pdf_pages(body: bytes) -> list[str]:
    """Each page's text, with runs of white space made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages]


#: one row of a disclosure report, to vary with ``dataclasses.replace``
DISCLOSURE_ROW = DisclosureRow(
    entry=1,
    case="T00001",
    case_id=1,
    date_provided=date(2026, 3, 2),
    witness="VW-00012",
    category=SupportCategory.transport,
    description="Return bus fare to the shelter",
    quantity=Decimal("2"),
    unit="trips",
    value=Decimal("12.50"),
    currency="GBP",
    rationale="Travel to the pre-trial meeting",
    linked_need="",
    provider="Safe Harbour",
    recorded_by="Jo Bloggs",
    needs_approval=False,
    approved_by=None,
    approved_on=None,
    approval_entry=None,
    reverses=None,
    reversal_reason="",
    reversed_by=None,
    reversed_by_reason="",
    phase=Phase.trial,
    counts=True,
)
