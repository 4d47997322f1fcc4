"""An officer's overdue reviews are read from their own witnesses, not along every open review
in the country: at national scale 7,500 reviews are overdue, and SQLite's statistics (half the
reviews open, the rest each with an instant of its own) make "done_dt IS NULL" look rare, so
the planner walked them all through the by-due-date index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from witness.risk import queries
from witness.risk.models import ReviewSource, RiskReview

from ..sql_plan import sqlite_plan


def test_an_officers_overdue_list_starts_from_their_witnesses(db, world):
    others = [w.id for w in (world.unassigned, world.shared, world.shared_identity)]
    today = date(2026, 12, 6)
    rows = []
    for n in range(600):  # the country's reviews: half done, each at its own instant
        done = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n) if n % 2 else None
        rows.append(dict(witness_id=others[n % 3], source=ReviewSource.scheduled.name,
                         key=f"other:{n}", due_date=today - timedelta(days=1 + n % 90),
                         reason="-", created_dt=datetime(2026, 1, 1, tzinfo=UTC),
                         done_dt=done))  # fmt: skip
    db.execute(RiskReview.__table__.insert(), rows)
    mine = RiskReview(witness_id=world.assigned.id, source=ReviewSource.scheduled, key="mine",
                      due_date=today - timedelta(days=3), reason="Medium risk")  # fmt: skip
    db.add(mine)
    db.flush()
    query = queries.reviews_query(world.officer, "mine", "overdue", today)
    plan = sqlite_plan(db, query)
    assert "ix_risk_reviews_witness_open" in plan and "ix_risk_reviews_open_due" not in plan, plan
    assert list(db.scalars(query)) == [mine]


def test_two_unindexed_columns_are_two_statements(db, world):
    """The statement cache tells ``unindexed(a)`` from ``unindexed(b)``: a cached statement for
    one column must never answer for another."""
    from sqlalchemy import func, select

    from witness.db import unindexed

    review = RiskReview(witness_id=world.assigned.id, source=ReviewSource.scheduled, key="k",
                        due_date=date(2026, 12, 1), reason="-")  # fmt: skip
    db.add(review)
    db.flush()

    def count(column) -> int:
        query = select(func.count()).select_from(RiskReview).where(unindexed(column).is_(None))
        return db.scalar(query.where(RiskReview.id == review.id))

    assert count(RiskReview.done_dt) == 1  # open
    assert count(RiskReview.created_dt) == 0  # it has one
    assert count(RiskReview.done_dt) == 1
