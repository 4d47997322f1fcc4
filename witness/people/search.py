"""Finding witnesses by part of their reference, as someone types it from a letter or a call
note ("4711"), through a trigram index rather than a scan of every witness in the country.

PostgreSQL keeps a GIN index of the reference's trigrams (``pg_trgm``), which serves
``ILIKE '%…%'`` directly. SQLite keeps an FTS5 table with the trigram tokenizer, fed by triggers
on ``witnesses``; a phrase query on it finds the rows whose reference contains the text. Both
need three characters; shorter text is matched by a scan, as before. Either way the text is
then matched exactly (any case) on the rows found, so the two databases answer alike."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, func, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from witness.people.models import Witness

#: the search structures one database has and the models do not describe (the migrations make
#: them; ``migrations/env.py`` and the schema tests leave them out of the comparison)
TRIGRAM_TABLE = "witness_reference_trigrams"
TRIGRAM_INDEX = "ix_witnesses_reference_trgm"
#: what FTS5 keeps beside its table
FTS5_SHADOWS = ("_config", "_data", "_docsize", "_idx")
SEARCH_TABLES = frozenset({TRIGRAM_TABLE, *(TRIGRAM_TABLE + s for s in FTS5_SHADOWS)})
#: a trigram index cannot serve shorter text
MIN_TRIGRAM = 3


def described_by_models(_object, name, type_, _reflected, _compare_to) -> bool:
    """Alembic's ``include_object``: leave the search structures out of comparing the schema
    with the models."""
    if type_ == "table":
        return name not in SEARCH_TABLES
    return not (type_ == "index" and name == TRIGRAM_INDEX)


class ReferenceContains(ColumnElement):
    """``Witness.reference`` contains the text, in any case (``reference_contains``)."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [
        ("like", InternalTraversal.dp_clauseelement),
        ("phrase", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
        ("indexed", InternalTraversal.dp_boolean),
    ]

    def __init__(self, text: str) -> None:
        escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
        # a LIKE pattern: the text anywhere, its own % and _ taken literally
        self.like = bindparam("reference_like", f"%{escaped}%", unique=True)
        # the same, written into the statement when it runs: PostgreSQL plans with the text
        # itself, which a generic plan of a prepared statement would not see
        self.pattern = bindparam(
            "reference_pattern", f"%{escaped}%", unique=True, literal_execute=True
        )
        # an FTS5 phrase: the text in double quotes, a double quote in it doubled
        phrase = '"' + text.replace('"', '""') + '"'
        self.phrase = bindparam("reference_phrase", phrase, unique=True)
        self.indexed = len(text) >= MIN_TRIGRAM


def reference_contains(text: str) -> ReferenceContains:
    """SQL condition on ``Witness``: its reference contains ``text``, in any case."""
    return ReferenceContains(text)


def _exact(element: ReferenceContains) -> ColumnElement[bool]:
    # the element's own parameters, never new ones: a compiled statement is cached and reused
    # with the values of the next search
    return func.lower(Witness.reference).like(func.lower(element.like), escape="/")


@compiles(ReferenceContains)
def _contains(element: ReferenceContains, compiler, **kw) -> str:
    return compiler.process(_exact(element), **kw)


@compiles(ReferenceContains, "postgresql")
def _contains_postgresql(element: ReferenceContains, compiler, **kw) -> str:
    # ILIKE on the column itself is what the trigram index serves (lower(...) LIKE is not)
    return compiler.process(Witness.reference.ilike(element.pattern, escape="/"), **kw)


@compiles(ReferenceContains, "sqlite")
def _contains_sqlite(element: ReferenceContains, compiler, **kw) -> str:
    if not element.indexed:
        return compiler.process(_exact(element), **kw)
    trigrams = table(TRIGRAM_TABLE)
    found = (
        select(literal_column("rowid"))
        .select_from(trigrams)
        .where(literal_column(TRIGRAM_TABLE).op("MATCH")(element.phrase))
    )
    return compiler.process(and_(Witness.id.in_(found), _exact(element)), **kw)
