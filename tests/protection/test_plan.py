"""The protection plan as an officer, a partner that owns an action, a prosecutor and an
outsider use it: actions with owners and due dates, the plan agreed only once the witness was
consulted after its last change, bad input refused without a change, refusals audited 404s."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.core.errors import AccessDenied, DomainError
from witness.protection import services as s
from witness.protection.models import (
    ActionKind,
    ActionStatus,
    ConsultationMethod,
    PlanConsultation,
    ProtectionAction,
)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _audits(db, action: str) -> int:
    return db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


@pytest.fixture
def plan(db, world, frozen_clock):
    world.move = frozen_clock
    world.escort = s.add_action(
        db,
        world.officer,
        world.shared,
        kind=ActionKind.escort,
        owner=s.Owner(user_id=world.officer2.id),
        due_date=date(2026, 3, 20),
    )
    world.housing = s.add_action(
        db,
        world.officer,
        world.shared,
        kind=ActionKind.safe_accommodation,
        owner=s.Owner(organisation_id=world.ngo.id),
        detail="A room at the shelter until after the trial",
    )
    db.flush()
    return world


def _consult(db, w, on=date(2026, 3, 10), **kw):
    kw.setdefault("agreed", "Escort both ways; stays at the shelter")
    return s.record_consultation(
        db, w.officer, w.shared, consulted_on=on, method=ConsultationMethod.in_person, **kw
    )


def test_the_plan_is_agreed_only_after_a_consultation_that_follows_its_last_change(db, plan):
    w = plan
    assert not s.plan_state(db, w.shared.id).agreed
    _consult(db, w, interpreter_language="Thai", interpreter_name="Somchai P.")
    assert s.plan_state(db, w.shared.id).agreed
    w.move(datetime(2026, 3, 11, 9, 0, tzinfo=w.escort.created_dt.tzinfo))
    s.change_action(db, w.officer, w.escort, status=ActionStatus.in_progress, due_date=None)
    state = s.plan_state(db, w.shared.id)
    assert not state.agreed and state.last_consultation is not None
    _consult(db, w, on=date(2026, 3, 11), objected="Does not want a new phone")
    assert s.plan_state(db, w.shared.id).agreed
    assert _audits(db, "protection.consulted") == 2
    assert _audits(db, "protection.action_added") == 2


def test_owners_must_be_the_office_or_a_partner_the_witness_shares_with(db, world, make_org):
    stranger = make_org(world.ngo.kind, "Not shared with")
    for owner, field in (
        (s.Owner(organisation_id=stranger.id), "owner"),
        (s.Owner(user_id=world.foreign_admin.id), "owner"),
    ):
        with pytest.raises(DomainError) as refused:
            s.add_action(db, world.officer, world.shared, kind=ActionKind.alarm, owner=owner)
        assert refused.value.field == field
    # the NGO the witness shares with, and its worker, may own an action
    options = dict(s.owner_options(db, world.shared))
    assert f"org:{world.ngo.id}" in options and f"user:{world.ngo_worker.id}" in options
    assert f"org:{world.ngo.id}" not in dict(s.owner_options(db, world.assigned))
    assert _count(db, ProtectionAction) == 0


def test_closing_needs_a_reason_and_a_closed_action_stays_closed(db, plan):
    w = plan
    with pytest.raises(DomainError) as refused:
        s.change_action(db, w.officer, w.housing, status=ActionStatus.closed)
    assert refused.value.field == "reason"
    s.change_action(db, w.officer, w.housing, status=ActionStatus.closed, reason="Moved to family")
    with pytest.raises(DomainError):
        s.change_action(db, w.officer, w.housing, status=ActionStatus.in_place)
    assert w.housing.closed_reason == "Moved to family"


def test_the_owning_partner_moves_its_action_on_but_nothing_else(db, plan):
    w = plan
    s.change_action(db, w.ngo_worker, w.housing, status=ActionStatus.in_place, due_date=None)
    assert w.housing.status is ActionStatus.in_place
    with pytest.raises(AccessDenied):
        s.change_action(db, w.ngo_worker, w.escort, status=ActionStatus.in_place)
    with pytest.raises(AccessDenied):
        s.add_action(db, w.ngo_worker, w.shared, kind=ActionKind.alarm, owner=s.Owner(other="x"))
    with pytest.raises(AccessDenied):
        _consult(db, type("W", (), {"officer": w.ngo_worker, "shared": w.shared}))


def test_a_consultation_cannot_be_in_the_future_and_says_what_was_agreed(db, plan):
    w = plan
    with pytest.raises(DomainError) as refused:
        _consult(db, w, on=date(2026, 3, 10) + timedelta(days=2))
    assert refused.value.field == "consulted_on"
    with pytest.raises(DomainError) as refused:
        _consult(db, w, agreed="  ")
    assert refused.value.field == "agreed"
    with pytest.raises(DomainError) as refused:
        _consult(db, w, interpreter_name="Somchai P.")
    assert refused.value.field == "interpreter_language"
    assert _count(db, PlanConsultation) == 0


# --- the page -------------------------------------------------------------------------------


def _url(witness) -> str:
    return f"/witnesses/{witness.id}/protection"


def test_an_officer_builds_the_plan_and_records_the_consultation_on_the_page(db, world, login):
    client = login(world.officer2)
    page = client.get(_url(world.shared)).get_data(as_text=True)
    assert "Not yet agreed with the witness" in page and "No action yet." in page
    added = client.submit(
        _url(world.shared) + "/actions",
        {"kind": "escort", "owner": f"org:{world.ngo.id}", "due_date": "2027-01-10"},
    )
    assert added.status_code == 302
    consulted = client.submit(
        _url(world.shared) + "/consultations",
        {
            "consulted_on": "2026-01-05",
            "method": "phone",
            "interpreter_language": "Thai",
            "agreed": "An escort from the shelter on trial days",
        },
    )
    assert consulted.status_code == 302
    page = client.get(_url(world.shared)).get_data(as_text=True)
    assert "Agreed with the witness" in page
    assert "Escort" in page and "Safe Harbour" in page and "An escort from the shelter" in page


def test_bad_input_is_a_400_with_the_message_and_changes_nothing(db, world, login):
    client = login(world.officer2)
    for data, message in (
        ({"kind": "escort", "owner": "org:999999"}, "Not a valid choice"),
        ({"kind": "escort", "owner": "other", "owner_other": ""}, "Name who carries"),
        ({"kind": "nonsense", "owner": "other", "owner_other": "Police"}, "Invalid Choice"),
        ({"kind": "escort", "owner": "user:1x"}, "Not a valid choice"),
        ({"kind": "other", "owner": "other", "owner_other": "Police"}, "Say what the action is"),
        ({"kind": "alarm", "owner": "other", "owner_other": "P", "due_date": "1-1-1"}, "YYYY"),
    ):
        response = client.submit(_url(world.shared) + "/actions", data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert _count(db, ProtectionAction) == 0


def test_who_sees_the_plan(db, plan, login):
    w = plan
    assert login(w.ngo_worker).get(_url(w.shared)).status_code == 200  # shares with the NGO
    assert login(w.prosecutor).get(_url(w.assigned)).status_code == 200  # read only
    for user, witness in ((w.ngo_worker, w.assigned), (w.foreign_admin, w.shared)):
        assert login(user).get(_url(witness)).status_code == 404
    assert _audits(db, "witness.refused") == 2
    # the prosecutor reads but may not add
    response = login(w.prosecutor).submit(
        _url(w.assigned) + "/actions", {"kind": "alarm", "owner": "other", "owner_other": "P"}
    )
    assert response.status_code == 404
    # the partner moves its own action on through the page, not another's
    worker = login(w.ngo_worker)
    moved = worker.submit(f"/protection/actions/{w.housing.id}", {"status": "in_place"})
    assert moved.status_code == 302
    refused = worker.submit(f"/protection/actions/{w.escort.id}", {"status": "in_place"})
    assert refused.status_code == 404
    assert _audits(db, "protection_action.change_refused") == 1


def test_a_completed_risk_assessment_asks_for_the_plan_to_be_revised_with_the_witness(
    db, plan, login
):
    """Issue 15: the plan is revised after each assessment, and counts as revised only once
    talked through with the witness."""
    from witness.risk.instrument import factors_of

    w = plan
    _consult(db, w)
    assert s.plan_state(db, w.shared.id).agreed
    w.move(w.escort.created_dt + timedelta(hours=1))
    client = login(w.officer2)
    started = client.submit(f"/risk/witnesses/{w.shared.id}/assessments", {"instrument": "v1"})
    form = {f"a_{f.key}": "absent" for f in factors_of("v1")}
    form |= {"a_threats": "present", "complete": "1", "confirmed": "y"}
    done = client.submit(started.headers["Location"], form)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.headers["Location"].endswith(_url(w.shared))
    page = client.get(_url(w.shared)).get_data(as_text=True)
    assert "Now review the protection plan" in page
    assert "Reassessed since the plan was agreed" in page
    assert not s.plan_state(db, w.shared.id).agreed
    # the partner reads the plan, not the assessment behind it
    assert "Reassessed since" not in login(w.ngo_worker).get(_url(w.shared)).get_data(as_text=True)
    w.move(w.escort.created_dt + timedelta(hours=2))
    _consult(db, w, on=date(2026, 3, 10), agreed="Keeps the escort; adds a new phone")
    assert s.plan_state(db, w.shared.id).agreed
