"""Who is calling: every API request carries a token (``Authorization: Bearer <token>``).

The session cookie is never used here: a page open in a browser must not lend its sign-in to a
script on another site, and an integration must not depend on one.
"""

from __future__ import annotations

from flask import g, request

from witness.api.problems import ApiProblem
from witness.audit.services import record_event
from witness.auth.models import Role, TokenScope, User
from witness.auth.tokens import check_token
from witness.db import db_session

REALM = 'Bearer realm="Witness API"'


def authenticate() -> None:
    """Find the user of the request's token, or answer 401 with a ``WWW-Authenticate``."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise ApiProblem(
            401,
            "This API needs a token: send 'Authorization: Bearer <token>'. Create a token "
            "under 'API tokens' in Witness, or with 'flask create-token'.",
            headers={"WWW-Authenticate": REALM},
        )
    scheme, _, token = header.partition(" ")
    db = db_session()
    found, expired = check_token(db, token.strip()) if scheme.lower() == "bearer" else (None, None)
    if expired is not None:
        record_event(
            db,
            None,
            "auth.api_token_expired",
            expired,
            prefix=expired.prefix,
            expired=expired.expires_dt.isoformat(),
        )
        db.commit()
        raise ApiProblem(
            401,
            f"The API token expired at {expired.expires_dt.isoformat()}. Create a new one under "
            "'API tokens' in Witness.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    if found is None:
        record_event(db, None, "auth.api_token_refused", object_type="api_token")
        db.commit()
        raise ApiProblem(
            401,
            "The API token was not accepted: it is mistyped, revoked, or its account is "
            "disabled. Check it, or create a new one.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    if db.dirty:
        db.commit()  # the token's last use, refreshed at most once a minute
    user = found.user
    g.api_user = user
    # a court's or prison's system account only ever posts and reads case events
    g.api_scope = TokenScope.events if user.role is Role.system else found.scope


#: the methods a read-only token may use
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def require_scope(allows_events_scope: bool) -> None:
    """Refuse (403, audited) a token scoped to case events on an endpoint outside them, and a
    read-only token on anything but reading."""
    if g.api_scope is TokenScope.read and request.method not in READ_METHODS:
        db = db_session()
        record_event(
            db,
            g.api_user,
            "api_token.scope_refused",
            object_type="api_token",
            path=request.path,
            method=request.method,
            scope=TokenScope.read.value,
        )
        db.commit()
        raise ApiProblem(403, "This token may only read (GET); it cannot change anything.")
    if g.api_scope is TokenScope.events and not allows_events_scope:
        db = db_session()
        record_event(
            db, g.api_user, "api_token.scope_refused", object_type="api_token", path=request.path
        )
        db.commit()
        raise ApiProblem(
            403,
            "This token may only post and read case events (/api/v1/cases/<id>/events, "
            "/api/v1/custody-events, /api/v1/events/<id>).",
        )


def api_user() -> User:
    """The user the current request's token acts for."""
    return g.api_user
