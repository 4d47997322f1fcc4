"""In-process benchmark: the main pages against a floor request, per user (``flask benchmark``).

Requests go through the Flask test client, so the figures are the app's own cost (routing,
sign-in, session, queries, templates) without a network or a server in between. Requests to
every page are interleaved round by round, so drift on a busy machine affects all rows alike.
The scheduling rows (issue 4) add the double-booking check, called in-process as a booking
form would, an officer's week, a court's day, a room's day and a staff calendar feed. The
ledger rows (issue 5) add recording an item through the form, a witness's ledger page and the
chain check of a case through the API; the disclosure PDF of the case with the most entries is
timed once against reportlab laying out the same table alone (``measure_disclosure``).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import statistics
import time
from collections.abc import Callable

from flask import Flask
from sqlalchemy import event, func, select

from witness.auth.models import Role, User
from witness.bench.plan import BenchmarkError, choose_users, make_plan
from witness.bench.report import DISCLOSURE_TARGET, build_report
from witness.bench.targets import Target, api_path, build_targets
from witness.bench.vocabulary import BENCH_PASSWORD
from witness.cases.models import Case
from witness.core.access import visible_witnesses
from witness.core.time import now_utc
from witness.db import db_session
from witness.ledger.disclosure import disclosure_rows
from witness.ledger.disclosure_pdf import layout_floor
from witness.ledger.exports import build_pdf
from witness.ledger.models import SupportItem
from witness.people.models import Witness


class _SqlRecorder:
    """Counts and times the statements of the current request through engine events."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.current: list[tuple[str, float]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_start", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = conn.info["bench_start"].pop()
        self.current.append((statement, time.perf_counter() - started))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _bench_app(app: Flask) -> Flask:
    """A twin of ``app`` with the floor route and its own engine.

    Always a twin: a test-client request inside an app context of the same app would share
    that context's ``g``, and so one database session, with every other request.
    """
    from witness.factory import build_app

    return build_app(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "BENCHMARK_ROUTES": True,
        }
    )


def _request(target: Target, i: int, recorder: _SqlRecorder, record: bool) -> None:
    recorder.current = []
    if target.call is not None:
        started = time.perf_counter()
        status = target.call(i) or 200
        elapsed = time.perf_counter() - started
    else:
        path = target.paths[i % len(target.paths)]
        started = time.perf_counter()
        response = target.client.get(path, headers=target.headers)
        response.get_data()
        elapsed = time.perf_counter() - started
        response.close()
        status = response.status_code
    if not record:
        return
    if status != 200:
        target.errors[status] += 1
    target.times.append(elapsed)
    target.queries.append(len(recorder.current))
    target.sql_times.append(sum(t for _, t in recorder.current))
    for statement, t in recorder.current:
        entry = target.statements[statement]
        entry[0] += 1
        entry[1] += t


def run_benchmark(
    app: Flask,
    *,
    requests: int = 200,
    warmup: int = 20,
    max_seconds: float = 300.0,
    email: str | None = None,
    password: str | None = None,
    supervisor: bool = True,
    profile: str | None = None,
    echo: Callable[[str], None] = print,
) -> dict:
    """Measure every target ``requests`` times (fewer if ``max_seconds`` runs out)."""
    bench_app = _bench_app(app)
    engine = bench_app.extensions["witness.db"].engine
    recorder = _SqlRecorder(engine)
    try:
        with bench_app.app_context():
            db = db_session()
            witnesses = db.scalar(select(func.count()).select_from(Witness))
            cases = db.scalar(select(func.count()).select_from(Case))
            api = api_path(bench_app)
            plans = [
                make_plan(label, user, api)
                for label, user in choose_users(email, supervisor).items()
            ]
            db.commit()
        # Requests run outside any app context, each in its own, as under a server.
        targets: list[Target] = []
        for plan in plans:
            targets += build_targets(bench_app, plan, password or BENCH_PASSWORD, api)
            echo(f"Signed in as {plan.label} {plan.email}")
        live = [t for t in targets if t.live]
        memory_before = _peak_mb()
        echo(f"Warming up ({warmup} rounds), then up to {requests} rounds of {len(live)} requests")
        for i in range(warmup):
            for target in live:
                _request(target, i, recorder, record=False)
        started = time.perf_counter()
        rounds = 0
        for i in range(requests):
            for target in live:
                _request(target, i, recorder, record=True)
            rounds += 1
            if time.perf_counter() - started > max_seconds:
                echo(f"Stopped after {rounds} rounds (--max-seconds {max_seconds:g})")
                break
        seconds = time.perf_counter() - started
        profiles = _profile(live, profile, recorder, min(requests, 50)) if profile else {}
        for text in profiles.values():
            echo(text)
    finally:
        recorder.close()
        engine.dispose()
    return build_report(
        engine, targets, witnesses, cases, rounds, seconds, memory_before, _peak_mb(), profiles
    )


def measure_disclosure(app: Flask, *, rounds: int = 1, echo: Callable[[str], None] = print):
    """The disclosure PDF of the case with the most ledger entries, built as its prosecutor's
    download is (rows, chain check, totals, page numbers), against reportlab laying out the
    same entries table alone from rows already in memory; alternated, ``rounds`` times each.
    None when the ledger is empty."""
    bench_app = _bench_app(app)
    try:
        with bench_app.app_context():
            db = db_session()
            biggest = db.execute(
                select(SupportItem.case_id, func.count())
                .group_by(SupportItem.case_id)
                .order_by(func.count().desc(), SupportItem.case_id)
                .limit(1)
            ).first()
            if biggest is None:
                return None
            case = db.get(Case, biggest[0])
            reader = _case_reader(case)
            reference, email = case.reference, reader.email
            echo(
                f"Disclosure PDF of case {reference} ({biggest[1]:,} entries) as {email}, "
                f"{rounds} round(s) of report and floor"
            )
            report_times, floor_times, size = [], [], 0
            for _ in range(rounds):
                started = time.perf_counter()
                size = len(build_pdf(db, reader, case, now_utc())[0])
                report_times.append(time.perf_counter() - started)
                rows = list(disclosure_rows(db, case_id=case.id, visible=visible_witnesses(reader)))
                started = time.perf_counter()
                layout_floor(rows)
                floor_times.append(time.perf_counter() - started)
                del rows
                db.rollback()
    finally:
        bench_app.extensions["witness.db"].engine.dispose()
    report, floor = statistics.median(report_times), statistics.median(floor_times)
    return {
        "case": reference,
        "entries": biggest[1],
        "reader": email,
        "rounds": rounds,
        "report_s": round(report, 2),
        "floor_s": round(floor, 2),
        "ratio": round(report / floor, 2),
        "target_ratio": DISCLOSURE_TARGET,
        "meets_target": report / floor <= DISCLOSURE_TARGET,
        "pdf_bytes": size,
    }


def _case_reader(case: Case) -> User:
    """Who downloads a case's disclosure: its lead prosecutor, else a supervisor of its office."""
    if case.lead_prosecutor is not None:
        return case.lead_prosecutor
    reader = db_session().scalar(
        select(User)
        .where(User.organisation_id == case.organisation_id, User.role == Role.supervisor)
        .order_by(User.id)
        .limit(1)
    )
    if reader is None:
        raise BenchmarkError(f"No prosecutor or supervisor can read case {case.reference}.")
    return reader


def _profile(targets: list[Target], name: str, recorder, count: int) -> dict[str, str]:
    """cProfile of ``count`` requests to the endpoint ``name``, per user."""
    out = {}
    for target in targets:
        if target.endpoint != name:
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(count):
            _request(target, i, recorder, record=False)
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(30)
        out[f"{target.user}: {target.endpoint}"] = (
            f"\n## cProfile: {target.user}, {target.endpoint}, {count} requests\n"
            + buffer.getvalue()
        )
    if not out:
        names = sorted({t.endpoint for t in targets})
        out["error"] = f"No endpoint named {name!r}; choose one of {', '.join(names)}."
    return out
