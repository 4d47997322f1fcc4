"""Full detail in a witness's own invites: an informed adult's recorded choice, discreet by
default, never for a child."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.errors import AccessDenied, DomainError
from witness.people.invite_detail import invite_detail_history, set_invite_detail
from witness.people.models import InviteDetailChoice


def page(client, witness) -> str:
    return client.get(f"/witnesses/{witness.id}/invite-detail").get_data(as_text=True)


def choose(client, witness, **data):
    data = {"full_detail": "full", "reason": "Wants to plan the day", "informed": "y"} | data
    return client.submit(f"/witnesses/{witness.id}/invite-detail", data)


def test_discreet_by_default_and_full_detail_recorded_with_who_when_and_why(db, login, world):
    client = login(world.officer)
    assert "Now: <strong>Discreet</strong>" in page(client, world.assigned)
    assert "No choice recorded" in page(client, world.assigned)

    response = choose(
        client, world.assigned, reason="Her phone is her own; she wants the court name"
    )

    assert response.status_code == 302
    db.refresh(world.assigned)
    assert world.assigned.invites_full_detail is True
    (choice,) = db.scalars(select(InviteDetailChoice)).all()
    assert (choice.full_detail, choice.informed, choice.recorded_by_id) == (
        True,
        True,
        world.officer.id,
    )
    assert choice.reason == "Her phone is her own; she wants the court name"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "witness.invite_detail")).one()
    assert (event.actor_id, event.witness_id, event.detail) == (
        world.officer.id,
        world.assigned.id,
        {"full_detail": True},
    )
    text = page(client, world.assigned)
    assert "she wants the court name" in text and world.officer.name in text
    detail = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "full detail, as the witness chose" in detail

    # and back to discreet, kept in the history
    assert choose(client, world.assigned, full_detail="discreet", reason="Moved in with family")
    db.refresh(world.assigned)
    assert world.assigned.invites_full_detail is False
    assert len(db.scalars(select(InviteDetailChoice)).all()) == 2


def test_full_detail_needs_a_reason_and_an_informed_witness(db, login, world):
    client = login(world.officer)
    no_reason = choose(client, world.assigned, reason="  ")
    uninformed = choose(client, world.assigned, informed="")
    assert no_reason.status_code == uninformed.status_code == 400
    assert "Tell the witness first" in uninformed.get_data(as_text=True)
    db.refresh(world.assigned)
    assert world.assigned.invites_full_detail is False
    assert db.scalars(select(InviteDetailChoice)).all() == []


def test_a_child_never_gets_full_detail(db, login, world):
    world.assigned.date_of_birth = date(2012, 5, 1)  # 13 on the frozen day
    db.flush()
    response = choose(login(world.officer), world.assigned)
    assert response.status_code == 400
    assert "invites are always discreet: full detail cannot be chosen" in response.get_data(
        as_text=True
    )
    db.refresh(world.assigned)
    assert world.assigned.invites_full_detail is False


def test_only_the_witness_office_records_the_choice(db, login, world):
    for user in (world.ngo_worker, world.prosecutor, world.foreign_admin):
        client = login(user)
        assert client.get(f"/witnesses/{world.shared.id}/invite-detail").status_code == 404
        assert choose(client, world.shared).status_code == 404
    db.refresh(world.shared)
    assert world.shared.invites_full_detail is False
    assert db.scalars(select(InviteDetailChoice)).all() == []


def test_each_refusal_names_its_field_and_a_reason_may_run_over_lines(db, world):
    """The form shows each refusal beside what to change: the reason, the "told" box, the choice
    itself. Not saying the witness was told counts as not told; the witness's reasons, as they
    gave them, may take several lines."""

    def refused(**kw) -> str | None:
        with pytest.raises(DomainError) as caught:
            set_invite_detail(db, world.officer, world.assigned, **kw)
        return caught.value.field

    assert refused(full_detail=True, reason=" ") == "reason"
    assert refused(full_detail=True, reason="They asked") == "informed"  # not said: not told
    assert refused(full_detail=False, reason="Keep it discreet") == "full_detail"  # already
    choice = set_invite_detail(db, world.officer, world.assigned, full_detail=True,
                               reason="They asked.\nThey live alone.", informed=True)  # fmt: skip
    assert choice.reason == "They asked.\nThey live alone." and choice.informed is True
    world.assigned.date_of_birth = date(2012, 5, 1)  # now a child: back to discreet only
    world.assigned.invites_full_detail = False
    assert refused(full_detail=True, reason="Asked", informed=True) == "full_detail"


def test_the_service_refuses_whoever_may_see_the_witness_but_not_manage_their_file(db, world):
    """The page is not the only way in (the API, a later form): the service itself refuses an
    NGO worker who sees the shared file and the prosecutor of the case, and records nothing."""
    for user in (world.ngo_worker, world.prosecutor):
        with pytest.raises(AccessDenied, match="Only the witness's office records this choice"):
            set_invite_detail(
                db, user, world.shared, full_detail=True, reason="Asked", informed=True
            )
    db.refresh(world.shared)
    assert world.shared.invites_full_detail is False
    assert db.scalars(select(InviteDetailChoice)).all() == []


def test_each_refusal_says_in_full_what_to_do(db, world):
    """The officer reads these sentences on the form: each one, whole, says what went wrong and
    what to do next (found by mutation testing: a refusal with its words lost still passed)."""

    def message(**kw) -> str:
        with pytest.raises(DomainError) as caught:
            set_invite_detail(db, world.officer, world.assigned, **kw)
        return str(caught.value)

    assert message(full_detail=True, reason=" ") == (
        "Say why: the witness's own reasons, as they gave them."
    )
    assert message(full_detail=True, reason="They asked") == (
        "Tell the witness first that anyone who sees their phone or e-mail could then read the "
        "court, the case and the place, and tick that you did."
    )
    assert message(full_detail=False, reason="Keep it discreet") == (
        "The witness's invites are already discreet."
    )
    set_invite_detail(db, world.officer, world.assigned, full_detail=True, reason="Asked",
                      informed=True)  # fmt: skip
    assert message(full_detail=True, reason="Asked again", informed=True) == (
        "The witness's invites are already full detail."
    )
    world.assigned.date_of_birth = date(2012, 5, 1)
    world.assigned.invites_full_detail = False
    assert message(full_detail=True, reason="Asked", informed=True) == (
        "A child's invites are always discreet: full detail cannot be chosen while the witness "
        "is (or is presumed) under 18."
    )
    with pytest.raises(AccessDenied) as refused:
        set_invite_detail(db, world.ngo_worker, world.shared, full_detail=True, reason="Asked",
                          informed=True)  # fmt: skip
    assert str(refused.value) == "Only the witness's office records this choice."


def test_a_reason_is_checked_as_text_and_its_refusal_stands_beside_the_reason(db, world):
    """2,000 characters are kept; one more, or a hidden direction mark, is refused by the
    reason field, and nothing is recorded."""

    def refused(reason: str) -> DomainError:
        with pytest.raises(DomainError) as caught:
            set_invite_detail(db, world.officer, world.assigned, full_detail=True,
                              reason=reason, informed=True)  # fmt: skip
        return caught.value

    too_long = refused("x" * 2001)
    assert too_long.field == "reason" and "2000" in str(too_long)
    hidden = refused("Asked\u202e")
    assert hidden.field == "reason"
    assert db.scalars(select(InviteDetailChoice)).all() == []
    choice = set_invite_detail(db, world.officer, world.assigned, full_detail=True,
                               reason="x" * 2000, informed=True)  # fmt: skip
    assert len(choice.reason) == 2000


def test_the_choice_is_audited_on_the_witness_and_its_history_reads_newest_first(db, world):
    first = set_invite_detail(db, world.officer, world.assigned, full_detail=True,
                              reason="Wants the court's name", informed=True)  # fmt: skip
    second = set_invite_detail(db, world.officer, world.assigned, full_detail=False,
                               reason="Moved in with family")  # fmt: skip
    assert invite_detail_history(db, world.assigned) == [second, first]
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "witness.invite_detail")
    ).all()
    assert {(e.object_type, e.object_id) for e in events} == {("witness", world.assigned.id)}
