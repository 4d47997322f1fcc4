"""Dumping and restoring each database: SQLite's online backup API, PostgreSQL's ``pg_dump`` and
``pg_restore``. What a dump holds is described by ``snapshot_facts`` of the very snapshot it
was taken from (the copy itself on SQLite, an exported snapshot on PostgreSQL), so the
manifest's row counts are the dump's, however busy the database was."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from witness.db import SQLITE_BUSY_TIMEOUT_SECONDS, make_engine
from witness.people.search import SEARCH_TABLES


class BackupError(Exception):
    """A backup, restore or check that cannot go on; the message says why and what to do."""


# --- what a database holds ------------------------------------------------------------------


def data_tables(connection: Connection) -> list[str]:
    """The tables that hold data (the search index's tables are rebuilt from them)."""
    return sorted(set(inspect(connection).get_table_names()) - SEARCH_TABLES)


def snapshot_facts(connection: Connection) -> tuple[str | None, dict[str, int]]:
    """The Alembic revision and every data table's row count, as ``connection`` sees them."""
    tables = data_tables(connection)
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    quote = connection.dialect.identifier_preparer.quote
    counts = {
        table: connection.execute(text(f"SELECT count(*) FROM {quote(table)}")).scalar_one()
        for table in tables
    }
    return revision, counts


def holds_data(url: str) -> bool:
    """Whether any table of the database but ``alembic_version`` has a row."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            _, counts = snapshot_facts(connection)
    finally:
        engine.dispose()
    return any(n for table, n in counts.items() if table != "alembic_version")


def engine_name(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {name}.")
    return name


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _sqlite_facts(path: Path) -> tuple[str | None, dict[str, int]]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return snapshot_facts(connection)
    finally:
        engine.dispose()


def dump_sqlite(url: str, dump: Path) -> tuple[str | None, dict[str, int]]:
    """Copy the live database into ``dump`` with the online backup API: one consistent snapshot
    while the application goes on writing (WAL: the copy reads, writers append to the log).
    The copy is made a single self-contained file (no WAL beside it)."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    with (
        closing(sqlite3.connect(source_path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as source,
        closing(sqlite3.connect(dump)) as copy,
    ):
        source.backup(copy)  # all pages in one step: one read transaction, one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")
    return _sqlite_facts(dump)


def check_sqlite_dump(dump: Path) -> tuple[str | None, dict[str, int]]:
    """The decrypted copy is a sound SQLite database; its revision and counts."""
    try:
        with closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as copy:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The backup's database is not a sound SQLite file ({error}).") from None
    if verdict != "ok":
        raise BackupError(f"The backup's database fails SQLite's integrity check: {verdict}")
    return _sqlite_facts(dump)


def restore_sqlite(dump: Path, url: str) -> None:
    """Replace the database at ``url`` with the copy, through the backup API (which takes the
    target's locks, so a process still connected reads either the old or the new database)."""
    target_path = sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(target_path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as target,
    ):
        source.backup(target)


# --- PostgreSQL -------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools (Debian: "
            "postgresql-client) of the server's major version or newer."
        )
    return path


def _conninfo(url: URL) -> str:
    """libpq's connection string for ``url``, without its password (given in PGPASSWORD, so
    it never shows in the process list)."""
    fields = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "dbname": url.database,
        **{k: v for k, v in url.query.items() if isinstance(v, str)},
    }

    def quoted(value) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    return " ".join(f"{key}={quoted(value)}" for key, value in fields.items() if value)


def _run(args: list[str], url: URL) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        name = Path(args[0]).name
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def dump_postgresql(url: str, dump: Path) -> tuple[str | None, dict[str, int]]:
    """``pg_dump --format=custom`` of an exported snapshot, counted in that same snapshot: the
    counting transaction stays open until the dump has read everything."""
    pg_dump, target = _tool("pg_dump"), make_url(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                facts = snapshot_facts(connection)
                _run(
                    [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                     f"--file={dump}", f"--dbname={_conninfo(target)}"],
                    target,
                )  # fmt: skip
    finally:
        engine.dispose()
    return facts


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)


def dump_tables(dump: Path) -> set[str]:
    """The tables a custom-format dump holds (its table of contents)."""
    listing = _run([_tool("pg_restore"), "--list", str(dump)], make_url("postgresql://"))
    return {name for schema, name in _TOC_TABLE.findall(listing) if schema == "public"}


def restore_postgresql(dump: Path, url: str) -> None:
    """``pg_restore`` as the tables' owner, in one transaction (a failure changes nothing): the
    dump's tables dropped and made again, owned by the restoring role, without the dump's
    grants (the application's role is granted afresh afterwards)."""
    target = make_url(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            extra = set(data_tables(connection)) - dump_tables(dump)
    finally:
        engine.dispose()
    if extra:
        raise BackupError(
            "The database has tables the backup lacks (" + ", ".join(sorted(extra)) + "): it "
            "is of a newer schema. Restore into an empty database instead (createdb), then "
            "run flask init-db."
        )
    _run(
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl",
         "--single-transaction", "--no-password", f"--dbname={_conninfo(target)}", str(dump)],
        target,
    )  # fmt: skip


@contextmanager
def scratch_postgresql(owner_url: str) -> Iterator[str]:
    """A new empty database of a random name on the owner's server (the owner needs CREATEDB),
    dropped when the block ends, whatever happened in it."""
    url = make_url(owner_url)
    name = f"witness_verify_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except DBAPIError as error:
            raise BackupError(
                f"Could not create a scratch database to restore into ({error.orig}). Give the "
                "owner's role CREATEDB (ALTER ROLE ... CREATEDB), or verify on another server."
            ) from None
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
