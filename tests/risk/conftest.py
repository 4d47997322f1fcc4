"""A witness at risk: ``world.assigned`` in ``world.case`` (a London court), assigned to
``world.officer``, and the clock frozen on Tuesday 10 March 2026, 09:00 UTC."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.risk.instrument import factors_of
from witness.risk.models import RiskReview

from ..api.conftest import api, token_for  # noqa: F401  (the API's fixtures)


@pytest.fixture
def risk(world, frozen_clock):
    world.witness = world.assigned
    world.clock = frozen_clock
    return world


def answers_with(present=(), unknown=(), version: str = "v1", notes=None):
    """Answers for every factor of ``version``: ``present`` present, ``unknown`` unknown, the
    rest absent; (answer, note) per key as the services take them."""
    notes = notes or {}
    given = {}
    for factor in factors_of(version):
        answer = (
            "present" if factor.key in present else "unknown" if factor.key in unknown else "absent"
        )
        given[factor.key] = (answer, notes.get(factor.key, ""))
    return given


@pytest.fixture
def open_reviews(db):
    """``open_reviews(witness)``: (source, due date, reason) of the witness's open reviews."""

    def read(witness):
        rows = db.scalars(
            select(RiskReview)
            .where(RiskReview.witness_id == witness.id, RiskReview.done_dt.is_(None))
            .order_by(RiskReview.due_date, RiskReview.id)
        )
        return [(r.source.value, r.due_date, r.reason) for r in rows]

    return read


@pytest.fixture
def audit_actions(db):
    def read(witness_id: int) -> list[str]:
        return list(
            db.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.witness_id == witness_id)
                .order_by(AuditEvent.id)
            )
        )

    return read
