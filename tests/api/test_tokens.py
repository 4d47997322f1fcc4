"""API tokens: shown once, stored only as a hash, revocable, with a name and a last-used time;
created on the account page and by `flask create-token`."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from witness.auth.models import ApiToken, Role
from witness.auth.tokens import create_token, revoke_token, user_for_token
from witness.core.errors import DomainError, NotFound

from .conftest import ApiClient, assert_problem, audit_count

_TOKEN = re.compile(r"wit_[A-Za-z0-9_-]{43}")


def tokens_in(response) -> list[str]:
    return _TOKEN.findall(html.unescape(response.get_data(as_text=True)))


# --- services ----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(db, make_user):
    user = make_user()
    token, plaintext = create_token(db, user, "  court   listing sync ")
    db.flush()
    assert _TOKEN.fullmatch(plaintext)
    row = db.execute(select(ApiToken.__table__).where(ApiToken.id == token.id)).one()
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert row.prefix == plaintext[:12]
    assert row.name == "court listing sync"
    assert plaintext not in [str(value) for value in row]
    assert audit_count(db, "api_token.create", user, object_id=token.id) == 1


def test_every_token_is_different(db, make_user):
    user = make_user()
    assert create_token(db, user, "a")[1] != create_token(db, user, "a")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_sensible_name(db, make_user, name):
    with pytest.raises(DomainError) as refused:
        create_token(db, make_user(), name)
    assert refused.value.field == "name"
    assert db.scalar(select(ApiToken.id)) is None


def test_user_for_token_refuses_revoked_tokens_and_disabled_users(db, make_user):
    user = make_user()
    token, plaintext = create_token(db, user, "sync")
    assert user_for_token(db, plaintext) is user
    assert user_for_token(db, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert user_for_token(db, plaintext.removeprefix("wit_")) is None
    assert user_for_token(db, "") is None

    user.is_enabled = False
    assert user_for_token(db, plaintext) is None
    user.is_enabled = True
    revoke_token(db, user, token.id)
    assert token.revoked_dt is not None
    assert user_for_token(db, plaintext) is None
    assert audit_count(db, "api_token.revoke", user, object_id=token.id) == 1


def test_only_the_owner_revokes_a_token_and_only_once(db, make_user):
    owner, other = make_user(), make_user(Role.admin)
    token, _ = create_token(db, owner, "sync")
    with pytest.raises(NotFound):
        revoke_token(db, other, token.id)
    assert token.revoked_dt is None
    revoke_token(db, owner, token.id)
    with pytest.raises(DomainError, match="already revoked"):
        revoke_token(db, owner, token.id)


# --- signing API requests in -------------------------------------------------------------------


def test_a_token_signs_requests_in_as_its_user(app, db, make_user, token_for):
    user = make_user(Role.supervisor)
    response = ApiClient(app.test_client(), token_for(user)).get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json() == {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": "supervisor",
        "organisation": {"id": user.organisation.id, "name": user.organisation.name},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_last_used_is_noted_at_most_once_a_minute(app, db, make_user, token_for, frozen_clock):
    user = make_user()
    client = ApiClient(app.test_client(), token_for(user))
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.last_used_dt is None

    def last_used():
        db.expire(token)
        return token.last_used_dt

    start = frozen_clock.now()
    assert client.get("/api/v1/me").status_code == 200
    assert last_used() == start
    frozen_clock(start + timedelta(seconds=59))
    assert client.get("/api/v1/me").status_code == 200
    assert last_used() == start  # no write for every request
    frozen_clock(start + timedelta(seconds=61))
    assert client.get("/api/v1/me").status_code == 200
    assert last_used() == start + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (None, None),
        ("", None),
        ("Bearer", 'error="invalid_token"'),
        ("Bearer wit_not-a-real-token", 'error="invalid_token"'),
        ("Basic dXNlcjpwYXNz", 'error="invalid_token"'),
    ],
    ids=["no-header", "empty", "no-token", "unknown-token", "basic-auth"],
)
def test_requests_without_a_valid_token_are_refused(client, db, header, error):
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/api/v1/witnesses", headers=headers)
    body = assert_problem(response, 401)
    assert "Bearer" in body["detail"] or "token" in body["detail"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="Witness API"')
    assert (error in challenge) if error else ("error=" not in challenge)
    refused = audit_count(db, "auth.api_token_refused")
    assert refused == (1 if error else 0)


def test_revoked_token_and_disabled_account_are_refused(app, db, make_user, token_for):
    user = make_user()
    plaintext = token_for(user)
    client = ApiClient(app.test_client(), plaintext)
    assert client.get("/api/v1/me").status_code == 200

    user.is_enabled = False
    db.flush()
    assert_problem(client.get("/api/v1/me"), 401)
    user.is_enabled = True
    db.flush()
    assert client.get("/api/v1/me").status_code == 200

    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    revoke_token(db, user, token.id)
    db.flush()
    body = assert_problem(client.get("/api/v1/me"), 401)
    assert "revoked" in body["detail"]


# --- the account page --------------------------------------------------------------------------


def test_create_a_token_on_the_account_page(login, make_user, app, db):
    user = make_user()
    browser = login(user)
    page = browser.get("/account/tokens")
    assert page.status_code == 200
    assert "You have no API tokens." in page.get_data(as_text=True)
    assert 'href="/account/tokens"' in browser.get("/").get_data(as_text=True)  # in the header

    created = browser.submit("/account/tokens", {"name": "Court listing sync"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    shown = tokens_in(created)
    assert len(shown) == 1
    text = created.get_data(as_text=True)
    assert "it is shown only this once" in text
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "Court listing sync"
    assert row.token_hash == hashlib.sha256(shown[0].encode()).hexdigest()

    # Shown once: the list afterwards names the token and its prefix, never the token itself.
    again = browser.get("/account/tokens")
    assert tokens_in(again) == []
    assert "Court listing sync" in again.get_data(as_text=True)
    assert f"{row.prefix}…" in again.get_data(as_text=True)
    assert "never" in again.get_data(as_text=True)  # not used yet

    assert ApiClient(app.test_client(), shown[0]).get("/api/v1/me").status_code == 200


def test_a_token_needs_a_name_on_the_account_page(login, make_user, db):
    browser = login(make_user())
    response = browser.submit("/account/tokens", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name." in response.get_data(as_text=True)
    assert tokens_in(response) == []
    assert db.scalar(select(ApiToken.id)) is None


def test_revoke_a_token_on_the_account_page(login, make_user, app, db, token_for):
    user = make_user()
    plaintext = token_for(user, "old sync")
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    browser = login(user)
    url = f"/account/tokens/{token.id}/revoke"

    # Without the form's CSRF token nothing happens.
    assert browser.post(url).status_code == 400
    db.expire(token)
    assert token.revoked_dt is None

    response = browser.submit(url, follow_redirects=True)
    assert response.status_code == 200
    assert "Token &#39;old sync&#39; revoked" in response.get_data(as_text=True)
    db.expire(token)
    assert token.revoked_dt is not None
    assert "Revoked" in response.get_data(as_text=True)
    assert_problem(ApiClient(app.test_client(), plaintext).get("/api/v1/me"), 401)


def test_nobody_revokes_another_users_token(login, make_user, db, token_for):
    owner = make_user()
    token_for(owner, "old sync")
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    intruder = login(make_user(Role.admin))
    assert intruder.submit(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.expire(token)
    assert token.revoked_dt is None
    assert "old sync" not in intruder.get("/account/tokens").get_data(as_text=True)


def test_the_account_page_needs_sign_in(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the command -------------------------------------------------------------------------------


def test_create_token_command(runner, make_user, app, db):
    user = make_user(email="officer@example.org")
    result = runner.invoke(
        args=["create-token", "--email", "Officer@Example.org", "--name", "nightly import"]
    )
    assert result.exit_code == 0, result.output
    shown = _TOKEN.findall(result.output)
    assert len(shown) == 1
    assert "not shown again" in result.output
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "nightly import"
    assert row.token_hash == hashlib.sha256(shown[0].encode()).hexdigest()
    assert ApiClient(app.test_client(), shown[0]).get("/api/v1/me").status_code == 200


def test_create_token_command_refuses_unknown_users_and_blank_names(runner, make_user, db):
    make_user(email="someone@example.org")
    result = runner.invoke(args=["create-token", "--email", "nobody@example.org", "--name", "x"])
    assert result.exit_code == 2 and "No active user" in result.output
    result = runner.invoke(args=["create-token", "--email", "someone@example.org", "--name", " "])
    assert result.exit_code == 2 and "Give the token a name" in result.output
    assert db.scalar(select(ApiToken.id)) is None
