"""Two senders at once never take the same mail. These tests commit, so they work on their own
engine and remove what they added."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from witness.auth.models import Organisation, OrganisationKind
from witness.db import make_engine
from witness.notify.mail import claim_due, enqueue_email
from witness.notify.models import OutboundEmail

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def committed_outbox(app, database_url):
    """Six due mails, committed, in an office of their own; removed afterwards."""
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        org = Organisation(name="Concurrent Sending Office", kind=OrganisationKind.prosecution)
        session.add(org)
        session.flush()
        ids = []
        for n in range(6):
            email = enqueue_email(
                session,
                organisation_id=org.id,
                to_address=f"person{n}@example.org",
                subject="Your appointment",
                body="Body",
            )
            email.next_attempt_dt = NOW
            session.flush()
            ids.append(email.id)
        session.commit()
    try:
        yield factory, set(ids)
    finally:
        with engine.begin() as conn:
            conn.execute(delete(OutboundEmail).where(OutboundEmail.organisation_id == org.id))
            conn.execute(delete(Organisation).where(Organisation.id == org.id))
        engine.dispose()


def test_parallel_senders_claim_disjoint_mails(committed_outbox):
    factory, ids = committed_outbox
    barrier = threading.Barrier(2)
    claims: dict[str, list[int]] = {}
    problems: list[BaseException] = []

    def sender(name: str) -> None:
        try:
            with factory() as session:
                barrier.wait()
                claims[name] = claim_due(session, NOW, batch=3)
                session.commit()
        except BaseException as exc:  # reported below, not lost in the thread
            problems.append(exc)

    threads = [threading.Thread(target=sender, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert problems == []
    mine_a, mine_b = set(claims["a"]) & ids, set(claims["b"]) & ids
    assert not mine_a & mine_b
    assert mine_a | mine_b == ids


@pytest.mark.postgres  # SQLite has one writer at a time: the threaded test covers it
def test_a_held_claim_is_skipped_not_waited_for(committed_outbox, database_url):
    """PostgreSQL: while one sender's claim is not yet committed, another takes other rows at
    once (SKIP LOCKED) instead of waiting for it or taking the same ones."""
    factory, ids = committed_outbox
    with factory() as first, factory() as second:
        held = set(claim_due(first, NOW, batch=4)) & ids
        second.execute(text("SET LOCAL lock_timeout = '5s'"))  # fail, never hang
        taken = set(claim_due(second, NOW, batch=4)) & ids
        assert len(held) == 4 and len(taken) == 2
        assert not held & taken
        first.rollback()
        second.rollback()


def test_a_held_claim_keeps_other_senders_out_until_it_ends_on_sqlite(
    committed_outbox, database_url
):
    """SQLite: while one sender's claim is not yet committed, no other sender can claim at all
    (each transaction takes the write lock as it begins); once it commits, the next takes only
    the mails left."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL claims side by side; the SKIP LOCKED test covers it")
    factory, ids = committed_outbox
    impatient_engine = make_engine(database_url)
    # Give up at once rather than wait the usual busy timeout: the refusal is the evidence.
    event.listen(impatient_engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=0"))
    impatient = sessionmaker(impatient_engine)
    try:
        with factory() as first:
            held = set(claim_due(first, NOW, batch=4)) & ids
            with impatient() as second, pytest.raises(OperationalError, match="locked"):
                claim_due(second, NOW, batch=4)
            first.commit()
        with impatient() as second:
            taken = set(claim_due(second, NOW, batch=4)) & ids
            second.commit()
    finally:
        impatient_engine.dispose()
    assert len(held) == 4 and len(taken) == 2
    assert held | taken == ids
