"""The second factor: enrolment with an authenticator app, sign-in with a code or a recovery
code, replay and guessing refused, who must have one, and an administrator's reset. Codes are
computed with pyotp at the frozen clock, as a phone would."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, text

from witness.audit.models import AuditEvent
from witness.auth.models import LoginAttempt, RecoveryCode, Role
from witness.auth.second_factor import confirm_enrolment, enrolment_secret

from .factories import PASSWORD

_SECRET = re.compile(r'<code id="secret" class="secret">([A-Z2-7 ]+)</code>')
_RECOVERY = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def _events(db, action: str, user=None) -> int:
    query = select(func.count()).where(AuditEvent.action == action)
    if user is not None:
        query = query.where(AuditEvent.object_id == user.id)
    return db.scalar(query)


def _code(secret: str, clock, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * offset))


def _password(client, user, **kwargs):
    """The password step; the session starts afresh, so the next form fetches a new token."""
    client.csrf_token = None
    response = client.submit("/login", {"email": user.email, "password": PASSWORD}, **kwargs)
    client.csrf_token = None
    if response.headers.get("Location") != "/login/code" and response.status_code == 302:
        client.fetch_token("/account/second-factor")  # signed in (or sent to enrol)
    return response


def _code_step(client, code: str):
    """The code step; signed in, the next form fetches the new session's token."""
    response = client.submit("/login/code", {"code": code})
    if response.status_code == 302 and response.headers["Location"] != "/login":
        client.fetch_token("/account/second-factor")
    return response


def _enrolled(db, user, clock) -> tuple[str, list[str]]:
    """``user`` with a second factor, confirmed a step ago; returns its key and codes."""
    secret = enrolment_secret(user)
    codes = confirm_enrolment(db, user, _code(secret, clock, -1))
    db.flush()
    return secret, codes


@pytest.fixture
def roles_need_it(app, monkeypatch):
    """The production setting: admins and supervisors must have a second factor."""
    monkeypatch.setitem(app.config, "REQUIRE_SECOND_FACTOR", True)


# --- enrolment and sign-in ----------------------------------------------------------------------


def test_enrol_on_the_account_page_then_sign_in_with_a_code(
    app, client, make_user, db, frozen_clock
):
    user = make_user(Role.liaison_officer)
    assert _password(client, user).status_code == 302
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn inline
    secret = _SECRET.search(page).group(1).replace(" ", "")
    # the same key on a reload, kept on the server: never in the session cookie (whose old
    # copies would keep it after the factor is on)
    again = client.get("/account/second-factor").get_data(as_text=True)
    assert _SECRET.search(again).group(1).replace(" ", "") == secret
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert secret not in str(app.session_interface.get_signing_serializer(app).loads(cookie))
    # a wrong code does not turn it on
    wrong = client.submit("/account/second-factor", {"code": "000000"})
    assert wrong.status_code == 400
    db.refresh(user)
    assert user.totp_secret is None
    shown = client.submit("/account/second-factor", {"code": _code(secret, frozen_clock)})
    assert shown.status_code == 200
    codes = _RECOVERY.findall(shown.get_data(as_text=True))
    assert len(codes) == 10
    db.refresh(user)
    assert user.totp_secret == secret and user.totp_pending_secret is None
    stored_key = db.execute(
        text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}
    ).scalar_one()
    assert secret not in stored_key  # encrypted at rest
    # only salted hashes are kept
    stored = db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and len({row.salt for row in stored}) == 10
    kept = " ".join(f"{row.salt} {row.code_hash}" for row in stored)
    assert not any(code.replace("-", "") in kept for code in codes)
    assert _events(db, "user.second_factor_enrolled", user) == 1

    client.submit("/logout", {"csrf_token": client.fetch_token("/")})
    client.csrf_token = None
    frozen_clock(frozen_clock.now() + timedelta(minutes=1))
    response = _password(client, user, query_string={"next": "/witnesses"})
    assert response.headers["Location"] == "/login/code"
    assert _events(db, "auth.login", user) == 1  # the first sign-in only: not yet signed in
    response = _code_step(client, _code(secret, frozen_clock))
    assert response.status_code == 302 and response.headers["Location"] == "/witnesses"
    assert client.get("/").status_code == 200
    login = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.login").order_by(AuditEvent.id)
    ).all()[-1]
    assert login.detail["second_factor"] == "totp"


def test_a_half_finished_sign_in_reaches_no_page(app, client, make_user, db, frozen_clock):
    user = make_user()
    _enrolled(db, user, frozen_clock)
    assert _password(client, user).headers["Location"] == "/login/code"
    for url in ("/", "/witnesses", "/account/second-factor", "/account/tokens", "/audit"):
        response = client.get(url)
        assert response.status_code == 302 and "/login?" in response.headers["Location"], url
    response = client.submit("/account/tokens", {"name": "sneaky", "days": "90"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # the API does not take the session at all
    assert client.get("/api/v1/witnesses").status_code == 401


def test_a_code_is_refused_after_the_sign_in_expires(client, make_user, db, frozen_clock):
    user = make_user()
    secret, _ = _enrolled(db, user, frozen_clock)
    _password(client, user)
    frozen_clock(frozen_clock.now() + timedelta(minutes=6))
    response = _code_step(client, _code(secret, frozen_clock))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_a_code_is_refused_once_the_users_sessions_were_ended(client, make_user, db, frozen_clock):
    """The half-finished sign-in carries the session version: an administrator's "End all
    sessions" (or a password change) in between ends it too."""
    user = make_user()
    secret, _ = _enrolled(db, user, frozen_clock)
    _password(client, user)
    user.session_version += 1
    db.flush()
    response = _code_step(client, _code(secret, frozen_clock))
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_wrong_codes_are_refused_and_throttled_like_passwords(client, make_user, db, frozen_clock):
    user = make_user()
    secret, _ = _enrolled(db, user, frozen_clock)
    _password(client, user)
    for guess in ("123456", "654321", "111111", "222222", "333333"):
        response = _code_step(client, guess)
        assert response.status_code == 401
        assert "That code is not right" in response.get_data(as_text=True)
    assert _events(db, "auth.second_factor_failed", user) == 5
    failed = db.scalar(
        select(func.count()).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    )
    assert failed == 5
    # the sixth try is throttled, even with the right code
    response = _code_step(client, _code(secret, frozen_clock))
    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_a_code_is_not_accepted_twice(app, client, make_user, db, frozen_clock):
    user = make_user()
    secret, _ = _enrolled(db, user, frozen_clock)
    code = _code(secret, frozen_clock)
    _password(client, user)
    assert _code_step(client, code).status_code == 302
    # someone who saw the code over a shoulder, within its 30 seconds
    other = app.test_client()
    _password(other, user)
    response = _code_step(other, code)
    assert response.status_code == 401
    assert "already used" in response.get_data(as_text=True)
    assert other.get("/").status_code == 302
    assert _events(db, "auth.second_factor_replayed", user) == 1
    # an earlier code within the window is refused too; the next one works
    assert _code_step(other, _code(secret, frozen_clock, -1)).status_code == 401
    frozen_clock(frozen_clock.now() + timedelta(seconds=30))
    assert _code_step(other, _code(secret, frozen_clock)).status_code == 302


def test_a_recovery_code_works_once_only(app, client, make_user, db, frozen_clock):
    user = make_user()
    _, codes = _enrolled(db, user, frozen_clock)
    _password(client, user)
    response = _code_step(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert _events(db, "auth.recovery_code_used", user) == 1
    other = app.test_client()
    _password(other, user)
    response = _code_step(other, codes[3])
    assert response.status_code == 401
    assert other.get("/").status_code == 302
    assert _events(db, "auth.second_factor_failed", user) == 1


def test_new_recovery_codes_need_a_code_and_end_the_old_set(
    app, login, client, make_user, db, frozen_clock
):
    user = make_user()
    secret, old = _enrolled(db, user, frozen_clock)
    _password(client, user)
    _code_step(client, _code(secret, frozen_clock))
    client.fetch_token("/")
    # a borrowed session alone cannot mint codes
    refused = client.submit("/account/second-factor/recovery-codes", {"code": "000000"})
    assert refused.status_code == 400
    assert _events(db, "auth.second_factor_failed", user) == 1
    assert db.scalar(select(func.count()).where(RecoveryCode.user_id == user.id)) == 10
    frozen_clock(frozen_clock.now() + timedelta(seconds=30))
    page = client.submit(
        "/account/second-factor/recovery-codes", {"code": _code(secret, frozen_clock)}
    )
    new = _RECOVERY.findall(page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    _password(other, user)
    assert _code_step(other, old[0]).status_code == 401
    assert _code_step(other, new[0]).status_code == 302


# --- who must have one ----------------------------------------------------------------------------


def test_admins_and_supervisors_must_enrol_before_anything_else(
    roles_need_it, client, make_user, db, frozen_clock
):
    admin = make_user(Role.admin)
    assert _password(client, admin).status_code == 302
    for url in ("/", "/witnesses", "/admin/users", "/account/tokens"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/account/second-factor"
    # a change is refused the same way, and makes nothing
    response = client.submit("/account/tokens", {"name": "before enrolling", "days": "90"})
    assert response.headers["Location"] == "/account/second-factor"
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = _SECRET.search(page).group(1).replace(" ", "")
    client.submit("/account/second-factor", {"code": _code(secret, frozen_clock)})
    assert client.get("/admin/users").status_code == 200


def test_officers_need_none_unless_their_organisation_asks(
    roles_need_it, app, client, login, make_user, db
):
    officer = make_user(Role.liaison_officer)
    assert _password(client, officer).status_code == 302
    assert client.get("/").status_code == 200


def test_an_administrator_requires_it_of_everyone(
    roles_need_it, app, login, make_user, db, frozen_clock
):
    admin = make_user(Role.admin)
    _enrolled(db, admin, frozen_clock)
    officer = make_user(Role.liaison_officer)
    officer_client = app.test_client()
    assert _password(officer_client, officer).status_code == 302
    assert officer_client.get("/").status_code == 200

    # an officer cannot switch it off (or on) for the organisation
    officer_client.fetch_token("/")
    refused = officer_client.submit("/admin/second-factor", {"required": "y"})
    assert refused.status_code == 404
    assert officer.organisation.require_second_factor is False
    assert _events(db, "admin.refused") == 1

    admin_client = app.test_client()
    _password(admin_client, admin)
    frozen_clock(frozen_clock.now() + timedelta(seconds=30))
    _code_step(admin_client, _code(admin.totp_secret, frozen_clock))

    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Second factor required for everyone" in page
    admin_client.submit("/admin/second-factor", {"required": "y"})
    db.refresh(officer.organisation)
    assert officer.organisation.require_second_factor is True
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "organisation.second_factor_policy")
    )
    assert event.actor_id == admin.id and event.detail["required"] is True
    # the officer's open session now leads only to enrolment
    assert officer_client.get("/").headers["Location"] == "/account/second-factor"


def test_system_accounts_are_never_asked(roles_need_it, make_user, office):
    office.require_second_factor = True
    system = make_user(Role.system)
    assert system.second_factor_required(True) is False


# --- an administrator's reset --------------------------------------------------------------


def test_an_administrator_resets_a_colleagues_second_factor(
    app, login, make_user, db, frozen_clock
):
    officer = make_user()
    secret, _ = _enrolled(db, officer, frozen_clock)
    officer_client = app.test_client()
    _password(officer_client, officer)
    _code_step(officer_client, _code(secret, frozen_clock))
    assert officer_client.get("/").status_code == 200

    admin = login(make_user(Role.admin))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert html.escape(f"Reset the second factor of {officer.name}") in page
    response = admin.submit(f"/admin/users/{officer.id}/reset-second-factor")
    assert response.status_code == 302
    db.refresh(officer)
    assert officer.totp_secret is None
    assert db.scalar(select(func.count()).where(RecoveryCode.user_id == officer.id)) == 0
    assert _events(db, "user.second_factor_reset", officer) == 1
    # their open session has ended, and they sign in with the password alone again
    assert officer_client.get("/").status_code == 302
    fresh = app.test_client()
    assert _password(fresh, officer).headers["Location"] == "/"


def test_another_organisations_administrator_cannot_reset_it(
    login, make_user, make_org, db, frozen_clock
):
    officer = make_user()
    _enrolled(db, officer, frozen_clock)
    stranger = login(make_user(Role.admin, organisation=make_org()))
    response = stranger.submit(f"/admin/users/{officer.id}/reset-second-factor")
    assert response.status_code == 404
    db.refresh(officer)
    assert officer.totp_secret is not None
    assert db.scalar(select(func.count()).where(RecoveryCode.user_id == officer.id)) == 10
    assert _events(db, "user.refused") == 1
    assert _events(db, "user.second_factor_reset") == 0


def test_a_supervisor_cannot_reset_it(login, make_user, db, frozen_clock):
    officer = make_user()
    _enrolled(db, officer, frozen_clock)
    supervisor = login(make_user(Role.supervisor))
    response = supervisor.submit(f"/admin/users/{officer.id}/reset-second-factor")
    assert response.status_code == 404
    db.refresh(officer)
    assert officer.totp_secret is not None
    assert _events(db, "admin.refused") == 1


def test_the_demos_administrator_signs_in_with_the_printed_key_or_a_recovery_code(
    roles_need_it, runner, app, db
):
    output = runner.invoke(args=["demo-data"]).output
    creds = dict(re.findall(r"^\s+Admin\s+(admin@\S+)\s+(\S+)$", output, re.M))
    (email, password), *_ = creds.items()
    # the administrator's own key and codes: the line after their key (the supervisor's are
    # printed too, in no set order)
    found = re.search(rf"^\s+{re.escape(email)}\s+key (\S+)\n\s+recovery codes (.+)$", output, re.M)
    key, codes = found.group(1), found.group(2).split()
    assert len(codes) == 10
    browser = app.test_client()
    response = browser.submit("/login", {"email": email, "password": password})
    assert response.headers["Location"] == "/login/code"
    browser.csrf_token = None
    assert _code_step(browser, pyotp.TOTP(key).now()).headers["Location"] == "/"
    assert browser.get("/admin/users").status_code == 200
    other = app.test_client()
    other.submit("/login", {"email": email, "password": password})
    other.csrf_token = None
    assert _code_step(other, codes[0]).headers["Location"] == "/"
