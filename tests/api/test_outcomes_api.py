"""The outcome and custody event endpoints as a court or prison system uses them: scope,
idempotency by source and external id, refusals, and the OpenAPI document."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from witness.auth.models import Role
from witness.auth.tokens import create_system_token
from witness.notify.models import NotificationTask
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.people.models import Phase

from ..outcomes.conftest import trial  # noqa: F401
from .conftest import ApiClient, assert_problem, audit_count

RELEASE = {
    "kind": "release_date_set",
    "effective_date": "2026-03-09",
    "source": "prison",
    "release_date": "2027-05-01",
    "external_id": "HMPX-0001",
}


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def system(app, db, trial, make_user):  # noqa: F811
    """A prison system's account of the case's office, with a token scoped to case events."""
    account = make_user(Role.system, name="HMP X release feed")
    _, plaintext = create_system_token(db, trial.admin, account, "release feed")
    db.flush()
    client = ApiClient(app.test_client(), plaintext)
    client.user = account
    return client


def test_a_system_posts_a_custody_event_and_the_same_post_again_changes_nothing(
    db,
    trial,  # noqa: F811
    system,
):
    body = {**RELEASE, "custody_number": "A1234BC", "source_system": "HMP X"}
    first = system.post("/api/v1/custody-events", json=body)
    assert first.status_code == 201, first.get_data(as_text=True)
    [event] = first.get_json()["items"]
    assert (event["kind"], event["release_date"], event["case_id"]) == (
        "release_date_set",
        "2027-05-01",
        trial.case.id,
    )
    assert _count(db, NotificationTask) == 2
    again = system.post("/api/v1/custody-events", json=body)
    assert again.status_code == 200
    assert again.get_json()["items"][0]["id"] == event["id"]
    assert (_count(db, OutcomeEvent), _count(db, NotificationTask)) == (1, 2)
    changed = system.post("/api/v1/custody-events", json={**body, "release_date": "2027-06-01"})
    problem = assert_problem(changed, 409)
    assert "external_id" in problem["errors"]
    assert db.get(OutcomeEvent, event["id"]).release_date == date(2027, 5, 1)
    db.refresh(trial.defendant)
    assert trial.defendant.expected_release_date == date(2027, 5, 1)


def test_a_verdict_posted_to_a_case_ends_the_trial(db, trial, system):  # noqa: F811
    body = {
        "kind": "verdict",
        "effective_date": "2026-03-09",
        "source": "court",
        "defendant_id": trial.defendant.id,
        "charge": "Trafficking for forced labour",
        "result": "guilty",
        "external_id": "CC-77",
    }
    response = system.post(f"/api/v1/cases/{trial.case.id}/events", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    # the source system defaults to the account's organisation
    assert created["source_system"] == trial.office.name
    assert response.headers["Location"].endswith(f"/api/v1/events/{created['id']}")
    assert {p.phase for p in trial.case_participations()} == {Phase.post_trial}
    listed = system.get(f"/api/v1/cases/{trial.case.id}/events").get_json()
    assert [e["id"] for e in listed["items"]] == [created["id"]]
    assert system.get(f"/api/v1/events/{created['id']}").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"charge": ""}, "charge"),
        ({"result": "appeal_allowed"}, "result"),
        ({"release_date": "2027-01-01"}, "release_date"),
        ({"effective_date": "1800-01-01"}, "effective_date"),
        ({"sentence_months": "12"}, "sentence_months"),
        ({"orders": [{"kind": "no_contact", "oops": 1}]}, "orders.0.oops"),
    ],
)
def test_bad_events_are_problems_naming_the_field_and_change_nothing(
    db,
    trial,  # noqa: F811
    system,
    change,
    field,
):
    body = {
        "kind": "verdict",
        "effective_date": "2026-03-09",
        "source": "court",
        "defendant_id": trial.defendant.id,
        "charge": "Theft",
        "result": "guilty",
        **change,
    }
    problem = assert_problem(system.post(f"/api/v1/cases/{trial.case.id}/events", json=body), 422)
    assert field in problem["errors"]
    assert _count(db, OutcomeEvent) == 0


def test_a_defendant_of_another_case_and_an_unknown_custody_number_are_refused(
    db,
    trial,  # noqa: F811
    system,
):
    body = {**RELEASE, "defendant_id": trial.other_defendant.id}
    problem = assert_problem(system.post(f"/api/v1/cases/{trial.case.id}/events", json=body), 422)
    assert "defendant_id" in problem["errors"]
    problem = assert_problem(
        system.post("/api/v1/custody-events", json={**RELEASE, "custody_number": "NOPE"}), 422
    )
    assert "custody_number" in problem["errors"]
    # an outcome kind is not a custody event
    custody = {**RELEASE, "custody_number": "A1234BC", "kind": "verdict"}
    assert_problem(system.post("/api/v1/custody-events", json=custody), 422)
    assert _count(db, OutcomeEvent) == 0


def test_an_events_token_may_use_nothing_else(db, trial, system):  # noqa: F811
    for url in ("/api/v1/me", "/api/v1/cases", f"/api/v1/cases/{trial.case.id}"):
        assert_problem(system.get(url), 403)
    assert_problem(system.post("/api/v1/cases", json={}), 403)
    assert audit_count(db, "api_token.scope_refused", system.user) == 4


def test_a_system_sees_only_its_own_offices_cases(app, db, trial, make_user):  # noqa: F811
    foreign = make_user(Role.system, organisation=trial.other_office)
    _, plaintext = create_system_token(db, trial.foreign_admin, foreign, "elsewhere")
    outsider = ApiClient(app.test_client(), plaintext)
    assert_problem(outsider.get(f"/api/v1/cases/{trial.case.id}/events"), 404)
    body = {**RELEASE, "custody_number": "A1234BC"}
    assert_problem(outsider.post("/api/v1/custody-events", json=body), 422)
    assert _count(db, OutcomeEvent) == 0


def test_an_ngo_worker_with_a_full_token_reads_but_may_not_post(
    db,
    trial,  # noqa: F811
    api,
    share,
):
    share(trial.assigned, trial.ngo)
    client = api(trial.ngo_worker)
    assert client.get(f"/api/v1/cases/{trial.case.id}/events").status_code == 200
    body = {**RELEASE, "defendant_id": trial.defendant.id}
    assert_problem(client.post(f"/api/v1/cases/{trial.case.id}/events", json=body), 403)
    assert audit_count(db, "outcome_event.change_refused", trial.ngo_worker) == 1
    assert _count(db, OutcomeEvent) == 0


def test_an_officer_with_a_full_token_posts_and_corrections_show_in_the_list(
    db,
    trial,  # noqa: F811
    api,
):
    from witness.outcomes import services

    client = api(trial.officer)
    body = {**RELEASE, "defendant_id": trial.defendant.id}
    created = client.post(f"/api/v1/cases/{trial.case.id}/events", json=body).get_json()
    event = db.get(OutcomeEvent, created["id"])
    services.correct_event(db, trial.officer, event, reason="wrong", release_date="2027-07-01")
    items = client.get(f"/api/v1/cases/{trial.case.id}/events").get_json()["items"]
    assert [i["supersedes_id"] for i in items] == [None, event.id] or [
        i["supersedes_id"] for i in items
    ] == [event.id, None]
    assert {i["kind"] for i in items} == {EventKind.release_date_set.value}


def test_the_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"post", "get"} <= set(spec["paths"]["/api/v1/cases/{case_id}/events"])
    assert "post" in spec["paths"]["/api/v1/custody-events"]
    assert "get" in spec["paths"]["/api/v1/events/{event_id}"]
    post = spec["paths"]["/api/v1/custody-events"]["post"]
    assert {"200", "201", "409", "422"} <= set(post["responses"])


def test_a_custody_post_for_a_person_in_two_cases_is_all_or_nothing(
    db,
    trial,  # noqa: F811
    system,
):
    """One person, a defendant in two cases: the post records both events or, when one of them
    clashes with an earlier post, neither (a 409 that changes nothing)."""
    from witness.outcomes import services

    trial.other_defendant.custody_number = "A1234BC"
    db.flush()
    body = {**RELEASE, "custody_number": "A1234BC", "source_system": "HMP X"}
    services.post_event(
        db,
        system.user,
        case=trial.other_case,
        defendant=trial.other_defendant,
        **{
            **RELEASE,
            "release_date": "2027-09-09",
            "source_system": "HMP X",
            "external_id": f"{RELEASE['external_id']}#{trial.other_defendant.id}",
        },
    )
    db.flush()
    before = (_count(db, OutcomeEvent), _count(db, NotificationTask))
    problem = assert_problem(system.post("/api/v1/custody-events", json=body), 409)
    assert "external_id" in problem["errors"]
    assert (_count(db, OutcomeEvent), _count(db, NotificationTask)) == before
    db.refresh(trial.defendant)
    assert trial.defendant.expected_release_date is None
    # the same post under a new id records both, in one go
    both = system.post("/api/v1/custody-events", json={**body, "external_id": "HMPX-0002"})
    assert both.status_code == 201, both.get_data(as_text=True)
    assert {e["case_id"] for e in both.get_json()["items"]} == {
        trial.case.id,
        trial.other_case.id,
    }
