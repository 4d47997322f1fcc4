"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when
``WITNESS_TEST_DATABASE_URL`` is set), every test in a transaction that is rolled back.

On PostgreSQL, ``WITNESS_TEST_DATABASE_URL`` is the tables' owner (it migrates), and when
``WITNESS_TEST_APP_DATABASE_URL`` names another role on the same database the app connects as
that role, as in production: it owns nothing and may not change the append-only tables. A test
playing someone with full database access asks for ``db_owner``."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from witness import create_app
from witness.core import time as clock
from witness.db import make_engine
from witness.migrate import app_role, grant_app_role, upgrade
from witness.notify.mail import send_due
from witness.notify.smtp import SmtpTransport

from . import icaljs as _icaljs
from .factories import *  # noqa: F403  (factory fixtures)
from .factories import PASSWORD
from .mailserver import smtp_server  # noqa: F401  (a real SMTP server for mail tests)

#: test modules that start real servers, fire many clients, fuzz the API or build thousands of
#: rows: left out of the quick loop (`-m "not browser and not slow"`)
SLOW_MODULES = frozenset(
    {
        "tests/api/test_fuzz.py",
        "tests/bench/test_benchmark.py",
        "tests/bench/test_generate.py",
        "tests/outcomes/test_bench.py",
        "tests/notify/test_concurrency.py",
        "tests/outcomes/test_concurrency.py",
        "tests/scheduling/test_concurrency.py",
        "tests/test_concurrent_clients.py",
        "tests/test_throttle.py",
    }
)


def pytest_collection_modifyitems(config, items) -> None:
    """Mark by where a test lives: tests/e2e drive a browser; SLOW_MODULES are slow. A test
    marked ``postgres`` is skipped on SQLite."""
    on_postgres = bool(os.environ.get("WITNESS_TEST_DATABASE_URL"))
    for item in items:
        path = item.path.relative_to(config.rootpath).as_posix()
        if path.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.browser)
        if path in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="runs on PostgreSQL only"))


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: every app the tests build signs the ledger with this key, unless a test says otherwise (and
#: none writes a key file into the checkout's instance folder)
TEST_LEDGER_KEY = "test-2026:" + "0123456789abcdef" * 4
os.environ.setdefault("WITNESS_LEDGER_KEY", TEST_LEDGER_KEY)
#: and encrypts the sensitive fields with this data key (and this blind index key)
TEST_DATA_KEY = "data-2026:" + "fedcba9876543210" * 4
TEST_DATA_INDEX_KEY = "ba98" * 16
os.environ.setdefault("WITNESS_DATA_KEY", TEST_DATA_KEY)
os.environ.setdefault("WITNESS_DATA_INDEX_KEY", TEST_DATA_INDEX_KEY)


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
    role = app_role(url, app_database_url_for(url))
    if role is not None:
        grant(url, role)
    return url


def app_database_url_for(owner_url: str) -> str:
    """The URL the app connects with: the app role's on ``owner_url``'s database, if set."""
    app_url = os.environ.get("WITNESS_TEST_APP_DATABASE_URL")
    if not app_url or not os.environ.get("WITNESS_TEST_DATABASE_URL"):
        return owner_url
    database = make_url(owner_url).database
    return make_url(app_url).set(database=database).render_as_string(hide_password=False)


def grant(owner_url: str, role: str) -> None:
    """Grant the app role on ``owner_url``'s database, as ``flask init-db`` does."""
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        grant_app_role(connection, role)
    engine.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": app_database_url_for(database_url),
            "MIGRATION_DATABASE_URL": database_url,
            # tests roll back and reuse ids: figures kept for one test's user would be shown
            # to the next test's (tests/dashboard keep them where that is what they test)
            "DASHBOARD_FIGURES_SECONDS": 0,
            # most tests sign in as admins and supervisors with a password only; the tests of
            # the second factor switch the role requirement on (tests/auth/test_second_factor.py)
            "REQUIRE_SECOND_FACTOR": False,
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = CsrfClient
    yield app
    app.extensions["witness.db"].engine.dispose()


@pytest.fixture(scope="session")
def owner_engine(app, database_url):
    """An engine connected as the tables' owner (the app's own when it is the owner)."""
    database = app.extensions["witness.db"]
    if app.config["DATABASE_URL"] == database_url:
        yield database.engine
        return
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(app, request):
    """The session tests use; requests in the test share its connection and transaction.
    Connected as the app's role, or as the owner when the test asks for ``db_owner``."""
    database = app.extensions["witness.db"]
    engine = (
        request.getfixturevalue("owner_engine")
        if "db_owner" in request.fixturenames
        else database.engine
    )
    connection = engine.connect()
    transaction = connection.begin()
    database.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.sessionmaker()
    # No app context is held open here: each test request must get its own (and its own `g`).
    yield session
    session.close()
    transaction.rollback()
    connection.close()
    database.sessionmaker.configure(bind=database.engine)


@pytest.fixture
def db_owner(db):
    """``db`` connected as the tables' owner, for a test that plays someone with full access
    to the database (dropping a trigger, rewriting a row): the app's role may not."""
    return db


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
