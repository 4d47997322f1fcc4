"""Every registered route refuses an anonymous visitor, except an explicit allow-list: pages send
them to sign in, the JSON API answers 401 in problem details."""

import pytest

PUBLIC = {
    "auth.login",
    # the code step of signing in: open only to a sign-in whose password was right, and it
    # sends anyone else to sign in (tests/test_second_factor.py)
    "auth.second_factor",
    "static",
    "health",
    # a calendar subscription: the secret token in its URL is the key (tests/calendar)
    "calendar.feed",
    # the API's description and its browsable docs (no data in either)
    "api-docs.openapi_json",
    "api_docs.page",
    "api_docs.init_script",
    "api_docs.asset",
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        args = {name: 1 for name in rule.arguments}
        if rule.endpoint == "static":
            args = {"filename": "style.css"}
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def test_every_route_is_covered(app):
    """The walk finds the routes we know of, so a rename cannot silently empty it."""
    endpoints = {endpoint for endpoint, _, _ in _routes(app)}
    assert {"people.detail", "people.change_phase", "cases.create", "audit.index"} <= endpoints
    assert {"api_witnesses.WitnessItem", "api_witnesses.PhaseChanges", "api_cases.Cases"} <= (
        endpoints
    )


def test_anonymous_requests_are_sent_to_sign_in(app, client):
    refused = []
    for endpoint, method, url in _routes(app):
        if endpoint in PUBLIC or _is_api(url):
            continue
        response = client.open(url, method=method)
        if response.status_code != 302 or "/login" not in response.headers.get("Location", ""):
            refused.append((endpoint, method, response.status_code))
    assert refused == []


def test_anonymous_api_requests_are_refused_with_401_problems(app, client):
    wrong = []
    api_routes = [(e, m, u) for e, m, u in _routes(app) if _is_api(u) and e not in PUBLIC]
    assert len(api_routes) >= 17
    for endpoint, method, url in api_routes:
        response = client.open(url, method=method, json={} if method != "GET" else None)
        ok = (
            response.status_code == 401
            and response.mimetype == "application/problem+json"
            and response.headers.get("WWW-Authenticate", "").startswith("Bearer")
            and response.get_json()["status"] == 401
            and "Set-Cookie" not in response.headers
        )
        if not ok:
            wrong.append((endpoint, method, response.status_code, response.mimetype))
    assert wrong == []


def test_a_signed_in_browser_session_does_not_open_the_api(login, make_user):
    """The API signs in with tokens only: a page session's cookie is not enough."""
    client = login(make_user())
    assert client.get("/").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        "/login",
        "/health",
        "/static/style.css",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/api/v1/docs/init.js",
        "/api/v1/docs/assets/swagger-ui.css",
    ],
)
def test_public_routes_answer_anonymously(client, url):
    response = client.get(url)
    response.close()  # static files stream from an open file
    assert response.status_code == 200
