"""The rows of the benchmark's table: each a page, an API call or an in-process check requested
by one signed-in user, cycling through the paths its plan (``witness.bench.plan``) chose."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from witness.bench.plan import BenchmarkError, Plan
from witness.core.time import now_utc
from witness.db import db_session
from witness.scheduling.conflicts import find_clashes, plan_slots

API_WITNESSES = "/api/v1/witnesses"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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


def api_path(app: Flask) -> str | None:
    """The API's witness list if the app serves it, else None."""
    for rule in app.url_map.iter_rules():
        if rule.rule.rstrip("/") == API_WITNESSES and "GET" in (rule.methods or ()):
            return rule.rule
    return None


def sign_in(app: Flask, email: str, password: str):
    """A test client signed in through the login form, as a browser would. The benchmark's
    own process measures pages, not the second factor: its generated supervisors have none."""
    app.config["REQUIRE_SECOND_FACTOR"] = False
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


def build_targets(app: Flask, plan: Plan, password: str, api: str | None) -> list[Target]:
    """The rows for one user: floor, dashboard, list, search, detail and the API list."""
    label, rows = plan.label, plan.rows
    client = sign_in(app, plan.email, password)
    # A partial reference, as someone types it from a letter: its last four characters.
    terms = sorted({ref[-4:] for _, ref in rows})
    targets = [
        Target(label, "floor", [f"/_bench/floor/{wid}" for wid, _ in rows], client),
        _write_floor_target(label, rows, client),
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


def _ledger_targets(app: Flask, plan: Plan, client) -> list[Target]:
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
    csrf = _csrf_token(client, target.paths[0])

    def record(i: int) -> int:
        path = target.paths[i % len(target.paths)]
        _, case_id, need_id = ledger[i % len(ledger)]
        if csrf() is None:
            return 500
        response = client.post(
            path,
            data={
                "csrf_token": csrf(),
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


def _write_floor_target(label: str, rows: list[tuple[int, str]], client) -> Target:
    """POST the write floor (``/_bench/write-floor``): CSRF, one row and one audit row, one
    commit; what "record item" is measured against."""
    target = Target(label, "write floor", [f"/_bench/write-floor/{w}" for w, _ in rows], None)
    csrf = _csrf_token(client, "/")

    def write(i: int) -> int:
        if csrf() is None:
            return 500
        response = client.post(target.paths[i % len(target.paths)], data={"csrf_token": csrf()})
        response.close()
        return 200 if response.status_code == 302 else response.status_code

    target.call = write
    return target


def _csrf_token(client, page: str):
    """The session's CSRF token, read once from ``page`` as a browser keeps it (None when
    the page has none)."""
    token: list[str | None] = []

    def get() -> str | None:
        if not token:
            match = _CSRF.search(client.get(page).get_data(as_text=True))
            token.append(match.group(1) if match else None)
        return token[0]

    return get


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
