"""The OpenAPI document and the browsable docs: public, local (no CDN), and describing what the
API really answers: bearer tokens, paging, problem details for every error."""

from __future__ import annotations

import re

import pytest

PROBLEM_REF = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERROR_RESPONSES = {
    "400": "BAD_REQUEST",
    "401": "UNAUTHORIZED",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "409": "CONFLICT",
    "415": "UNSUPPORTED_MEDIA_TYPE",
    "422": "UNPROCESSABLE_ENTITY",
    "500": "INTERNAL_SERVER_ERROR",
}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "patch", "put", "delete"}:
                yield path, method, operation


def test_the_document_lists_every_operation(spec):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "Witness API"
    found = {(method.upper(), path.removeprefix("/api/v1")) for path, method, _ in operations(spec)}
    assert found == {
        ("GET", "/cases/{case_id}/ledger-chain"),
        ("GET", "/cases/{case_id}/events"),
        ("POST", "/cases/{case_id}/events"),
        ("GET", "/events/{event_id}"),
        ("POST", "/custody-events"),
        ("GET", "/support-items/{item_id}"),
        ("POST", "/support-items/{item_id}/approval"),
        ("POST", "/support-items/{item_id}/reversals"),
        ("GET", "/witnesses/{witness_id}/support-items"),
        ("GET", "/witnesses/{witness_id}/risk-assessments"),
        ("GET", "/risk-assessments/{assessment_id}"),
        ("GET", "/witnesses/{witness_id}/contact-preferences"),
        ("PUT", "/witnesses/{witness_id}/contact-preferences"),
        ("POST", "/witnesses/{witness_id}/support-items"),
        ("GET", "/appointments/{appointment_id}"),
        ("POST", "/appointments/{appointment_id}/cancel"),
        ("POST", "/appointments/{appointment_id}/complete"),
        ("POST", "/appointments/{appointment_id}/confirm"),
        ("POST", "/appointments/{appointment_id}/reschedule"),
        ("GET", "/cases"),
        ("POST", "/cases"),
        ("GET", "/cases/{case_id}"),
        ("PATCH", "/cases/{case_id}"),
        ("GET", "/cases/{case_id}/defendants"),
        ("POST", "/cases/{case_id}/defendants"),
        ("GET", "/cases/{case_id}/hearings"),
        ("POST", "/cases/{case_id}/hearings"),
        ("GET", "/courts"),
        ("POST", "/courts/{court_id}/listings/{external_ref}/moves"),
        ("GET", "/courts/{court_id}/resources"),
        ("POST", "/courts/{court_id}/resources"),
        ("GET", "/defendants/{defendant_id}"),
        ("PATCH", "/defendants/{defendant_id}"),
        ("GET", "/hearings/{hearing_id}"),
        ("POST", "/hearings/{hearing_id}/moves"),
        ("POST", "/hearings/{hearing_id}/vacate"),
        ("GET", "/me"),
        ("GET", "/me/appointments"),
        ("POST", "/measures/{measure_id}/apply"),
        ("POST", "/measures/{measure_id}/decision"),
        ("POST", "/measures/{measure_id}/withdraw"),
        ("GET", "/participations/{participation_id}"),
        ("GET", "/participations/{participation_id}/phase-changes"),
        ("POST", "/participations/{participation_id}/phase-changes"),
        ("GET", "/resources/{resource_id}"),
        ("POST", "/resources/{resource_id}/withdrawals"),
        ("GET", "/witnesses"),
        ("POST", "/witnesses"),
        ("GET", "/witnesses/{witness_id}"),
        ("PATCH", "/witnesses/{witness_id}"),
        ("GET", "/witnesses/{witness_id}/appointments"),
        ("POST", "/witnesses/{witness_id}/appointments"),
        ("GET", "/witnesses/{witness_id}/measures"),
        ("POST", "/witnesses/{witness_id}/measures"),
        ("GET", "/witnesses/{witness_id}/participations"),
        ("POST", "/witnesses/{witness_id}/participations"),
        # after the trial
        ("GET", "/witnesses/{witness_id}/cases/{case_id}/after-trial"),
        ("POST", "/witnesses/{witness_id}/cases/{case_id}/impact-statements"),
        ("POST", "/impact-statements/{statement_id}/steps"),
        ("POST", "/impact-statements/{statement_id}/corrections"),
        ("POST", "/witnesses/{witness_id}/cases/{case_id}/compensation-claims"),
        ("POST", "/compensation-claims/{claim_id}/order"),
        ("POST", "/compensation-claims/{claim_id}/payments"),
        ("POST", "/compensation-claims/{claim_id}/end"),
        ("POST", "/witnesses/{witness_id}/cases/{case_id}/property"),
        ("POST", "/property/{item_id}/status"),
        ("POST", "/witnesses/{witness_id}/cases/{case_id}/closure"),
    }


def test_every_operation_needs_a_bearer_token(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token, created under 'API tokens' in Witness.",
    }
    assert spec["security"] == [{"bearerAuth": []}]


def test_errors_are_documented_as_problem_details(spec):
    responses = spec["components"]["responses"]
    for name in [*ERROR_RESPONSES.values(), "DEFAULT_ERROR"]:
        assert responses[name]["content"] == PROBLEM_REF, name
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["properties"]["errors"]["additionalProperties"]["type"] == "array"

    for path, method, operation in operations(spec):
        codes = set(operation["responses"])
        expected = {"400", "401", "500", "default"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"415", "422"}
        if method in {"post", "patch"} and path != "/api/v1/me":
            expected.add("403")
        assert expected <= codes, (method, path, expected - codes)
        for code in codes - {"default"}:
            response = operation["responses"][code]
            if code.startswith(("4", "5")):
                assert response == {"$ref": f"#/components/responses/{ERROR_RESPONSES[code]}"}


def test_lists_document_their_paging(spec):
    for path in ("/api/v1/cases", "/api/v1/witnesses"):
        parameters = {p["name"]: p["schema"] for p in spec["paths"][path]["get"]["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert parameters["per_page"] == {
            "type": "integer",
            "default": 25,
            "minimum": 1,
            "maximum": 100,
        }
    page = spec["components"]["schemas"]["WitnessPage"]
    assert set(page["required"]) == {"items", "page", "per_page", "total", "pages"}
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/WitnessSummary"}


def test_inputs_document_the_limits_the_database_has(spec):
    schemas = spec["components"]["schemas"]
    witness = schemas["WitnessInput"]["properties"]
    assert witness["reference"]["maxLength"] == 60
    assert witness["legal_name"]["maxLength"] == 200
    assert witness["address"]["maxLength"] == 500
    assert "\\x00" in witness["legal_name"]["pattern"]  # no NUL, no control characters
    assert schemas["WitnessInput"]["additionalProperties"] is False
    case = schemas["CaseInput"]["properties"]
    assert case["court_id"]["maximum"] == 2**31 - 1
    assert case["court_id"]["minimum"] == 1
    path = spec["paths"]["/api/v1/witnesses/{witness_id}"]["parameters"][0]
    assert path["schema"]["maximum"] == 2**31 - 1
    assert "required" not in schemas["WitnessChanges"]  # a PATCH sends only what changes
    assert "default" not in schemas["WitnessChanges"]["properties"]["needs_interpreter"]


def test_the_docs_page_is_served_from_this_machine(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from a CDN
    assert "<script>" not in page  # no inline script: the page keeps a strict script policy
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # scripts stay same-origin only
    for url in re.findall(r'(?:src|href)="(/api/v1/docs/[^"]+)"', page):
        asset = client.get(url)
        asset.close()
        assert asset.status_code == 200, url
    script = client.get("/api/v1/docs/init.js")
    assert script.mimetype == "text/javascript"
    assert "SwaggerUIBundle" in script.get_data(as_text=True)


def test_the_docs_serve_only_swagger_uis_files(client):
    for name in ("index.html", "../../../../etc/passwd", "swagger-ui.js.map"):
        response = client.get(f"/api/v1/docs/assets/{name}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
