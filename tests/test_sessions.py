"""Sessions end when they should: sign-out, a password change, deactivation and an
administrator's "End all sessions" end every session of the user, on every device at once."""

from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.models import ApiToken, LoginAttempt, Role
from witness.auth.tokens import create_token

from .factories import PASSWORD

COOKIE = "witness_session"
NEW_PASSWORD = "a brand new passphrase 2026"


def _replay(app, cookie_value: str):
    """A second browser (or a thief) holding a copy of the session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie_value)
    return other


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _events(db, action: str, **where) -> int:
    query = select(func.count()).where(AuditEvent.action == action)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return db.scalar(query)


def _user_form(user, **changes) -> dict:
    form = {"name": user.name, "role": user.role.value, "is_enabled": "y", "password": ""}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_copied_cookie_is_refused_after_sign_out(app, login, make_user, db):
    user = make_user()
    client = login(user)
    copied = client.get_cookie(COOKIE).value
    assert _replay(app, copied).get("/").status_code == 200  # the copy works while signed in

    assert client.submit("/logout").status_code == 302

    replayed = _replay(app, copied).get("/witnesses/")
    assert _signed_out(replayed)
    assert _events(db, "auth.session_refused", object_id=user.id) == 1
    assert login(user).get("/witnesses/").status_code == 200  # signing in again works


def test_sign_out_ends_the_sessions_on_every_device(login, make_user, db):
    user = make_user()
    desk, phone = login(user), login(user)
    response = desk.submit("/logout")
    assert response.status_code == 302
    landing = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "on every other computer or phone" in landing
    assert _signed_out(phone.get("/"))
    assert "Your session has ended" in phone.get("/login").get_data(as_text=True)


def test_changing_ones_password_ends_every_other_session_but_this_one(app, login, make_user, db):
    user = make_user()
    desk, phone = login(user), login(user)
    assert 'href="/account/password"' in desk.get("/").get_data(as_text=True)  # account menu
    response = desk.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "every other session has ended" in desk.get("/").get_data(as_text=True)
    assert desk.get("/witnesses/").status_code == 200
    assert _signed_out(phone.get("/"))
    db.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert _events(db, "user.password_change", actor_id=user.id, object_id=user.id) == 1
    assert login(user, NEW_PASSWORD).get("/").status_code == 200
    refused = app.test_client().submit("/login", {"email": user.email, "password": PASSWORD})
    assert refused.status_code == 401


def test_a_password_change_needs_the_current_password(login, make_user, db):
    user = make_user()
    client = login(user)
    old_hash = user.password_hash
    wrong = client.submit(
        "/account/password",
        {
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    short = client.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert short.status_code == 400
    assert "Use 10 to 200 characters." in short.get_data(as_text=True)
    mismatch = client.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
    )
    assert mismatch.status_code == 400
    assert "The two new passwords differ." in mismatch.get_data(as_text=True)
    same = client.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD},
    )
    assert same.status_code == 400
    assert "different from the current one" in same.get_data(as_text=True)
    db.refresh(user)
    assert user.password_hash == old_hash
    assert client.get("/").status_code == 200  # nothing ended
    # The wrong guess counts as a failed sign-in and is audited as a refusal.
    failed = select(func.count()).where(
        LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
    )
    assert db.scalar(failed) == 1
    assert _events(db, "user.password_change_refused", actor_id=user.id) == 1


def test_guessing_the_current_password_is_throttled(login, make_user, db):
    user = make_user()
    client = login(user)
    for _ in range(5):
        response = client.submit(
            "/account/password",
            {
                "current_password": "a wrong guess",
                "new_password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )
        assert response.status_code == 400
    right = client.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert right.status_code == 429
    assert "Too many failed sign-in attempts" in right.get_data(as_text=True)
    db.refresh(user)
    assert user.check_password(PASSWORD)


def test_an_administrators_new_password_ends_the_users_sessions(login, world, db):
    officer_client = login(world.officer)
    admin = login(world.admin)
    response = admin.submit(
        f"/admin/users/{world.officer.id}/edit", _user_form(world.officer, password=NEW_PASSWORD)
    )
    assert response.status_code == 302
    assert _signed_out(officer_client.get("/"))
    assert admin.get("/").status_code == 200
    assert login(world.officer, NEW_PASSWORD).get("/").status_code == 200


def test_an_administrator_changing_their_own_password_stays_signed_in(login, world, db):
    admin, admin_phone = login(world.admin), login(world.admin)
    response = admin.submit(
        f"/admin/users/{world.admin.id}/edit", _user_form(world.admin, password=NEW_PASSWORD)
    )
    assert response.status_code == 302
    assert admin.get("/admin/users").status_code == 200
    assert _signed_out(admin_phone.get("/"))


def test_disabling_an_account_ends_its_sessions_and_revokes_its_tokens(app, login, world, db):
    officer_client = login(world.officer)
    token, plaintext = create_token(db, world.officer, "court listing sync")
    db.flush()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {plaintext}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    admin = login(world.admin)

    disabled = admin.submit(
        f"/admin/users/{world.officer.id}/edit", _user_form(world.officer, is_enabled=None)
    )
    assert disabled.status_code == 302
    assert _signed_out(officer_client.get("/"))
    db.refresh(token)
    assert token.revoked_dt is not None
    revocations = _events(db, "api_token.revoke", actor_id=world.admin.id, object_id=token.id)
    assert revocations == 1

    # Enabled again: the old session and the old token stay dead.
    enabled = admin.submit(f"/admin/users/{world.officer.id}/edit", _user_form(world.officer))
    assert enabled.status_code == 302
    assert _signed_out(officer_client.get("/"))
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert login(world.officer).get("/").status_code == 200


def test_a_password_change_keeps_api_tokens(app, login, make_user, db):
    user = make_user()
    token, plaintext = create_token(db, user, "court listing sync")
    db.flush()
    client = login(user)
    client.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "Your 1 API token still work" in client.get("/").get_data(as_text=True)
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert me.status_code == 200
    assert db.scalar(select(ApiToken.revoked_dt).where(ApiToken.id == token.id)) is None


def test_an_administrator_ends_all_sessions_of_a_colleague(login, world, db):
    desk, phone = login(world.officer), login(world.officer)
    admin = login(world.admin)
    page = admin.get(f"/admin/users/{world.officer.id}/edit").get_data(as_text=True)
    assert "End all sessions" in page
    response = admin.submit(f"/admin/users/{world.officer.id}/end-sessions")
    assert response.status_code == 302
    assert "Every session of" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _signed_out(desk.get("/"))
    assert _signed_out(phone.get("/"))
    assert admin.get("/").status_code == 200
    ended = _events(db, "user.sessions_ended", actor_id=world.admin.id, object_id=world.officer.id)
    assert ended == 1
    assert login(world.officer).get("/").status_code == 200  # the password still works


def test_ending_all_of_ones_own_sessions_signs_one_out(login, world, db):
    admin = login(world.admin)
    response = admin.submit(f"/admin/users/{world.admin.id}/end-sessions")
    assert _signed_out(response)
    assert _signed_out(admin.get("/admin/users"))


def test_only_an_administrator_of_the_same_office_ends_sessions(login, world, db):
    officer_client = login(world.officer)
    supervisor = login(world.supervisor)
    assert supervisor.submit(f"/admin/users/{world.officer.id}/end-sessions").status_code == 404
    foreign = login(world.foreign_admin)
    assert foreign.submit(f"/admin/users/{world.officer.id}/end-sessions").status_code == 404
    assert officer_client.get("/").status_code == 200
    assert _events(db, "user.sessions_ended") == 0
    assert _events(db, "admin.refused", actor_id=world.supervisor.id) == 1
    refused = _events(
        db, "user.refused", actor_id=world.foreign_admin.id, object_id=world.officer.id
    )
    assert refused == 1


def test_a_session_from_before_the_session_version_is_ended(app, login, make_user):
    """Cookies issued before this change carry no version: their holders sign in again."""
    client = login(make_user(Role.supervisor))
    with client.session_transaction() as session:
        del session["session_version"]
    assert _signed_out(client.get("/"))
