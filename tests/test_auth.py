"""Sign-in, throttling, idle timeout and sign-out."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from witness.audit.models import AuditEvent
from witness.auth import models as auth_models
from witness.auth.models import Role

from .factories import PASSWORD


def _sign_in(client, email, password=PASSWORD, **kwargs):
    return client.submit("/login", {"email": email, "password": password}, **kwargs)


def test_sign_in_lands_on_dashboard_and_is_audited(client, make_user, db):
    user = make_user(Role.liaison_officer)
    response = _sign_in(client, user.email.upper())  # e-mail is not case-sensitive
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Signed in as" in client.get("/").get_data(as_text=True)
    login_event = db.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))
    assert login_event.actor_id == user.id


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    user = make_user()
    response = _sign_in(client, user.email, "not the password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_disabled_account_cannot_sign_in(client, make_user):
    user = make_user(is_enabled=False)
    assert _sign_in(client, user.email).status_code == 401


def test_repeated_failures_throttle_the_account_even_for_the_right_password(
    client, make_user, frozen_clock, db
):
    user = make_user()
    for _ in range(5):
        assert _sign_in(client, user.email, "wrong password!").status_code == 401
    response = _sign_in(client, user.email)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    # the throttled attempt is in the audit log: refused, but kept, not rolled back
    throttled = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "auth.throttled"))
    assert [detail["email"] for detail in throttled] == [user.email]
    frozen_clock(frozen_clock.now() + timedelta(minutes=16))
    assert _sign_in(client, user.email).status_code == 302


def test_next_only_redirects_within_the_site(client, make_user):
    user = make_user()
    assert (
        _sign_in(client, user.email, query_string={"next": "https://evil.example/"}).headers[
            "Location"
        ]
        == "/"
    )
    client.post("/logout", data={"csrf_token": client.fetch_token("/")})
    client.csrf_token = None
    response = _sign_in(client, user.email, query_string={"next": "/cases/"})
    assert response.headers["Location"] == "/cases/"


def test_idle_session_is_signed_out(login, make_user, frozen_clock):
    client = login(make_user())
    assert client.get("/").status_code == 200
    frozen_clock(frozen_clock.now() + timedelta(minutes=31))
    response = client.get("/witnesses/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "without activity" in client.get("/login").get_data(as_text=True)


def test_activity_keeps_the_session_alive(login, make_user, frozen_clock):
    client = login(make_user())
    for _ in range(4):
        frozen_clock(frozen_clock.now() + timedelta(minutes=20))
        assert client.get("/").status_code == 200


def test_sign_out_ends_the_session(login, make_user, db):
    user = make_user()
    client = login(user)
    response = client.submit("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    logouts = select(func.count()).where(
        AuditEvent.action == "auth.logout", AuditEvent.actor_id == user.id
    )
    assert db.scalar(logouts) == 1


def test_session_cookie_is_not_readable_by_scripts(client, make_user):
    user = make_user()
    response = _sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_are_not_cached(login, make_user):
    response = login(make_user()).get("/witnesses/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_login_form_needs_its_csrf_token(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


@pytest.fixture
def hash_checks(monkeypatch):
    """The stored hashes passwords are checked against during a test, in order."""
    checked = []

    def spy(stored_hash, password):
        checked.append(stored_hash)
        return check_password_hash(stored_hash, password)

    monkeypatch.setattr(auth_models, "check_password_hash", spy)
    return checked


def _method(stored_hash: str) -> str:
    """A werkzeug hash's method and cost, e.g. ``scrypt:32768:8:1``."""
    return stored_hash.split("$", 1)[0]


@pytest.mark.parametrize("account", ["unknown", "disabled"])
def test_a_missing_account_costs_a_password_check_like_a_real_one(
    client, make_user, hash_checks, account
):
    """Without it an unknown e-mail answered in ~5 ms and a real one in ~100 ms."""
    email = make_user(is_enabled=False).email if account == "disabled" else "nobody@test.example"
    assert _sign_in(client, email).status_code == 401
    assert len(hash_checks) == 1
    # checked against a hash of the method and cost new passwords get
    assert _method(hash_checks[0]) == _method(generate_password_hash("any password"))


def test_a_real_account_checks_its_own_hash_once(client, make_user, hash_checks):
    user = make_user()
    assert _sign_in(client, user.email, "not the password").status_code == 401
    assert hash_checks == [user.password_hash]
