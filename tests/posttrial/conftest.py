"""A victim after trial: ``world.assigned`` in ``world.case``, sentenced with a compensation
order, and the clock frozen on 10 March 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.outcomes.models import EventKind, SentenceKind

from ..api.conftest import api, token_for  # noqa: F401  (the API's fixtures)


@pytest.fixture
def after(world, make_event, frozen_clock):
    """``world`` with a guilty verdict and a custodial sentence ordering 1,000.00 GBP
    compensation in ``world.case``."""
    world.verdict = make_event(world.case, EventKind.verdict, effective_date=date(2026, 3, 2))
    world.sentence = make_event(
        world.case,
        EventKind.sentence,
        effective_date=date(2026, 3, 5),
        sentence_kind=SentenceKind.custody,
        sentence_months=30,
        compensation_amount=Decimal("1000.00"),
        compensation_currency="GBP",
    )
    world.witness = world.assigned
    return world


@pytest.fixture
def audit_actions(db):
    """``audit_actions(witness_id)``: the audit log's actions about the witness, in order."""

    def read(witness_id: int) -> list[str]:
        return list(
            db.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.witness_id == witness_id)
                .order_by(AuditEvent.id)
            )
        )

    return read
