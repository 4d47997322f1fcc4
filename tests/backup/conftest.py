"""An installation of its own for the backup tests: the demo data (with its support ledger) in a
database of its own (a SQLite file, or ``<suite database>_backup`` on the suite's PostgreSQL,
the app connecting as the non-owner role when the suite has one), committed for real, and a
backup of it as loaded that tests restore to undo what they changed.

On PostgreSQL the round trip needs ``pg_dump`` and ``pg_restore``: without them the tests are
skipped, unless ``WITNESS_REQUIRE_PG_TOOLS=1`` (as in CI), which makes that a failure."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import create_engine, make_url

from witness import create_app
from witness.backup.engines import snapshot_facts
from witness.db import db_session
from witness.demo import load_demo
from witness.migrate import app_role

from ..conftest import app_database_url_for, grant
from ..live import own_database

BACKUP_KEY = "bk-2026:" + "fedcba9876543210" * 4


@dataclass
class Installation:
    app: Flask
    owner_url: str
    app_url: str
    #: a backup of the demo data as loaded
    good: Path
    folder: Path

    @property
    def engine(self) -> str:
        return make_url(self.owner_url).get_backend_name()

    def run(self, *args: str, app: Flask | None = None) -> Result:
        """A ``flask`` command, as an operator would type it."""
        return (app or self.app).test_cli_runner().invoke(args=list(args))

    def facts(self, url: str | None = None) -> tuple[str | None, dict[str, int]]:
        engine = create_engine(url or self.owner_url)
        try:
            with engine.connect() as connection:
                return snapshot_facts(connection)
        finally:
            engine.dispose()

    def execute(self, *statements: str, url: str | None = None) -> None:
        """Run SQL as the tables' owner (someone with full access to the database)."""
        engine = create_engine(url or self.owner_url)
        try:
            with engine.begin() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def scalar(self, query: str, url: str | None = None):
        engine = create_engine(url or self.owner_url)
        try:
            with engine.connect() as connection:
                return connection.exec_driver_sql(query).scalar()
        finally:
            engine.dispose()

    def reset(self) -> None:
        """Back to the demo data as loaded."""
        result = self.run("restore", "--yes", str(self.good))
        assert result.exit_code == 0, result.output

    def backup(self, name: str) -> Path:
        path = self.folder / name
        result = self.run("backup", "--out", str(path))
        assert result.exit_code == 0, result.output
        return path


def make_app(owner_url: str, app_url: str, instance: Path, **config) -> Flask:
    app = create_app(
        {
            "SECRET_KEY": "backup-secret",
            "DATABASE_URL": app_url,
            "MIGRATION_DATABASE_URL": owner_url,
            "BACKUP_KEY": BACKUP_KEY,
            **config,
        }
    )
    app.instance_path = str(instance)
    return app


def _require_tools() -> None:
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    reason = "pg_dump or pg_restore is not installed"
    if os.environ.get("WITNESS_REQUIRE_PG_TOOLS", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (WITNESS_REQUIRE_PG_TOOLS=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def installation(tmp_path_factory) -> Installation:
    owner_url = own_database(tmp_path_factory, "backup")
    if make_url(owner_url).get_backend_name() == "postgresql":
        _require_tools()
    app_url = app_database_url_for(owner_url)
    role = app_role(owner_url, app_url)
    if role is not None:
        grant(owner_url, role)
    folder = tmp_path_factory.mktemp("backups")
    app = make_app(owner_url, app_url, tmp_path_factory.mktemp("backup-instance"))
    with app.app_context():
        session = db_session()
        load_demo(session)
        session.commit()
    installation = Installation(app, owner_url, app_url, folder / "good.backup", folder)
    result = installation.run("backup", "--out", str(installation.good))
    assert result.exit_code == 0, result.output
    yield installation
    app.extensions["witness.db"].engine.dispose()
