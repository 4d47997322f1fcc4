"""Two print-batch builders at once never claim the same batch (PostgreSQL: the select locks
the row it picks, skipping one another builder holds). Commits, so it works on its own engine
and removes what it added."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.db import make_engine
from witness.letters.jobs import claim_next
from witness.letters.models import BatchStatus, PrintBatch

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.postgres
def test_parallel_builders_claim_different_batches(app, database_url):
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        org = Organisation(name="Concurrent Print Office", kind=OrganisationKind.prosecution)
        session.add(org)
        session.flush()
        user = User(
            email="printer@concurrent.example",
            name="Printer",
            password_hash="!",
            role=Role.supervisor,
            organisation_id=org.id,
        )
        session.add(user)
        session.flush()
        batches = [
            PrintBatch(
                organisation_id=org.id,
                requested_by_id=user.id,
                requested_dt=NOW,
                status=BatchStatus.queued,
            )
            for _ in range(2)
        ]
        session.add_all(batches)
        session.commit()
        ids = {b.id for b in batches}
    barrier = threading.Barrier(2)
    claims: dict[str, int | None] = {}
    problems: list[BaseException] = []

    def builder(name: str) -> None:
        try:
            with factory() as session:
                barrier.wait()
                claims[name] = claim_next(session, NOW)
                barrier.wait()  # both hold their claim (and its lock) until both have one
                session.commit()
        except BaseException as exc:  # reported below, not lost in the thread
            problems.append(exc)

    try:
        threads = [threading.Thread(target=builder, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert problems == []
        assert {claims["a"], claims["b"]} == ids
    finally:
        with engine.begin() as conn:
            conn.execute(delete(PrintBatch).where(PrintBatch.organisation_id == org.id))
            conn.execute(delete(User).where(User.id == user.id))
            conn.execute(delete(Organisation).where(Organisation.id == org.id))
        engine.dispose()
