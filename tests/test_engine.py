"""How the app connects: settings each database connection starts with."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.mark.postgres
def test_postgresql_connections_do_not_compile_queries_to_machine_code(db):
    """JIT compiling cost the dashboard's queries 15-20 ms each and saved nothing."""
    if db.bind.dialect.name != "postgresql":
        pytest.skip("runs on PostgreSQL only")
    assert db.scalar(text("SHOW jit")) == "off"


def test_sqlite_connections_enforce_foreign_keys_and_write_ahead(db):
    if db.bind.dialect.name != "sqlite":
        pytest.skip("runs on SQLite only")
    assert db.scalar(text("PRAGMA foreign_keys")) == 1
    assert db.scalar(text("PRAGMA journal_mode")) == "wal"
