"""Correction requests: recorded with a due date a month after receipt, answered by linking the
edit made through the file's own form (which fields, by whom) or refused with a reason; an open
one past its due date is flagged on the witness page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.errors import DomainError
from witness.subject_access import services
from witness.subject_access.models import CorrectionOutcome, CorrectionRequest


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 5), date(2026, 4, 5)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # a shorter month: its last day
        (date(2026, 12, 15), date(2027, 1, 15)),
    ],
)
def test_due_a_calendar_month_after_receipt(received, due):
    assert services.add_months(received, 1) == due


def test_lifecycle_through_the_pages(db, world, login, frozen_clock):
    """Recorded, the file corrected through its edit form, the outcome linked to that edit."""
    witness, client = world.assigned, login(world.officer)
    base = f"/witnesses/{witness.id}/own-data"
    response = client.submit(
        f"{base}/corrections",
        {
            "correction-received_date": "2026-03-05",
            "correction-request": "My date of birth is 2 January, not 1",
        },
    )
    assert response.status_code == 302
    correction = db.scalar(select(CorrectionRequest))
    assert correction.due_date == date(2026, 4, 5) and correction.outcome is None

    # corrected without an edit: refused, nothing decided
    response = client.submit(f"{base}/corrections/{correction.id}", {"outcome": "corrected"})
    assert response.status_code == 400
    assert "correct the file through its edit form first" in response.get_data(as_text=True)
    db.refresh(correction)
    assert correction.outcome is None

    form = client.get(f"/witnesses/{witness.id}/edit").get_data(as_text=True)
    assert "Legal name" in form
    response = client.submit(
        f"/witnesses/{witness.id}/edit",
        {
            "reference": witness.reference,
            "legal_name": witness.legal_name,
            "date_of_birth": "1990-01-02",
            "languages": "English",
            "phone": witness.phone,
        },
    )
    assert response.status_code == 302
    edit = db.scalar(select(AuditEvent).where(AuditEvent.action == "witness.update"))
    assert edit.detail["fields"] == ["date_of_birth"]

    page = client.get(f"{base}/corrections/{correction.id}").get_data(as_text=True)
    assert f'value="{edit.id}"' in page
    response = client.submit(
        f"{base}/corrections/{correction.id}", {"outcome": "corrected", "edit_event_id": edit.id}
    )
    assert response.status_code == 302
    db.refresh(correction)
    assert correction.outcome is CorrectionOutcome.corrected
    assert correction.fields_corrected == ["date_of_birth"]
    assert correction.decided_by_id == world.officer.id
    decided = db.scalar(select(AuditEvent).where(AuditEvent.action == "correction_request.decide"))
    assert decided.detail == {"outcome": "corrected", "fields": ["date_of_birth"]}
    listed = client.get(base).get_data(as_text=True)
    assert "Corrected: date_of_birth" in listed

    # answered once
    again = client.submit(
        f"{base}/corrections/{correction.id}", {"outcome": "refused", "reason": "No"}
    )
    assert again.status_code == 400
    assert "already answered" in again.get_data(as_text=True)


def _request(db, world, received=date(2026, 3, 5)):
    return services.record_correction_request(
        db, world.officer, world.assigned, received, "My nationality is wrong"
    )


def test_refused_needs_the_reason_the_witness_is_told(db, world, frozen_clock):
    correction = _request(db, world)
    with pytest.raises(DomainError, match="reason for refusing"):
        services.decide_correction(
            db,
            world.officer,
            world.assigned,
            correction,
            CorrectionOutcome.refused,
            " ",
            None,
            frozen_clock.now(),
        )
    assert correction.outcome is None
    services.decide_correction(
        db,
        world.officer,
        world.assigned,
        correction,
        CorrectionOutcome.refused,
        "The passport says so",
        None,
        frozen_clock.now(),
    )
    assert correction.outcome is CorrectionOutcome.refused
    assert correction.edit_event_id is None


def test_partly_needs_both_the_edit_and_the_reason(db, world, frozen_clock):
    from witness.people.services import update_witness

    correction = _request(db, world)
    update_witness(db, world.officer, world.assigned, nationality="Thai")
    edit = db.scalar(select(AuditEvent).where(AuditEvent.action == "witness.update"))
    with pytest.raises(DomainError, match="reason for refusing"):
        services.decide_correction(
            db,
            world.officer,
            world.assigned,
            correction,
            CorrectionOutcome.partly,
            "",
            edit.id,
            frozen_clock.now(),
        )
    services.decide_correction(
        db,
        world.officer,
        world.assigned,
        correction,
        CorrectionOutcome.partly,
        "Name stays as on the passport",
        edit.id,
        frozen_clock.now(),
    )
    assert correction.fields_corrected == ["nationality"]


def test_an_edit_of_another_witness_or_before_the_request_is_refused(db, world, frozen_clock):
    from witness.people.services import update_witness

    frozen_clock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    update_witness(db, world.officer, world.assigned, nationality="Lao")
    before = db.scalar(select(AuditEvent).where(AuditEvent.action == "witness.update"))
    frozen_clock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    update_witness(db, world.supervisor, world.unassigned, nationality="Thai")
    other = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "witness.update").order_by(AuditEvent.id)
    ).all()[-1]
    correction = _request(db, world)
    for event in (before, other):
        with pytest.raises(DomainError, match="edit form first"):
            services.decide_correction(
                db,
                world.officer,
                world.assigned,
                correction,
                CorrectionOutcome.corrected,
                "",
                event.id,
                frozen_clock.now(),
            )
    assert correction.outcome is None


def test_overdue_flag_on_the_witness_page(db, world, login, frozen_clock):
    frozen_clock(datetime(2026, 4, 5, 12, tzinfo=UTC))
    correction = _request(db, world)  # received 5 March, due 5 April: not yet overdue
    client = login(world.supervisor)
    page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "own-data" in page and "Overdue" not in page
    frozen_clock(datetime(2026, 4, 6, 12, tzinfo=UTC))
    client = login(world.supervisor)  # the idle session ended overnight
    page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "Overdue" in page
    listed = client.get(f"/witnesses/{world.assigned.id}/own-data").get_data(as_text=True)
    assert "Overdue" in listed
    services.decide_correction(
        db,
        world.supervisor,
        world.assigned,
        correction,
        CorrectionOutcome.refused,
        "Held as the court recorded it",
        None,
        frozen_clock.now(),
    )
    page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "Overdue" not in page


def test_missing_request_text_records_nothing(db, world, login):
    client = login(world.officer)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/own-data/corrections",
        {"correction-received_date": "2026-03-05", "correction-request": ""},
    )
    assert response.status_code == 400
    assert "Say what the witness says is wrong" in response.get_data(as_text=True)
    assert db.scalar(select(CorrectionRequest.id)) is None


def test_received_in_the_future_is_refused(db, world, frozen_clock):
    with pytest.raises(DomainError, match="after today"):
        _request(db, world, received=date(2026, 3, 11))


def test_the_section_is_not_shown_to_who_may_not_answer(db, world, login):
    _request(db, world)
    page = login(world.prosecutor).get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "own-data" not in page


def test_the_demo_has_an_access_request_and_an_overdue_correction(runner, db):
    from witness.subject_access.models import AccessRequest

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    asked = db.scalars(select(AccessRequest)).all()
    corrections = db.scalars(select(CorrectionRequest)).all()
    assert len(asked) == 1 and asked[0].identity_check
    assert len(corrections) == 1 and corrections[0].witness_id == asked[0].witness_id
    today = datetime.now(UTC).date()
    assert corrections[0].is_overdue(today)


def test_the_supervisors_dashboard_counts_overdue_corrections_of_the_office(
    db, world, login, frozen_clock, make_witness
):
    """The card's number is the list's "N in all"; another office's and an answered request
    are not counted; an officer's list holds only their own witnesses'."""
    from tests.dashboard.test_dashboard import counts_on, listed

    frozen_clock(datetime(2026, 4, 20, 9, tzinfo=UTC))
    _request(db, world)  # due 5 April: overdue
    services.record_correction_request(
        db, world.supervisor, world.unassigned, date(2026, 4, 10), "Wrong phone number"
    )
    answered = services.record_correction_request(
        db, world.supervisor, world.unassigned, date(2026, 3, 1), "Wrong address"
    )
    services.decide_correction(
        db,
        world.supervisor,
        world.unassigned,
        answered,
        CorrectionOutcome.refused,
        "It is right",
        None,
        frozen_clock.now(),
    )
    services.record_correction_request(
        db, _foreign_supervisor(db, world), world.foreign, date(2026, 3, 1), "Wrong"
    )
    client = login(world.supervisor)
    cards = counts_on(client)
    href, number = cards["corrections-overdue"]
    assert number == 1 == listed(client, href)
    assert listed(client, "/own-data/corrections") == 2
    officer = login(world.officer)
    assert listed(officer, "/own-data/corrections") == 1
    assert "corrections-overdue" not in counts_on(officer)
    assert login(world.ngo_worker).get("/own-data/corrections").status_code == 404


def _foreign_supervisor(db, world):
    from witness.auth.models import Role, User

    user = User(
        email="sup@other.example",
        name="Other supervisor",
        password_hash="x",
        role=Role.supervisor,
        organisation=world.other_office,
    )
    db.add(user)
    db.flush()
    return user
