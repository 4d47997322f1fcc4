"""Contact preferences: a new row each time (history kept), validated, and the witness's notify
consents kept in step with the chosen channels; opting out cancels open tasks."""

from datetime import date

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.access import accepts_channel, current_preference
from witness.core.errors import AccessDenied, DomainError
from witness.notify.models import ContactPreference, EmailDetail, NewsWanted, TaskStatus
from witness.notify.preferences import parse_safe_times, record_preferences
from witness.people.models import Channel, Consent, ConsentKind

FULL = dict(
    channels=["email", "phone"],
    email="safe@example.org",
    phone="+44 7700 900111",
    safe_times="18:00-20:00",
    language="th",
)


def test_recording_keeps_history_and_consents_in_step(db, world):
    w = world.assigned
    first = record_preferences(db, world.officer, w, **FULL)
    assert accepts_channel(db, w.id, Channel.email) and accepts_channel(db, w.id, Channel.phone)
    assert not accepts_channel(db, w.id, Channel.post)

    second = record_preferences(
        db, world.officer, w, channels=["post"], postal_address="c/o Shelter\n1 Quiet Lane"
    )
    db.refresh(first)
    assert first.is_current is False and second.is_current is True
    assert current_preference(db, w.id).id == second.id
    # email and phone withdrawn, post granted: as the witness's recorded decisions
    assert not accepts_channel(db, w.id, Channel.email)
    assert not accepts_channel(db, w.id, Channel.phone)
    assert accepts_channel(db, w.id, Channel.post)
    withdrawals = db.scalars(
        select(Consent).where(
            Consent.witness_id == w.id,
            Consent.kind == ConsentKind.notify,
            Consent.is_granted.is_(False),
            Consent.is_current.is_(True),
        )
    ).all()
    assert {c.channel for c in withdrawals} == {Channel.email, Channel.phone}
    audit = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "contact_preference.recorded")
        .order_by(AuditEvent.id)
    ).all()
    assert [a.object_id for a in audit] == [first.id, second.id]
    assert audit[1].detail["replaces"] == first.id
    assert "safe@example.org" not in str(audit[0].detail)  # never the address itself


def test_opting_out_cancels_open_tasks_and_opting_in_is_a_new_preference(db, world, make_task):
    w = world.assigned
    task = make_task(w, world.case)
    record_preferences(db, world.officer, w, news_wanted="nothing")
    assert task.status is TaskStatus.cancelled
    assert "opted out" in task.cancelled_reason
    again = record_preferences(db, world.officer, w, **FULL)
    assert again.news_wanted is NewsWanted.everything
    assert task.status is TaskStatus.cancelled  # what was cancelled stays so


@pytest.mark.parametrize(
    "fields, field",
    [
        (dict(channels=["email", "email"], email="a@example.org"), "channels"),
        (dict(channels=["fax"]), "channels"),
        (dict(channels=[]), "channels"),
        (dict(channels=["post"]), "postal_address"),
        (dict(channels=["email"], email="not an address"), "email"),
        (dict(channels=["email"]), "email"),
        (dict(channels=["phone"]), "phone"),
        (dict(channels=["via_ngo"]), "ngo_organisation_id"),
        (dict(channels=["in_person"], language="xx-nope"), "language"),
        (dict(channels=["in_person"], note="bad\x07bell"), "note"),
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(db, world, fields, field):
    with pytest.raises(DomainError) as refused:
        record_preferences(db, world.officer, world.assigned, **fields)
    assert refused.value.field == field
    assert db.scalar(select(ContactPreference.id)) is None
    assert db.scalar(select(Consent.id).where(Consent.kind == ConsentKind.notify)) is None


def test_via_ngo_needs_an_organisation_the_witness_shares_with(db, world, share):
    w = world.assigned
    with pytest.raises(DomainError):
        record_preferences(
            db, world.officer, w, channels=["via_ngo"], ngo_organisation_id=world.ngo.id
        )
    share(w, world.ngo)
    pref = record_preferences(
        db, world.officer, w, channels=["via_ngo"], ngo_organisation_id=world.ngo.id
    )
    assert pref.ngo_organisation_id == world.ngo.id
    assert accepts_channel(db, w.id, Channel.via_ngo)


def test_a_child_needs_a_contact_person(db, world, make_witness, frozen_clock):
    child = make_witness(case=world.case, officer=world.officer, date_of_birth=date(2012, 5, 1))
    with pytest.raises(DomainError) as refused:
        record_preferences(db, world.officer, child, channels=["in_person"])
    assert refused.value.field == "contact_person"
    pref = record_preferences(
        db,
        world.officer,
        child,
        channels=["phone"],
        phone="+44 7700 900222",
        contact_person="Maria Example",
        contact_person_relation="Mother",
    )
    assert pref.contact_person == "Maria Example"


def test_only_the_owning_office_records_preferences(db, world):
    with pytest.raises(AccessDenied):
        record_preferences(db, world.ngo_worker, world.shared_identity, channels=["in_person"])
    with pytest.raises(AccessDenied):
        record_preferences(db, world.foreign_admin, world.assigned, channels=["in_person"])


def test_the_email_detail_and_language_are_kept(db, world):
    pref = record_preferences(
        db, world.officer, world.assigned, **(FULL | dict(email_detail="summary", language="pt-BR"))
    )
    assert pref.email_detail is EmailDetail.summary and pref.language == "pt_BR"


def test_safe_times_in_the_simple_form_are_understood():
    start, end = parse_safe_times("18:00-20:30")
    assert (start.hour, end.hour, end.minute) == (18, 20, 30)
    assert parse_safe_times("weekday evenings") is None
