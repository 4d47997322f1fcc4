"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when
``WITNESS_TEST_DATABASE_URL`` is set), every test in a transaction that is rolled back."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from witness import create_app
from witness.core import time as clock
from witness.migrate import upgrade
from witness.notify.mail import send_due
from witness.notify.smtp import SmtpTransport

from . import icaljs as _icaljs
from .factories import *  # noqa: F403  (factory fixtures)
from .factories import PASSWORD
from .mailserver import smtp_server  # noqa: F401  (a real SMTP server for mail tests)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("WITNESS_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = CsrfClient
    yield app
    app.extensions["witness.db"].engine.dispose()


@pytest.fixture
def db(app):
    """The session tests use; requests in the test share its connection and transaction."""
    database = app.extensions["witness.db"]
    connection = database.engine.connect()
    transaction = connection.begin()
    database.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.sessionmaker()
    # No app context is held open here: each test request must get its own (and its own `g`).
    yield session
    session.close()
    transaction.rollback()
    connection.close()
    database.sessionmaker.configure(bind=database.engine)


class CsrfClient(FlaskClient):
    """A test client that sends the session's CSRF token with every form it posts."""

    csrf_token: str | None = None

    def fetch_token(self, url: str = "/login") -> str:
        page = self.get(url).get_data(as_text=True)
        match = _CSRF.search(page)
        assert match, f"no CSRF token on {url}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form as a browser would, with the CSRF token."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token or self.fetch_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app, db) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def login(app, db):
    """``login(user)`` returns a client signed in as ``user``."""

    def _login(user, password: str = PASSWORD) -> CsrfClient:
        client = app.test_client()
        response = client.submit("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.fetch_token("/")
        return client

    return _login


@pytest.fixture
def frozen_clock():
    """Freeze the application's clock; call it with a new instant to move time."""
    current = [datetime(2026, 3, 10, 9, 0, tzinfo=UTC)]
    clock.set_clock(lambda: current[0])

    def move(instant: datetime) -> None:
        current[0] = instant

    move.now = lambda: current[0]
    yield move
    clock.set_clock(lambda: datetime.now(UTC))


@pytest.fixture(scope="session")
def icaljs():
    """``icaljs(*files)``: what ical.js (Thunderbird's parser, under Node) reads from each .ics."""
    _icaljs.install()
    return _icaljs.read


@pytest.fixture
def send(app, db):
    """``send(config)``: one ``send_due`` at the frozen clock's instant, through the test's
    transaction; the test's session then sees the outcome."""

    def run(config, now=None, batch=50):
        report = send_due(
            app.extensions["witness.db"].sessionmaker,
            SmtpTransport(config),
            now or clock.now_utc(),
            batch=batch,
        )
        db.expire_all()
        return report

    return run
