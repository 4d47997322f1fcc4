"""Every registered route refuses an anonymous visitor, except an explicit allow-list."""

import pytest

PUBLIC = {"auth.login", "static", "health"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        args = {name: 1 for name in rule.arguments}
        if rule.endpoint == "static":
            args = {"filename": "style.css"}
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_covered(app):
    """The walk finds the routes we know of, so a rename cannot silently empty it."""
    endpoints = {endpoint for endpoint, _, _ in _routes(app)}
    assert {"people.detail", "people.change_phase", "cases.create", "audit.index"} <= endpoints


def test_anonymous_requests_are_sent_to_sign_in(app, client):
    refused = []
    for endpoint, method, url in _routes(app):
        if endpoint in PUBLIC:
            continue
        response = client.open(url, method=method)
        if response.status_code != 302 or "/login" not in response.headers.get("Location", ""):
            refused.append((endpoint, method, response.status_code))
    assert refused == []


@pytest.mark.parametrize("url", ["/login", "/health", "/static/style.css"])
def test_public_routes_answer_anonymously(client, url):
    response = client.get(url)
    response.close()  # static files stream from an open file
    assert response.status_code == 200
