"""The JSON API under ``/api/v1``, for integrations: cases, defendants, witnesses, phases.

It applies the same need-to-know rules and audit as the pages (``witness.core.access`` and the
feature services), authenticates every request with an API token, never with the session, and
answers errors as RFC 9457 problem details. flask-smorest builds the OpenAPI document from the
schemas; it is served at ``/api/v1/openapi.json`` and browsable at ``/api/v1/docs``.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from witness.api.blueprint import URL_PREFIX, ApiBlueprint, WitnessApi
from witness.api.problems import ApiProblem, handle_http_exception, problem_response
from witness.core import web

DESCRIPTION = """\
Cases, defendants, witnesses and their phases, hearings, appointments, special measures and
court resources, for systems that work with Witness.

**Sign-in.** Every request sends a personal API token: `Authorization: Bearer wit_...`.
Create one under *API tokens* in Witness (or `flask create-token`); it acts as you and sees
exactly what you may see. Every token expires (after 30, 90, 180 or 365 days, chosen when it
is created; 90 by default). A missing, mistyped, revoked or expired token is answered 401, and
an expired one says so. A *read-only* token may only GET: any POST, PATCH, PUT or DELETE with it
is answered 403 and recorded.

**Need to know.** A witness or case you may not see is answered 404, exactly like one that does
not exist, and the refusal is recorded. Identity and contact fields of a witness appear only
when you may see them (`identity_visible`); every read of a witness file is recorded.

**Lists** are paged: `page` (from 1) and `per_page` (at most 100); the body gives `total` and
`pages`.

**Times** are ISO 8601 with their UTC offset, in and out: `2026-03-30T10:00:00+01:00`. A time
without an offset is refused (422). Hearings and appointments come back in the court's timezone.

**Errors** are problem details (RFC 9457, `application/problem+json`) with a `detail` saying
what to do and, when fields were refused, `errors`: field name → messages. A request that is
refused changes nothing.
"""


def is_api_request() -> bool:
    return request.path.startswith(web.API_PREFIX)


def _answer_early():
    """Answer, in problem details, API requests that no API view will see: URLs that match no
    route (404), methods a URL does not take (405), and a query string or form body that
    cannot be read (NUL characters, invalid UTF-8, too large: refused by the pages' own check
    too, but in HTML)."""
    if not is_api_request():
        return None
    error = request.routing_exception
    if isinstance(error, HTTPException) and not isinstance(error, RequestRedirect):
        return handle_http_exception(error)
    try:
        problem = web.unreadable_input()
    except HTTPException as exc:  # a body over the size limit
        return handle_http_exception(exc)
    if problem:
        return problem_response(400, problem)
    return None


def init_app(app: Flask) -> None:
    """Register the API, its OpenAPI document and its browsable docs."""
    app.config.setdefault("API_TITLE", "Witness API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", URL_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {"info": {"description": DESCRIPTION}, "security": [{"bearerAuth": []}]},
    )

    api = WitnessApi(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, created under 'API tokens' in Witness.",
        },
    )

    from witness.api import (
        account,
        appointments,
        cases,
        docs,
        hearings,
        ledger,
        outcomes,
        preferences,
        risk,
        witnesses,
    )
    from witness.api import posttrial as posttrial_api

    for blueprint in (
        account.bp,
        cases.bp,
        witnesses.bp,
        hearings.resources_bp,
        hearings.bp,
        appointments.bp,
        appointments.measures_bp,
        ledger.bp,
        posttrial_api.bp,
        outcomes.bp,
        preferences.bp,
        risk.bp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    # Before the pages' own checks (NUL refusal, sign-in), which answer in HTML.
    app.before_request_funcs.setdefault(None, []).insert(0, _answer_early)


__all__ = ["URL_PREFIX", "ApiBlueprint", "ApiProblem", "init_app", "is_api_request"]
