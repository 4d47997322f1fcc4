"""Cases through the UI: open with offences, add and edit defendants, edit."""

from sqlalchemy import func, select

from witness.cases import services as case_services
from witness.cases.models import Case, CustodyStatus, Defendant, OffenceCategory


def test_officer_opens_a_case_and_adds_a_defendant(login, world, make_court, db):
    court = make_court(timezone="Asia/Bangkok")
    client = login(world.officer)
    assert "Trafficking — organ removal" in client.get("/cases/new").get_data(as_text=True)
    response = client.submit(
        "/cases/new",
        {
            "court_id": court.id,
            "reference": "BKK-2026-77",
            "title": "R v Somchai",
            "offences": ["trafficking_sexual_exploitation", "child_trafficking"],
            "status": "charged",
            "lead_prosecutor_id": world.prosecutor.id,
        },
    )
    assert response.status_code == 302
    case = db.scalar(select(Case).where(Case.reference == "BKK-2026-77"))
    assert set(case.offence_categories) == {
        OffenceCategory.trafficking_sexual_exploitation,
        OffenceCategory.child_trafficking,
    }
    assert case.is_trafficking
    added = client.submit(
        f"/cases/{case.id}/defendants",
        {"name": "Somchai K.", "custody_status": "remanded", "expected_release_date": ""},
    )
    assert added.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Defendant Somchai K. added" in page
    assert "Remanded" in page and "Asia/Bangkok" in page
    defendant = db.scalar(select(Defendant).where(Defendant.case_id == case.id))
    edited = client.submit(
        f"/cases/{case.id}/defendants/{defendant.id}/edit",
        {
            "name": "Somchai K.",
            "custody_status": "serving_sentence",
            "expected_release_date": "2031-06-30",
        },
    )
    assert edited.status_code == 302
    db.refresh(defendant)
    assert defendant.custody_status is CustodyStatus.serving_sentence
    assert str(defendant.expected_release_date) == "2031-06-30"


def test_prosecutor_opening_a_case_leads_it(login, world, make_court, db):
    court = make_court()
    response = login(world.prosecutor).submit(
        "/cases/new",
        {
            "court_id": court.id,
            "reference": "P-1",
            "title": "R v X",
            "offences": ["violence"],
            "status": "investigation",
            "lead_prosecutor_id": "",
        },
    )
    assert response.status_code == 302
    case = db.scalar(select(Case).where(Case.reference == "P-1"))
    assert case.lead_prosecutor_id == world.prosecutor.id


def test_edit_case_changes_offences_and_status(login, world, db):
    client = login(world.supervisor)
    url = f"/cases/{world.case.id}/edit"
    assert client.get(url).status_code == 200
    response = client.submit(
        url,
        {
            "court_id": world.case.court_id,
            "reference": world.case.reference,
            "title": "New title",
            "offences": ["trafficking_domestic_servitude"],
            "status": "trial",
            "lead_prosecutor_id": world.prosecutor.id,
        },
    )
    assert response.status_code == 302
    db.refresh(world.case)
    assert world.case.title == "New title"
    assert world.case.offence_categories == [OffenceCategory.trafficking_domestic_servitude]
    assert world.case.status.value == "trial"


def test_lead_prosecutor_must_belong_to_the_office(login, world, make_user, make_court, db):
    from witness.auth.models import Role

    outsider = make_user(Role.prosecutor, organisation=world.other_office)
    response = login(world.officer).submit(
        "/cases/new",
        {
            "court_id": make_court().id,
            "reference": "X-1",
            "title": "R v Y",
            "offences": ["violence"],
            "status": "charged",
            "lead_prosecutor_id": outsider.id,
        },
    )
    assert response.status_code == 400
    assert db.scalar(select(Case).where(Case.reference == "X-1")) is None


def test_ngo_worker_cannot_open_or_edit_cases(login, world):
    client = login(world.ngo_worker)
    assert client.get("/cases/new").status_code == 404
    assert client.get(f"/cases/{world.other_case.id}/edit").status_code == 404


def test_a_reference_taken_at_the_same_moment_is_a_message_not_a_server_error(
    login, world, db, monkeypatch
):
    # Two people open the same court reference at once: both pass the service's check before
    # either has saved, and the database's unique key stops the second. That interleaving is
    # played by letting this request's check see nothing, as it would before the other commit.
    monkeypatch.setattr(case_services, "_check_reference_free", lambda *args: None)
    response = login(world.officer).submit(
        "/cases/new",
        {
            "court_id": world.case.court_id,
            "reference": world.case.reference,
            "title": "R v Twice",
            "offences": ["trafficking_forced_labour"],
            "status": "charged",
            "lead_prosecutor_id": "",
        },
    )
    assert response.status_code == 400
    assert "Someone else changed the same records at the same moment" in response.get_data(
        as_text=True
    )
    same = select(func.count()).where(
        Case.court_id == world.case.court_id, Case.reference == world.case.reference
    )
    assert db.scalar(same) == 1
    assert db.scalar(select(func.count()).where(Case.title == "R v Twice")) == 0
