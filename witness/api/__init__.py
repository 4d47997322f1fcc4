"""The JSON API under ``/api/v1``, for integrations: cases, defendants, witnesses, phases.

It applies the same need-to-know rules and audit as the pages (``witness.core.access`` and the
feature services), authenticates every request with an API token, never with the session, and
answers errors as RFC 9457 problem details. flask-smorest builds the OpenAPI document from the
schemas; it is served at ``/api/v1/openapi.json`` and browsable at ``/api/v1/docs``.
"""

from __future__ import annotations

import http

from flask import Flask, request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from witness.api import idempotency
from witness.api.auth import authenticate
from witness.api.bodies import BodyParser
from witness.api.problems import (
    PROBLEM_JSON,
    ApiProblem,
    ProblemSchema,
    handle_http_exception,
    problem_response,
    register_error_handlers,
)
from witness.core import web
from witness.core.web import csrf

#: version 1 of the API; everything under ``web.API_PREFIX`` answers in problem details
URL_PREFIX = "/api/v1"

DESCRIPTION = """\
Cases, defendants, witnesses and their phases, hearings, appointments, special measures and
court resources, for systems that work with Witness.

**Sign-in.** Every request sends a personal API token: `Authorization: Bearer wit_...`.
Create one under *API tokens* in Witness (or `flask create-token`); it acts as you and sees
exactly what you may see. A missing, mistyped or revoked token is answered 401.

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

#: statuses every operation may answer besides its own
COMMON_ERRORS = (400, 401, 500)


class WitnessApi(Api):
    """flask-smorest's ``Api``, answering and documenting errors as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # flask-smorest would answer every error of the app in JSON, pages included; the API's
        # blueprints answer their own errors instead (ApiBlueprint, _answer_early).
        pass

    def register_blueprint(self, blp, **options) -> None:
        """Register an ``ApiBlueprint``, listed in the docs under its ``tag``."""
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=None)
        self.spec.tag({"name": blp.tag, "description": blp.description})

    def _register_pagination_header(self) -> None:
        pass  # lists carry their paging in the body, not in an X-Pagination header

    def _register_responses(self) -> None:
        """Document each error status as problem+json (flask-smorest refers to these)."""
        for status in http.HTTPStatus:
            if status < 400:
                continue
            self.spec.components.response(
                status.name,
                {
                    "description": status.phrase,
                    "content": {PROBLEM_JSON: {"schema": self.ERROR_SCHEMA}},
                },
                lazy=True,
            )
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "An error, as problem details",
                "content": {PROBLEM_JSON: {"schema": self.ERROR_SCHEMA}},
            },
            lazy=True,
        )


class ApiBlueprint(SmorestBlueprint):
    """One part of the API: token sign-in, no CSRF (no cookies), problem+json errors."""

    #: each schema's ``Meta.unknown`` decides, in the query string too (webargs would ignore
    #: unknown query arguments, so a misspelt filter would go unnoticed); JSON bodies are read
    #: with limits (``witness.api.bodies``)
    ARGUMENTS_PARSER = BodyParser(unknown=None)

    def __init__(self, name: str, import_name: str, *, tag: str, **kwargs) -> None:
        super().__init__(name, import_name, url_prefix=URL_PREFIX, **kwargs)
        #: the heading its operations are listed under in the docs
        self.tag = tag
        self.before_request(authenticate)
        self.before_request(_json_bodies_only)
        self.after_request(_no_store)
        register_error_handlers(self)
        # A token in a header is not sent by a browser on its own: no cross-site forgery.
        csrf.exempt(self)

    def route(self, rule, *, parameters=None, tags=None, **options):
        """As flask-smorest's, and every POST operation takes an ``Idempotency-Key``
        (``witness.api.idempotency``): new operations too, without anyone remembering."""
        register = super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)

        def decorator(view):
            if isinstance(view, type):  # a MethodView
                if hasattr(view, "post"):
                    view.post = self.idempotent(view.post)
            elif "POST" in options.get("methods", ()):
                view = self.idempotent(view)
            return register(view)

        return decorator

    def idempotent(self, operation):
        """``operation`` made safe to send again under a key, and documented so."""
        operation = idempotency.idempotent(operation)
        operation = self.doc(parameters=[idempotency.PARAMETER])(operation)
        return self.problems(409, 422)(operation)

    def problems(self, *statuses: int):
        """Document the problems an operation may answer besides 400, 401 and 500."""

        def decorator(func):
            for status in statuses:
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorator

    @staticmethod
    def _prepare_response_doc(doc, doc_info, *, api, spec, **kwargs):
        responses = doc_info.setdefault("response", {}).setdefault("responses", {})
        statuses = list(COMMON_ERRORS)
        if "requestBody" in doc:  # documented by the arguments callback, which runs first
            statuses.append(415)
        for status in statuses:
            responses.setdefault(status, [http.HTTPStatus(status).name])
        return SmorestBlueprint._prepare_response_doc(doc, doc_info, api=api, spec=spec, **kwargs)


def _json_bodies_only():
    """A body that is not JSON (a form, plain text) is refused before it is read as one, and
    a PATCH without a body is refused rather than answered as if it had changed something."""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if (request.content_length or chunked) and not request.is_json:
        raise ApiProblem(415)
    if request.method == "PATCH" and not request.get_data(cache=True).strip():
        raise ApiProblem(
            400,
            'Send the changes as a JSON object, such as {"title": "R v Smith"}, with '
            "'Content-Type: application/json'. Nothing was changed.",
        )


def _no_store(response):
    # Witness data must not linger in caches between an integration and Witness.
    response.headers["Cache-Control"] = "no-store"
    return response


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

    from witness.api import account, appointments, cases, docs, hearings, ledger, witnesses

    for blueprint in (
        account.bp,
        cases.bp,
        witnesses.bp,
        hearings.resources_bp,
        hearings.bp,
        appointments.bp,
        appointments.measures_bp,
        ledger.bp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    # Before the pages' own checks (NUL refusal, sign-in), which answer in HTML.
    app.before_request_funcs.setdefault(None, []).insert(0, _answer_early)


__all__ = ["URL_PREFIX", "ApiBlueprint", "ApiProblem", "init_app", "is_api_request"]
