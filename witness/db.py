"""Engine and per-request session, the declarative ``Base`` and typed column aliases."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Enum, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic revisions name the same objects on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
utc_dt = Annotated[datetime, mapped_column(UTCDateTime())]
str80 = Annotated[str, mapped_column(String(80))]
str200 = Annotated[str, mapped_column(String(200))]


def enum_column(enum_cls: type[enum.Enum], name: str | None = None, **kwargs) -> Mapped:
    """A string-valued enum column; values, not names, are stored, with a named CHECK."""
    return mapped_column(
        Enum(
            enum_cls,
            name=name or enum_cls.__name__.lower(),
            native_enum=False,
            create_constraint=True,
            length=40,
            values_callable=lambda cls: [m.value for m in cls],
            validate_strings=True,
        ),
        **kwargs,
    )


class Unindexed(ColumnElement):
    """A column as a value no index serves (``unindexed``)."""

    inherit_cache = True
    #: the column is part of the statement's cache key: two of these differ by their column
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column) -> None:
        self.column = column
        self.type = column.type


def unindexed(column) -> Unindexed:
    """``column`` as a value no index serves, on SQLite (``+column``): where its statistics
    mislead its planner into an index that reads far more rows than another would. The column
    itself elsewhere (PostgreSQL keeps a null fraction, and has no ``+`` for dates)."""
    return Unindexed(column)


@compiles(Unindexed)
def _unindexed(element: Unindexed, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _unindexed_sqlite(element: Unindexed, compiler, **kw) -> str:
    return f"(+ {compiler.process(element.column, **kw)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


#: how long a SQLite connection waits for the write lock before giving up ("database is locked")
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(url: str) -> Engine:
    """Create the engine. On SQLite: foreign keys enforced, WAL, a busy timeout, and every
    transaction begun ``BEGIN IMMEDIATE`` (see ``_sqlite_begin``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy docs,
            # "Serializable isolation / Savepoints / Transactional DDL").
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL: readers never block the writer, nor the writer readers.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
            # Deleted and overwritten content is zeroed, not left in free pages: a copy of
            # the file holds no plaintext of a value since encrypted (core.crypto) or deleted.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No JIT: PostgreSQL compiles a query whose estimate passes jit_above_cost (100,000) to
    # machine code, which cost a page's queries 15-20 ms each at national scale and saves
    # nothing on queries that run in milliseconds (a supervisor's dashboard: 394 -> 235 ms).
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})


def _sqlite_begin(conn) -> None:
    """Begin every SQLite transaction as a writer (``BEGIN IMMEDIATE``).

    SQLite has one writer at a time. A deferred transaction that reads first and writes later
    (every page writes an audit row after reading what it shows) cannot wait for the write lock
    once another writer has committed since its read: its snapshot is stale, so SQLite refuses
    at once with SQLITE_BUSY ("database is locked"), whatever the busy timeout. Taking the
    write lock at BEGIN makes the transaction wait its turn (up to the busy timeout) instead,
    and then read the latest data: a second booking of the same officer sees the first and is
    told of the clash. Readers pay for it by waiting for the writer ahead of them, one request
    at a time, which is what a small office's embedded database can afford; a service with
    many users runs on PostgreSQL.
    """
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The app's engine and session factory, kept in ``app.extensions``."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["witness.db"] = self
        app.teardown_appcontext(_close_session)


def get_db() -> Database:
    return current_app.extensions["witness.db"]


def db_session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        session = get_db().sessionmaker()
        if has_request_context():
            # Audit rows record where a request came from without services reading `request`.
            session.info["remote_addr"] = request.remote_addr
        g.db_session = session
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
