"""The API's flask-smorest classes: ``ApiBlueprint``, one part of the API (token sign-in, no
CSRF, problem+json errors, an ``Idempotency-Key`` on every POST), and ``WitnessApi``, which
registers the parts and documents their errors. Every ``witness.api`` module that serves
operations builds its blueprint from here; ``witness.api.init_app`` registers them.
"""

from __future__ import annotations

import http

from flask import request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint

from witness.api.auth import authenticate, require_scope
from witness.api.bodies import BodyParser
from witness.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from witness.api.idempotency import idempotent
from witness.api.problems import PROBLEM_JSON, ApiProblem, ProblemSchema, register_error_handlers
from witness.core.web import csrf

#: version 1 of the API; everything under ``web.API_PREFIX`` answers in problem details
URL_PREFIX = "/api/v1"

#: statuses every operation may answer besides its own
COMMON_ERRORS = (400, 401, 500)
#: methods a read-only token (``TokenScope.read``) is refused (403): each documents it
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WitnessApi(Api):
    """flask-smorest's ``Api``, answering and documenting errors as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # flask-smorest would answer every error of the app in JSON, pages included; the API's
        # blueprints answer their own errors instead (ApiBlueprint, witness.api._answer_early).
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

    def __init__(
        self, name: str, import_name: str, *, tag: str, events_scope: bool = False, **kwargs
    ) -> None:
        super().__init__(name, import_name, url_prefix=URL_PREFIX, **kwargs)
        #: the heading its operations are listed under in the docs
        self.tag = tag
        #: whether a token scoped to case events (``TokenScope.events``) may use it
        self.events_scope = events_scope
        self.before_request(authenticate)
        self.before_request(lambda: require_scope(self.events_scope))
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
                for method in CHANGING_METHODS:
                    if hasattr(view, method.lower()):
                        setattr(
                            view, method.lower(), self.problems(403)(getattr(view, method.lower()))
                        )
            else:
                if "POST" in options.get("methods", ()):
                    view = self.idempotent(view)
                if CHANGING_METHODS & set(options.get("methods", ())):
                    view = self.problems(403)(view)  # a read-only token is refused
            return register(view)

        return decorator

    def idempotent(self, operation):
        """``operation`` made safe to send again under a key, and documented so."""
        operation = idempotent(operation)
        operation = self.doc(parameters=[IDEMPOTENCY_KEY])(operation)
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
