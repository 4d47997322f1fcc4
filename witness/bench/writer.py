"""Writing planned rows fast: converted once per table as the model's column types would, handed
to the driver (executemany on SQLite, COPY on PostgreSQL), in a background thread while the
generator plans the next chunk.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, Enum, insert
from sqlalchemy.orm import Session

from witness.db import UTCDateTime


class Background:
    """Runs the writes and commits of the generator in one thread, in order, while the
    caller plans the next chunk: the database works while Python plans (SQLite and the
    PostgreSQL server do not hold Python's lock). At most one chunk waits to be written.

    The session is used by one thread at a time: by this thread from the first write until
    ``wait`` returns, the caller not touching it meanwhile.
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generate-data")
        self.error: BaseException | None = None
        self.previous: Future | None = None
        self.last: Future | None = None

    def _run(self, fn: Callable, args: tuple) -> None:
        if self.error is None:  # after a failure, nothing more is written or committed
            try:
                fn(*args)
            except BaseException as exc:
                self.error = exc

    def submit(self, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` after everything submitted before it."""
        self.last = self.executor.submit(self._run, fn, args)

    def commit(self, session: Session) -> None:
        """Commit what was submitted so far, after waiting for the chunk before it."""
        if self.previous is not None:
            self.previous.result()
            self._raise()
        self.submit(session.commit)
        self.previous = self.last

    def wait(self) -> None:
        """Until everything submitted is done; raises what failed."""
        if self.last is not None:
            self.last.result()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class BulkWriter:
    """Inserts rows into the session's database without the ORM, counting them per table.

    Rows of one table are dicts with the same keys (``write``), or values already converted
    by ``converter`` (``write_converted``); ``commit`` ends a chunk. Writes and commits run in
    order in one background thread (``Background``); ``wait`` raises what failed there.
    """

    def __init__(self, session: Session, counts: Counter) -> None:
        self.session = session
        #: rows written per table
        self.counts = counts
        self._statements: dict = {}
        self._datetimes: dict = {}
        self.background = Background()

    def write(self, model, rows: list[dict]) -> None:
        """Insert ``rows`` (dicts with the same keys) into the model's table."""
        if rows:
            keys = tuple(rows[0])
            convert = self.converter(model, keys)
            self.write_converted(model, keys, [convert(row) for row in rows])

    def converter(self, model, keys: tuple[str, ...]) -> Callable[[dict], object]:
        """A function from a row (a dict with ``keys``) to what ``write_converted`` takes.

        SQLAlchemy's per-row parameter handling costs more than the database's own work, so
        each value is converted as its column's type would (the values an ORM insert would
        store) and plain lists go to the driver. Converted rows are also smaller to buffer.
        """
        if self.session.get_bind().dialect.name in ("sqlite", "postgresql"):
            return self._converter(model.__table__, keys)[2]
        return dict

    def commit(self) -> None:
        """End a chunk: commit it once its rows are written (in the background)."""
        self.background.commit(self.session)

    def wait(self) -> None:
        """Until everything submitted is written and committed; raises what failed."""
        self.background.wait()

    def close(self) -> None:
        """Stop the background thread, once everything submitted is done."""
        self.background.close()

    def write_converted(self, model, keys: tuple[str, ...], values: list) -> None:
        """Insert rows converted by ``converter(model, keys)`` (in the background):
        executemany on SQLite, COPY on PostgreSQL, an ORM-less executemany elsewhere."""
        if values:
            self.background.submit(self._insert, model, keys, values)
            self.counts[model.__tablename__] += len(values)

    def _insert(self, model, keys: tuple[str, ...], values: list) -> None:
        table = model.__table__
        connection = self.session.connection()
        dialect = connection.dialect.name
        if dialect in ("sqlite", "postgresql"):
            statement, columns, _ = self._converter(table, keys)
            # The driver's own cursor, inside the transaction SQLAlchemy began.
            cursor = connection.connection.driver_connection.cursor()
            if dialect == "sqlite":
                cursor.executemany(statement, values)
            else:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            cursor.close()
        else:
            connection.execute(insert(table), values)

    def _converter(self, table, keys: tuple[str, ...]):
        """The INSERT statement, its columns and a function from a row to driver values."""
        cached = self._statements.get((table.name, keys))
        if cached is None:
            dialect = self.session.get_bind().dialect
            # Columns the rows leave out but that have a default in the model (added by a
            # later issue) take that default.
            fixed = []
            for column in table.columns:
                if column.key in keys or column.default is None:
                    continue
                default = column.default
                if not (default.is_scalar or default.is_callable):
                    raise ValueError(f"{table.name}.{column.key} needs a value")
                value = default.arg if default.is_scalar else default.arg(None)
                processor = _processor(column, dialect, self._datetimes)
                fixed.append((column.name, processor(value) if processor else value))
            convert = self._compile(table, keys, dialect, tuple(value for _, value in fixed))
            columns = [table.c[key].name for key in keys] + [name for name, _ in fixed]
            statement = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            cached = (statement, columns, convert)
            self._statements[(table.name, keys)] = cached
        return cached

    def _compile(self, table, keys: tuple[str, ...], dialect, fixed: tuple) -> Callable:
        """One expression from a row to its values, compiled once per table and keys, as
        dataclasses and namedtuple do: a loop over columns per row costs twice as much."""
        env: dict = {"fixed": fixed, "cache": self._datetimes}
        parts = []
        for i, key in enumerate(keys):
            column = table.c[key]
            processor = _processor(column, dialect, self._datetimes)
            value = f"row[{key!r}]"
            if processor is None:
                parts.append(value)
            elif processor is _enum_value and not column.nullable:
                parts.append(f"{value}.value")
            elif getattr(processor, "cache", None) is self._datetimes:
                env[f"p{i}"] = processor
                parts.append(f"(cache.get(v{i} := {value}) or p{i}(v{i}))")
            else:
                env[f"p{i}"] = processor
                parts.append(f"p{i}({value})")
        return eval(f"lambda row: ({', '.join(parts)},) + fixed", env)


def _utc_text(value: datetime | None) -> str | None:
    """What ``UTCDateTime`` stores on SQLite (naive UTC text with microseconds), quickly."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _cached(convert: Callable, cache: dict) -> Callable:
    """``convert`` remembering its results: generated times repeat (slots of one appointment
    share them, and they fall on a quarter-hour grid)."""

    def cached(value):
        found = cache.get(value)
        if found is None:
            if len(cache) > 200_000:
                cache.clear()
            found = cache[value] = convert(value)
        return found

    cached.cache = cache
    return cached


def _enum_value(value: enum.Enum | None) -> str | None:
    return None if value is None else value.value


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _processor(column, dialect, cache: dict) -> Callable | None:
    """A bind processor for ``column``: the type's own, or a faster one that gives the same
    values for the types that fill most generated rows (UTC datetimes, enums, dates)."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        # The generated datetimes are aware; PostgreSQL's driver takes them as they are.
        return _cached(_utc_text, cache) if dialect.name == "sqlite" else None
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return _enum_value
    if isinstance(kind, Date) and not isinstance(kind, DateTime) and dialect.name == "sqlite":
        return _date_text
    return kind.dialect_impl(dialect).bind_processor(dialect)
