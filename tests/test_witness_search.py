"""Searching witnesses by part of their reference: what a user types finds the same witnesses
as reading every reference would, any case, wildcards taken literally, through the trigram
index (FTS5 on SQLite, pg_trgm on PostgreSQL) rather than a scan of every witness."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select, text, update

from witness.auth.models import Role
from witness.people.models import Witness
from witness.people.queries import witness_list
from witness.people.search import TRIGRAM_INDEX, TRIGRAM_TABLE

from .sql_plan import sqlite_plan

REFERENCES = [
    "VW-2026-4711",
    "vw-2026-4712",
    "BKK/2025/0047",
    "100%_SAFE",
    'QUOTE"D-77',
    "KH-ក្រុង-01",
    "TH-กรุงเทพ-02",
]


@pytest.fixture
def searcher(db, make_witness, make_user, office):
    """A supervisor of the office the witnesses above belong to."""
    for reference in REFERENCES:
        make_witness(reference=reference)
    return make_user(Role.supervisor, office)


def found(db, actor, typed: str) -> list[str]:
    return [w.reference for w in db.scalars(witness_list(actor, reference=typed))]


@pytest.mark.parametrize(
    "typed",
    ["4711", "471", "VW-2026", "vw-2026", "2026-47", "0047", "47", "%_S", "100%", "_", "%",
     '"D-7', "ក្រុង", "กรุงเทพ", "nothing-like-it", "W-2"],
)  # fmt: skip
def test_a_search_finds_what_reading_every_reference_finds(db, searcher, typed):
    expected = sorted(r for r in REFERENCES if typed.casefold() in r.casefold())
    assert sorted(found(db, searcher, typed)) == expected


def test_a_witness_added_or_renamed_is_found_by_its_new_reference_at_once(
    db, searcher, make_witness
):
    """The index follows the witnesses table (SQLite's triggers; a batch migration that
    rebuilt the table without them would fail here)."""
    added = make_witness(reference="NEW-9182")
    assert found(db, searcher, "9182") == ["NEW-9182"]
    db.execute(update(Witness).where(Witness.id == added.id).values(reference="RENAMED-5530"))
    assert found(db, searcher, "9182") == []
    assert found(db, searcher, "5530") == ["RENAMED-5530"]


def test_the_search_keeps_to_need_to_know(db, searcher, make_witness, make_org, make_user):
    other = make_org(name="Another Office")
    make_witness(reference="VW-2026-4713", organisation=other)
    assert "VW-2026-4713" not in found(db, searcher, "4713")
    assert found(db, make_user(Role.supervisor, other), "2026-47") == ["VW-2026-4713"]


def test_the_search_page_shows_the_witnesses_found(db, searcher, login):
    page = login(searcher).get("/witnesses/?q=2026-471").get_data(as_text=True)
    shown = set(re.findall(r"(?i)VW-2026-471\d", html.unescape(page)))
    assert shown == {"VW-2026-4711", "vw-2026-4712"}


def test_sqlite_reads_the_trigram_table_not_every_witness(db, searcher, make_witness):
    for n in range(200):
        make_witness(reference=f"FILL-{n:05d}")
    # the page's count of what was found, as ``core.web.Page`` asks it
    query = witness_list(searcher, reference="4711").order_by(None).subquery()
    plan = sqlite_plan(db, select(func.count()).select_from(query))
    assert TRIGRAM_TABLE in plan and "VIRTUAL TABLE INDEX" in plan
    assert "SCAN witnesses" not in plan


@pytest.mark.postgres
def test_postgresql_can_search_through_the_trigram_index(db, searcher):
    """The condition is one the GIN index serves (``lower(reference) LIKE`` would not be):
    with plain scans of the table or of an index ruled out, the bitmap scan of the trigram
    index is what is left. Whether the planner prefers it at scale, the benchmark measures."""
    if db.bind.dialect.name != "postgresql":
        pytest.skip("runs on PostgreSQL only")
    db.execute(text("SET LOCAL enable_seqscan = off"))
    db.execute(text("SET LOCAL enable_indexscan = off"))
    statement = witness_list(searcher, reference="4711").compile(
        db.bind, compile_kwargs={"render_postcompile": True, "literal_binds": True}
    )
    plan = "\n".join(db.scalars(text(f"EXPLAIN {statement}")))
    assert f"Bitmap Index Scan on {TRIGRAM_INDEX}" in plan, plan
