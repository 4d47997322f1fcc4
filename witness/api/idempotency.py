"""Idempotency keys: a POST sent again with the same ``Idempotency-Key`` gets its first answer
again and creates nothing (the IETF httpapi draft "The Idempotency-Key HTTP Header Field").

An integration that lost the answer to a POST (a timeout, a dropped connection) cannot know
whether the support item or booking was made; with a key it simply sends the request again.
Every POST of the API takes the header (``ApiBlueprint`` applies ``idempotent`` to each):

- a new key: the request runs; the key is stored in the same transaction as what it created,
  so two requests with one key never both create (the second waits on the key's unique index,
  or on SQLite's write lock), and the first answer is kept once it is known;
- the same key and the same request (method, path and body; JSON compared by content, not
  layout): the first answer again, marked ``Idempotent-Replayed: true``, nothing created;
- the same key with another request: 422; the same key while the first is still being
  answered: 409 with ``Retry-After``;
- a request that is refused (any 4xx or 5xx) keeps no key: corrected, it may be sent again
  under the same key.

Keys are the caller's own (two tokens of one user share them) and are kept a day, then purged
by a sweep.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from datetime import datetime, timedelta

from flask import Response, after_this_request, current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from webargs import core

from witness.api.auth import api_user
from witness.api.bodies import read_json
from witness.api.models import IdempotencyKey
from witness.api.problems import ApiProblem
from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.time import now_utc
from witness.db import db_session

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
#: how long a key and its answer are kept: longer than any integration retries
KEEP_FOR = timedelta(hours=24)
#: printable ASCII without spaces, as the header's value needs no quoting: a UUID fits
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
_KEY = re.compile(KEY_PATTERN)
#: the headers of the first answer a retry needs again
KEPT_HEADERS = ("Content-Type", "Location")

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
    "description": (
        "A key of your choosing, new for each request (a UUID). Sent again with the same "
        "request within 24 hours, it returns the first answer (with `Idempotent-Replayed: "
        "true`) and creates nothing; with another request it is refused (422); while the "
        "first is still being answered, 409. A refused request keeps no key."
    ),
}

IN_PROGRESS = (
    f"A request with this {HEADER} is still being answered. Wait a moment and send it again "
    "to get its answer."
)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same: method, path and query, and the body (JSON by its
    content, so a retry that lays it out differently is still the same request)."""
    value = read_json(body) if body.strip() else core.missing
    if value is core.missing:
        content = body
    else:
        content = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(content)
    return digest.hexdigest()


def idempotent(view):
    """Let ``view`` (a POST operation) be sent again safely under an ``Idempotency-Key``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        claim = _claim(db_session(), api_user(), key)
        if isinstance(claim, Response):
            return claim
        after_this_request(functools.partial(_settle, claim.id))
        return view(*args, **kwargs)

    return wrapper


def _claim(session: Session, user: User, key: str) -> IdempotencyKey | Response:
    """The key, added to this request's transaction; or the first answer again; or a problem."""
    if not _KEY.fullmatch(key):
        raise ApiProblem(
            400,
            f"Send an {HEADER} of 1 to 255 printable ASCII characters without spaces (a UUID "
            "is a good one), or none. Nothing was changed.",
            errors={HEADER: ["1 to 255 printable ASCII characters, no spaces."]},
        )
    path = request.full_path.removesuffix("?")
    digest = fingerprint(request.method, path, request.get_data(cache=True))
    now = now_utc()
    for _ in range(2):
        row = session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
            )
        )
        if row is not None and row.expires_dt <= now:
            session.delete(row)  # a day old: the key may name a new request
            session.flush()
            row = None
        if row is not None:
            return _again(session, user, row, digest)
        row = IdempotencyKey(
            user_id=user.id,
            key=key,
            method=request.method,
            path=path,
            request_hash=digest,
            created_dt=now,
            expires_dt=now + KEEP_FOR,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            # Another request claimed the key a moment ago (it waited for it to commit).
            session.rollback()
            continue
        return row
    raise ApiProblem(409, IN_PROGRESS, headers={"Retry-After": "1"})


def _again(session: Session, user: User, row: IdempotencyKey, digest: str) -> Response:
    if row.request_hash != digest:
        raise ApiProblem(
            422,
            f"This {HEADER} was first sent with another request ({row.method} {row.path}, "
            "or another body). Use a new key for a new request. Nothing was changed.",
            errors={HEADER: ["Already used for another request."]},
        )
    if row.status is None:
        raise ApiProblem(409, IN_PROGRESS, headers={"Retry-After": "1"})
    # What the first answer showed may be read again: that is recorded as reading is.
    record_event(session, user, "api.replayed", row, object_type="idempotency_key", path=row.path)
    session.commit()
    response = current_app.response_class(row.body, status=row.status)
    response.headers.update(row.headers or {})
    response.headers[REPLAYED] = "true"
    return response


def _settle(row_id: int, response: Response) -> Response:
    """Keep the first answer with its key; a refused request keeps no key (nothing was made,
    so the caller may correct it and send it again under the same key)."""
    session = db_session()
    try:
        if 200 <= response.status_code < 300:
            row = session.get(IdempotencyKey, row_id)
            if row is not None:
                row.status = response.status_code
                row.body = response.get_data()
                row.headers = {
                    h: response.headers[h] for h in KEPT_HEADERS if h in response.headers
                }
        else:
            session.rollback()  # the error handlers committed what they meant to keep
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
        session.commit()
    except SQLAlchemyError:
        # The answer still goes out; a retry gets 409 until the key expires, never a second
        # record (the key was committed with what it created).
        session.rollback()
        log.exception("idempotency key %s: the first answer could not be kept", row_id)
    return response


def purge_expired(session: Session, now: datetime) -> int:
    """Delete the keys kept longer than a day; returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_dt <= now))
    return result.rowcount or 0
