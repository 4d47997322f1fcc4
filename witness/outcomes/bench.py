"""Benchmark cases of issue 13 (``flask outcomes-bench``): recording a verdict in a case with 50
victims (tasks, phases, news, audit), and an officer's due list at scale against the framework
floor (the main benchmark's signed-in floor request: session, sign-in check, one row). Figures
for the closing note: nothing here is asserted by the tests."""

from __future__ import annotations

import statistics
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import click
from werkzeug.security import generate_password_hash

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import (
    Case,
    CaseOffence,
    CaseStatus,
    Court,
    CustodyStatus,
    Defendant,
    OffenceCategory,
)
from witness.core.time import now_utc
from witness.notify.models import NotificationTask
from witness.outcomes.models import EventKind, EventResult, EventSource
from witness.outcomes.services import record_event
from witness.people.models import (
    Assignment,
    Participation,
    ParticipationRole,
    Phase,
    Witness,
)

PASSWORD = "bench correct horse"
TARGET_DUE_LIST = 3.0


def _world(session, victims: int, tasks: int):
    office = Organisation(name="Bench office", kind=OrganisationKind.prosecution)
    court = Court(name="Bench court", address="1 Street", timezone="Europe/London")
    session.add_all([office, court])
    session.flush()
    officer = User(
        email="bench.officer@bench.example",
        name="Bench Officer",
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        role=Role.liaison_officer,
        organisation_id=office.id,
    )
    session.add(officer)
    session.flush()

    def case_with(n: int, reference: str) -> Case:
        case = Case(
            organisation_id=office.id,
            court_id=court.id,
            reference=reference,
            title=f"R v {reference}",
            status=CaseStatus.trial,
        )
        case.offences = [CaseOffence(category=OffenceCategory.trafficking_forced_labour)]
        session.add(case)
        session.flush()
        session.add(
            Defendant(case=case, name=f"D {reference}", custody_status=CustodyStatus.remanded)
        )
        for i in range(n):
            witness = Witness(
                organisation_id=office.id, reference=f"{reference}-{i:05d}", legal_name=f"W {i}"
            )
            session.add(witness)
            session.flush()
            session.add(
                Participation(
                    witness_id=witness.id,
                    case_id=case.id,
                    role=ParticipationRole.victim_witness,
                    phase=Phase.trial,
                )
            )
            session.add(
                Assignment(witness_id=witness.id, user_id=officer.id, assigned_by_id=officer.id)
            )
        session.flush()
        return case

    verdict_case = case_with(victims, "BENCH-V")
    # the due list: ``tasks`` open tasks over cases of 50 victims each
    for c in range(max(1, tasks // 50)):
        case = case_with(50, f"BENCH-D{c:04d}")
        event = record_event(
            session,
            officer,
            case=case,
            defendant=case.defendants[0],
            kind=EventKind.verdict,
            effective_date=date(2026, 3, 2),
            source=EventSource.court,
            charge="Forced labour",
            result=EventResult.guilty,
        )
        assert event.id
    session.commit()
    return officer, verdict_case


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(victims: int = 50, tasks: int = 5000, rounds: int = 15) -> dict:
    from witness.factory import build_app
    from witness.migrate import upgrade

    scratch = tempfile.TemporaryDirectory()
    url = f"sqlite:///{Path(scratch.name) / 'outcomes-bench.sqlite3'}"
    upgrade(url)
    app = build_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "BENCHMARK_ROUTES": True}
    )
    app.config["WTF_CSRF_ENABLED"] = False
    figures: dict = {"victims": victims, "tasks": tasks}
    with app.app_context():
        session = app.extensions["witness.db"].sessionmaker()
        officer, case = _world(session, victims, tasks)
        verdicts = []
        tracemalloc.start()
        for _ in range(rounds):
            started = time.perf_counter()
            record_event(
                session,
                officer,
                case=case,
                defendant=case.defendants[0],
                kind=EventKind.verdict,
                effective_date=now_utc().date() - timedelta(days=1),
                source=EventSource.court,
                charge="Forced labour",
                result=EventResult.guilty,
            )
            session.flush()
            verdicts.append(time.perf_counter() - started)
            made = session.query(NotificationTask).filter_by(case_id=case.id).count()
            session.rollback()
        figures["verdict_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        figures["verdict_ms"] = _median_ms(verdicts)
        figures["verdict_tasks"] = made
        witness_id = session.query(Witness.id).order_by(Witness.id).limit(1).scalar()
        session.close()
    client = app.test_client()
    client.post("/login", data={"email": "bench.officer@bench.example", "password": PASSWORD})
    floor, due = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        assert client.get(f"/_bench/floor/{witness_id}").status_code == 200
        floor.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.get("/tasks")
        due.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    figures["floor_ms"] = _median_ms(floor)
    figures["due_list_ms"] = _median_ms(due)
    figures["due_ratio"] = figures["due_list_ms"] / figures["floor_ms"]
    app.extensions["witness.db"].engine.dispose()
    scratch.cleanup()
    return figures


def table(f: dict) -> str:
    return "\n".join(
        [
            f"recording a verdict, case of {f['victims']} victims: {f['verdict_ms']:.1f} ms "
            f"median ({f['verdict_tasks']} tasks made; peak {f['verdict_peak_mb']:.1f} MB)",
            f"due list, officer of {f['tasks']} open tasks: {f['due_list_ms']:.1f} ms median; "
            f"signed-in floor {f['floor_ms']:.1f} ms; ratio {f['due_ratio']:.1f} "
            f"(target <= {TARGET_DUE_LIST})",
        ]
    )


@click.command("outcomes-bench")
@click.option("--victims", default=50, show_default=True, type=click.IntRange(1, 5000))
@click.option("--tasks", default=5000, show_default=True, type=click.IntRange(50, 500_000))
def outcomes_bench(victims: int, tasks: int) -> None:
    """Time a verdict for a case of N victims and an officer's due list against the floor."""
    click.echo(table(measure(victims, tasks)))
