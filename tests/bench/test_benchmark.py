"""``flask benchmark`` end to end on a tiny generated database (figures are not asserted)."""

from __future__ import annotations

import json

import pytest

from witness import create_app
from witness.migrate import upgrade

ENDPOINTS = {
    "floor",
    "dashboard",
    "witness list",
    "witness search",
    "witness detail",
    "API witness list",
}


@pytest.fixture
def bench_app(tmp_path):
    """An app on its own migrated SQLite file with tiny generated data: the benchmark opens
    its own connections, which cannot see a test's uncommitted transaction."""
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-test", "BENCHMARK_ROUTES": True})
    result = app.test_cli_runner().invoke(
        args=["generate-data", "--witnesses", "200", "--cases", "100", "--courts", "4"]
    )
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["witness.db"].engine.dispose()


def test_benchmark_prints_a_table_and_writes_json(bench_app, tmp_path):
    path = tmp_path / "bench.json"
    result = bench_app.test_cli_runner().invoke(
        args=["benchmark", "--requests", "3", "--warmup", "1", "--json", str(path), "--show-sql"]
    )
    assert result.exit_code == 0, result.output
    assert "| user | endpoint |" in result.output
    assert "| liaison officer | floor |" in result.output
    assert "| supervisor | witness detail |" in result.output
    assert "Peak memory" in result.output
    report = json.loads(path.read_text())
    assert report["witnesses"] == 200
    rows = report["rows"]
    assert {r["endpoint"] for r in rows} == ENDPOINTS
    assert {r["user"] for r in rows} == {"liaison officer", "supervisor"}
    for row in rows:
        if row["requests"]:  # the API row says "API not available" until the API is there
            assert row["requests"] == 3 and row["errors"] == {}
            assert row["median_ms"] > 0 and row["queries"] >= 1
        else:
            assert row["endpoint"] == "API witness list" and row["note"] == "API not available"
    assert report["memory"]["peak_mb"] > 0


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
