"""Load test over HTTP (``flask loadtest``): gunicorn on loopback, driven by wrk.

The app is served as in production (gunicorn, several sync workers, the configured database)
with the benchmark's floor route switched on. A liaison officer signs in through the login
form; wrk then replays their session cookie with a mix of page views, searches, API calls and
a few form posts (phase changes between trial and post-trial, new needs), and afterwards
requests only the floor route for the same time. The posts change the data: run it on
generated data, never on real files.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from witness.bench.plan import BenchmarkError, choose_users, scheduling_paths
from witness.bench.targets import api_path, route_exists
from witness.bench.vocabulary import BENCH_PASSWORD
from witness.core.access import visible_witnesses
from witness.core.time import now_utc
from witness.db import db_session
from witness.people.models import Participation, Phase, Witness

#: the issue's targets: no errors, and the mix at least this share of the floor's throughput
TARGET_THROUGHPUT_RATIO = 0.3
USER_AGENT = "witness-loadtest/1"
SCRIPT = Path(__file__).with_name("mixed.lua")
#: share of each kind of request in the mix (a share whose pages are not there, such as the
#: API's, goes to the others in proportion)
MIX = {
    "dashboard": 0.16,
    "list": 0.15,
    "search": 0.12,
    "detail": 0.28,
    "api": 0.07,
    "week": 0.08,  # the officer's week calendar, on their busiest weeks
    "court_day": 0.04,  # the day list of the court their witnesses go to, on its busiest days
    "phase": 0.05,
    "need": 0.05,
}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class LoadTestError(Exception):
    """The load test cannot run (no wrk, SQLite, the server did not start...)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lua(value) -> str:
    """A Python value as a Lua literal (strings, numbers, lists, dicts with string keys)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid Lua string literal for our values
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _plan(app: Flask, email: str | None, api: str | None) -> dict:
    """Who signs in, and the witnesses, search terms, participations and scheduling pages
    they will use."""
    db = db_session()
    users = choose_users(email, supervisor=False)
    user = next(iter(users.values()))
    rows = db.execute(
        select(Witness.id, Witness.reference)
        .where(visible_witnesses(user))
        .order_by(Witness.id)
        .limit(500)
    ).all()
    if not rows:
        raise LoadTestError(f"{user.email} sees no witnesses; choose another user.")
    rows = random.Random(user.id).sample([tuple(r) for r in rows], min(50, len(rows)))
    participations = db.execute(
        select(Participation.witness_id, Participation.id, Participation.phase)
        .join(Witness, Witness.id == Participation.witness_id)
        .where(visible_witnesses(user), Participation.phase.in_([Phase.trial, Phase.post_trial]))
        .order_by(Participation.id)
        .limit(200)
    ).all()
    token = None
    if api is not None:
        from witness.auth.tokens import create_token

        try:
            with db.begin_nested():
                _, token = create_token(db, user, "load test")
        except SQLAlchemyError:  # e.g. the API's migration has not been applied
            token = None
    try:
        pages = scheduling_paths(user)
    except SQLAlchemyError:  # the scheduling migration has not been applied
        db.rollback()
        pages = {}
    pages = {k: v for k, v in pages.items() if v and route_exists(app, v[0])}
    db.commit()
    return {
        "weeks": pages.get("officer week", []),
        "court_days": pages.get("court day", []),
        "email": user.email,
        "role": user.role.label,
        "witnesses": [wid for wid, _ in rows],
        "terms": sorted({ref[-4:] for _, ref in rows}),
        "participations": [[w, p, phase.value] for w, p, phase in participations],
        "token": token,
    }


def _current_phases(participations: list[list]) -> list[list]:
    """[witness id, participation id, phase] with each phase read again from the database."""
    db = db_session()
    ids = [p for _, p, _ in participations]
    phases = dict(
        db.execute(
            select(Participation.id, Participation.phase).where(Participation.id.in_(ids))
        ).all()
    )
    db.commit()
    return [[w, p, phases[p].value] for w, p, _ in participations if p in phases]


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LoadTestError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise LoadTestError(
        f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}"
    )


def _sign_in(base: str, email: str, password: str, witness_id: int) -> tuple[str, str]:
    """Sign in through the form; returns the session cookie and a CSRF token for forms."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # Flask-Login's "strong" session protection ties the session to the address and the
    # User-Agent: wrk must send the same one.
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = _CSRF.search(page)
    if token is None:
        raise LoadTestError("The sign-in page has no CSRF token.")
    form = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": token.group(1)}
    ).encode()
    with opener.open(f"{base}/login", data=form, timeout=30) as response:
        if urllib.parse.urlsplit(response.url).path == "/login":
            raise LoadTestError(f"Could not sign in as {email}; give --email and --password.")
    # A page with forms puts the CSRF secret into the session: take the cookie after it.
    page = opener.open(f"{base}/witnesses/{witness_id}", timeout=30).read().decode()
    token = _CSRF.search(page)
    cookie = next((c for c in jar if c.name == "witness_session"), None)
    if token is None or cookie is None:
        raise LoadTestError("No session cookie or CSRF token after signing in.")
    return f"{cookie.name}={cookie.value}", token.group(1)


def _wrk(
    wrk: str, base: str, config: dict, *, duration: int, connections: int, threads: int
) -> dict:
    """Run wrk with the script and ``config``; returns its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"config = {_lua(config)}\n\n{SCRIPT.read_text()}")
    try:
        command = [
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={duration}s",
            "--timeout=10s",
            "--latency",
            f"--script={script.name}",
            base,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 120, check=False
        )
    finally:
        os.unlink(script.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise LoadTestError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line.removeprefix("WRK_JSON "))
    seconds = figures["duration_us"] / 1e6
    errors = figures["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    return {
        "requests": figures["requests"],
        "seconds": round(seconds, 1),
        "requests_per_s": round(figures["requests"] / seconds, 1),
        "p50_ms": figures["latency_us"]["p50"] / 1000,
        "p95_ms": figures["latency_us"]["p95"] / 1000,
        "p99_ms": figures["latency_us"]["p99"] / 1000,
        "max_ms": figures["latency_us"]["max"] / 1000,
        "http_errors": errors["status"],
        "socket_errors": socket_errors,
        "socket_error_kinds": {k: v for k, v in errors.items() if k != "status"},
        "login_redirects": figures["login_redirects"],
        "statuses": figures["statuses"],
    }


def run_loadtest(
    app: Flask,
    *,
    duration: int = 30,
    workers: int = 4,
    connections: int = 16,
    threads: int = 2,
    warmup: int = 5,
    email: str | None = None,
    password: str | None = None,
    allow_sqlite: bool = False,
    echo: Callable[[str], None] = print,
) -> dict:
    """Serve ``app``'s database with gunicorn, run the mix and the floor, stop the server."""
    url = app.config["DATABASE_URL"]
    wrk = _wrk_path(url, allow_sqlite, echo)
    api = api_path(app)
    try:
        plan = _plan(app, email, api)
    except BenchmarkError as exc:
        raise LoadTestError(str(exc)) from exc
    if plan["token"] is None:
        api = None
    with _gunicorn(app, workers, echo) as (base, log):
        cookie, csrf = _sign_in(
            base, plan["email"], password or BENCH_PASSWORD, plan["witnesses"][0]
        )
        echo(f"Signed in as {plan['role'].lower()} {plan['email']}")
        mix = _mix(plan, api)
        config = {
            "cookie": cookie,
            "csrf": csrf,
            "token": plan["token"],
            "api": api,
            "user_agent": USER_AGENT,
            "witnesses": plan["witnesses"],
            "terms": plan["terms"],
            "participations": plan["participations"],
            "weeks": plan["weeks"],
            "court_days": plan["court_days"],
            "threads": threads,
            "review_date": (now_utc().date() + timedelta(days=30)).isoformat(),
        }
        options = dict(connections=connections, threads=threads)
        if warmup:
            echo(f"Warming up for {warmup} s")
            _wrk(wrk, base, config | {"mix": mix}, duration=warmup, **options)
        echo(f"Floor route for {duration} s")
        floor = _wrk(wrk, base, config | {"mix": [[1, "floor"]]}, duration=duration, **options)
        echo(f"Mixed workload for {duration} s")
        # The warm-up moved some participations: start from the phases they have now.
        config["participations"] = _current_phases(config["participations"])
        mixed = _wrk(wrk, base, config | {"mix": mix}, duration=duration, **options)
    server_log = log.read_text()
    log.unlink()
    ratio = mixed["requests_per_s"] / floor["requests_per_s"] if floor["requests_per_s"] else 0
    errors = sum(
        r["http_errors"] + r["socket_errors"] + r["login_redirects"] for r in (floor, mixed)
    )
    return {
        "database": engine_name(url),
        "user": plan["email"],
        "workers": workers,
        "connections": connections,
        "threads": threads,
        "duration_s": duration,
        "api": api is not None,
        "mix": {name: share for name, share in MIX.items() if name not in _missing(plan, api)},
        "floor": floor,
        "mixed": mixed,
        "throughput_ratio": round(ratio, 3),
        "targets": {
            "zero_errors": errors == 0,
            "throughput_ratio_min": TARGET_THROUGHPUT_RATIO,
            "throughput_ratio_met": ratio >= TARGET_THROUGHPUT_RATIO,
        },
        "server_log_tail": server_log[-2000:],
    }


def _wrk_path(url: str, allow_sqlite: bool, echo: Callable[[str], None]) -> str:
    """wrk's path, once the database and the checkout can take a load test."""
    if url.startswith("sqlite"):
        if not allow_sqlite:
            raise LoadTestError(
                "The load test targets PostgreSQL (set WITNESS_DATABASE_URL); SQLite takes one "
                "writer at a time and is not what production runs. --allow-sqlite runs it anyway."
            )
        echo("Warning: SQLite under concurrent load is not representative of production.")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadTestError("wrk is not installed: apt-get install -y wrk")
    if not SCRIPT.exists():
        raise LoadTestError(f"{SCRIPT} is missing (run from a source checkout).")
    return wrk


@contextmanager
def _gunicorn(app: Flask, workers: int, echo: Callable[[str], None]) -> Iterator[tuple]:
    """Serve ``app``'s database and secret key with gunicorn on a free loopback port; yields
    its base URL and the path of its log, and stops it on leaving."""
    url = app.config["DATABASE_URL"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "WITNESS_DATABASE_URL": url,
        "WITNESS_SECRET_KEY": app.config["SECRET_KEY"],
        "WITNESS_BENCHMARK_ROUTES": "1",
        "WITNESS_SECURE_COOKIES": "0",
    }
    log = Path(tempfile.mkstemp(prefix="witness-gunicorn-", suffix=".log")[1])
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--timeout=60",
        "--log-level=warning",
        "witness:create_app()",
    ]
    echo(f"Starting gunicorn ({workers} workers) on {base} ({engine_name(url)})")
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, proc, log)
        yield base, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _mix(plan: dict, api: str | None) -> list[list]:
    """The mix as cumulative shares for the script: [[share up to, kind], ...], the kinds the
    app or the data has nothing for left out and their share given to the others."""
    mix, total = [], 0.0
    missing = _missing(plan, api)
    for name, share in MIX.items():
        if name in missing:
            continue
        total += share
        mix.append([total, name])
    return [[round(cumulative / total, 4), name] for cumulative, name in mix]


def _missing(plan: dict, api: str | None) -> set[str]:
    """Kinds of request left out of the mix: the app or the data has nothing for them."""
    missing = set()
    if api is None:
        missing.add("api")
    if not plan["weeks"]:
        missing.add("week")
    if not plan["court_days"]:
        missing.add("court_day")
    return missing


def engine_name(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def markdown(report: dict) -> str:
    """The two runs as a markdown table, with the targets below."""
    lines = [
        f"\n{report['workers']} gunicorn workers, {report['connections']} connections, "
        f"{report['duration_s']} s each, on {report['database']}; signed in as {report['user']}"
        + ("" if report["api"] else " (API not available: not in the mix)")
        + "\n",
        "| workload | requests | req/s | p50 ms | p95 ms | p99 ms | non-2xx/3xx "
        "| socket errors | sent to sign-in | statuses |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for name in ("floor", "mixed"):
        r = report[name]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        lines.append(
            f"| {name} | {r['requests']} | {r['requests_per_s']:.1f} | {r['p50_ms']:.1f} "
            f"| {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['http_errors']} "
            f"| {r['socket_errors']} | {r['login_redirects']} | {statuses} |"
        )
    targets = report["targets"]
    lines.append(
        f"\nMixed throughput is {report['throughput_ratio']:.2f}x the floor's "
        f"(target ≥ {targets['throughput_ratio_min']}: "
        f"{'met' if targets['throughput_ratio_met'] else 'NOT met'}); "
        f"zero errors: {'met' if targets['zero_errors'] else 'NOT met'}"
    )
    return "\n".join(lines)
