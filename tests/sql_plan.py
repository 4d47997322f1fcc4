"""What SQLite's planner would do with a query, after ANALYZE has gathered its statistics."""

from __future__ import annotations

import pytest
from sqlalchemy import Select, text


def sqlite_plan(db, query: Select) -> str:
    """``EXPLAIN QUERY PLAN`` of ``query`` (its values inlined), after ``ANALYZE``: the plan the
    app gets on a database whose statistics are gathered, as they are at national scale."""
    if db.bind.dialect.name != "sqlite":
        pytest.skip("SQLite's planner statistics; PostgreSQL's keep a null fraction")
    db.execute(text("ANALYZE"))
    sql = str(query.compile(db.bind, compile_kwargs={"literal_binds": True}))
    return " ".join(str(row[-1]) for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
