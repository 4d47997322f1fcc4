"""News by e-mail exactly once, across a crash and across two senders at once: real child
processes run ``flask deliver-news`` against the test database and a real SMTP server; one is
killed (SIGKILL) mid-batch. Every task's mail arrives once (counted at the server), and each task
has exactly one ``sent`` attempt. These tests commit, so they build their own office and remove
it afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select, update
from sqlalchemy.orm import sessionmaker

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import Case, CaseOffence, CaseStatus, Court, OffenceCategory
from witness.db import make_engine
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    ContactPreference,
    MailStatus,
    NotificationTask,
    OutboundEmail,
    TaskStatus,
)
from witness.outcomes.models import EventKind, EventResult, EventSource, OutcomeEvent
from witness.paths import ROOT
from witness.people.models import Channel, Consent, ConsentKind, Witness

from ..conftest import app_database_url_for
from ..mailserver import CollectingHandler, MailServer, free_port

pytestmark = pytest.mark.slow
TASKS = 8
HIGH = 1_000_000


class StallingHandler(CollectingHandler):
    """Accepts ``accept`` messages, then holds the next one unanswered (a sender caught in the
    middle of a handover) until ``release``; a message never answered 250 was not delivered."""

    def __init__(self, accept: int | None = None) -> None:
        super().__init__()
        self.accept = accept
        self.stalled = threading.Event()
        self.released = False

    async def handle_DATA(self, server, session, envelope):
        if self.accept is not None and len(self.messages) >= self.accept:
            self.stalled.set()
            while not self.released:
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def mail_server():
    servers = []

    def start(accept: int | None = None) -> MailServer:
        handler = StallingHandler(accept)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append((controller, handler))
        return MailServer(controller, handler)

    yield start
    for controller, handler in servers:
        handler.released = True
        controller.stop()


@pytest.fixture
def committed_news(app, database_url):
    """``TASKS`` open tasks, each of a witness who wants news by e-mail, committed in an office
    of their own; removed afterwards."""
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as s:
        org = Organisation(name="Crash Test Office", kind=OrganisationKind.prosecution)
        court = Court(name="Crash Test Court", address="1 Lane", timezone="Europe/London")
        s.add_all([org, court])
        s.flush()
        officer = User(
            email="crash-officer@test.example",
            name="Robin Officer",
            password_hash="x",
            role=Role.liaison_officer,
            organisation_id=org.id,
        )
        case = Case(
            organisation_id=org.id,
            court_id=court.id,
            reference="CRASH-1",
            title="R v Crash",
            status=CaseStatus.charged,
        )
        case.offences = [CaseOffence(category=OffenceCategory.trafficking_forced_labour)]
        s.add_all([officer, case])
        s.flush()
        event = OutcomeEvent(
            case_id=case.id,
            kind=EventKind.verdict,
            effective_date=date(2026, 3, 2),
            source=EventSource.court,
            recorded_by_id=officer.id,
            charge="Count 1",
            result=EventResult.guilty,
        )
        s.add(event)
        s.flush()
        for n in range(TASKS):
            witness = Witness(
                organisation_id=org.id, reference=f"CRASH-W{n}", legal_name=f"Person {n}"
            )
            s.add(witness)
            s.flush()
            s.add_all(
                [
                    ContactPreference(
                        witness_id=witness.id,
                        channels=["email", "phone"],
                        email=f"w{n}@example.org",
                        phone="+44 7700 900000",
                        recorded_by_id=officer.id,
                    ),
                    Consent(
                        witness_id=witness.id,
                        kind=ConsentKind.notify,
                        channel=Channel.email,
                        is_granted=True,
                        recorded_by_id=officer.id,
                    ),
                    NotificationTask(
                        id=HIGH + n,
                        witness_id=witness.id,
                        case_id=case.id,
                        event_id=event.id,
                        due_dt=datetime(2026, 3, 3, tzinfo=UTC),
                    ),
                ]
            )
        s.flush()
        # High ids, so that the rows this test adds and removes never share an id with another
        # test's (SQLite reuses the ids of deleted rows, and the audit log keeps them).
        s.add_all(
            [
                OutboundEmail(
                    id=HIGH,
                    organisation_id=org.id,
                    to_address="nobody@example.org",
                    subject="-",
                    body="-",
                    status=MailStatus.sent,
                ),
                ContactAttempt(
                    id=HIGH,
                    task_id=HIGH,
                    witness_id=s.get(NotificationTask, HIGH).witness_id,
                    channel="phone",
                    outcome=AttemptOutcome.no_answer,
                ),
            ]
        )
        s.commit()
    try:
        yield factory, org.id
    finally:
        with engine.begin() as c:
            witnesses = select(Witness.id).where(Witness.organisation_id == org.id)
            tasks = select(NotificationTask.id).where(NotificationTask.witness_id.in_(witnesses))
            c.execute(delete(ContactAttempt).where(ContactAttempt.task_id.in_(tasks)))
            c.execute(delete(OutboundEmail).where(OutboundEmail.organisation_id == org.id))
            c.execute(delete(NotificationTask).where(NotificationTask.witness_id.in_(witnesses)))
            for model in (ContactPreference, Consent):
                c.execute(delete(model).where(model.witness_id.in_(witnesses)))
            c.execute(delete(OutcomeEvent).where(OutcomeEvent.case_id == case.id))
            c.execute(delete(Witness).where(Witness.organisation_id == org.id))
            c.execute(delete(CaseOffence).where(CaseOffence.case_id == case.id))
            c.execute(delete(Case).where(Case.id == case.id))
            c.execute(delete(User).where(User.id == officer.id))
            c.execute(delete(Court).where(Court.id == court.id))
            c.execute(delete(Organisation).where(Organisation.id == org.id))
        engine.dispose()


def _deliver_news(database_url: str, server: MailServer) -> subprocess.Popen:
    """``flask deliver-news`` in a child process, on the test database and this mail server."""
    env = os.environ | {
        "WITNESS_DATABASE_URL": app_database_url_for(database_url),
        "WITNESS_SECRET_KEY": "crash-test",
        "WITNESS_SMTP_HOST": server.host,
        "WITNESS_SMTP_PORT": str(server.port),
        "WITNESS_OFFICE_PHONE": "+44 20 7946 0000",
    }
    env.pop("WITNESS_RUN_SCHEDULER", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "deliver-news"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _check_exactly_once(factory, org_id: int, messages) -> None:
    with factory() as s:
        emails = s.scalars(
            select(OutboundEmail).where(
                OutboundEmail.organisation_id == org_id, OutboundEmail.task_id.is_not(None)
            )
        ).all()
        tasks = s.scalars(
            select(NotificationTask)
            .join(Witness, Witness.id == NotificationTask.witness_id)
            .where(Witness.organisation_id == org_id)
        ).all()
        sent = Counter(
            s.scalars(
                select(ContactAttempt.task_id).where(
                    ContactAttempt.task_id.in_([t.id for t in tasks]),
                    ContactAttempt.outcome == AttemptOutcome.sent,
                )
            )
        )
    recipients = Counter(str(m["To"]) for m in messages)
    assert recipients == Counter({f"w{n}@example.org": 1 for n in range(TASKS)})
    assert len({m["Message-ID"] for m in messages}) == TASKS
    assert len(emails) == TASKS and {e.status for e in emails} == {MailStatus.sent}
    assert Counter(e.task_id for e in emails) == Counter({t.id: 1 for t in tasks})
    assert {t.status for t in tasks} == {TaskStatus.done}
    assert sent == Counter({t.id: 1 for t in tasks})


def test_killed_mid_batch_then_rerun_delivers_each_task_once(
    committed_news, database_url, mail_server
):
    factory, org_id = committed_news
    server = mail_server(accept=3)
    child = _deliver_news(database_url, server)
    try:
        if not server.handler.stalled.wait(timeout=120):
            child.kill()
            pytest.fail(f"the sender never reached the 4th mail: {child.communicate()[0]!r}")
        os.kill(child.pid, signal.SIGKILL)  # in the middle of handing over the 4th mail
        child.wait(timeout=60)
    finally:
        child.stdout.close()
        server.handler.released = True
    assert child.returncode == -signal.SIGKILL
    assert len(server.messages) == 3
    with factory() as s:
        # The dead sender's claim lapses after CLAIM_FOR (ten minutes): let it lapse now.
        s.execute(
            update(OutboundEmail)
            .where(OutboundEmail.organisation_id == org_id)
            .values(claimed_until_dt=datetime.now(UTC) - timedelta(seconds=1))
        )
        s.commit()
    server.handler.accept = None
    rerun = _deliver_news(database_url, server)
    output = rerun.communicate(timeout=120)[0]
    assert rerun.returncode == 0, output
    _check_exactly_once(factory, org_id, server.messages)


def test_two_senders_at_once_deliver_each_task_once(committed_news, database_url, mail_server):
    factory, org_id = committed_news
    server = mail_server()
    children = [_deliver_news(database_url, server) for _ in range(2)]
    for child in children:
        output = child.communicate(timeout=180)[0]
        assert child.returncode == 0, output
    _check_exactly_once(factory, org_id, server.messages)
