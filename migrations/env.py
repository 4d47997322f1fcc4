"""Alembic environment: one history for SQLite and PostgreSQL (batch mode on SQLite)."""

import os
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

import witness.models  # noqa: F401  (registers every table on Base.metadata)
from witness.db import Base, make_engine
from witness.people.search import described_by_models

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or os.environ.get("WITNESS_DATABASE_URL")
    if url:
        return url
    instance = Path(__file__).resolve().parent.parent / "instance"
    return f"sqlite:///{instance / 'witness.sqlite3'}"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=described_by_models,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table to change its CHECK constraints; with foreign keys
            # enforced, dropping the old table that other rows refer to would fail. The
            # pragma only works outside a transaction, so it is set before the migration
            # begins, and every reference is checked once it has ended (Alembic's docs,
            # "Dealing with Referencing Foreign Keys").
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            raw = connection.connection.driver_connection
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"the migration left rows referring to nothing: {broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
