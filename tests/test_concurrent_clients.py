"""Real clients at the same moment against a real server, on SQLite as on PostgreSQL.

The app is served by werkzeug's threaded server on a free loopback port, on a database of its
own (a fresh SQLite file, or a sibling ``<name>_clients`` database on PostgreSQL), and several
HTTP clients, each in its own thread with its own session, send their requests together
(a barrier releases them at once). Nothing may answer 500 ("database is locked" on SQLite was
the failure): every sign-in works, exactly one of several bookings of one officer at one time
wins and every other is told of the clash with free times to choose from, and support recorded
at once by several people lands in one unbroken hash chain.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from werkzeug.security import generate_password_hash

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.auth.tokens import create_token
from witness.cases.models import Case, CaseStatus, Court
from witness.db import make_engine
from witness.ledger.models import SupportItem
from witness.ledger.services import verify_chain
from witness.people.models import (
    Assignment,
    Participation,
    ParticipationRole,
    Phase,
    PhaseTransition,
    Witness,
)
from witness.scheduling.models import Appointment, AppointmentStatus

from .live import own_database, served_app, serving

#: clients sending at the same moment: more than enough for SQLite's single writer to clash
PARALLEL = 8
PASSWORD = "clients correct horse battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LONDON = ZoneInfo("Europe/London")


@dataclass
class Server:
    url: str
    app: object
    officer_email: str
    officer_id: int
    token: str
    case_id: int
    witness_ids: list[int]

    def session(self):
        return self.app.extensions["witness.db"].sessionmaker()


def _seed(app) -> dict:
    """An office with a liaison officer and PARALLEL witnesses assigned to them in one case."""
    with app.extensions["witness.db"].sessionmaker() as db:
        office = Organisation(name="Concurrent Office", kind=OrganisationKind.prosecution)
        officer = User(
            email="parallel.officer@clients.example",
            name="Parallel Officer",
            role=Role.liaison_officer,
            organisation=office,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        court = Court(name="Parallel Court", address="1 Race Street", timezone="Europe/London")
        case = Case(
            organisation=office,
            court=court,
            reference="PAR-1",
            title="R v Parallel",
            status=CaseStatus.charged,
        )
        witnesses = [
            Witness(organisation=office, reference=f"PAR-W{n}", legal_name=f"Name {n}")
            for n in range(PARALLEL)
        ]
        db.add_all([office, officer, court, case, *witnesses])
        db.flush()
        for witness in witnesses:
            participation = Participation(
                witness=witness,
                case=case,
                role=ParticipationRole.victim_witness,
                phase=Phase.pre_trial,
            )
            db.add(participation)
            db.add(
                PhaseTransition(
                    participation=participation,
                    from_phase=None,
                    to_phase=Phase.pre_trial,
                    actor_id=officer.id,
                    reason="Identified",
                )
            )
            db.add(Assignment(witness_id=witness.id, user_id=officer.id, assigned_by_id=officer.id))
        _, token = create_token(db, officer, "parallel clients")
        db.commit()
        return {
            "officer_email": officer.email,
            "officer_id": officer.id,
            "token": token,
            "case_id": case.id,
            "witness_ids": [w.id for w in witnesses],
        }


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    app = served_app(tmp_path_factory, own_database(tmp_path_factory, "clients"))
    seeded = _seed(app)
    with serving(app) as url:
        yield Server(url=url, app=app, **seeded)


def all_at_once(work: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Run ``work(n)`` for n in 0..PARALLEL-1, each in its own thread, released together."""
    barrier = threading.Barrier(PARALLEL)

    def run(n: int) -> requests.Response:
        barrier.wait(timeout=60)
        return work(n)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(run, range(PARALLEL)))


def csrf_of(response: requests.Response) -> str:
    match = _CSRF.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


def signed_in(server: Server) -> tuple[requests.Session, str]:
    """A browser-like session signed in as the officer, and its CSRF token."""
    client = requests.Session()
    token = csrf_of(client.get(f"{server.url}/login"))
    response = client.post(
        f"{server.url}/login",
        data={"csrf_token": token, "email": server.officer_email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return client, csrf_of(client.get(f"{server.url}/"))


def api_headers(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def statuses(responses: list[requests.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def next_weekday_at(days: int, hour: int) -> datetime:
    """A weekday ``days`` or more from now, at ``hour`` UTC (bookings must be in the future)."""
    day = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    day += timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# --- sign-in ----------------------------------------------------------------------------------


def test_parallel_sign_ins_all_succeed(server):
    """Eight people signing in at once: each reaches the dashboard (a sign-in reads the account
    and then records the attempt, which SQLite refused while another sign-in had written)."""
    clients = [requests.Session() for _ in range(PARALLEL)]
    tokens = [csrf_of(c.get(f"{server.url}/login")) for c in clients]

    def sign_in(n: int) -> requests.Response:
        return clients[n].post(
            f"{server.url}/login",
            data={"csrf_token": tokens[n], "email": server.officer_email, "password": PASSWORD},
            allow_redirects=False,
        )

    responses = all_at_once(sign_in)
    assert statuses(responses) == [302] * PARALLEL, [r.text[:300] for r in responses]
    # each session is signed in: the dashboard opens, at the same moment too
    pages = all_at_once(lambda n: clients[n].get(f"{server.url}/", allow_redirects=False))
    assert statuses(pages) == [200] * PARALLEL


# --- bookings ---------------------------------------------------------------------------------


def _active_at(server: Server, start: datetime) -> int:
    with server.session() as db:
        return db.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.start_dt == start,
                Appointment.status == AppointmentStatus.scheduled,
            )
        )


def test_parallel_api_bookings_of_one_officer_one_wins_the_rest_get_409(server):
    """Eight integrations book the same officer at the same time for eight witnesses: one 201;
    every other a 409 problem naming the officer, with free times to choose from."""
    start = next_weekday_at(30, 10)

    def book(n: int) -> requests.Response:
        body = {
            "kind": "pre_trial_meeting",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "staff_ids": [server.officer_id],
            "address": "Safe house office",
        }
        return requests.post(
            f"{server.url}/api/v1/witnesses/{server.witness_ids[n]}/appointments",
            json=body,
            headers=api_headers(server),
        )

    responses = all_at_once(book)
    assert statuses(responses) == [201] + [409] * (PARALLEL - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            problem = response.json()
            assert response.headers["Content-Type"] == "application/problem+json"
            assert [c["who"] for c in problem["clashes"]] == ["Parallel Officer"]
            assert problem["suggestions"], problem
    assert _active_at(server, start) == 1


def test_parallel_form_bookings_of_one_officer_one_wins_the_rest_see_the_clash(server):
    """The same through the booking form: one is booked (redirect to it); every other gets the
    form again (409) with the clash named and buttons for the next free times."""
    start = next_weekday_at(31, 10)
    sessions = [signed_in(server) for _ in range(PARALLEL)]

    def book(n: int) -> requests.Response:
        client, token = sessions[n]
        return client.post(
            f"{server.url}/witnesses/{server.witness_ids[n]}/appointments/new",
            data={
                "csrf_token": token,
                "kind": "pre_trial_meeting",
                "hearing_id": "",
                "date": start.date().isoformat(),
                # Europe/London: the UTC hour is local in winter, one later in summer
                "start": start.astimezone(_LONDON).strftime("%H:%M"),
                "end": (start + timedelta(hours=1)).astimezone(_LONDON).strftime("%H:%M"),
                "travel_minutes": "0",
                "staff_ids": [str(server.officer_id)],
                "resource_id": "",
                "address": "Safe house office",
                "interpreter_id": "",
                "language": "",
                "notes": "",
            },
            allow_redirects=False,
        )

    responses = all_at_once(book)
    assert statuses(responses) == [302] + [409] * (PARALLEL - 1), [
        r.text[-2000:] for r in responses if r.status_code not in (302, 409)
    ]
    for response in responses:
        if response.status_code == 409:
            page = html.unescape(response.text)
            assert "Parallel Officer is already booked" in page
            assert 'id="clashes"' in page and ">Book " in page  # the suggestion buttons
    assert _active_at(server, start) == 1


def test_parallel_group_bookings_through_the_form_one_booking_wins(server):
    """Eight officers' browsers each book two witnesses of the case in one booking with the
    same officer, all at once: the booking's own officer is no clash, but exactly one booking
    (both its witnesses) is made and every other form comes back with the clash."""
    start = next_weekday_at(33, 10)
    sessions = [signed_in(server) for _ in range(PARALLEL)]
    ids = server.witness_ids

    def book(n: int) -> requests.Response:
        client, token = sessions[n]
        return client.post(
            f"{server.url}/witnesses/{ids[n]}/appointments/new",
            data={
                "csrf_token": token,
                "kind": "accompaniment",
                "hearing_id": "",
                "date": start.date().isoformat(),
                "start": start.astimezone(_LONDON).strftime("%H:%M"),
                "end": (start + timedelta(hours=2)).astimezone(_LONDON).strftime("%H:%M"),
                "travel_minutes": "0",
                "staff_ids": [str(server.officer_id)],
                "other_witness_ids": [str(ids[(n + 1) % PARALLEL])],
                "resource_id": "",
                "address": "Parallel Court, 1 Race Street",
                "interpreter_id": "",
                "language": "",
                "notes": "",
            },
            allow_redirects=False,
        )

    responses = all_at_once(book)
    assert statuses(responses) == [302] + [409] * (PARALLEL - 1), [
        r.text[-2000:] for r in responses if r.status_code not in (302, 409)
    ]
    for response in responses:
        if response.status_code == 409:
            assert "Parallel Officer is already booked" in html.unescape(response.text)
    assert _active_at(server, start) == 2
    with server.session() as db:
        groups = set(db.scalars(select(Appointment.group_id).where(Appointment.start_dt == start)))
    assert len(groups) == 1


# --- the support ledger -----------------------------------------------------------------------


def test_parallel_support_records_land_in_one_unbroken_chain(server):
    """Half through the API, half through the form, all at once, for witnesses of one case: all
    recorded, each with its own place in the case's chain, and the chain checks out."""
    sessions = [signed_in(server) for _ in range(PARALLEL)]
    today = datetime.now(UTC).date().isoformat()
    with server.session() as db:
        before = db.scalar(select(func.count(SupportItem.id)))

    def record(n: int) -> requests.Response:
        item = {
            "case_id": server.case_id,
            "category": "transport",
            "description": f"Bus fare {n}",
            "quantity": "1",
            "unit": "trip",
            "value": "4.50",
            "currency": "GBP",
            "date_provided": today,
            "rationale": "Travel to the pre-trial meeting",
        }
        witness_id = server.witness_ids[n]
        if n % 2:
            return requests.post(
                f"{server.url}/api/v1/witnesses/{witness_id}/support-items",
                json=item,
                headers=api_headers(server),
            )
        client, token = sessions[n]
        form = {k: str(v) for k, v in item.items()} | {"csrf_token": token, "record": "Record"}
        return client.post(
            f"{server.url}/witnesses/{witness_id}/ledger/new", data=form, allow_redirects=False
        )

    responses = all_at_once(record)
    assert statuses(responses) == [201] * (PARALLEL // 2) + [302] * (PARALLEL // 2), [
        r.text[-1500:] for r in responses
    ]
    with server.session() as db:
        items = db.scalars(select(SupportItem).where(SupportItem.case_id == server.case_id)).all()
        assert len(items) - before == PARALLEL
        assert sorted(i.chain_seq for i in items) == list(range(1, len(items) + 1))
        status = verify_chain(db, server.case_id)
    assert status.intact and status.entries == len(items)
    chain = requests.get(
        f"{server.url}/api/v1/cases/{server.case_id}/ledger-chain", headers=api_headers(server)
    )
    assert chain.status_code == 200 and chain.json()["intact"] is True


def test_reading_and_writing_at_once_answers_every_request(server):
    """Pages that read and then audit, API reads and writes, all together: no server error."""
    client, _ = signed_in(server)
    witness_id = server.witness_ids[0]

    def mixed(n: int) -> requests.Response:
        match n % 4:
            case 0:
                return client.get(f"{server.url}/witnesses/{witness_id}")
            case 1:
                return requests.get(
                    f"{server.url}/api/v1/witnesses/{witness_id}", headers=api_headers(server)
                )
            case 2:
                return requests.post(
                    f"{server.url}/api/v1/witnesses/{server.witness_ids[n]}/participations",
                    json={"case_id": server.case_id, "reason": "again"},
                    headers=api_headers(server),
                )
            case _:
                return client.get(f"{server.url}/witnesses/{witness_id}/ledger")

    responses = all_at_once(mixed)
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    # joining a case the witness is already in is refused (409), never half-done
    assert {r.status_code for n, r in enumerate(responses) if n % 4 == 2} == {409}


# --- the sweeps -------------------------------------------------------------------------------


def test_a_sweep_that_reads_then_writes_is_not_undone_by_a_write_in_between(server):
    """The daily chain walk reads every chain, then records where it checked up to. A request
    that writes while it reads (on SQLite it must wait, here it gives up at once) used to make
    its own write fail with "database is locked" at start-up; now the sweep finishes."""
    from witness.ledger.jobs import chain_sweep

    recorded = requests.post(
        f"{server.url}/api/v1/witnesses/{server.witness_ids[0]}/support-items",
        json={
            "case_id": server.case_id,
            "category": "meals_subsistence",
            "description": "Lunch on the hearing day",
            "quantity": "1",
            "unit": "meal",
            "value": "8.00",
            "currency": "GBP",
            "date_provided": datetime.now(UTC).date().isoformat(),
            "rationale": "A full day at court",
        },
        headers=api_headers(server),
    )
    assert recorded.status_code == 201, recorded.text
    intruder = make_engine(server.app.config["DATABASE_URL"])
    if intruder.dialect.name == "sqlite":
        # give up at once instead of waiting, so the test never waits on the sweep
        event.listen(intruder, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=0"))
    outcome: list[str] = []

    def write_in_between(_conn, _cursor, statement: str, *_args) -> None:
        if outcome or not statement.lstrip().upper().startswith("SELECT"):
            return  # once, after the sweep's first read (not after its BEGIN)
        try:
            with intruder.begin() as conn:
                conn.execute(text("UPDATE organisations SET name = name"))
            outcome.append("written")
        except OperationalError:
            outcome.append("waited")  # SQLite: the sweep holds the write lock from its start

    engine = server.app.extensions["witness.db"].engine
    event.listen(engine, "after_cursor_execute", write_in_between)
    try:
        chains, broken = chain_sweep(server.app)
    finally:
        event.remove(engine, "after_cursor_execute", write_in_between)
        intruder.dispose()
    assert outcome, "the write in between was not attempted"
    assert (chains, broken) == (1, 0)
    with server.session() as db:
        assert db.scalar(select(func.count(SupportItem.id))) > 0
        assert verify_chain(db, server.case_id).intact


# --- idempotency keys -------------------------------------------------------------------------


def test_one_request_sent_eight_times_at_once_under_one_key_records_once(server):
    """An integration's retries racing each other: one records the item; every other gets
    that answer again or is told the first is still being answered (409) - never a second
    entry in the ledger."""
    with server.session() as db:
        before = db.scalar(select(func.count(SupportItem.id)))
    body = {
        "case_id": server.case_id,
        "category": "transport",
        "description": "Train fare, retried",
        "quantity": "1",
        "unit": "trip",
        "value": "21.40",
        "currency": "GBP",
        "date_provided": datetime.now(UTC).date().isoformat(),
        "rationale": "Travel to the trial",
    }
    headers = api_headers(server) | {"Idempotency-Key": f"race-{datetime.now(UTC).timestamp()}"}

    def send(_n: int) -> requests.Response:
        return requests.post(
            f"{server.url}/api/v1/witnesses/{server.witness_ids[1]}/support-items",
            json=body,
            headers=headers,
        )

    responses = all_at_once(send)
    assert set(statuses(responses)) <= {201, 409}, [r.text for r in responses]
    created = [r for r in responses if r.status_code == 201]
    originals = [r for r in created if "Idempotent-Replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.json()["id"] for r in created} == {originals[0].json()["id"]}
    for response in responses:
        if response.status_code == 409:
            assert response.headers["Retry-After"] == "1"
            assert "still being answered" in response.json()["detail"]
    with server.session() as db:
        assert db.scalar(select(func.count(SupportItem.id))) == before + 1
