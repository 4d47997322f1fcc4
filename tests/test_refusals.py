"""Every refusal is audited: who asked for what they may not have, and what answer they got.

Each route answers as before (404: as if the record did not exist; 403 where the page says
why) and now leaves exactly one refusal in the audit log.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.models import ApiToken, Role
from witness.auth.tokens import create_token
from witness.calendar.feeds import create_staff_feed, create_witness_feed
from witness.cases.models import CustodyStatus, Defendant
from witness.db import Base
from witness.notify.models import News, NewsKind
from witness.people.models import Assignment, NeedArea, NeedsAssessment, Participation


def refusals(db, actor) -> list[AuditEvent]:
    """The refusals audited for ``actor``, oldest first."""
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == actor.id).order_by(AuditEvent.id)
    )
    return [row for row in rows if row.action.endswith("refused")]


def the_refusal(db, actor) -> AuditEvent:
    (row,) = refusals(db, actor)
    return row


def _need(db, witness, author) -> NeedsAssessment:
    need = NeedsAssessment(
        witness_id=witness.id,
        area=NeedArea.transport,
        notes="Needs a taxi to court.",
        review_date=date(2026, 6, 1),
        recorded_by_id=author.id,
    )
    db.add(need)
    db.flush()
    return need


# --- records of one witness asked for under another's address -----------------------------


def test_a_need_of_another_witness_is_refused_and_audited(login, world, db):
    other_need = _need(db, world.unassigned, world.supervisor)
    client = login(world.supervisor)  # sees both witnesses
    url = f"/witnesses/{world.assigned.id}/needs/{other_need.id}/review"
    assert client.get(url).status_code == 404
    form = {"notes": "Closed by someone who should not", "review_date": "", "is_open": ""}
    assert client.submit(url, form).status_code == 404
    db.refresh(other_need)
    assert other_need.is_open and other_need.notes == "Needs a taxi to court."
    rows = refusals(db, world.supervisor)
    assert [r.action for r in rows] == ["need.refused", "need.refused"]
    assert (rows[0].object_type, rows[0].object_id) == ("needs_assessment", other_need.id)
    assert rows[0].witness_id == world.assigned.id


def test_a_participation_of_another_witness_is_refused_and_audited(login, world, db):
    other = db.scalar(select(Participation).where(Participation.witness_id == world.unassigned.id))
    client = login(world.supervisor)
    url = f"/witnesses/{world.assigned.id}/participations/{other.id}/phase"
    response = client.submit(url, {"phase": "pre_trial", "reason": "Wrong file"})
    assert response.status_code == 404
    db.refresh(other)
    assert other.phase.value == "reflection"
    row = the_refusal(db, world.supervisor)
    assert (row.action, row.object_id, row.witness_id) == (
        "participation.refused",
        other.id,
        world.assigned.id,
    )


def test_an_assignment_of_another_witness_is_refused_and_audited(login, world, db):
    other = db.scalar(select(Assignment).where(Assignment.witness_id == world.shared.id))
    client = login(world.supervisor)
    response = client.submit(f"/witnesses/{world.assigned.id}/assignments/{other.id}/end")
    assert response.status_code == 404
    db.refresh(other)
    assert other.ended_dt is None
    row = the_refusal(db, world.supervisor)
    assert (row.action, row.object_id) == ("assignment.refused", other.id)


def test_a_defendant_of_another_case_is_refused_and_audited(login, world, db):
    defendant = Defendant(
        name="Someone Else", case_id=world.other_case.id, custody_status=CustodyStatus.on_bail
    )
    db.add(defendant)
    db.flush()
    client = login(world.supervisor)
    assert client.get(f"/cases/{world.case.id}/defendants/{defendant.id}/edit").status_code == 404
    row = the_refusal(db, world.supervisor)
    assert (row.action, row.object_type, row.object_id) == (
        "defendant.refused",
        "defendant",
        defendant.id,
    )


# --- things a role may not do ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "method", "url", "action"),
    [
        ("ngo_worker", "get", "/witnesses/new", "witness.create_refused"),
        ("prosecutor", "get", "/witnesses/new", "witness.create_refused"),
        ("ngo_worker", "get", "/cases/new", "case.create_refused"),
        ("officer", "get", "/audit/", "audit.refused"),
        ("ngo_worker", "get", "/audit/", "audit.refused"),
    ],
)
def test_a_page_a_role_may_not_open_is_audited(login, world, db, role, method, url, action):
    user = getattr(world, role)
    assert getattr(login(user), method)(url).status_code == 404
    assert the_refusal(db, user).action == action


def test_changing_a_case_one_only_sees_is_refused_and_audited(login, world, db):
    client = login(world.ngo_worker)  # sees other_case through a shared witness
    assert client.get(f"/cases/{world.other_case.id}").status_code == 200
    assert client.get(f"/cases/{world.other_case.id}/edit").status_code == 404
    row = the_refusal(db, world.ngo_worker)
    assert (row.action, row.object_type, row.object_id) == (
        "case.change_refused",
        "case",
        world.other_case.id,
    )


def test_listing_a_hearing_of_a_case_one_only_sees_is_audited(login, world, db):
    client = login(world.ngo_worker)
    assert client.get(f"/cases/{world.other_case.id}/hearings/new").status_code == 404
    assert the_refusal(db, world.ngo_worker).action == "hearing.create_refused"


def test_recording_a_need_without_the_right_is_audited(login, world, db):
    client = login(world.prosecutor)  # sees the witness through the case, records no needs
    url = f"/witnesses/{world.assigned.id}/needs"
    response = client.submit(url, {"area": "transport", "notes": "x", "review_date": "2026-06-01"})
    assert response.status_code == 404
    count = select(func.count()).where(NeedsAssessment.witness_id == world.assigned.id)
    assert db.scalar(count) == 0
    row = the_refusal(db, world.prosecutor)
    assert (row.action, row.witness_id) == ("need.record_refused", world.assigned.id)


# --- records that are not there ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "action"),
    [
        ("get", "/courts/999999/day", "court.refused"),
        ("submit", "/measures/999999/apply", "measure.refused"),
        ("submit", "/news/999999/told", "news.refused"),
        ("get", "/admin/courts/999999/edit", "court.refused"),
    ],
)
def test_an_id_that_is_not_there_is_audited(login, world, db, method, url, action):
    client = login(world.admin)
    assert getattr(client, method)(url).status_code == 404
    row = the_refusal(db, world.admin)
    assert (row.action, row.object_id) == (action, 999999)


def test_told_news_of_a_hidden_witness_is_audited_once(login, world, db):
    news = News(witness_id=world.foreign.id, kind=NewsKind.hearing_moved, summary="Moved")
    db.add(news)
    db.flush()
    assert login(world.officer).submit(f"/news/{news.id}/told").status_code == 404
    row = the_refusal(db, world.officer)
    assert (row.action, row.witness_id) == ("witness.refused", world.foreign.id)


# --- other people's credentials -----------------------------------------------------------


def test_revoking_another_users_api_token_is_refused_and_audited(login, world, db):
    token, _ = create_token(db, world.officer2, "their integration")
    db.flush()
    response = login(world.officer).submit(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 404
    assert db.scalar(select(ApiToken.revoked_dt).where(ApiToken.id == token.id)) is None
    row = the_refusal(db, world.officer)
    assert (row.action, row.object_type, row.object_id) == (
        "api_token.revoke_refused",
        "api_token",
        token.id,
    )


def test_revoking_another_users_calendar_feed_is_refused_and_audited(login, world, db):
    feed, _ = create_staff_feed(db, world.officer2)
    db.flush()
    response = login(world.officer).submit(f"/account/feeds/{feed.id}/revoke")
    assert response.status_code == 404
    db.refresh(feed)
    assert feed.revoked_dt is None
    row = the_refusal(db, world.officer)
    assert (row.action, row.object_type, row.object_id) == (
        "calendar_feed.revoke_refused",
        "calendar_feed",
        feed.id,
    )


def test_revoking_a_feed_of_another_witness_is_refused_and_audited(login, world, db):
    feed, _ = create_witness_feed(db, world.supervisor, world.unassigned)
    db.flush()
    client = login(world.supervisor)
    response = client.submit(f"/witnesses/{world.assigned.id}/feeds/{feed.id}/revoke")
    assert response.status_code == 404
    db.refresh(feed)
    assert feed.revoked_dt is None
    row = the_refusal(db, world.supervisor)
    assert (row.action, row.object_id, row.witness_id) == (
        "calendar_feed.revoke_refused",
        feed.id,
        world.assigned.id,
    )


# --- the safety net: a route that does not audit its own refusal --------------------------


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("ngo_worker", "/interpreters", 403),
        ("officer", "/courts/{court_id}/resources/new", 403),
        ("ngo_worker", "/outbox", 404),
    ],
)
def test_a_refusal_a_route_does_not_audit_is_audited_for_it(login, world, db, role, url, status):
    user = getattr(world, role)
    url = url.format(court_id=world.case.court_id)
    assert login(user).get(url).status_code == status
    row = the_refusal(db, user)
    assert row.action == "page.refused"
    assert (row.detail["status"], row.detail["path"], row.detail["method"]) == (status, url, "GET")


def test_a_refusal_audited_by_its_route_is_not_audited_twice(login, world, db):
    assert login(world.officer).get(f"/witnesses/{world.foreign.id}").status_code == 404
    row = the_refusal(db, world.officer)
    assert (row.action, row.witness_id) == ("witness.refused", world.foreign.id)


def test_a_url_that_names_no_page_is_not_a_refusal(login, world, db):
    assert login(world.officer).get("/no/such/page").status_code == 404
    assert refusals(db, world.officer) == []


# --- what the audit log calls each record ---------------------------------------------------


def test_audit_types_read_right(login, world, db):
    login(world.officer).get(f"/witnesses/{world.assigned.id}")
    viewed = db.scalar(select(AuditEvent).where(AuditEvent.action == "witness.view"))
    assert viewed.object_type == "witness"


def test_every_model_has_an_audit_type():
    from witness.audit.services import AUDIT_TYPES

    tables = {mapper.class_.__tablename__ for mapper in Base.registry.mappers}
    assert tables - set(AUDIT_TYPES) == set()
    assert all(not name.endswith("se") or name == "case" for name in AUDIT_TYPES.values())


def test_the_viewer_reads_old_misspelt_types_as_todays(login, world, db):
    db.add_all(
        [
            AuditEvent(actor_id=world.officer.id, action="witness.view", object_type="witnesse"),
            AuditEvent(actor_id=world.officer.id, action="news.told", object_type="new"),
        ]
    )
    db.flush()
    page = login(world.supervisor).get("/audit/").get_data(as_text=True)
    assert "<td>witnesse" not in page and "<td>new " not in page
    assert "<td>witness </td>" in page
    assert "<td>news </td>" in page


def test_administration_refusals_name_the_role(login, world, db):
    for user in (world.supervisor, world.prosecutor):
        assert login(user).get("/admin/users").status_code == 404
        row = the_refusal(db, user)
        assert (row.action, row.detail["path"]) == ("admin.refused", "/admin/users")
    assert world.supervisor.role is Role.supervisor
