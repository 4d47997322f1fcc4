"""Anonymising a closed file after the retention period: the personal data is gone from every
table, the ledger (whose chain still verifies), the audit log and the outcomes stay; a held file
and one not yet due are untouched; a dry run changes nothing at all."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.calendar.feeds import create_witness_feed
from witness.core.access import can_manage_witness, can_record_needs
from witness.core.errors import AccessDenied, DomainError
from witness.db import Base
from witness.ledger.chain import verify_chain
from witness.ledger.models import SupportItem
from witness.ledger.services import can_record_support
from witness.letters.models import Letter
from witness.notify.models import NotificationTask, TaskStatus
from witness.notify.preferences import record_preferences
from witness.outcomes.models import OutcomeEvent
from witness.people.models import NeedArea, Witness
from witness.people.services import record_need, update_witness
from witness.retention import services
from witness.retention.runs import Verdict, add_years, plan, run
from witness.risk.models import AssessmentStatus, IncidentKind, RiskAssessment, RiskIncident
from witness.scheduling.services import book_appointment
from witness.subject_access.services import record_access_request, record_correction_request

from ..factories import at, booking
from ..ledger.conftest import record

#: what the file holds that identifies the witness; none of it may be left anywhere
SECRETS = (
    "Amaya", "Hidden Lane", "900555", "amaya.private", "PO Box 77", "Uncle Ruiz", "Ruritanian",
    "date(1991, 5, 17)",
)  # fmt: skip
CLOSED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
YEARS = 6


def dump(db) -> dict[str, list]:
    """Every row of every table, as the database holds it."""
    db.flush()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def closed_file(db, world, make_event, make_task, frozen_clock):
    """``world.assigned`` with personal data everywhere, ledger items in the case's chain, an
    outcome, then closed on ``CLOSED``."""
    w = world.assigned
    update_witness(
        db,
        world.officer,
        w,
        legal_name="Amaya Ruiz Okafor",
        phone="+44 7700 900555",
        email="amaya.private@example.org",
        address="Flat 3, 12 Hidden Lane",
        guardian_name="Uncle Ruiz",
        date_of_birth=date(1991, 5, 17),
        nationality="Ruritanian",
    )
    record_preferences(
        db,
        world.officer,
        w,
        channels=["email", "post"],
        email="amaya.private@example.org",
        postal_name="Amaya R.",
        postal_address="PO Box 77, Hidden Lane",
    )
    record_need(
        db, world.officer, w, NeedArea.childcare, "Amaya's son at school by Hidden Lane",
        date(2026, 4, 1),
    )  # fmt: skip
    db.add(
        RiskIncident(
            witness_id=w.id,
            kind=IncidentKind.other,
            reported_by="Amaya",
            occurred_dt=at(9, 8),
            description="Uncle Ruiz waited at Hidden Lane",
            recorded_by_id=world.officer.id,
        )
    )
    db.add(
        Letter(
            organisation_id=w.organisation_id,
            witness_id=w.id,
            kind="verdict",
            language="en",
            recipient_name="Amaya R.",
            recipient_address="PO Box 77, Hidden Lane",
            pdf=b"%PDF-1.7 Amaya R. PO Box 77",
            sha256="0" * 64,
        )
    )
    book_appointment(
        db, world.officer, w, booking([world.officer], notes="Pick Amaya up at Hidden Lane")
    )
    create_witness_feed(db, world.officer, w)
    db.add(
        RiskAssessment(
            witness_id=w.id,
            instrument="v1",
            status=AssessmentStatus.draft,
            answers={"threats": {"answer": "present", "note": "Uncle Ruiz at Hidden Lane"}},
            created_by_id=world.officer.id,
        )
    )
    record_access_request(
        db, world.supervisor, w, date(2026, 3, 2), "Amaya showed her card, PO Box 77 on it"
    )
    record_correction_request(
        db, world.supervisor, w, date(2026, 3, 2), "Amaya's street is Hidden Lane, not Hill Lane"
    )
    record(db, world.officer, w, world.case)
    record(db, world.officer, w, world.case, description="Meal during testimony")
    event = make_event(world.case)
    make_task(w, world.case, event=event)
    services.close_file(db, world.officer, w, "Support ended for Amaya")
    db.flush()
    return w


def _anywhere(db, text: str) -> list[str]:
    return [name for name, rows in dump(db).items() if any(text in row for row in rows)]


def test_a_due_file_is_anonymised_and_nothing_personal_is_left_anywhere(
    db, world, closed_file, frozen_clock
):
    w = closed_file
    assert _anywhere(db, "Hidden Lane")  # the fixture put it in many places
    items_before = db.scalar(select(func.count(SupportItem.id)))
    audit_before = db.scalar(select(func.count(AuditEvent.id)))
    frozen_clock(datetime(2032, 3, 10, 9, 0, tzinfo=UTC))  # six years on: due today
    [candidate] = run(db, frozen_clock.now(), YEARS, apply=True)
    assert candidate.verdict is Verdict.due
    db.expire_all()
    for secret in SECRETS:
        assert _anywhere(db, secret) == [], secret
    witness = db.get(Witness, w.id)
    assert witness.legal_name == f"Anonymised witness {w.reference}"
    assert witness.date_of_birth is None and witness.phone is None and witness.email is None
    assert witness.anonymised_dt == datetime(2032, 3, 10, 9, 0, tzinfo=UTC)
    # what stays: the ledger (still a verifiable chain), the audit log, the outcome
    assert db.scalar(select(func.count(SupportItem.id))) == items_before
    status = verify_chain(db, world.case.id)
    assert status.broken == [] and status.unverifiable == [] and status.length == 2
    assert db.scalar(select(func.count(AuditEvent.id))) > audit_before
    assert db.scalar(select(func.count(OutcomeEvent.id))) == 1
    [task] = db.scalars(select(NotificationTask).where(NotificationTask.witness_id == w.id))
    assert task.status is TaskStatus.cancelled
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "witness.anonymise"))
    assert event.witness_id == w.id and event.detail["rows"]["witnesses"] == 1
    assert "legal_name" in event.detail["fields"]["witnesses"]
    assert event.detail["rows"]["calendar_feeds"] == 1
    assert db.scalar(select(func.count(Letter.id))) == 1  # the letter stays, emptied


def test_the_ledger_verifies_from_the_command_line_after_anonymisation(
    db, world, closed_file, frozen_clock, runner
):
    frozen_clock(datetime(2033, 1, 1, tzinfo=UTC))
    run(db, frozen_clock.now(), YEARS, apply=True)
    result = runner.invoke(args=["ledger-verify", "--case-id", str(world.case.id)])
    assert result.exit_code == 0, result.output
    assert "intact (2 entries" in result.output


def test_an_anonymised_file_can_no_longer_be_changed(db, world, closed_file, frozen_clock):
    frozen_clock(datetime(2033, 1, 1, tzinfo=UTC))
    run(db, frozen_clock.now(), YEARS, apply=True)
    assert not can_manage_witness(world.supervisor, closed_file)
    with pytest.raises(AccessDenied):
        update_witness(db, world.supervisor, closed_file, legal_name="Someone")
    with pytest.raises(AccessDenied):
        services.reopen_file(db, world.supervisor, closed_file, "Too late")
    with pytest.raises(DomainError, match="anonymised"):
        services.place_hold(db, world.supervisor, closed_file, "Too late")
    with pytest.raises(AccessDenied):
        book_appointment(db, world.supervisor, closed_file, booking([world.officer]))
    assert not can_record_needs(world.ngo_worker, closed_file)
    assert not can_record_support(world.supervisor, closed_file)


def test_a_held_file_is_never_anonymised_until_the_hold_is_lifted(
    db, world, closed_file, frozen_clock
):
    services.place_hold(db, world.supervisor, closed_file, "Appeal pending")
    frozen_clock(datetime(2040, 1, 1, tzinfo=UTC))
    [candidate] = run(db, frozen_clock.now(), YEARS, apply=True)
    assert candidate.verdict is Verdict.held and candidate.changes == []
    db.expire_all()
    assert db.get(Witness, closed_file.id).legal_name == "Amaya Ruiz Okafor"
    assert db.get(Witness, closed_file.id).anonymised_dt is None
    services.lift_hold(db, world.supervisor, closed_file, "Appeal decided")
    [candidate] = run(db, frozen_clock.now(), YEARS, apply=True)
    assert candidate.verdict is Verdict.due
    assert closed_file.legal_name.startswith("Anonymised witness")


def test_a_file_not_yet_due_is_untouched(db, world, closed_file, frozen_clock):
    frozen_clock(datetime(2032, 3, 9, 23, 0, tzinfo=UTC))  # the day before it is due
    [candidate] = run(db, frozen_clock.now(), YEARS, apply=True)
    assert candidate.verdict is Verdict.not_due and candidate.due_date == date(2032, 3, 10)
    db.expire_all()
    assert db.get(Witness, closed_file.id).email == "amaya.private@example.org"


def test_a_reopened_file_and_an_open_case_are_not_anonymised(db, world, closed_file, frozen_clock):
    services.reopen_file(db, world.officer, closed_file, "Appeal lodged")
    frozen_clock(datetime(2040, 1, 1, tzinfo=UTC))
    assert run(db, frozen_clock.now(), YEARS, apply=True) == []
    assert closed_file.anonymised_dt is None


def test_a_dry_run_lists_what_would_change_and_changes_nothing(
    db, world, closed_file, make_witness, frozen_clock, runner
):
    held = make_witness(case=world.case, officer=world.officer)
    services.close_file(db, world.officer, held, "Support ended")
    services.place_hold(db, world.supervisor, held, "Civil claim")
    frozen_clock(datetime(2033, 1, 1, tzinfo=UTC))
    before = dump(db)
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert dump(db) == before  # not a row, not even an audit event
    assert "Dry run: nothing changed" in result.output
    assert f"{closed_file.reference} (witness {closed_file.id}): due" in result.output
    assert f"{held.reference} (witness {held.id}): held" in result.output
    assert "  witnesses: 1 row(s): " in result.output and "legal_name" in result.output
    assert "Amaya" not in result.output  # field names, never values
    assert "1 due, 1 held, 0 not yet due" in result.output
    result = runner.invoke(args=["retention", "run", "--apply"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert db.get(Witness, closed_file.id).anonymised_dt is not None
    assert db.get(Witness, held.id).anonymised_dt is None


def test_the_period_counts_whole_years_from_the_closing_day():
    assert add_years(date(2026, 3, 10), 6) == date(2032, 3, 10)
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_the_plan_is_per_office(db, world, closed_file, frozen_clock):
    frozen_clock(datetime(2033, 1, 1, tzinfo=UTC))
    assert plan(db, frozen_clock.now(), YEARS, organisation_id=world.other_office.id) == []
    [mine] = plan(db, frozen_clock.now(), YEARS, organisation_id=world.office.id)
    assert mine.witness_id == closed_file.id
