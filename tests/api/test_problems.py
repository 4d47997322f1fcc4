"""Errors under /api/v1 are RFC 9457 problem details, with the right status, a detail a person
can act on and, for refused fields, ``errors`` per field; and a refused request changes
nothing (audit rows of refusals aside)."""

from __future__ import annotations

import json

import pytest

from witness.auth.models import Role
from witness.people.models import Phase

from .conftest import assert_problem, nothing_changes


@pytest.fixture
def officer(make_user):
    return make_user(Role.liaison_officer)


@pytest.fixture
def client(api, officer):
    return api(officer)


@pytest.fixture
def witness(make_witness, make_case, officer):
    return make_witness(case=make_case(), officer=officer)


VALID_WITNESS = {"reference": "VW-NEW", "legal_name": "Ana Pop"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"reference": "VW-1",', "not valid JSON"),
        (b"{'reference': 'VW-1'}", "not valid JSON"),
        (b'{"reference": NaN}', "not valid JSON"),
        # bytes that are not UTF-8 are named as such, not as a JSON syntax error
        (b'\xff\xfe{"reference": 1}', "The body is not valid UTF-8 (byte 1 cannot be read)"),
        (b'{"reference": "VW-\xe9"}', "The body is not valid UTF-8 (byte 19 cannot be read)"),
    ],
)
def test_malformed_json_is_400(client, db, raw, says):
    with nothing_changes(db):
        response = client.post("/api/v1/witnesses", data=raw, content_type="application/json")
    body = assert_problem(response, 400)
    assert says in body["detail"]


def test_nul_in_the_query_string_is_400(client):
    body = assert_problem(client.get("/api/v1/witnesses?q=VW%00"), 400)
    assert "NUL" in body["detail"]
    assert_problem(client.get("/api/v1/witnesses?q%00=1"), 400)


def test_nul_in_a_form_body_is_a_400_problem_not_a_page(client, db):
    with nothing_changes(db):
        response = client.post("/api/v1/witnesses", data={"reference": "VW\x00"})
    assert "NUL" in assert_problem(response, 400)["detail"]


def test_anything_under_api_answers_in_problem_details(client):
    assert_problem(client.get("/api/v2/witnesses"), 404)


def test_a_form_body_is_415(client, db):
    with nothing_changes(db):
        response = client.post("/api/v1/witnesses", data=VALID_WITNESS)
    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]


def test_too_large_a_body_is_413(client, db):
    with nothing_changes(db):
        response = client.post(
            "/api/v1/witnesses",
            data=json.dumps({**VALID_WITNESS, "address": "x" * (3 * 1024 * 1024)}),
            content_type="application/json",
        )
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/witnesses/999999",
        "/api/v1/witnesses/2147483648",  # beyond the key column: not a database error
        "/api/v1/witnesses/99999999999999999999999",
        "/api/v1/witnesses/-1",
        "/api/v1/cases/999999",
        "/api/v1/defendants/999999",
        "/api/v1/participations/999999",
        "/api/v1/participations/999999/phase-changes",
        "/api/v1/nothing-here",
        "/api/v1/witnesses/",  # no trailing slash in the API's URLs
    ],
)
def test_unknown_records_and_urls_are_404(client, url):
    assert_problem(client.get(url), 404)


def test_an_unavailable_method_is_405_with_allow(client, witness):
    response = client.open("DELETE", f"/api/v1/witnesses/{witness.id}")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH"}
    response = client.open("PUT", "/api/v1/cases")
    assert_problem(response, 405)


def test_a_refused_change_is_403(api, make_user, witness, db):
    prosecutor = make_user(Role.prosecutor)
    with nothing_changes(db):
        response = api(prosecutor).post("/api/v1/witnesses", json=VALID_WITNESS)
    body = assert_problem(response, 403)
    assert body["detail"] == "Only prosecution office staff open witness files."


def test_a_duplicate_reference_is_409(client, witness, db):
    with nothing_changes(db):
        response = client.post(
            "/api/v1/witnesses", json={**VALID_WITNESS, "reference": witness.reference}
        )
    body = assert_problem(response, 409)
    assert body["errors"] == {
        "reference": [f"The reference {witness.reference!r} is already in use."]
    }


def test_a_duplicate_case_reference_at_the_same_court_is_409(api, make_user, make_case, db):
    existing = make_case()
    client = api(make_user(Role.supervisor))
    payload = {
        "court_id": existing.court_id,
        "reference": existing.reference,
        "title": "R v Another",
        "offences": ["violence"],
    }
    with nothing_changes(db):
        body = assert_problem(client.post("/api/v1/cases", json=payload), 409)
    assert list(body["errors"]) == ["reference"]
    assert (
        client.patch(
            f"/api/v1/cases/{existing.id}", json={"reference": existing.reference}
        ).status_code
        == 200
    )  # its own reference is not a clash


def test_a_phase_move_the_rules_forbid_is_409(client, witness, db):
    participation = witness.participations[0]
    with nothing_changes(db):
        response = client.post(
            f"/api/v1/participations/{participation.id}/phase-changes",
            json={"phase": "post_trial", "reason": "Skipping ahead"},
        )
    body = assert_problem(response, 409)
    assert body["detail"] == (
        "A witness cannot move from Reflection to Post-trial. Allowed: Pre-trial, Closed."
    )
    assert list(body["errors"]) == ["phase"]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"reference": ["This field is required."], "legal_name": ["This field is required."]}),
        ({**VALID_WITNESS, "nickname": "x"}, {"nickname": ["Unknown field."]}),
        ({**VALID_WITNESS, "reference": 12}, {"reference": ["Not a valid string."]}),
        (
            {**VALID_WITNESS, "reference": "   "},
            {"reference": ["Length must be between 1 and 60."]},
        ),
        (
            {**VALID_WITNESS, "reference": "x" * 61},
            {"reference": ["Length must be between 1 and 60."]},
        ),
        ({**VALID_WITNESS, "legal_name": None}, {"legal_name": ["Field may not be null."]}),
        (
            {**VALID_WITNESS, "legal_name": "Ana\x00Pop"},
            {
                "legal_name": [
                    "Use one line of plain text, without line breaks or control characters."
                ]
            },
        ),
        (
            {**VALID_WITNESS, "legal_name": "Ana\nPop"},
            {
                "legal_name": [
                    "Use one line of plain text, without line breaks or control characters."
                ]
            },
        ),
        (
            {**VALID_WITNESS, "address": "1 Safe Street\n\x00"},
            {"address": ["Remove the control characters from this text."]},
        ),
        (
            {**VALID_WITNESS, "date_of_birth": "1899-12-31"},
            {"date_of_birth": ["Enter a date between 1900-01-01 and 2100-12-31."]},
        ),
        (
            {**VALID_WITNESS, "date_of_birth": "2100-01-01"},
            {"date_of_birth": ["This date cannot be in the future."]},
        ),
        (
            {**VALID_WITNESS, "date_of_birth": "31/12/1990"},
            {"date_of_birth": ["Not a valid date."]},
        ),
        ({**VALID_WITNESS, "email": "not-an-address"}, {"email": ["Not a valid email address."]}),
        ({**VALID_WITNESS, "languages": "en"}, {"languages": ["Not a valid list."]}),
        ({**VALID_WITNESS, "languages": ["en", 3]}, {"languages.1": ["Not a valid string."]}),
        ({**VALID_WITNESS, "phone": "1" * 41}, {"phone": ["Longer than maximum length 40."]}),
    ],
    ids=[
        "missing",
        "unknown-field",
        "wrong-type",
        "blank",
        "too-long",
        "null",
        "nul-byte",
        "line-break",
        "nul-in-text",
        "date-too-early",
        "date-in-future",
        "date-format",
        "email",
        "not-a-list",
        "list-item",
        "column-length",
    ],
)
def test_refused_fields_are_422_with_errors_per_field(client, db, payload, errors):
    with nothing_changes(db):
        response = client.post("/api/v1/witnesses", json=payload)
    body = assert_problem(response, 422)
    assert body["errors"] == errors
    assert "errors" in body["detail"]


def test_lone_surrogates_are_refused_not_a_server_error(client, db):
    raw = '{"reference": "VW-\\ud800", "legal_name": "Ana"}'
    with nothing_changes(db):
        response = client.post("/api/v1/witnesses", data=raw, content_type="application/json")
    assert list(assert_problem(response, 422)["errors"]) == ["reference"]


def test_a_body_that_is_not_an_object_is_422(client, db):
    for raw in ("[]", '"text"', "null", "3"):
        with nothing_changes(db):
            response = client.post("/api/v1/witnesses", data=raw, content_type="application/json")
        assert assert_problem(response, 422)["errors"] == {"_schema": ["Invalid input type."]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "court_id",
            2**31,
            "Must be greater than or equal to 1 and less than or equal to 2147483647.",
        ),
        ("court_id", "1", "Not a valid integer."),
        ("court_id", 999_999, "Choose a court."),
        (
            "lead_prosecutor_id",
            2**40,
            "Must be greater than or equal to 1 and less than or equal to 2147483647.",
        ),
        ("lead_prosecutor_id", 999_999, "Choose a prosecutor of your office."),
        ("offences", [], "Choose at least one offence."),
        ("offences", ["arson"], None),
        ("status", "open", None),
        ("notes", "x" * 5001, "Longer than maximum length 5000."),
    ],
)
def test_case_fields_the_database_or_domain_cannot_take_are_422(
    api, make_user, make_court, db, field, value, message
):
    client = api(make_user(Role.supervisor))
    payload = {
        "court_id": make_court().id,
        "reference": "T-NEW",
        "title": "R v New",
        "offences": ["violence"],
        field: value,
    }
    with nothing_changes(db):
        body = assert_problem(client.post("/api/v1/cases", json=payload), 422)
    assert list(body["errors"]) in ([field], [f"{field}.0"])
    if message:
        assert list(body["errors"].values()) == [[message]]


def test_adding_a_witness_to_a_case_they_are_in_is_409(client, witness, db):
    case_id = witness.participations[0].case_id
    with nothing_changes(db):
        response = client.post(
            f"/api/v1/witnesses/{witness.id}/participations",
            json={"case_id": case_id, "reason": "Again"},
        )
    body = assert_problem(response, 409)
    assert "is already a witness in" in body["detail"]


def test_a_server_error_is_a_500_problem_and_changes_nothing(client, witness, db, app, monkeypatch):
    """An unexpected failure answers 500 in problem details and rolls the request back."""
    from witness.people import services

    def fail(session, actor, participation, target, reason):
        participation.phase = Phase.closed  # a half-done change that must not survive
        session.flush()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "change_phase", fail)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    participation = witness.participations[0]
    with nothing_changes(db):
        response = client.post(
            f"/api/v1/participations/{participation.id}/phase-changes",
            json={"phase": "pre_trial", "reason": "Charged"},
        )
    body = assert_problem(response, 500)
    assert "Nothing was changed" in body["detail"]
    assert "disk on fire" not in response.get_data(as_text=True)


def test_pages_keep_their_html_errors(login, make_user):
    """The API's handlers are its own: a page's 404 is still the HTML page."""
    response = login(make_user()).get("/witnesses/999999")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_leading_line_break_in_a_one_line_field_is_refused(api, world):
    response = api(world.supervisor).get("/api/v1/witnesses", query_string={"q": "\nq)"})
    assert "one line" in assert_problem(response, 422)["errors"]["q"][0]
