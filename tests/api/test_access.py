"""The API's access matrix: the same need-to-know rules as the pages, with the same audit.

The expected tables are the hand-written ones of the pages' matrix (``tests/test_access.py``),
so the API and the UI are held to one statement of the rules. A witness or case the caller may
not see is a 404 that does not reveal it, audited as ``*.refused``; a visible file the caller
may not change is a 403, audited as ``*.change_refused``; neither changes anything.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from witness.cases.models import Case, CaseStatus
from witness.people.models import Participation, Phase, PhaseTransition, Witness

from ..test_access import (
    CASE_WITNESSES,
    CASES,
    MAY_CHANGE,
    ROLES,
    SEES,
    SEES_CASES,
    SEES_IDENTITY,
    WITNESSES,
)
from .conftest import assert_problem, audit_count

IDENTITY = {
    "legal_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "guardian_name",
    "guardian_contact",
}

#: The cases each role may change: the office's case editors, among the cases they see.
MAY_EDIT_CASES = {
    "admin": {"case", "other_case"},
    "supervisor": {"case", "other_case"},
    "officer": {"case", "other_case"},
    "officer2": {"case", "other_case"},
    "prosecutor": {"case"},
    "other_prosecutor": {"other_case"},
    "ngo_worker": set(),
    "foreign_admin": {"foreign_case"},
}


@pytest.fixture
def caller(service, api):
    """``caller("officer")``: an API client with a token of that role of the ``service``."""
    return lambda role: api(getattr(service, role))


def test_case_table_names_every_role_and_case():
    assert set(MAY_EDIT_CASES) == set(ROLES)
    for role, cases in MAY_EDIT_CASES.items():
        assert cases <= SEES_CASES[role], role


# --- witnesses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_witness_list_holds_exactly_the_visible_files(role, service, caller):
    body = caller(role).get("/api/v1/witnesses", query_string={"per_page": 100}).get_json()
    expected = {getattr(service, name).id for name in SEES[role]}
    assert {item["id"] for item in body["items"]} == expected
    assert body["total"] == len(expected)
    for item in body["items"]:  # lists never carry identity, whoever asks
        assert not IDENTITY & set(item)


@pytest.mark.parametrize("role", ROLES)
def test_get_witness(role, service, caller, db):
    """200 with the file (identity only where allowed) and a ``witness.view`` audit row, or a
    404 that says nothing of the file and a ``witness.refused`` audit row."""
    actor, client = getattr(service, role), caller(role)
    for name in WITNESSES:
        witness = getattr(service, name)
        witness.date_of_birth = date(1987, 6, 23)
        witness.email = "safe@example.org"
        db.flush()
        response = client.get(f"/api/v1/witnesses/{witness.id}")
        text = response.get_data(as_text=True)
        views = audit_count(db, "witness.view", actor, witness_id=witness.id)
        refusals = audit_count(db, "witness.refused", actor, witness_id=witness.id)
        if name not in SEES[role]:
            assert_problem(response, 404)
            assert witness.reference not in text and witness.legal_name not in text, name
            assert (views, refusals) == (0, 1), name
            continue
        assert response.status_code == 200, name
        body = response.get_json()
        assert body["id"] == witness.id and body["reference"] == witness.reference
        assert (views, refusals) == (1, 0), name
        identity = name in SEES_IDENTITY[role]
        assert body["identity_visible"] is identity, name
        if identity:
            assert set(body) >= IDENTITY, name
            assert body["legal_name"] == witness.legal_name
            assert body["date_of_birth"] == "1987-06-23"
            assert body["phone"] == witness.phone
            assert body["email"] == "safe@example.org"
        else:
            assert not IDENTITY & set(body), name
            for secret in (witness.legal_name, "1987-06-23", witness.phone, "safe@example.org"):
                assert secret not in text, name


def test_view_audit_records_whether_identity_was_shown(service, caller, db):
    from witness.audit.models import AuditEvent

    caller("ngo_worker").get(f"/api/v1/witnesses/{service.shared.id}")
    caller("ngo_worker").get(f"/api/v1/witnesses/{service.shared_identity.id}")
    shown = dict(
        db.execute(
            select(AuditEvent.witness_id, AuditEvent.detail).where(
                AuditEvent.action == "witness.view"
            )
        ).all()
    )
    assert shown[service.shared.id] == {"identity": False}
    assert shown[service.shared_identity.id] == {"identity": True}


def assert_refused_change(db, response, role: str, name: str, actor, witness) -> None:
    """A visible file the caller may not change: 403 and ``change_refused``; a hidden one: 404
    and ``refused``, revealing nothing."""
    if name in SEES[role]:
        assert_problem(response, 403)
        assert audit_count(db, "witness.change_refused", actor, witness_id=witness.id) == 1, name
    else:
        assert_problem(response, 404)
        assert witness.legal_name not in response.get_data(as_text=True)
        assert audit_count(db, "witness.refused", actor, witness_id=witness.id) == 1, name


@pytest.mark.parametrize("role", ROLES)
def test_patch_witness(role, service, caller, db):
    actor, client = getattr(service, role), caller(role)
    for name in WITNESSES:
        witness = getattr(service, name)
        original = witness.legal_name
        response = client.patch(
            f"/api/v1/witnesses/{witness.id}", json={"legal_name": "Changed Legal Name"}
        )
        stored = db.scalar(select(Witness.legal_name).where(Witness.id == witness.id))
        updates = audit_count(db, "witness.update", actor, witness_id=witness.id)
        if name in MAY_CHANGE[role]:
            assert response.status_code == 200, name
            assert response.get_json()["legal_name"] == "Changed Legal Name"
            assert (stored, updates) == ("Changed Legal Name", 1), name
        else:
            assert (stored, updates) == (original, 0), name
            assert_refused_change(db, response, role, name, actor, witness)


@pytest.mark.parametrize("role", ROLES)
def test_change_phase(role, service, caller, db):
    actor, client = getattr(service, role), caller(role)
    for name in WITNESSES:
        witness = getattr(service, name)
        participation = witness.participations[0]
        response = client.post(
            f"/api/v1/participations/{participation.id}/phase-changes",
            json={"phase": "pre_trial", "reason": "Defendant charged; trial preparation starts."},
        )
        phase = db.scalar(select(Participation.phase).where(Participation.id == participation.id))
        moves = db.scalars(
            select(PhaseTransition.actor_id).where(
                PhaseTransition.participation_id == participation.id,
                PhaseTransition.from_phase.is_not(None),
            )
        ).all()
        if name in MAY_CHANGE[role]:
            assert response.status_code == 201, name
            assert response.get_json()["to_phase"] == "pre_trial"
            assert (phase, moves) == (Phase.pre_trial, [actor.id]), name
        else:
            assert (phase, moves) == (Phase.reflection, []), name
            assert_refused_change(db, response, role, name, actor, witness)


@pytest.mark.parametrize("role", ROLES)
def test_participations_follow_the_witness(role, service, caller, db):
    actor, client = getattr(service, role), caller(role)
    for name in WITNESSES:
        witness = getattr(service, name)
        participation = witness.participations[0]
        for url in (
            f"/api/v1/witnesses/{witness.id}/participations",
            f"/api/v1/participations/{participation.id}",
            f"/api/v1/participations/{participation.id}/phase-changes",
        ):
            response = client.get(url)
            if name in SEES[role]:
                assert response.status_code == 200, url
            else:
                assert_problem(response, 404)
        refusals = audit_count(db, "witness.refused", actor, witness_id=witness.id)
        assert refusals == (0 if name in SEES[role] else 3), name


# --- cases -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_case_list_holds_exactly_the_visible_cases(role, service, caller):
    body = caller(role).get("/api/v1/cases", query_string={"per_page": 100}).get_json()
    assert {item["id"] for item in body["items"]} == {
        getattr(service, name).id for name in SEES_CASES[role]
    }
    assert body["total"] == len(SEES_CASES[role])


@pytest.mark.parametrize("role", ROLES)
def test_get_case(role, service, caller, db):
    actor, client = getattr(service, role), caller(role)
    for name in CASES:
        case = getattr(service, name)
        response = client.get(f"/api/v1/cases/{case.id}")
        defendants = client.get(f"/api/v1/cases/{case.id}/defendants")
        if name in SEES_CASES[role]:
            assert response.status_code == 200, name
            assert response.get_json()["reference"] == case.reference
            assert defendants.status_code == 200, name
        else:
            assert_problem(response, 404)
            assert_problem(defendants, 404)
            assert case.reference not in response.get_data(as_text=True)
            assert audit_count(db, "case.refused", actor, object_id=case.id) == 2, name


@pytest.mark.parametrize("role", ROLES)
def test_patch_case(role, service, caller, db):
    actor, client = getattr(service, role), caller(role)
    for name in CASES:
        case = getattr(service, name)
        response = client.patch(f"/api/v1/cases/{case.id}", json={"status": "trial"})
        status = db.scalar(select(Case.status).where(Case.id == case.id))
        if name in MAY_EDIT_CASES[role]:
            assert response.status_code == 200, name
            assert response.get_json()["status"] == "trial"
            assert status is CaseStatus.trial, name
            assert audit_count(db, "case.update", actor, object_id=case.id) == 1, name
            continue
        assert status is CaseStatus.charged, name
        if name in SEES_CASES[role]:
            assert_problem(response, 403)
            assert audit_count(db, "case.change_refused", actor, object_id=case.id) == 1, name
        else:
            assert_problem(response, 404)
            assert audit_count(db, "case.refused", actor, object_id=case.id) == 1, name


@pytest.mark.parametrize("role", ROLES)
def test_witnesses_of_a_case_are_filtered_by_need_to_know(role, service, caller):
    """Filtering the witness list by a case never lists a witness the caller may not see."""
    for case_name, witnesses in CASE_WITNESSES.items():
        case = getattr(service, case_name)
        body = caller(role).get("/api/v1/witnesses", query_string={"case_id": case.id}).get_json()
        expected = {getattr(service, n).id for n in witnesses & SEES[role]}
        assert {item["id"] for item in body["items"]} == expected, case_name
