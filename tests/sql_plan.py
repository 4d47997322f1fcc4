"""What SQLite's planner does with a query as the app sends it, after ANALYZE has gathered
its statistics: the statement and its bound values are caught on their way to the driver,
then explained (a value written into the SQL would let the planner see what a bound one
hides, such as whether a partial index applies)."""

from __future__ import annotations

import pytest
from sqlalchemy import Select, event, text


def _sent(db, query: Select) -> tuple[str, object]:
    """The statement and parameters the driver gets for ``query``, after ``ANALYZE``."""
    if db.bind.dialect.name != "sqlite":
        pytest.skip("SQLite's planner statistics; PostgreSQL's keep a null fraction")
    db.execute(text("ANALYZE"))
    connection = db.connection()
    sent: list = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", catch)
    try:
        db.execute(query).all()
    finally:
        event.remove(connection, "before_cursor_execute", catch)
    return sent[-1]


def sqlite_plan(db, query: Select) -> str:
    """``EXPLAIN QUERY PLAN`` of ``query`` with the app's own statement and parameters."""
    statement, parameters = _sent(db, query)
    plan = db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return " ".join(str(row[-1]) for row in plan)


def tables_read(db, query: Select) -> set[str]:
    """The tables whose rows ``query`` reads (not only their indexes), from the statement's
    bytecode."""
    statement, parameters = _sent(db, query)
    connection = db.connection()
    roots = dict(connection.exec_driver_sql(
        "SELECT rootpage, name FROM sqlite_master WHERE type = 'table'"
    ).all())  # fmt: skip
    program = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    # (addr, opcode, p1, p2, ...): OpenRead p1 is a cursor on root page p2; a table's row is
    # read when a Column opcode reads its cursor (a deferred seek alone reads nothing)
    cursors = {row[2]: roots[row[3]] for row in program if row[1] == "OpenRead" and row[3] in roots}
    return {cursors[row[2]] for row in program if row[1] == "Column" and row[2] in cursors}
