"""API test helpers: tokens for test users and a client that sends them."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.tokens import create_token

# The pages' access-matrix fixture (`world` plus a case of the foreign office), shared so the
# API is tested against the same service.
from ..test_access import service  # noqa: F401
from ..test_bad_input import snapshot

PROBLEM = "application/problem+json"


class ApiClient:
    """A test client whose every request carries ``Authorization: Bearer <token>``."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.token = token

    def open(self, method: str, url: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self.open("PATCH", url, **kwargs)


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a new API token of ``user``, as its plaintext."""

    def make(user, name: str = "test integration") -> str:
        _, plaintext = create_token(db, user, name)
        db.flush()
        return plaintext

    return make


@pytest.fixture
def api(app, db, token_for):
    """``api(user)``: a client that calls the API with a token of ``user``."""
    return lambda user: ApiClient(app.test_client(), token_for(user))


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    assert set(body) <= {"type", "title", "status", "detail", "errors"}
    return body


def audit_count(db, action: str, actor=None, **where) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if actor is not None:
        query = query.where(AuditEvent.actor_id == actor.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return db.scalar(query)


@contextmanager
def nothing_changes(db):
    """No row changes, except the logs: audit events, sign-ins, and a token's last use."""
    before = snapshot(db)
    yield
    after = snapshot(db)
    assert [name for name in before if name != "api_tokens" and before[name] != after[name]] == []
