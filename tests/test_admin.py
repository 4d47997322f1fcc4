"""Administrators add courts, organisations and colleagues; nobody else reaches these pages."""

import pytest
from sqlalchemy import func, select

from witness.admin import services as admin_services
from witness.audit.models import AuditEvent
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import Court

ADMIN_PAGES = ["/admin/users", "/admin/courts", "/admin/organisations"]


@pytest.mark.parametrize("role", ["supervisor", "officer", "prosecutor", "ngo_worker"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_only_administrators_see_administration(login, world, db, role, url):
    user = getattr(world, role)
    assert login(user).get(url).status_code == 404
    refused = db.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.actor_id == user.id, AuditEvent.action == "admin.refused"
        )
    )
    assert [detail["path"] for detail in refused] == [url]


def test_admin_adds_a_court_with_a_real_timezone(login, world, db):
    client = login(world.admin)
    bad = client.submit(
        "/admin/courts", {"name": "Hull Crown Court", "address": "Lowgate", "timezone": "Hull/Time"}
    )
    assert bad.status_code == 400
    assert "is not a timezone name" in bad.get_data(as_text=True)
    assert db.scalar(select(Court).where(Court.name == "Hull Crown Court")) is None
    ok = client.submit(
        "/admin/courts",
        {"name": "Hull Crown Court", "address": "Lowgate, Hull", "timezone": "Europe/London"},
    )
    assert ok.status_code == 302
    assert "Court Hull Crown Court added" in client.get("/admin/courts").get_data(as_text=True)
    court = db.scalar(select(Court).where(Court.name == "Hull Crown Court"))
    assert court.timezone == "Europe/London"
    edited = client.submit(
        f"/admin/courts/{court.id}/edit",
        {"name": "Hull Crown Court", "address": "Lowgate, Hull HU1", "timezone": "Europe/London"},
    )
    assert edited.status_code == 302
    db.refresh(court)
    assert court.address == "Lowgate, Hull HU1"


def test_admin_adds_an_ngo_that_consents_can_name(login, world, db):
    client = login(world.admin)
    response = client.submit("/admin/organisations", {"name": "Rise Up", "kind": "ngo"})
    assert response.status_code == 302
    org = db.scalar(select(Organisation).where(Organisation.name == "Rise Up"))
    assert org.kind is OrganisationKind.ngo
    page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "Rise Up" in page  # offered in the consent form
    duplicate = client.submit("/admin/organisations", {"name": "Rise Up", "kind": "ngo"})
    assert duplicate.status_code == 400


def test_admin_adds_a_colleague_who_can_sign_in(login, world, db, app):
    client = login(world.admin)
    response = client.submit(
        "/admin/users",
        {
            "name": "Ama Owusu",
            "email": "ama@office.example",
            "role": "liaison_officer",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    user = db.scalar(select(User).where(User.email == "ama@office.example"))
    assert user.organisation_id == world.admin.organisation_id
    assert login(user, "a long enough password").get("/").status_code == 200
    events = select(func.count()).where(AuditEvent.action == "user.create")
    assert db.scalar(events) == 1


def test_a_court_added_twice_at_the_same_moment_is_a_message_not_a_server_error(
    login, world, db, monkeypatch
):
    # Two administrators add the same court at once: both find the name free, the database's
    # unique key stops the second. Played by letting this request's check find nothing.
    monkeypatch.setattr(admin_services, "_check_unique", lambda *args: None)
    taken = db.get(Court, world.case.court_id).name
    response = login(world.admin).submit(
        "/admin/courts", {"name": taken, "address": "Second copy", "timezone": "Europe/London"}
    )
    assert response.status_code == 400
    assert "Someone else changed the same records at the same moment" in response.get_data(
        as_text=True
    )
    assert db.scalar(select(func.count()).where(Court.name == taken)) == 1
    assert db.scalar(select(func.count()).where(Court.address == "Second copy")) == 0
    assert db.scalar(select(func.count()).where(AuditEvent.action == "court.create")) == 0


def test_admin_disables_a_colleague_but_not_themselves(login, world, db):
    client = login(world.admin)
    officer = world.officer
    response = client.submit(
        f"/admin/users/{officer.id}/edit",
        {"name": officer.name, "role": "liaison_officer", "password": ""},
    )
    assert response.status_code == 302
    db.refresh(officer)
    assert officer.is_enabled is False
    own = client.submit(
        f"/admin/users/{world.admin.id}/edit",
        {"name": world.admin.name, "role": "supervisor", "is_enabled": "y", "password": ""},
    )
    assert own.status_code == 400
    assert "cannot remove your own administrator access" in own.get_data(as_text=True)
    db.refresh(world.admin)
    assert world.admin.role is Role.admin


def test_admin_cannot_edit_users_of_another_organisation(login, world, db):
    client = login(world.admin)
    assert client.get(f"/admin/users/{world.ngo_worker.id}/edit").status_code == 404
    assert client.get(f"/admin/users/{world.foreign_admin.id}/edit").status_code == 404
    refused = db.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.actor_id == world.admin.id, AuditEvent.action == "user.refused"
        )
    )
    assert list(refused) == [world.ngo_worker.id, world.foreign_admin.id]
