"""Browser tests: the real app served on a free loopback port, on a database of its own, driven
by the system's Chromium through Playwright.

The live server commits for real, so it never shares the database of the rest of the suite (whose
tests roll back): on SQLite it gets a fresh temporary file; when ``WITNESS_TEST_DATABASE_URL``
points at PostgreSQL, a sibling database named ``<name>_e2e`` on the same server, dropped and
recreated at the start of every run. Tests share that database, so each one opens its own cases
and witnesses under references no other test uses, and never counts rows.

Chromium is taken from ``WITNESS_CHROMIUM``, else ``chromium`` on the PATH; nothing is downloaded.
Without it the browser tests are skipped, unless ``WITNESS_REQUIRE_BROWSER=1`` (as in CI), which
turns the skip into an error. A failing test leaves a full-page screenshot in
``test-results/e2e/<test name>.png``.

Fixture names avoid pytest-playwright's (``browser``, ``page``, ...): when that plugin happens to be
installed it would otherwise parametrize these tests and start a browser of its own.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from witness import create_app
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import CaseStatus, Court, OffenceCategory
from witness.cases.services import create_case
from witness.migrate import app_role, upgrade
from witness.people.models import ParticipationRole
from witness.people.services import add_participation, create_witness

from ..conftest import app_database_url_for, grant
from ..live import start_server

#: long enough for a slow CI machine, short enough that a wrong locator fails fast
TIMEOUT_MS = 5_000

# Debian's Chromium in a container: no sandbox as root, no GPU, and none of the background
# traffic (updates, sync, safe browsing lists) that only produces noise on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PASSWORD = "e2e correct horse battery"
_references = itertools.count(1)


def _browser_required() -> bool:
    return os.environ.get("WITNESS_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _find_chromium() -> str | None:
    candidate = os.environ.get("WITNESS_CHROMIUM") or shutil.which("chromium")
    return candidate if candidate and os.access(candidate, os.X_OK) else None


# --- The browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the whole run; skipped (or, if required, failed) without one."""
    executable = _find_chromium()
    if executable is None:
        reason = (
            "Chromium not found: install Debian's `chromium` package or set WITNESS_CHROMIUM "
            "to the browser's path"
        )
        if _browser_required():
            pytest.fail(f"{reason} (WITNESS_REQUIRE_BROWSER=1 forbids skipping)", pytrace=False)
        pytest.skip(reason)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, no history) pointed at the live server."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


# --- Screenshots of failures ------------------------------------------------------------------


def _screenshot_dir(config: pytest.Config) -> Path:
    return config.rootpath / "test-results" / "e2e"


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots(pytestconfig: pytest.Config) -> None:
    """Forget the screenshots of an earlier run, so every picture there is of this one."""
    shutil.rmtree(_screenshot_dir(pytestconfig), ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failure, save what the browser showed (before the fixtures close the page)."""
    report = yield
    page = getattr(item, "funcargs", {}).get("tab")
    if report.failed and report.when in ("setup", "call") and page and not page.is_closed():
        name = re.sub(r"[^\w.\[\]-]+", "_", item.name)
        path = _screenshot_dir(item.config) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=path, full_page=True)
        except PlaywrightError as exc:  # never hide the test's own failure behind this one
            report.sections.append(("e2e screenshot", f"none taken: {exc}"))
        else:
            report.sections.append(("e2e screenshot", f"{path}\nlast URL: {page.url}"))
    return report


# --- The live server and its database ---------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Flask

    def session(self) -> Session:
        """A session on the live server's database, to set up or check what the browser did."""
        return self.app.extensions["witness.db"].sessionmaker()


def _recreate_postgres_database(suite_url: str) -> str:
    """The URL of ``<suite database>_e2e`` on the same server, dropped and created anew."""
    url = make_url(suite_url)
    e2e_url = url.set(database=f"{url.database}_e2e")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = conn.dialect.identifier_preparer.quote(e2e_url.database)
            # FORCE: a live server of an interrupted run may still hold a connection.
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return e2e_url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app, as configured in production apart from its keys, on a free local port."""
    suite_url = os.environ.get("WITNESS_TEST_DATABASE_URL")
    if suite_url:
        url = _recreate_postgres_database(suite_url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'witness.sqlite3'}"
    upgrade(url)
    # As in production, the app connects as a role that owns nothing, when the suite has one.
    app_url = app_database_url_for(url)
    role = app_role(url, app_url)
    if role is not None:
        grant(url, role)
    # Not TESTING: errors must reach the browser as the app's own error pages.
    # Admins and supervisors sign in with a password only here, as in tests/conftest.py; the
    # second factor's own browser test asks for it through the organisation's setting.
    app = create_app(
        {"SECRET_KEY": "e2e-secret", "DATABASE_URL": app_url, "REQUIRE_SECOND_FACTOR": False}
    )
    app.instance_path = str(tmp_path_factory.mktemp("e2e-instance"))
    server = start_server(app)
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    server.server_close()
    app.extensions["witness.db"].engine.dispose()


# --- What the flows need ----------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    password: str = PASSWORD


@dataclass(frozen=True)
class Seed:
    court: str
    court_id: int
    officer: Account
    ngo_worker: Account


@pytest.fixture(scope="session")
def seed(live_server: LiveServer) -> Seed:
    """An office with a liaison officer, a shelter with an NGO worker, and a court."""
    # A cheap hash: the default (scrypt) costs a noticeable fraction of a second per sign-in.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with live_server.session() as db:
        office = Organisation(
            name="Office of the Public Prosecutor", kind=OrganisationKind.prosecution
        )
        shelter = Organisation(name="Safe Harbour Shelter", kind=OrganisationKind.ngo)
        court = Court(
            name="Thameside Crown Court",
            address="27 Thameside Walk, London SE1 9QX",
            timezone="Europe/London",
        )
        officer = User(
            email="sam.whitfield@witness.example",
            name="Sam Whitfield",
            role=Role.liaison_officer,
            organisation=office,
            password_hash=password_hash,
        )
        ngo_worker = User(
            email="grace.mensah@witness.example",
            name="Grace Mensah",
            role=Role.ngo_worker,
            organisation=shelter,
            password_hash=password_hash,
        )
        db.add_all([office, shelter, court, officer, ngo_worker])
        db.commit()
        return Seed(
            court=court.name,
            court_id=court.id,
            officer=Account(officer.id, officer.email, officer.name),
            ngo_worker=Account(ngo_worker.id, ngo_worker.email, ngo_worker.name),
        )


@dataclass(frozen=True)
class WitnessFile:
    id: int
    reference: str
    legal_name: str
    case_reference: str | None
    case_title: str | None


@pytest.fixture
def open_witness_file(live_server: LiveServer, seed: Seed) -> Callable[..., WitnessFile]:
    """``open_witness_file(in_case=True)``: a file the officer opened (so is assigned to), put in a
    new case in reflection when ``in_case``; made through the services, as the app would."""

    def make(in_case: bool = True) -> WitnessFile:
        n = next(_references)
        with live_server.session() as db:
            officer = db.get(User, seed.officer.id)
            witness = create_witness(
                db,
                officer,
                reference=f"VW-SEED-{n:03d}",
                legal_name=f"Seeded Legal Name {n}",
                languages=["Romanian", "English"],
            )
            case_reference = case_title = None
            if in_case:
                case = create_case(
                    db,
                    officer,
                    court_id=seed.court_id,
                    reference=f"S2026{n:04d}",
                    title=f"R v Seeded Defendant {n}",
                    offences=[OffenceCategory.trafficking_forced_labour],
                    status=CaseStatus.charged,
                )
                add_participation(
                    db, officer, witness, case.id, ParticipationRole.victim_witness, "Identified"
                )
                case_reference, case_title = case.reference, case.title
            db.commit()
            return WitnessFile(
                witness.id, witness.reference, witness.legal_name, case_reference, case_title
            )

    return make


@pytest.fixture
def sign_in(tab: Page) -> Callable[[Account], None]:
    """``sign_in(account)``: sign in through the sign-in page, as a person would."""

    def sign_in(account: Account) -> None:
        tab.goto("/login")
        tab.get_by_label("E-mail").fill(account.email)
        tab.get_by_label("Password").fill(account.password)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("status")).to_contain_text(f"Signed in as {account.name}.")

    return sign_in
