"""System accounts (a court's or prison's system): an administrator gives one a token scoped to
case events on the user's page; the account cannot sign in to the pages."""

from sqlalchemy import select

from witness.auth.models import ApiToken, Role, TokenScope

from ..factories import PASSWORD


def test_an_admin_creates_an_event_token_for_a_system_account(db, world, make_user, login, app):
    system = make_user(Role.system, name="Court feed")
    client = login(world.admin)
    page = client.get(f"/admin/users/{system.id}/edit")
    assert "Create an event token" in page.get_data(as_text=True)
    response = client.submit(f"/admin/users/{system.id}/event-token", {"name": "court feed"})
    assert response.status_code == 200
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == system.id))
    assert token.scope is TokenScope.events
    plaintext = response.get_data(as_text=True).split('<code id="new-token">')[1].split("<")[0]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert api.get(f"/api/v1/cases/{world.case.id}/events", headers=headers).status_code == 200
    assert api.get("/api/v1/cases", headers=headers).status_code == 403
    # a person's account gets no event token; another office's system is not the admin's
    officer = client.submit(f"/admin/users/{world.officer.id}/event-token", {"name": "x"})
    assert officer.status_code == 400
    foreign = make_user(Role.system, organisation=world.other_office)
    assert client.submit(f"/admin/users/{foreign.id}/event-token", {"name": "x"}).status_code == 404
    assert (
        login(world.supervisor)
        .submit(f"/admin/users/{system.id}/event-token", {"name": "x"})
        .status_code
        == 404
    )
    assert db.scalar(select(ApiToken).where(ApiToken.user_id == world.officer.id)) is None


def test_a_system_account_cannot_sign_in_to_the_pages(make_user, client):
    system = make_user(Role.system)
    response = client.submit("/login", {"email": system.email, "password": PASSWORD})
    assert response.status_code != 302
