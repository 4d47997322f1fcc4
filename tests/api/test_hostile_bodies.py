"""Hostile requests to the API are 4xx problems that say what is wrong and change nothing:
bodies nested thousands of levels deep, numbers of thousands of digits, PATCH without a body,
query strings that are not UTF-8 or write numbers in other digits; and the OpenAPI document
types every value as the API really sends it (money as strings)."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from witness.auth.models import Role

from .conftest import assert_problem, audit_count, nothing_changes


@pytest.fixture
def officer(make_user):
    return make_user(Role.liaison_officer)


@pytest.fixture
def client(api, officer):
    return api(officer)


def post_raw(client, url: str, raw: str | bytes):
    return client.post(url, data=raw, content_type="application/json")


# --- bodies the parser cannot take ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"reference": ' + "[" * 5_000 + "]" * 5_000 + "}",
    ],
    ids=["lists", "objects", "inside-a-field"],
)
def test_a_body_nested_deeply_is_400_not_a_server_error(client, db, raw):
    with nothing_changes(db):
        body = assert_problem(post_raw(client, "/api/v1/witnesses", raw), 400)
    assert body["detail"] == "The body nests lists or objects more than 32 levels deep."


def test_a_body_nested_a_little_too_deep_is_400_too(client, db):
    """Within the parser's own limit but beyond any body the API takes."""
    raw = '{"reference": "VW-1", "legal_name": ' + "[" * 40 + "]" * 40 + "}"
    with nothing_changes(db):
        body = assert_problem(post_raw(client, "/api/v1/witnesses", raw), 400)
    assert "more than 32 levels deep" in body["detail"]


@pytest.mark.parametrize("digits", [5_000, 100_000])
def test_an_integer_of_thousands_of_digits_is_400(client, db, case_for, digits):
    raw = json.dumps({"reference": "VW-1", "legal_name": "Ana"})[:-1] + ', "x": '
    raw += "9" * digits + "}"
    with nothing_changes(db):
        body = assert_problem(post_raw(client, "/api/v1/witnesses", raw), 400)
    assert body["detail"] == (
        f"A number in the body is {digits:,} characters long; numbers here have at most 40."
    )
    url = f"/api/v1/cases/{case_for.id}/defendants"
    with nothing_changes(db):
        body = assert_problem(post_raw(client, url, '{"name": 1e' + "9" * digits + "}"), 400)
    assert "numbers here have at most 40" in body["detail"]


@pytest.fixture
def case_for(make_case, make_witness, officer):
    """A case with a witness of the officer's in it (``case_for.witness``)."""
    case = make_case()
    case.witness = make_witness(case=case, officer=officer)
    return case


# --- PATCH needs a body -----------------------------------------------------------------------


@pytest.fixture
def patch_targets(db, case_for, officer, make_witness):
    from witness.cases.models import CustodyStatus, Defendant

    witness = make_witness(case=case_for, officer=officer)
    defendant = Defendant(case=case_for, name="D One", custody_status=CustodyStatus.remanded)
    db.add(defendant)
    db.flush()
    return {
        f"/api/v1/witnesses/{witness.id}": "witness.update",
        f"/api/v1/cases/{case_for.id}": "case.update",
        f"/api/v1/defendants/{defendant.id}": "defendant.update",
    }


@pytest.mark.parametrize(
    "headers", [{}, {"Content-Type": "application/json"}], ids=["bare", "json-type"]
)
def test_patch_without_a_body_is_400_and_changes_nothing(
    client, db, officer, patch_targets, headers
):
    """Every PATCH operation: no body is refused (it used to answer 200 as if it had worked)."""
    for url, action in patch_targets.items():
        with nothing_changes(db):
            response = client.patch(url, data=b"", headers=headers)
        body = assert_problem(response, 400)
        assert body["detail"].startswith("Send the changes as a JSON object"), url
        assert audit_count(db, action, officer) == 0


def test_patch_with_an_empty_object_still_changes_nothing_and_says_200(client, db, patch_targets):
    """``{}`` is a patch that changes nothing (JSON merge patch): answered 200, as before."""
    url = next(iter(patch_targets))
    with nothing_changes(db):
        assert client.patch(url, json={}).status_code == 200


# --- query strings ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["q=%FF", "q=VW%C3", "%FF=1", "page=%ED%A0%80"])
def test_a_query_string_that_is_not_utf8_is_400(client, query):
    body = assert_problem(client.get(f"/api/v1/witnesses?{query}"), 400)
    assert "not valid UTF-8" in body["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "page=\uff12",
        "per_page=\uff11\uff10",
        "case_id=\u0661",
        "page=1_0",
        "page=%2B2",
        "page=+2",
    ],
    ids=["fullwidth", "fullwidth-2", "arabic-indic", "underscore", "plus", "space"],
)
def test_numbers_in_a_query_string_are_ascii_digits(client, query):
    """int() reads all of these; the API takes the digits 0-9 only, and says so."""
    body = assert_problem(client.get(f"/api/v1/witnesses?{query}"), 422)
    (messages,) = body["errors"].values()
    assert messages == ["Give a whole number, written with the digits 0-9."]


def test_a_path_id_in_other_digits_is_not_found(client, case_for):
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in str(case_for.id))
    assert client.get(f"/api/v1/cases/{case_for.id}").status_code == 200
    assert_problem(client.get(f"/api/v1/cases/{fullwidth}"), 404)


# --- the document says what the API sends -----------------------------------------------------


def _typed_number(node, path=()):
    if isinstance(node, dict):
        if node.get("type") == "number":
            yield "/".join(map(str, path))
        for key, value in node.items():
            yield from _typed_number(value, (*path, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _typed_number(value, (*path, n))


def test_money_is_documented_as_the_strings_it_is(app, client, db, case_for, officer):
    """The API sends and takes amounts as strings ("12.50"); the document said number, so a
    client generated from it would have parsed them as binary floats, or failed."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert list(_typed_number(spec)) == []
    schemas = spec["components"]["schemas"]
    for schema, sign in (("SupportItem", "-?"), ("SupportItemInput", "")):  # given: never negative
        for name in ("quantity", "value"):
            prop = schemas[schema]["properties"][name]
            assert prop["type"] == "string" and prop["pattern"].startswith(f"^{sign}[0-9]")

    witness = case_for.witness
    created = client.post(
        f"/api/v1/witnesses/{witness.id}/support-items",
        json={
            "case_id": case_for.id,
            "category": "transport",
            "description": "Taxi",
            "quantity": "2",
            "unit": "trips",
            "value": "35.50",
            "currency": "GBP",
            "date_provided": "2026-01-09",
            "rationale": "Intimidation on the bus",
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.get_json()
    assert item["value"] == "35.50" and item["quantity"] == "2.00"
    document = _json_schema({**schemas["SupportItem"], "components": spec["components"]})
    jsonschema_rs.validate(document, item)


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's ``"type": [..., "null"]``."""
    if isinstance(node, list):
        return [_json_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


@pytest.mark.parametrize("value", [35.5, "3e1", "\uff13\uff15.00", "1_000", " 35", "NaN"])
def test_money_is_sent_as_a_string_of_ascii_digits(client, db, case_for, value):
    """A JSON number would pass through a float; other digits, exponents and underscores are
    refused rather than read as the number Python would make of them."""
    witness = case_for.witness
    with nothing_changes(db):
        response = client.post(
            f"/api/v1/witnesses/{witness.id}/support-items",
            json={
                "case_id": case_for.id,
                "category": "transport",
                "description": "Taxi",
                "quantity": "1",
                "unit": "trip",
                "value": value,
                "currency": "GBP",
                "date_provided": "2026-01-09",
                "rationale": "Intimidation on the bus",
            },
        )
    body = assert_problem(response, 422)
    assert body["errors"] == {
        "value": [
            'Give an amount of plain digits with an optional decimal point, e.g. "12.50" '
            "(no sign, exponent, spaces or other characters)."
        ]
    }
