"""Errors of the API as RFC 9457 problem details (``application/problem+json``).

Every 4xx and 5xx under the API answers with ``type``, ``title``, ``status`` and ``detail``, plus
``errors`` (field name → messages) when fields were refused. Domain refusals map to statuses here:
a refused change (``AccessDenied``) is 403, an unknown or hidden record (``NotFound``) 404, a clash
with the record's state (a duplicate reference, a phase move the rules forbid, a witness already
in a case) 409, and a value the domain refuses 422.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus

import marshmallow as ma
from flask import current_app, g, request
from werkzeug.exceptions import HTTPException, default_exceptions

from witness.audit.services import audit_refusal
from witness.core.errors import AccessDenied, DomainError, InvalidTransition, NotFound
from witness.db import db_session

PROBLEM_JSON = "application/problem+json"

#: what to do about each HTTP error, when nothing more precise is known
MESSAGES = {
    400: "The request could not be understood. Check its syntax and try again.",
    401: "Send a valid API token: 'Authorization: Bearer <token>'.",
    403: "Your account may not do that.",
    404: "There is nothing here, or your account may not see it.",
    405: "This method is not available on this URL; see the Allow header for those that are.",
    406: "This API answers in JSON only.",
    409: "The request conflicts with the record's current state.",
    413: "The request is too large.",
    415: "Send the body as JSON, with 'Content-Type: application/json'.",
    422: "Some fields were refused; see 'errors' for what to correct.",
    429: "Too many requests. Wait a moment and try again.",
    500: "Something went wrong on our side. Nothing was changed; please try again.",
}

#: fields whose domain refusals are clashes with existing records rather than bad values
CONFLICT_FIELDS = frozenset({"reference", "external_id"})


class ClashSchema(ma.Schema):
    """Someone or something a booking would take twice (the ``clashes`` of a booking conflict)."""

    who = ma.fields.String(
        required=True, metadata={"description": "The person or room already booked then."}
    )
    start = ma.fields.AwareDateTime(
        required=True, metadata={"description": "Taken from (travel time included)."}
    )
    end = ma.fields.AwareDateTime(required=True, metadata={"description": "Taken until."})
    appointment_id = ma.fields.Integer(
        metadata={"description": "The other appointment; present only if you may see it."}
    )


class ProblemSchema(ma.Schema):
    """An error, as RFC 9457 problem details."""

    type = ma.fields.String(
        required=True,
        metadata={"description": "A URI identifying the kind of problem; 'about:blank' here."},
    )
    title = ma.fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong and what to do about it."}
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={
            "description": "Refused fields (dotted paths for items of lists) and why; "
            "'_schema' for the body as a whole."
        },
    )
    # Extension members (RFC 9457 section 3.2) of one kind of problem: a booking conflict.
    clashes = ma.fields.List(
        ma.fields.Nested(ClashSchema),
        metadata={"description": "A booking conflict (409) only: who or what is already booked."},
    )
    suggestions = ma.fields.List(
        ma.fields.AwareDateTime(),
        metadata={
            "description": "A booking conflict (409) only: the next start times, in the court's "
            "timezone, when everyone and the room are free."
        },
    )


class ApiProblem(Exception):
    """Raised anywhere in the API to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail or MESSAGES.get(status) or HTTPStatus(status).phrase
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping | None = None,
):
    """A ``application/problem+json`` response; ``extensions`` are further members of the
    problem's own kind (``clashes`` of a booking conflict)."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or MESSAGES.get(status) or HTTPStatus(status).phrase,
    }
    if errors:
        body["errors"] = dict(errors)
    body.update(extensions or {})
    # ASCII escapes: a refused field's name may hold characters no encoder takes (a surrogate).
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"field.0.sub": [...]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
        return flat
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, list | tuple):
        flat = {}
        for value in messages:
            flat.update(flatten_errors(value, prefix))
        return flat
    return {prefix or "_schema": [str(messages)]}


def handle_http_exception(error: HTTPException):
    """Werkzeug's and webargs' errors (bad JSON, refused fields, 404, 405...) as problems."""
    code = error.code or 500
    if code >= 500:
        db_session().rollback()
    elif code in (403, 404):
        _audit_unrecorded_refusal(code, None)
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if code == 400 and messages and "json" in messages:
        return problem_response(
            400,
            "The body is not valid JSON. Send a JSON object with 'Content-Type: application/json'.",
            headers=headers,
        )
    if messages:
        # webargs nests by location ({"json": {...}, "query": {...}}); integrators know fields.
        errors: dict[str, list[str]] = {}
        for location_messages in messages.values():
            errors.update(flatten_errors(location_messages))
        return problem_response(
            code, errors=errors, headers={**headers, **(data.get("headers") or {})}
        )
    return problem_response(code, headers=headers)


def handle_api_problem(error: ApiProblem):
    return problem_response(error.status, error.detail, errors=error.errors, headers=error.headers)


def domain_status(error: DomainError) -> int:
    if isinstance(error, AccessDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, InvalidTransition):
        return 409
    # A refusal tied to no field is about the record's state (already in that case...).
    if error.field is None or error.field in CONFLICT_FIELDS:
        return 409
    return 422


def handle_domain_error(error: DomainError):
    """A service's refusal; a refusal to see a record keeps its audit row, anything else rolls
    back so nothing is half-changed."""
    status = domain_status(error)
    if isinstance(error, NotFound | AccessDenied):
        # keeps the audit row of a refusal already recorded (access.get_*), or records one
        _audit_unrecorded_refusal(status, error.message)
    else:
        db_session().rollback()
    errors = {error.field: [error.message]} if error.field else None
    return problem_response(status, error.message, errors=errors)


def _audit_unrecorded_refusal(status: int, reason: str | None) -> None:
    """Every refusal answered to a token's user is audited: the services audit most by name;
    this records the rest (an id that is not there, a refusal outside ``committing``)."""
    user = g.get("api_user")
    if user is None or request.url_rule is None:
        db_session().rollback()
        return
    audit_refusal(
        db_session(),
        user,
        "api.refused",
        object_type="api",
        status=status,
        method=request.method,
        path=request.path,
        endpoint=request.endpoint,
        reason=reason,
    )


def register_error_handlers(blueprint) -> None:
    """Answer every error raised under ``blueprint`` with a problem.

    Handlers are registered per status code as well as for ``HTTPException``: Flask prefers an
    app-wide handler for a code over a blueprint's handler for a base class, and the web pages'
    handlers for 400, 404... render HTML.
    """
    for code in default_exceptions:
        blueprint.register_error_handler(code, handle_http_exception)
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    blueprint.register_error_handler(ApiProblem, handle_api_problem)
    blueprint.register_error_handler(DomainError, handle_domain_error)
