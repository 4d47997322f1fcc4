"""A trigram index of witness references, for search by part of a reference

A supervisor's search for "4711" read every witness in the country (``LIKE '%4711%'``): 40 ms
at 100,000 witnesses. PostgreSQL now keeps a GIN index of the references' trigrams
(``pg_trgm``); SQLite an FTS5 table with the trigram tokenizer, kept by triggers on
``witnesses`` (``witness.people.search``).

A later revision that rebuilds ``witnesses`` on SQLite (batch mode copies the table) drops
these triggers with it and must make them again: ``tests/test_witness_search.py`` searches a
witness added at head, and fails if they are gone.

Revision ID: 0026_reference_trigrams
Revises: 0025_user_locale
Create Date: 2026-12-06 22:30:00.000000
"""

from alembic import op

revision = "0026_reference_trigrams"
down_revision = "0025_user_locale"
branch_labels = None
depends_on = None

TABLE = "witness_reference_trigrams"
INDEX = "ix_witnesses_reference_trgm"
TRIGGERS = {
    "witness_reference_trigrams_insert": f"""
        AFTER INSERT ON witnesses BEGIN
            INSERT INTO {TABLE} (rowid, reference) VALUES (new.id, new.reference);
        END""",
    "witness_reference_trigrams_delete": f"""
        AFTER DELETE ON witnesses BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, reference)
            VALUES ('delete', old.id, old.reference);
        END""",
    "witness_reference_trigrams_update": f"""
        AFTER UPDATE OF reference ON witnesses BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, reference)
            VALUES ('delete', old.id, old.reference);
            INSERT INTO {TABLE} (rowid, reference) VALUES (new.id, new.reference);
        END""",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {INDEX} ON witnesses USING gin (reference gin_trgm_ops)")
        return
    # external content: the table holds the index alone, the references stay in witnesses
    op.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "reference, content='witnesses', content_rowid='id', tokenize='trigram')"
    )
    op.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {INDEX}")
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute(f"DROP TABLE {TABLE}")
