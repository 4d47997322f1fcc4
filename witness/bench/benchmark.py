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
import hashlib
import hmac
import io
import pstats
import random
import re
import resource
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import MethodNotAllowed, NotFound

from witness.auth.models import Role, User
from witness.bench.generate import typical_users
from witness.bench.vocabulary import BENCH_PASSWORD, COURT_TIMEZONE
from witness.calendar.models import CalendarFeed
from witness.cases.models import Case, Court, Hearing
from witness.core.access import visible_witnesses
from witness.core.time import now_utc
from witness.db import db_session
from witness.people.models import NeedsAssessment, Participation, Witness
from witness.scheduling.models import (
    Appointment,
    AppointmentStaff,
    AppointmentStatus,
    Resource,
    ResourceKind,
)
from witness.scheduling.services import find_clashes, plan_slots

#: the issue's targets at 100,000 witnesses: pages and feeds, the double-booking check
TARGET_RATIO = 3.0
#: None: measured, no target (the chain check's cost grows with the case's ledger)
TARGET_RATIOS: dict[str, float | None] = {
    "conflict check": 2.0,
    "record item": 2.0,
    "chain check": None,
}
TARGET_MEMORY_MB = 200.0
#: the disclosure PDF against reportlab's own layout of the same table (issue 5)
DISCLOSURE_TARGET = 2.0
#: the staff feed measured has about this many events (issue 4)
FEED_EVENTS = 500
#: a feed's window (witness.calendar.feeds): 30 days back to a year ahead
FEED_PAST, FEED_AHEAD = timedelta(days=30), timedelta(days=365)
#: how many of the busiest days (weeks) each scheduling page cycles through
BUSY_DAYS = 5
API_WITNESSES = "/api/v1/witnesses"
SAMPLE = 50

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BenchmarkError(Exception):
    """The benchmark cannot run (no data, no such user, sign-in refused)."""


@dataclass
class Target:
    """One row of the table: an endpoint requested by one user, cycling through paths."""

    user: str
    endpoint: str
    paths: list[str]
    client: object
    headers: dict[str, str] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    statements: dict[str, list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0.0])
    )
    errors: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    note: str = ""
    #: measured in-process instead of requested: called with the round number
    call: Callable[[int], None] | None = None
    #: what each call found (the conflict check: clashes), for the note
    found: list[int] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.client is not None or self.call is not None


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


def _percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


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


def api_path(app: Flask) -> str | None:
    """The API's witness list if the app serves it and API tokens exist, else None."""
    try:
        from witness.auth import tokens
    except ImportError:
        return None
    if not hasattr(tokens, "create_token"):
        return None
    for rule in app.url_map.iter_rules():
        if rule.rule.rstrip("/") == API_WITNESSES and "GET" in (rule.methods or ()):
            return rule.rule
    return None


def sign_in(app: Flask, email: str, password: str):
    """A test client signed in through the login form, as a browser would."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF.search(page)
    if match is None:
        raise BenchmarkError("The sign-in page has no CSRF token.")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": match.group(1)}
    )
    if response.status_code != 302:
        raise BenchmarkError(
            f"Could not sign in as {email} (status {response.status_code}); "
            "give --email and --password of an existing user."
        )
    return client


def choose_users(email: str | None, supervisor: bool) -> dict[str, User]:
    """The user given by e-mail, or the typical officer (and supervisor) of generated data."""
    db = db_session()
    if email:
        user = db.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise BenchmarkError(f"No user with e-mail {email}.")
        return {user.role.label.lower(): user}
    users = typical_users(db)
    if not users:
        raise BenchmarkError(
            "No liaison officer with assigned witnesses: run `flask generate-data` first."
        )
    if not supervisor:
        users.pop("supervisor", None)
    return users


@dataclass
class _Plan:
    label: str
    email: str
    rows: list[tuple[int, str]]
    token: str | None
    #: scheduling pages: endpoint -> paths (empty when there is nothing to show)
    pages: dict[str, list[str]] = field(default_factory=dict)
    #: the double-booking checks to time: plan_slots() keyword arguments
    bookings: list[dict] = field(default_factory=list)
    #: the public staff feed's path and how many events it holds
    feed: tuple[str, int] | None = None
    #: ledger rows: (witness, one of their cases, an open need or None) to record against
    ledger: list[tuple[int, int, int | None]] = field(default_factory=list)


def _plan(label: str, user: User, api: str | None) -> _Plan:
    """The witnesses one user will open (a sample of those they may see), and an API token."""
    db = db_session()
    rows = db.execute(
        select(Witness.id, Witness.reference)
        .where(visible_witnesses(user))
        .order_by(Witness.id)
        .limit(10 * SAMPLE)
    ).all()
    if not rows:
        raise BenchmarkError(f"{user.email} sees no witnesses; choose another user.")
    rows = random.Random(user.id).sample([tuple(r) for r in rows], min(SAMPLE, len(rows)))
    token = None
    if api is not None:
        from witness.auth.tokens import create_token

        try:
            with db.begin_nested():
                _, token = create_token(db, user, "benchmark")
        except SQLAlchemyError:  # e.g. the API's migration has not been applied
            token = None
    plan = _Plan(label, user.email, rows, token)
    try:
        with db.begin_nested():
            _schedule_plan(plan, user, officer=label == "liaison officer", secret=_secret())
    except SQLAlchemyError:  # the scheduling migration has not been applied
        plan.pages, plan.bookings, plan.feed = {}, [], None
    plan.ledger = _ledger_plan([wid for wid, _ in rows])
    return plan


def _ledger_plan(witness_ids: list[int]) -> list[tuple[int, int, int | None]]:
    """Each sampled witness with one of their cases and an open need an item would meet."""
    db = db_session()
    cases = dict(
        db.execute(
            select(Participation.witness_id, func.min(Participation.case_id))
            .where(Participation.witness_id.in_(witness_ids))
            .group_by(Participation.witness_id)
        ).all()
    )
    needs = dict(
        db.execute(
            select(NeedsAssessment.witness_id, func.min(NeedsAssessment.id))
            .where(NeedsAssessment.witness_id.in_(witness_ids), NeedsAssessment.is_open.is_(True))
            .group_by(NeedsAssessment.witness_id)
        ).all()
    )
    return [(wid, cases[wid], needs.get(wid)) for wid in witness_ids if wid in cases]


def _secret() -> bytes:
    from flask import current_app

    return str(current_app.config["SECRET_KEY"]).encode()


def _busiest_days(instants, tz: str, count: int = BUSY_DAYS) -> list[date]:
    """The local dates with the most of ``instants``, busiest first."""
    zone = ZoneInfo(tz)
    days = Counter(instant.astimezone(zone).date() for instant in instants)
    return [day for day, _ in sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


def scheduling_paths(user: User) -> dict[str, list[str]]:
    """The week, court-day and room-day pages (busiest first) the load test requests too."""
    plan = _Plan("", user.email, [], None)
    _schedule_plan(plan, user, officer=False, secret=b"")
    return plan.pages


def _schedule_plan(plan: _Plan, user: User, *, officer: bool, secret: bytes) -> None:
    """The user's busiest weeks, the court their witnesses mostly go to on its busiest days,
    its busiest room, and (for the officer) bookings on their busiest days and a staff feed."""
    db = db_session()
    now = now_utc()
    active = Appointment.status != AppointmentStatus.cancelled
    mine = db.scalars(
        select(Appointment.start_dt)
        .join(AppointmentStaff, AppointmentStaff.appointment_id == Appointment.id)
        .where(
            AppointmentStaff.user_id == user.id,
            Appointment.start_dt >= now - timedelta(days=30),
            Appointment.start_dt < now + timedelta(days=90),
            active,
        )
    ).all()
    court = db.execute(
        select(Court.id, Court.timezone)
        .join(Case, Case.court_id == Court.id)
        .join(Participation, Participation.case_id == Case.id)
        .join(Witness, Witness.id == Participation.witness_id)
        .where(visible_witnesses(user))
        .group_by(Court.id, Court.timezone)
        .order_by(func.count().desc(), Court.id)
        .limit(1)
    ).first()
    tz = court.timezone if court else COURT_TIMEZONE
    today = now.astimezone(ZoneInfo(tz)).date()
    week_days = _busiest_days(mine, tz) or [today]
    plan.pages["officer week"] = [f"/calendar/week?date={d.isoformat()}" for d in week_days]
    if court is None:
        return
    hearings = db.scalars(
        select(Hearing.start_dt).where(
            Hearing.court_id == court.id,
            Hearing.start_dt >= now - timedelta(days=30),
            Hearing.start_dt < now + timedelta(days=90),
        )
    ).all()
    court_days = _busiest_days(hearings, tz) or [today]
    plan.pages["court day"] = [f"/courts/{court.id}/day?date={d.isoformat()}" for d in court_days]
    rooms = select(Resource.id).where(Resource.court_id == court.id)
    room = db.execute(
        select(Appointment.resource_id, func.count())
        .where(
            Appointment.resource_id.in_(rooms),
            Appointment.start_dt >= now - timedelta(days=30),
            Appointment.start_dt < now + timedelta(days=90),
            active,
        )
        .group_by(Appointment.resource_id)
        .order_by(func.count().desc(), Appointment.resource_id)
        .limit(1)
    ).first()
    if room is not None:
        used = db.scalars(
            select(Appointment.start_dt).where(
                Appointment.resource_id == room[0],
                Appointment.start_dt >= now - timedelta(days=30),
                Appointment.start_dt < now + timedelta(days=90),
                active,
            )
        ).all()
        plan.pages["resource day"] = [
            f"/resources/{room[0]}/day?date={d.isoformat()}" for d in _busiest_days(used, tz)
        ]
    if not officer:
        return
    # Bookings an officer would try on their busiest days ahead: one of their witnesses, a
    # waiting room of the court, a morning or an afternoon, half an hour's travel each way.
    witness_ids = db.scalars(
        select(Witness.id).where(visible_witnesses(user)).order_by(Witness.id).limit(50)
    ).all()
    waiting = db.scalars(
        select(Resource.id)
        .where(Resource.court_id == court.id, Resource.kind == ResourceKind.waiting_room)
        .order_by(Resource.id)
    ).all()
    ahead = _busiest_days([t for t in mine if t > now], tz) or [today + timedelta(days=7)]
    zone = ZoneInfo(tz)
    rng = random.Random(user.id)
    for k, day in enumerate(ahead * 4):
        start = datetime.combine(day, clock_time(9 + 2 * (k % 4), 0), zone)
        plan.bookings.append(
            dict(
                witness_id=rng.choice(witness_ids),
                staff_ids=[user.id],
                interpreter_id=None,
                resource_id=waiting[k % len(waiting)] if waiting else None,
                start=start,
                end=start + timedelta(hours=2),
                travel_minutes=30,
            )
        )
    plan.feed = benchmark_feed(secret)


def benchmark_feed(secret: bytes) -> tuple[str, int] | None:
    """A staff feed with about FEED_EVENTS events: that of the member of staff (of any
    office or NGO) whose count in the feed's window is nearest. Its token is derived from the
    secret key, so runs reuse one feed row. Returns its path and its number of events."""
    db = db_session()
    now = now_utc()
    counts = db.execute(
        select(AppointmentStaff.user_id, func.count())
        .join(Appointment, Appointment.id == AppointmentStaff.appointment_id)
        .where(
            Appointment.start_dt >= now - FEED_PAST,
            Appointment.start_dt < now + FEED_AHEAD,
            Appointment.status != AppointmentStatus.cancelled,
        )
        .group_by(AppointmentStaff.user_id)
    ).all()
    if not counts:
        return None
    owner_id, events = min(counts, key=lambda row: (abs(row[1] - FEED_EVENTS), row[0]))
    token = hmac.new(secret, f"bench-feed:{owner_id}".encode(), hashlib.sha256).hexdigest()
    digest = hashlib.sha256(token.encode()).hexdigest()
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest))
    if feed is None:
        db.add(CalendarFeed(token_hash=digest, user_id=owner_id, created_by_id=owner_id))
    else:
        feed.revoked_dt = None
    db.flush()
    return f"/feeds/{token}.ics", events


def _targets(app: Flask, plan: _Plan, password: str, api: str | None) -> list[Target]:
    """The rows for one user: floor, dashboard, list, search, detail and the API list."""
    label, rows = plan.label, plan.rows
    client = sign_in(app, plan.email, password)
    # A partial reference, as someone types it from a letter: its last four characters.
    terms = sorted({ref[-4:] for _, ref in rows})
    targets = [
        Target(label, "floor", [f"/_bench/floor/{wid}" for wid, _ in rows], client),
        Target(label, "dashboard", ["/"], client),
        Target(label, "witness list", ["/witnesses/"], client),
        Target(label, "witness search", [f"/witnesses/?q={t}" for t in terms], client),
        Target(label, "witness detail", [f"/witnesses/{wid}" for wid, _ in rows], client),
    ]
    if api is None or plan.token is None:
        targets.append(Target(label, "API witness list", [], None, note="API not available"))
    else:
        headers = {"Authorization": f"Bearer {plan.token}"}
        targets.append(Target(label, "API witness list", [api], app.test_client(), headers))
    if plan.bookings:
        targets.append(_conflict_target(app, label, plan.bookings))
    for endpoint, paths in plan.pages.items():
        targets.append(_page_target(app, label, endpoint, paths, client))
    if plan.feed is not None:
        path, events = plan.feed
        feed = _page_target(app, label, "staff feed", [path], app.test_client())
        feed.note = feed.note or f"{events} events"
        targets.append(feed)
    targets += _ledger_targets(app, plan, client)
    return targets


def _ledger_targets(app: Flask, plan: _Plan, client) -> list[Target]:
    """Recording an item through the form, the witness's ledger page, a case's chain check."""
    label = plan.label
    if not plan.ledger:
        return [Target(label, "witness ledger", [], None, note="nothing to show in the data")]
    pages = [f"/witnesses/{wid}/ledger" for wid, _, _ in plan.ledger]
    targets = [_page_target(app, label, "witness ledger", pages, client)]
    if targets[0].client is not None:
        targets.append(_record_target(label, plan.ledger, client))
    chains = [f"/api/v1/cases/{cid}/ledger-chain" for cid in sorted({c for _, c, _ in plan.ledger})]
    if plan.token is None or not route_exists(app, chains[0]):
        targets.append(Target(label, "chain check", chains, None, note="API not available"))
    else:
        headers = {"Authorization": f"Bearer {plan.token}"}
        targets.append(Target(label, "chain check", chains, app.test_client(), headers))
    return targets


def _record_target(label: str, ledger: list[tuple[int, int, int | None]], client) -> Target:
    """POST the record form as an officer does: a return bus fare meeting an open need.

    Every round really records an entry (the ledger is append-only): a benchmark database
    gains one item per witness row and round, each saying it came from the benchmark."""
    target = Target(
        label, "record item", [f"/witnesses/{w}/ledger/new" for w, _, _ in ledger], None
    )
    csrf: list[str] = []

    def record(i: int) -> int:
        path = target.paths[i % len(target.paths)]
        _, case_id, need_id = ledger[i % len(ledger)]
        if not csrf:  # one token per signed-in session, as a browser keeps it
            match = _CSRF.search(client.get(path).get_data(as_text=True))
            if match is None:
                return 500
            csrf.append(match.group(1))
        response = client.post(
            path,
            data={
                "csrf_token": csrf[0],
                "case_id": str(case_id),
                "category": "transport",
                "description": "Return bus fare to the court familiarisation visit",
                "quantity": "2",
                "unit": "trips",
                "value": "12.40",
                "currency": "GBP",
                "date_provided": (now_utc() - timedelta(days=1)).date().isoformat(),
                "need_id": str(need_id or ""),
                "rationale": "Travel to the familiarisation visit (recorded by the benchmark).",
                "record": "Record",
            },
        )
        response.close()
        return 200 if response.status_code == 302 else response.status_code

    target.call = record
    return target


def route_exists(app: Flask, path: str) -> bool:
    """Whether the app serves GET ``path`` (its query string aside)."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.partition("?")[0], method="GET")
    except MethodNotAllowed:
        return True
    except NotFound:
        return False
    return True


def _page_target(app: Flask, label: str, endpoint: str, paths: list[str], client) -> Target:
    """A page row, or a "missing" row when the app has no such route (yet)."""
    if not paths:
        return Target(label, endpoint, [], None, note="nothing to show in the data")
    if not route_exists(app, paths[0]):
        return Target(label, endpoint, paths, None, note="missing (no such page)")
    return Target(label, endpoint, paths, client)


def _conflict_target(app: Flask, label: str, bookings: list[dict]) -> Target:
    """``find_clashes`` for a booking's slots, in its own app context and session as a
    request has, without the HTTP and template around it."""
    slots = [plan_slots(**booking) for booking in bookings]
    target = Target(label, "conflict check", [], None)

    def check(i: int) -> None:
        with app.app_context():
            target.found.append(len(find_clashes(db_session(), slots[i % len(slots)])))

    target.paths = [
        f"find_clashes: {b['start']:%Y-%m-%d %H:%M}, user {b['staff_ids'][0]}, "
        f"witness {b['witness_id']}, room {b['resource_id']}"
        for b in bookings
    ]
    target.call = check
    return target


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
                _plan(label, user, api) for label, user in choose_users(email, supervisor).items()
            ]
            db.commit()
        # Requests run outside any app context, each in its own, as under a server.
        targets: list[Target] = []
        for plan in plans:
            targets += _targets(bench_app, plan, password or BENCH_PASSWORD, api)
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
    return _report(
        engine, targets, witnesses, cases, rounds, seconds, memory_before, _peak_mb(), profiles
    )


def measure_disclosure(app: Flask, *, rounds: int = 1, echo: Callable[[str], None] = print):
    """The disclosure PDF of the case with the most ledger entries, built as its prosecutor's
    download is (rows, chain check, totals, page numbers), against reportlab laying out the
    same entries table alone from rows already in memory; alternated, ``rounds`` times each.
    None when the ledger is empty."""
    from witness.ledger.disclosure import disclosure_rows, layout_floor
    from witness.ledger.exports import build_pdf
    from witness.ledger.models import SupportItem

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


def _report(
    engine, targets, witnesses, cases, rounds, seconds, memory_before, memory_peak, profiles
) -> dict:
    floors = {t.user: statistics.median(t.times) for t in targets if t.endpoint == "floor"}
    floors_p95 = {t.user: _percentile(t.times, 95) for t in targets if t.endpoint == "floor"}
    rows = []
    for t in targets:
        row = {"user": t.user, "endpoint": t.endpoint, "path": t.paths[0] if t.paths else None}
        if not t.times:
            row.update(requests=0, note=t.note or "not measured")
            rows.append(row)
            continue
        median, p95 = statistics.median(t.times), _percentile(t.times, 95)
        top = sorted(t.statements.items(), key=lambda kv: kv[1][1], reverse=True)[:5]
        target = TARGET_RATIOS.get(t.endpoint, TARGET_RATIO)
        note = t.note
        if t.found:
            note = f"{statistics.median(t.found):g} clashes found per check (median)"
        row.update(
            requests=len(t.times),
            median_ms=round(median * 1000, 2),
            p95_ms=round(p95 * 1000, 2),
            ratio_median=round(median / floors[t.user], 2),
            ratio_p95=round(p95 / floors_p95[t.user], 2),
            queries=statistics.median(t.queries),
            sql_ms_median=round(statistics.median(t.sql_times) * 1000, 2),
            errors=dict(t.errors),
            target_ratio=target,
            meets_target=t.endpoint == "floor"
            or target is None
            or median / floors[t.user] <= target,
            note=note,
            top_statements=[
                {
                    "sql": " ".join(sql.split()),
                    "per_request": round(n / len(t.times), 2),
                    "ms_per_request": round(total * 1000 / len(t.times), 3),
                }
                for sql, (n, total) in top
            ],
        )
        rows.append(row)
    measured = [r for r in rows if r.get("requests")]
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "dialect": engine.dialect.name,
        "witnesses": witnesses,
        "cases": cases,
        "rounds": rounds,
        "seconds": round(seconds, 1),
        "rows": rows,
        "memory": {
            "peak_mb": round(memory_peak, 1),
            "before_measuring_mb": round(memory_before, 1),
            "target_mb": TARGET_MEMORY_MB,
            "meets_target": memory_peak <= TARGET_MEMORY_MB,
        },
        "target_ratio": TARGET_RATIO,
        "all_pages_meet_target": all(r["meets_target"] for r in measured),
        "errors": sum(sum(r["errors"].values()) for r in measured),
        "profiles": profiles,
    }


def markdown(report: dict) -> str:
    """The report as a markdown table, with the memory and the targets below it."""
    lines = [
        f"\n{report['witnesses']:,} witnesses, {report['cases']:,} cases on "
        f"{report['dialect']}; {report['rounds']} rounds in {report['seconds']} s\n",
        "| user | endpoint | n | median ms | p95 ms | x floor (median) | x floor (p95) "
        "| queries | SQL ms | errors | meets target | note |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in report["rows"]:
        if not r.get("requests"):
            lines.append(
                f"| {r['user']} | {r['endpoint']} | - | - | - | - | - | - | - | - | - "
                f"| {r['note']} |"
            )
            continue
        if r["endpoint"] == "floor":
            verdict = "floor"
        elif r["target_ratio"] is None:
            verdict = "no target"
        else:
            verdict = f"{'yes' if r['meets_target'] else '**no**'} (≤ {r['target_ratio']:g}x)"
        errors = sum(r["errors"].values())
        lines.append(
            f"| {r['user']} | {r['endpoint']} | {r['requests']} | {r['median_ms']:.1f} "
            f"| {r['p95_ms']:.1f} | {r['ratio_median']:.1f} | {r['ratio_p95']:.1f} "
            f"| {r['queries']:g} | {r['sql_ms_median']:.1f} | {errors} | {verdict} "
            f"| {r.get('note', '')} |"
        )
    lines.append(
        "\nx floor: the page's time over the floor's (one row by primary key, same user); the "
        "conflict check is find_clashes() called in-process in its own app context and "
        "session, its target 2x. "
        "queries and SQL ms: statements per request and time inside the driver's execute "
        "(PostgreSQL fetches the rows there; SQLite fetches them later, so its SQL ms is a "
        "lower bound)."
    )
    memory = report["memory"]
    lines.append(
        f"\nPeak memory (ru_maxrss): {memory['peak_mb']:.0f} MB "
        f"(target ≤ {memory['target_mb']:.0f} MB: {'met' if memory['meets_target'] else 'NOT met'}"
        f"; {memory['before_measuring_mb']:.0f} MB before measuring)"
    )
    lines.append(
        "Every row within its target: " + ("met" if report["all_pages_meet_target"] else "NOT met")
    )
    return "\n".join(lines)


def disclosure_markdown(figures: dict | None) -> str:
    if figures is None:
        return "\nDisclosure PDF: the ledger is empty, nothing to measure."
    return (
        f"\nDisclosure PDF of case {figures['case']} ({figures['entries']:,} entries, as "
        f"{figures['reader']}): report {figures['report_s']:.1f} s, reportlab laying out the "
        f"same table alone {figures['floor_s']:.1f} s = {figures['ratio']:.2f}x (target ≤ "
        f"{figures['target_ratio']:g}x: {'met' if figures['meets_target'] else 'NOT met'}); "
        f"{figures['pdf_bytes'] / 1e6:.1f} MB, median of {figures['rounds']} round(s)"
    )


def sql_report(report: dict) -> str:
    """The costliest statements of each row, per request."""
    lines = []
    for r in report["rows"]:
        if not r.get("top_statements") or r["endpoint"] == "floor":
            continue
        lines.append(f"\n### {r['user']}: {r['endpoint']} ({r['sql_ms_median']:.1f} ms SQL)")
        for s in r["top_statements"]:
            sql = s["sql"] if len(s["sql"]) <= 400 else s["sql"][:400] + " …"
            lines.append(f"- {s['ms_per_request']:.2f} ms x {s['per_request']:g}/request: `{sql}`")
    return "\n".join(lines)
