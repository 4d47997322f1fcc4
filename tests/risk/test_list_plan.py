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


def test_unindexed_statements_are_cached_each_by_its_column(db, world):
    """The list's statement stays in SQLAlchemy's statement cache (an element without a cache
    key turns the cache off for every statement holding it), keyed by the column, so a cached
    statement for one column never answers for another."""
    from sqlalchemy import func, select

    from witness.db import unindexed

    review = RiskReview(witness_id=world.assigned.id, source=ReviewSource.scheduled, key="k",
                        due_date=date(2026, 12, 1), reason="-")  # fmt: skip
    db.add(review)
    db.flush()

    def query(column):
        where = (unindexed(column).is_(None), RiskReview.id == review.id)
        return select(func.count()).select_from(RiskReview).where(*where)

    open_, created = query(RiskReview.done_dt), query(RiskReview.created_dt)
    keys = open_._generate_cache_key(), created._generate_cache_key()
    assert None not in keys and keys[0] != keys[1]
    assert [db.scalar(open_), db.scalar(created), db.scalar(open_)] == [1, 0, 1]
