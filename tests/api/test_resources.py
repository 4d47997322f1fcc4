"""Working through the API as an integration would: cases, defendants, witness files, putting a
witness in a case, and moving them through the phases with a reason for every move."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from witness.auth.models import Role
from witness.cases.models import Case, CaseStatus, CustodyStatus, Defendant, OffenceCategory
from witness.people.models import Assignment, Participation, Phase, PhaseTransition, Witness

from .conftest import assert_problem, audit_count, nothing_changes


@pytest.fixture
def officer(make_user):
    return make_user(Role.liaison_officer)


# --- reference data ----------------------------------------------------------------------------


def test_courts_are_listed_by_name(api, officer, make_court):
    make_court(name="Zeta Court", timezone="Europe/Paris")
    make_court(name="Alpha Court")
    body = api(officer).get("/api/v1/courts").get_json()
    assert [(c["name"], c["timezone"]) for c in body] == [
        ("Alpha Court", "Europe/London"),
        ("Zeta Court", "Europe/Paris"),
    ]


# --- cases and defendants ----------------------------------------------------------------------


def test_open_and_change_a_case(api, make_user, make_court, db):
    prosecutor = make_user(Role.prosecutor)
    court = make_court()
    client = api(prosecutor)
    response = client.post(
        "/api/v1/cases",
        json={
            "court_id": court.id,
            "reference": " T2026-0042 ",
            "title": "R v Doe",
            "offences": ["trafficking_forced_labour", "violence"],
            "notes": "Two sites.\nInterpreters needed.",
        },
    )
    assert response.status_code == 201
    created = response.get_json()
    case = db.get(Case, created["id"])
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case.id}")
    assert case.reference == "T2026-0042"  # trimmed
    assert case.lead_prosecutor_id == prosecutor.id  # a prosecutor leads what they open
    assert case.status is CaseStatus.investigation
    assert set(case.offence_categories) == {
        OffenceCategory.trafficking_forced_labour,
        OffenceCategory.violence,
    }
    assert created["court"] == {"id": court.id, "name": court.name, "timezone": court.timezone}
    assert audit_count(db, "case.create", prosecutor, object_id=case.id) == 1

    response = client.patch(
        f"/api/v1/cases/{case.id}", json={"status": "trial", "offences": ["violence"]}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "trial"
    assert response.get_json()["offences"] == ["violence"]
    assert response.get_json()["title"] == "R v Doe"  # untouched
    db.expire_all()
    assert case.status is CaseStatus.trial
    assert case.offence_categories == [OffenceCategory.violence]

    # Nothing sent, nothing changed, nothing audited.
    with nothing_changes(db):
        assert client.patch(f"/api/v1/cases/{case.id}", json={}).status_code == 200
    assert audit_count(db, "case.update", prosecutor, object_id=case.id) == 1


def test_an_ngo_worker_opens_no_case(api, make_user, make_org, make_court, db):
    from witness.auth.models import OrganisationKind

    ngo_worker = make_user(Role.ngo_worker, organisation=make_org(OrganisationKind.ngo))
    payload = {
        "court_id": make_court().id,
        "reference": "X",
        "title": "R v X",
        "offences": ["other"],
    }
    with nothing_changes(db):
        body = assert_problem(api(ngo_worker).post("/api/v1/cases", json=payload), 403)
    assert body["detail"] == "You may not open cases."
    assert audit_count(db, "case.change_refused", ngo_worker) == 1


def test_defendants(api, make_user, make_case, db):
    supervisor = make_user(Role.supervisor)
    case = make_case()
    client = api(supervisor)
    assert client.get(f"/api/v1/cases/{case.id}/defendants").get_json() == []

    response = client.post(
        f"/api/v1/cases/{case.id}/defendants",
        json={"name": "John Doe", "custody_status": "remanded"},
    )
    assert response.status_code == 201
    defendant_id = response.get_json()["id"]
    assert response.headers["Location"].endswith(f"/api/v1/defendants/{defendant_id}")
    assert response.get_json() == {
        "id": defendant_id,
        "case_id": case.id,
        "name": "John Doe",
        "custody_status": "remanded",
        "expected_release_date": None,
    }

    response = client.patch(
        f"/api/v1/defendants/{defendant_id}",
        json={"custody_status": "serving_sentence", "expected_release_date": "2031-05-01"},
    )
    assert response.status_code == 200
    defendant = db.get(Defendant, defendant_id)
    db.refresh(defendant)
    assert defendant.custody_status is CustodyStatus.serving_sentence
    assert defendant.expected_release_date == date(2031, 5, 1)
    assert defendant.name == "John Doe"
    assert audit_count(db, "defendant.update", supervisor, object_id=defendant_id) == 1

    listed = client.get(f"/api/v1/cases/{case.id}/defendants").get_json()
    assert [d["custody_status"] for d in listed] == ["serving_sentence"]
    assert client.get(f"/api/v1/defendants/{defendant_id}").get_json()["name"] == "John Doe"

    for payload, field in (
        ({"custody_status": "escaped"}, "custody_status"),
        ({"expected_release_date": "2101-01-01"}, "expected_release_date"),
        ({"name": ""}, "name"),
        ({"case_id": case.id}, "case_id"),
    ):
        with nothing_changes(db):
            response = client.patch(f"/api/v1/defendants/{defendant_id}", json=payload)
        assert list(assert_problem(response, 422)["errors"]) == [field]


def test_a_hidden_cases_defendant_is_not_found(api, make_user, make_case, make_org, db):
    other_office = make_org()
    case = make_case(organisation=other_office)
    defendant = Defendant(case=case, name="Hidden", custody_status=CustodyStatus.at_large)
    db.add(defendant)
    db.flush()
    client = api(make_user(Role.supervisor))
    for response in (
        client.get(f"/api/v1/defendants/{defendant.id}"),
        client.patch(f"/api/v1/defendants/{defendant.id}", json={"name": "Changed"}),
    ):
        assert "Hidden" not in response.get_data(as_text=True)
        assert assert_problem(response, 404)["detail"] == "No such defendant."
    assert db.scalar(select(Defendant.name).where(Defendant.id == defendant.id)) == "Hidden"
    assert audit_count(db, "case.refused", object_id=case.id) == 2


# --- witness files -----------------------------------------------------------------------------


def test_open_a_witness_file(api, officer, db):
    response = api(officer).post(
        "/api/v1/witnesses",
        json={
            "reference": "VW-API-1",
            "legal_name": "Ana Pop",
            "date_of_birth": "2010-04-02",
            "languages": ["ro", "en"],
            "needs_interpreter": True,
            "phone": "",
            "address": "Safe house 3\nRoom 2",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    witness = db.get(Witness, body["id"])
    assert response.headers["Location"].endswith(f"/api/v1/witnesses/{witness.id}")
    assert (witness.reference, witness.legal_name, witness.languages) == (
        "VW-API-1",
        "Ana Pop",
        ["ro", "en"],
    )
    assert witness.phone is None  # an optional field sent blank is none
    assert witness.address == "Safe house 3\nRoom 2"
    assert witness.organisation_id == officer.organisation_id
    assert body["identity_visible"] is True and body["legal_name"] == "Ana Pop"
    assert body["is_child"] is True and body["participations"] == []
    # The officer who opens the file is assigned to it, so they go on seeing it.
    assert db.scalar(select(Assignment.user_id).where(Assignment.witness_id == witness.id)) == (
        officer.id
    )
    assert audit_count(db, "witness.create", officer, witness_id=witness.id) == 1
    assert audit_count(db, "witness.view", officer, witness_id=witness.id) == 1


def test_patch_changes_only_the_fields_sent(api, officer, make_witness, db):
    witness = make_witness(officer=officer, gender="F", nationality="Romanian")
    response = api(officer).patch(
        f"/api/v1/witnesses/{witness.id}", json={"nationality": None, "languages": ["ro"]}
    )
    assert response.status_code == 200
    db.refresh(witness)
    assert (witness.gender, witness.nationality, witness.languages) == ("F", None, ["ro"])
    assert witness.legal_name.startswith("Legal Name")
    assert response.get_json()["nationality"] is None


# --- participation and phases ------------------------------------------------------------------


def test_put_a_witness_in_a_case_and_move_them_through_the_phases(
    api, officer, make_case, make_witness, db
):
    case = make_case()
    witness = make_witness(officer=officer)
    client = api(officer)

    response = client.post(
        f"/api/v1/witnesses/{witness.id}/participations",
        json={"case_id": case.id, "reason": "Identified at the raid", "role": "victim_witness"},
    )
    assert response.status_code == 201
    participation = response.get_json()
    assert (participation["phase"], participation["allowed_phases"]) == (
        "reflection",
        ["pre_trial", "closed"],
    )
    url = f"/api/v1/participations/{participation['id']}/phase-changes"

    for target, reason in (
        ("pre_trial", "Decided to testify"),
        ("trial", "Trial listed"),
        ("post_trial", "Verdict given"),
        ("trial", "Retrial ordered"),
        ("closed", "Case over"),
        ("trial", "Reopened after appeal"),  # back to the phase it was closed from
    ):
        response = client.post(url, json={"phase": target, "reason": reason})
        assert response.status_code == 201, (target, response.get_json())
        assert response.get_json()["reason"] == reason

    history = client.get(url).get_json()
    assert [(h["from_phase"], h["to_phase"], h["reason"]) for h in history] == [
        (None, "reflection", "Identified at the raid"),
        ("reflection", "pre_trial", "Decided to testify"),
        ("pre_trial", "trial", "Trial listed"),
        ("trial", "post_trial", "Verdict given"),
        ("post_trial", "trial", "Retrial ordered"),
        ("trial", "closed", "Case over"),
        ("closed", "trial", "Reopened after appeal"),
    ]
    assert {h["actor_name"] for h in history} == {officer.name}
    now = client.get(f"/api/v1/participations/{participation['id']}").get_json()
    assert (now["phase"], now["allowed_phases"]) == ("trial", ["post_trial", "closed"])
    assert audit_count(db, "participation.phase_change", officer, witness_id=witness.id) == 6
    listed = client.get(f"/api/v1/witnesses/{witness.id}/participations").get_json()
    assert [p["phase"] for p in listed] == ["trial"]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"phase": "pre_trial"}, {"reason": ["Give a reason for the change."]}),
        (
            {"phase": "pre_trial", "reason": " \n "},
            {"reason": ["Length must be between 1 and 2000."]},
        ),
        ({"reason": "Charged"}, {"phase": ["Choose the phase to move to."]}),
        (
            {"phase": "appeal", "reason": "x"},
            {"phase": ["Must be one of: reflection, pre_trial, trial, post_trial, closed."]},
        ),
        (
            {"phase": "pre_trial", "reason": "x" * 2001},
            {"reason": ["Length must be between 1 and 2000."]},
        ),
    ],
    ids=["no-reason", "blank-reason", "no-phase", "unknown-phase", "reason-too-long"],
)
def test_a_phase_change_needs_a_phase_and_a_reason(
    api, officer, make_case, make_witness, db, payload, errors
):
    witness = make_witness(case=make_case(), officer=officer)
    participation = witness.participations[0]
    with nothing_changes(db):
        response = api(officer).post(
            f"/api/v1/participations/{participation.id}/phase-changes", json=payload
        )
    assert assert_problem(response, 422)["errors"] == errors
    assert db.scalar(select(Participation.phase).where(Participation.id == participation.id)) is (
        Phase.reflection
    )
    moves = db.scalars(
        select(PhaseTransition.id).where(PhaseTransition.participation_id == participation.id)
    ).all()
    assert len(moves) == 1  # only the opening entry


def test_a_witness_cannot_join_a_case_the_caller_may_not_see(
    api, officer, make_org, make_case, make_witness, db
):
    hidden = make_case(organisation=make_org())
    witness = make_witness(officer=officer)
    with nothing_changes(db):
        response = api(officer).post(
            f"/api/v1/witnesses/{witness.id}/participations",
            json={"case_id": hidden.id, "reason": "Guessing ids"},
        )
    body = assert_problem(response, 422)
    assert body["errors"] == {"case_id": ["No such case, or your account may not see it."]}
    assert hidden.reference not in response.get_data(as_text=True)
    assert audit_count(db, "case.refused", officer, object_id=hidden.id) == 1
