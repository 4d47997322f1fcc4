"""Run the Alembic migrations from the app (CLI and tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, make_url, text

from witness.db import make_engine
from witness.paths import ROOT


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str | None = None, connection: Connection | None = None) -> None:
    """Bring the database to the newest revision. On SQLite, after a revision that overwrote
    values (``attributes["vacuum"]``: 0034 encrypted them), ``VACUUM`` and an emptied
    write-ahead log leave none of the old plaintext in the file's free pages."""
    config = alembic_config(url, connection)
    command.upgrade(config, "head")
    if config.attributes.get("vacuum") and connection is None:
        vacuum_sqlite(url or config.attributes.get("url"))


def vacuum_sqlite(url: str | None) -> None:
    """Rewrite a SQLite file without its free pages, and empty its write-ahead log."""
    if not url or make_url(url).get_backend_name() != "sqlite":
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


#: tables the application may read and add to but never change, delete from or empty: the
#: evidence (the support ledger and its checkpoints) and the audit log
APPEND_ONLY_TABLES = ("support_items", "support_approvals", "ledger_checkpoints", "audit_events")
#: the only columns of an audit event the application may set, once: its seal (``audit.chain``)
AUDIT_SEAL_COLUMNS = ("seq", "prev_mac", "mac", "key_id")


def app_role(owner_url: str, app_url: str) -> str | None:
    """The application's PostgreSQL role when it is not the tables' owner (None otherwise:
    SQLite, or one role for both)."""
    owner, app = make_url(owner_url), make_url(app_url)
    if app.get_backend_name() != "postgresql" or not app.username:
        return None
    return app.username if app.username != owner.username else None


def grant_app_role(connection: Connection, role: str) -> None:
    """As the owner: give ``role`` what the application needs and no more. It owns nothing (so
    it cannot drop or disable a trigger, alter a table or truncate one); it may read and write
    every table except the append-only ones, which it may only read and add to (and set an
    audit event's seal); it uses the sequences. Run after every migration (new tables get their
    grants)."""
    name = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"REVOKE UPDATE, DELETE ON {', '.join(APPEND_ONLY_TABLES)} FROM {name}",
        # the sealer sets an audit event's seal, once (a trigger refuses any other change)
        f"GRANT UPDATE ({', '.join(AUDIT_SEAL_COLUMNS)}) ON audit_events TO {name}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
    ):
        connection.execute(text(statement))


def upgrade_and_grant(owner_url: str, app_url: str) -> str | None:
    """Migrate as the owner, gather planner statistics, and grant the application's role (if
    it is another); returns that role."""
    upgrade(owner_url)
    role = app_role(owner_url, app_url)
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            # Fresh planner statistics: SQLite gathers none by itself, and the need-to-know
            # queries depend on them to read the short list of a person's witnesses first.
            connection.execute(text("ANALYZE"))
            if role is not None:
                grant_app_role(connection, role)
    finally:
        engine.dispose()
    return role
