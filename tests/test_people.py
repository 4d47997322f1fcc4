"""Witness files through the UI: open, edit, add to a case, consents, assignments, needs."""

from datetime import date, timedelta

from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.people.models import (
    Assignment,
    Consent,
    NeedsAssessment,
    Participation,
    Phase,
    Witness,
)


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_officer_opens_a_file_and_is_assigned_to_it(login, world, db):
    client = login(world.officer)
    response = client.submit(
        "/witnesses/new",
        {
            "reference": "KESTREL",
            "legal_name": "Mai Nguyen",
            "date_of_birth": "2010-05-04",
            "languages": "Vietnamese, English",
            "needs_interpreter": "y",
            "phone": "+44 7700 900123",
        },
    )
    assert response.status_code == 302
    witness = db.scalar(select(Witness).where(Witness.reference == "KESTREL"))
    assert witness.languages == ["Vietnamese", "English"]
    assert witness.organisation_id == world.office.id
    assert (
        _count(
            db,
            Assignment,
            Assignment.witness_id == witness.id,
            Assignment.user_id == world.officer.id,
        )
        == 1
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Witness file KESTREL opened" in page
    assert "Mai Nguyen" in page and "Child" in page
    assert (
        _count(
            db,
            AuditEvent,
            AuditEvent.action == "witness.create",
            AuditEvent.witness_id == witness.id,
        )
        == 1
    )


def test_edit_is_audited_by_field_name_not_value(login, world, db):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/edit"
    form = client.get(url)
    assert "Legal name" in form.get_data(as_text=True)
    response = client.submit(
        url, {"reference": world.assigned.reference, "legal_name": "New Name", "languages": "Thai"}
    )
    assert response.status_code == 302
    db.refresh(world.assigned)
    assert world.assigned.legal_name == "New Name"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "witness.update"))
    assert "legal_name" in event.detail["fields"]
    assert "New Name" not in str(event.detail)


def test_add_to_case_starts_in_reflection_with_reason(login, world, make_case, db):
    client = login(world.officer)
    case = make_case()
    response = client.submit(
        f"/witnesses/{world.assigned.id}/participations",
        {
            "case_reference": case.reference,
            "role": "victim_witness",
            "reason": "Referred by police",
            "reflection_end_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    participation = db.scalar(select(Participation).where(Participation.case_id == case.id))
    assert participation.phase is Phase.reflection
    assert participation.reflection_end_date == date(2026, 12, 31)
    page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert f"Joined {case.reference} in Reflection" in page
    # Adding the same case twice is refused, and changes nothing.
    again = client.submit(
        f"/witnesses/{world.assigned.id}/participations",
        {"case_reference": case.reference, "role": "victim_witness", "reason": "again"},
    )
    assert again.status_code == 400
    assert "already a witness in" in again.get_data(as_text=True)
    assert _count(db, Participation, Participation.case_id == case.id) == 1


def test_sharing_consent_opens_the_file_to_the_ngo_and_withdrawal_closes_it(login, world, db):
    officer = login(world.officer)
    ngo = login(world.ngo_worker)
    url = f"/witnesses/{world.assigned.id}"
    assert ngo.get(url).status_code == 404
    granted = officer.submit(
        f"{url}/consents",
        {"kind": "share", "decision": "granted", "organisation_id": world.ngo.id},
    )
    assert granted.status_code == 302
    page = ngo.get(url)
    assert page.status_code == 200
    assert world.assigned.legal_name not in page.get_data(as_text=True)
    officer.submit(
        f"{url}/consents",
        {"kind": "share", "decision": "withdrawn", "organisation_id": world.ngo.id},
    )
    assert ngo.get(url).status_code == 404
    # History is kept: two decisions, only the newest is current.
    decisions = db.scalars(
        select(Consent).where(Consent.witness_id == world.assigned.id).order_by(Consent.id)
    ).all()
    assert [(c.is_granted, c.is_current) for c in decisions] == [(True, False), (False, True)]


def test_share_consent_needs_an_organisation(login, world, db):
    response = login(world.officer).submit(
        f"/witnesses/{world.assigned.id}/consents", {"kind": "share", "decision": "granted"}
    )
    assert response.status_code == 400
    assert "Name the organisation" in response.get_data(as_text=True)
    assert _count(db, Consent, Consent.witness_id == world.assigned.id) == 0


def test_ngo_worker_is_assigned_only_with_consent(login, world, db):
    client = login(world.officer2)
    refused = client.submit(
        f"/witnesses/{world.assigned.id}/assignments", {"user_id": world.ngo_worker.id}
    )
    assert refused.status_code == 404  # officer2 may not see world.assigned at all
    client = login(world.officer)
    refused = client.submit(
        f"/witnesses/{world.assigned.id}/assignments", {"user_id": world.ngo_worker.id}
    )
    assert refused.status_code == 400
    assert _count(db, Assignment, Assignment.user_id == world.ngo_worker.id) == 0
    ok = login(world.officer2).submit(
        f"/witnesses/{world.shared.id}/assignments", {"user_id": world.ngo_worker.id}
    )
    assert ok.status_code == 302
    assignment = db.scalar(select(Assignment).where(Assignment.user_id == world.ngo_worker.id))
    ended = login(world.officer2).submit(
        f"/witnesses/{world.shared.id}/assignments/{assignment.id}/end"
    )
    assert ended.status_code == 302
    db.refresh(assignment)
    assert assignment.ended_dt is not None


def test_needs_are_recorded_reviewed_and_shown_when_due(login, world, db, frozen_clock):
    client = login(world.officer)
    today = frozen_clock.now().date()
    response = client.submit(
        f"/witnesses/{world.assigned.id}/needs",
        {
            "area": "childcare",
            "notes": "Two children under 5",
            "review_date": str(today + timedelta(days=3)),
        },
    )
    assert response.status_code == 302
    need = db.scalar(select(NeedsAssessment).where(NeedsAssessment.witness_id == world.assigned.id))
    dashboard = client.get("/").get_data(as_text=True)
    assert "Needs reviews due" in dashboard and world.assigned.reference in dashboard
    review = client.submit(
        f"/witnesses/{world.assigned.id}/needs/{need.id}/review",
        {"notes": "Place at nursery arranged"},
    )
    assert review.status_code == 302
    db.refresh(need)
    assert need.is_open is False and need.notes == "Place at nursery arranged"
    assert "No reviews due" in client.get("/").get_data(as_text=True)


def test_ngo_worker_records_needs_but_cannot_edit_the_file(login, world, db):
    client = login(world.ngo_worker)
    url = f"/witnesses/{world.shared.id}"
    response = client.submit(
        f"{url}/needs", {"area": "transport", "notes": "Lives 2h away", "review_date": "2026-12-01"}
    )
    assert response.status_code == 302
    assert client.get(f"{url}/edit").status_code == 404


def test_dashboard_lists_reflection_periods_ending_soon(login, world, db, frozen_clock):
    participation = world.assigned.participations[0]
    participation.reflection_end_date = frozen_clock.now().date() + timedelta(days=5)
    db.flush()
    page = login(world.officer).get("/").get_data(as_text=True)
    section = page.split("Reflection periods ending")[1].split("</section>")[0]
    assert world.assigned.reference in section
    assert world.shared.reference not in page  # officer2's witness


def test_witness_list_filters_by_phase_and_case(login, world, make_witness, make_case, db):
    client = login(world.supervisor)
    trial = make_witness(case=world.case, phase=Phase.trial)
    page = client.get("/witnesses/", query_string={"phase": "trial"}).get_data(as_text=True)
    assert trial.reference in page and world.assigned.reference not in page
    page = client.get("/witnesses/", query_string={"case_id": world.other_case.id}).get_data(
        as_text=True
    )
    assert world.shared.reference in page and world.assigned.reference not in page


def test_witness_list_is_paginated(login, world, make_witness):
    for _ in range(30):
        make_witness(case=world.case)
    client = login(world.supervisor)
    first = client.get("/witnesses/").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get("/witnesses/", query_string={"page": 2}).get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_prosecutor_cannot_open_witness_files(login, world):
    client = login(world.prosecutor)
    assert client.get("/witnesses/new").status_code == 404
    assert client.get(f"/witnesses/{world.assigned.id}").status_code == 200


def test_admin_sees_refusals_in_the_audit_log(login, world):
    login(world.ngo_worker).get(f"/witnesses/{world.assigned.id}")
    page = login(world.admin).get("/audit/", query_string={"action": "witness.refused"})
    assert page.status_code == 200
    assert "witness.refused" in page.get_data(as_text=True)
    assert login(world.officer).get("/audit/").status_code == 404


def test_roles_have_labels():
    assert Role.liaison_officer.label == "Liaison officer"


def test_file_times_are_shown_in_the_court_timezone(
    login, world, make_court, make_case, make_witness, frozen_clock
):
    """A Bangkok witness's timeline reads in Bangkok time, not UTC (09:00 UTC is 16:00 +07)."""
    case = make_case(court=make_court(timezone="Asia/Bangkok"))
    witness = make_witness(case=case, officer=world.officer)
    client = login(world.officer)
    client.submit(
        f"/witnesses/{witness.id}/needs",
        {"area": "language", "notes": "Thai interpreter", "review_date": "2026-04-01"},
    )
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "10 Mar 2026 16:00 +07" in page


def test_officer_ending_their_own_assignment_returns_to_their_list(login, world, db):
    client = login(world.officer)
    assignment = db.scalar(
        select(Assignment).where(
            Assignment.witness_id == world.assigned.id, Assignment.user_id == world.officer.id
        )
    )
    response = client.submit(f"/witnesses/{world.assigned.id}/assignments/{assignment.id}/end")
    assert response.headers["Location"] == "/witnesses/"
    assert "is no longer assigned" in client.get("/witnesses/").get_data(as_text=True)


def test_assign_offers_only_people_not_yet_assigned(login, world):
    page = login(world.officer).get(f"/witnesses/{world.assigned.id}/assignments")
    assert page.status_code == 200
    assign_form = page.get_data(as_text=True).split("<form")[-1].split("</form>")[0]
    assert f'<option value="{world.officer.id}"' not in assign_form
    assert f'<option value="{world.officer2.id}"' in assign_form


def test_a_shared_reference_asks_for_the_court(login, world, make_case, make_court, db):
    """Court references are unique per court only: when two courts use one, the form asks which."""
    first = make_case(reference="2026/001", court=make_court())
    second = make_case(reference="2026/001", court=make_court())
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/participations"
    data = {"case_reference": "2026/001", "role": "victim_witness", "reason": "Second case"}
    ambiguous = client.submit(url, data)
    assert ambiguous.status_code == 400
    assert "Several courts use the reference" in ambiguous.get_data(as_text=True)
    assert client.submit(url, data | {"court_id": second.court_id}).status_code == 302
    joined = db.scalars(
        select(Participation.case_id).where(Participation.witness_id == world.assigned.id)
    ).all()
    assert second.id in joined and first.id not in joined


def test_witness_list_filters_by_case_reference(login, world):
    page = login(world.supervisor).get("/witnesses/", query_string={"case": world.case.reference})
    text = page.get_data(as_text=True)
    assert world.assigned.reference in text and world.shared.reference not in text


def test_a_witness_s_languages_are_named_not_coded(login, world, db):
    """Files recorded with codes ("th", "km") read as languages; a name typed in stays."""
    world.assigned.languages = ["th", "km", "Tigrinya"]
    db.flush()
    client = login(world.officer)
    for page in (f"/witnesses/{world.assigned.id}", "/witnesses/"):
        text = client.get(page).get_data(as_text=True)
        assert "Thai, Khmer, Tigrinya" in text, page
        assert "th, km" not in text
