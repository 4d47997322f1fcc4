"""The Alembic history builds exactly the schema the models describe, on this run's database."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

import witness.models  # noqa: F401
from witness.db import Base
from witness.migrate import alembic_config, upgrade
from witness.people.search import SEARCH_TABLES, described_by_models


def test_migrations_match_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": described_by_models}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_table_is_migrated(database_url):
    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names()) - SEARCH_TABLES
    engine.dispose()
    assert set(Base.metadata.tables) | {"alembic_version"} == tables


def _scratch_database(database_url: str, tmp_path) -> str:
    """A database of its own beside this run's (the shared one must stay at head)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    name = f"{url.database}_roundtrip"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _checks(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    found = {
        table: {
            check["sqltext"].replace('"', "")
            for check in inspect(engine).get_check_constraints(table)
        }
        for table in ("users", "organisations", "consents", "api_tokens")
    }
    engine.dispose()
    return found


def test_every_revision_downgrades_and_upgrades_again(database_url, tmp_path):
    """Down to nothing and back up: the schema and its CHECKs come back as the models describe
    (a revision that narrows or widens an enum must rebuild the CHECK both ways)."""
    url = _scratch_database(database_url, tmp_path)
    upgrade(url)
    at_head = _checks(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    assert _checks(url) == at_head
    assert any("'system'" in check for check in at_head["users"])
    assert any("'in_person'" in check for check in at_head["consents"])
    test_migrations_match_models(url)
