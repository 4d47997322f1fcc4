"""Audit events written by many clients at once while sealers run beside them (as the scheduler
and ``flask audit seal`` would) end up every one sealed, in one unbroken chain: SQLite and
PostgreSQL alike (a real server on a database of its own, real HTTP clients)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tests.live import own_database, served_app, serving
from witness.audit.chain import seal, verify
from witness.audit.jobs import seal_sweep
from witness.audit.models import AuditEvent
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.people.models import Assignment, Witness

PARALLEL = 6
VIEWS = 8
PASSWORD = "sealing correct horse battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = served_app(tmp_path_factory, own_database(tmp_path_factory, "audit_sealing"))
    with app.extensions["witness.db"].sessionmaker() as db:
        office = Organisation(name="Sealing Office", kind=OrganisationKind.prosecution)
        officer = User(
            email="sealing.officer@clients.example",
            name="Sealing Officer",
            role=Role.liaison_officer,
            organisation=office,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        witnesses = [
            Witness(organisation=office, reference=f"SEAL-{n}", legal_name=f"Name {n}")
            for n in range(PARALLEL)
        ]
        db.add_all([office, officer, *witnesses])
        db.flush()
        for witness in witnesses:
            db.add(Assignment(witness_id=witness.id, user_id=officer.id, assigned_by_id=officer.id))
        db.commit()
        ids = [w.id for w in witnesses]
    with serving(app) as url:
        yield app, url, ids


def signed_in(url: str) -> requests.Session:
    client = requests.Session()
    token = _CSRF.search(client.get(f"{url}/login").text).group(1)
    response = client.post(
        f"{url}/login",
        data={
            "csrf_token": token,
            "email": "sealing.officer@clients.example",
            "password": PASSWORD,
        },
        allow_redirects=False,
    )
    assert response.status_code == 302
    return client


def test_parallel_page_views_and_sealers_leave_one_unbroken_fully_sealed_chain(server):
    app, url, witness_ids = server
    clients = [signed_in(url) for _ in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL + 2)
    done = threading.Event()

    def read(n: int) -> list[int]:
        barrier.wait(timeout=60)
        return [
            clients[n].get(f"{url}/witnesses/{witness_ids[n]}").status_code for _ in range(VIEWS)
        ]

    def sealer(_n: int) -> int:
        barrier.wait(timeout=60)
        runs = 0
        while not done.is_set() or runs < 2:
            seal_sweep(app)
            runs += 1
        return runs

    with ThreadPoolExecutor(PARALLEL + 2) as pool:
        sealers = [pool.submit(sealer, n) for n in range(2)]
        readers = [pool.submit(read, n) for n in range(PARALLEL)]
        codes = [code for future in readers for code in future.result()]
        done.set()
        assert all(future.result() >= 2 for future in sealers)
    assert codes == [200] * (PARALLEL * VIEWS)

    with app.app_context(), app.extensions["witness.db"].sessionmaker() as db:
        seal(db)  # what was written after the sealers' last run
        db.commit()
        views = db.scalar(
            select(func.count()).where(
                AuditEvent.action == "witness.view", AuditEvent.witness_id.in_(witness_ids)
            )
        )
        assert views == PARALLEL * VIEWS
        assert db.scalar(select(func.count()).where(AuditEvent.seq.is_(None))) == 0
        total = db.scalar(select(func.count()).select_from(AuditEvent))
        status = verify(db)
        assert status.state == "intact", [str(b) for b in status.broken]
        assert status.sealed == status.head_seq == total
