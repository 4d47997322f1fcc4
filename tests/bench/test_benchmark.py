"""``flask benchmark`` end to end on a tiny generated database (figures are not asserted)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from witness import create_app
from witness.audit.models import AuditEvent
from witness.auth.models import Role, User
from witness.bench.plan import benchmark_feed
from witness.bench.targets import sign_in
from witness.bench.vocabulary import BENCH_PASSWORD
from witness.calendar.models import CalendarFeed
from witness.db import db_session
from witness.ledger.models import SupportItem
from witness.ledger.services import verify_chain
from witness.migrate import upgrade

SVG = "{http://www.w3.org/2000/svg}"
ENDPOINTS = {
    "floor",
    "write floor",
    "dashboard",
    "witness list",
    "witness search",
    "witness detail",
    "API witness list",
    "officer week",
    "court day",
    "resource day",
    "witness ledger",
    "record item",
    "chain check",
    "due list",
    "risk overdue",
}
TINY = [
    "--witnesses", "200", "--cases", "100", "--courts", "4",
    "--hearings", "300", "--appointments", "1500",
    "--ledger-entries", "2000", "--disclosure-case-entries", "150",
]  # fmt: skip
#: measured for the liaison officer only
OFFICER_ONLY = {"conflict check", "staff feed"}
SCHEDULING_PAGES = {"officer week", "court day", "resource day", "staff feed"}


@pytest.fixture(scope="module")
def bench_app(tmp_path_factory):
    """An app on its own migrated SQLite file with tiny generated data: the benchmark opens
    its own connections, which cannot see a test's uncommitted transaction. Shared by the
    tests here: none of them changes what the others look at."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-test", "BENCHMARK_ROUTES": True})
    result = app.test_cli_runner().invoke(args=["generate-data", *TINY])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["witness.db"].engine.dispose()


def test_benchmark_prints_a_table_and_writes_json(bench_app, tmp_path):
    path = tmp_path / "bench.json"
    with bench_app.app_context():
        before = db_session().scalar(select(func.count()).select_from(SupportItem))
    chart = tmp_path / "ratios.svg"
    args = ["benchmark", "--requests", "3", "--warmup", "1", "--json", str(path), "--show-sql"]
    result = bench_app.test_cli_runner().invoke(args=[*args, "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "| user | endpoint |" in result.output
    assert "| liaison officer | floor |" in result.output
    assert "| supervisor | witness detail |" in result.output
    assert "Peak memory" in result.output
    report = json.loads(path.read_text())
    assert report["witnesses"] == 200
    rows = report["rows"]
    by_user = {
        user: {r["endpoint"] for r in rows if r["user"] == user}
        for user in ("liaison officer", "supervisor")
    }
    assert by_user == {"liaison officer": ENDPOINTS | OFFICER_ONLY, "supervisor": ENDPOINTS}
    assert "| liaison officer | conflict check |" in result.output
    for row in rows:
        if row["requests"]:
            assert row["requests"] == 3 and row["errors"] == {}, row
            assert row["median_ms"] > 0 and row["queries"] >= 1
        elif row["endpoint"] in SCHEDULING_PAGES:  # pages other helpers are still writing
            assert row["note"].startswith("missing"), row
        else:  # the API row says "API not available" until the API is there
            assert row["endpoint"] == "API witness list" and row["note"] == "API not available"
    check = next(r for r in rows if r["endpoint"] == "conflict check")
    assert check["requests"] == 3 and check["target_ratio"] == 2.0
    assert "clashes found" in check["note"]
    feed = next(r for r in rows if r["endpoint"] == "staff feed")
    assert feed["path"].startswith("/feeds/") and feed["path"].endswith(".ics")
    assert report["memory"]["peak_mb"] > 0
    # recording really records, through the form: one entry per round (warm-up included)
    # and user, each saying where it came from, and every chain still intact
    record = [r for r in rows if r["endpoint"] == "record item"]
    assert [r["target_ratio"] for r in record] == [2.0, 2.0]
    # ... against the write floor of the same run and user, which really writes too
    assert [r["floor"] for r in record] == ["write floor", "write floor"]
    for r in record:
        write = next(w for w in rows if w["user"] == r["user"] and w["endpoint"] == "write floor")
        assert r["ratio_median"] == pytest.approx(r["median_ms"] / write["median_ms"], rel=0.05)
        assert write["target_ratio"] is None and write["floor"] == "floor"
    chain = next(r for r in rows if r["endpoint"] == "chain check")
    assert chain["target_ratio"] is None and chain["meets_target"]
    assert "| chain check |" in result.output and "no target" in result.output
    with bench_app.app_context():
        db = db_session()
        recorded = db.scalars(select(SupportItem).where(SupportItem.id > before)).all()
        assert len(recorded) == 2 * (3 + 1)
        assert all("recorded by the benchmark" in item.rationale for item in recorded)
        assert all(verify_chain(db, case_id).intact for case_id in {i.case_id for i in recorded})
        floor_writes = db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "bench.write_floor")
        )
        assert floor_writes == 2 * (3 + 1)
        db.rollback()
    # the chart the docs publish: every measured row's ratio per user and its target, each bar
    # titled with the figure the JSON holds
    picture = ET.fromstring(chart.read_text())
    marks = {t.text for t in picture.iter(f"{SVG}title")}
    for row in rows:
        if row["requests"] and row["endpoint"] not in ("floor", "write floor"):
            assert f"{row['endpoint']}, {row['user']}: {row['ratio_median']:,.1f}x" in marks
    assert "record item, target: 2.0x" in marks
    # the biggest case's disclosure PDF against reportlab's floor, in the same run
    disclosure = report["disclosure"]
    assert disclosure["entries"] >= 150 and disclosure["rounds"] == 1
    assert disclosure["report_s"] > 0 and disclosure["floor_s"] > 0
    assert disclosure["pdf_bytes"] > 10_000 and disclosure["target_ratio"] == 2.0
    assert f"Disclosure PDF of case {disclosure['case']}" in result.output
    # The feed's token comes from the secret key: another run reuses the same feed row.
    with bench_app.app_context():
        db = db_session()
        assert benchmark_feed(b"bench-test")[0] == feed["path"]
        assert db.scalar(select(func.count()).select_from(CalendarFeed)) == 1
        db.rollback()


def test_floor_route_needs_a_signed_in_user(bench_app):
    response = bench_app.test_client().get("/_bench/floor/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_floor_route_exists_only_for_benchmarks(client):
    assert client.get("/_bench/floor/1").status_code in (302, 404)
    assert "bench.floor" not in client.application.view_functions


def test_loadtest_refuses_sqlite(bench_app):
    result = bench_app.test_cli_runner().invoke(args=["loadtest", "--duration", "1"])
    assert result.exit_code == 1
    assert "PostgreSQL" in result.output


def test_write_floor_checks_csrf_and_the_witness(bench_app):
    """The write floor is a real form POST: refused without a CSRF token, 404 for a witness
    that does not exist, nothing written either way."""
    with bench_app.app_context():
        officer = db_session().scalar(select(User).where(User.role == Role.liaison_officer))
        email = officer.email
        db_session().rollback()
    signed_in = sign_in(bench_app, email, BENCH_PASSWORD)
    assert signed_in.post("/_bench/write-floor/1").status_code == 400
    page = signed_in.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    missing = signed_in.post("/_bench/write-floor/999999", data={"csrf_token": token.group(1)})
    assert missing.status_code == 404
    with bench_app.app_context():
        assert not db_session().scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "bench.write_floor", AuditEvent.witness_id == 999999)
        )
        db_session().rollback()
