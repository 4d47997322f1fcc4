"""One test per clause of each rule in ``witness.core.access`` that tests/test_access.py (who
sees which witness and case) does not already cover: consent, delivery, full-detail invites,
who may be assigned or attend, who sees an appointment, its place and a remote site, who
manages rooms and whose week one may open.

Expectations are written out by hand, never computed from the module under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from witness.auth.models import OrganisationKind, Role, User
from witness.cases.models import Case
from witness.core import access
from witness.notify.models import WithheldReason
from witness.people.models import Assignment, Channel, Consent, ConsentKind
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStaff

TODAY = date(2026, 3, 10)


def consent(db, world, witness, **kw) -> Consent:
    row = Consent(witness_id=witness.id, recorded_by_id=world.supervisor.id, **kw)
    db.add(row)
    db.flush()
    return row


def shares(db, witness, org, *, identity=False) -> bool:
    ids = db.scalars(access.sharing_organisations(witness.id, identity=identity)).all()
    return org.id in ids


# --- consent ---------------------------------------------------------------------------------


def test_a_share_counts_while_current_granted_and_of_kind_share(db, world):
    other = world.unassigned  # has no consent yet
    assert not shares(db, other, world.ngo)
    row = consent(
        db, world, other, kind=ConsentKind.share, organisation_id=world.ngo.id, is_granted=True
    )
    assert shares(db, other, world.ngo)
    row.is_current = False  # replaced by a later decision
    db.flush()
    assert not shares(db, other, world.ngo)


def test_a_refused_share_does_not_count(db, world):
    consent(
        db,
        world,
        world.unassigned,
        kind=ConsentKind.share,
        organisation_id=world.ngo.id,
        is_granted=False,
    )
    assert not shares(db, world.unassigned, world.ngo)


def test_only_a_share_consent_shares(db, world):
    consent(
        db,
        world,
        world.unassigned,
        kind=ConsentKind.notify,
        channel=Channel.email,
        organisation_id=world.ngo.id,
        is_granted=True,
    )
    assert not shares(db, world.unassigned, world.ngo)


def test_identity_is_shared_only_when_the_consent_says_so(db, world):
    assert shares(db, world.shared, world.ngo) and not shares(
        db, world.shared, world.ngo, identity=True
    )
    assert shares(db, world.shared_identity, world.ngo, identity=True)


@pytest.mark.parametrize(
    "given, asked, accepted",
    [
        (Channel.email, Channel.email, True),
        (Channel.post, Channel.email, False),  # the channel clause: post is not e-mail
        (Channel.phone, Channel.phone, True),
    ],
)
def test_consent_to_be_contacted_is_per_channel(db, world, given, asked, accepted):
    consent(db, world, world.assigned, kind=ConsentKind.notify, channel=given, is_granted=True)
    assert access.accepts_channel(db, world.assigned.id, asked) is accepted


def test_withdrawn_or_replaced_contact_consent_does_not_count(db, world):
    row = consent(
        db, world, world.assigned, kind=ConsentKind.notify, channel=Channel.email, is_granted=True
    )
    row.is_current = False
    consent(
        db, world, world.assigned, kind=ConsentKind.notify, channel=Channel.email, is_granted=False
    )
    assert access.accepts_channel(db, world.assigned.id, Channel.email) is False


# --- delivery ------------------------------------------------------------------------------------


def test_delivery_to_a_witness_needs_consent_an_address_and_the_same_address(db, world):
    witness = world.assigned
    witness.email = "Amina@Mail.example"
    refusal = access.witness_contact_refusal
    assert refusal(db, witness, Channel.email, witness.email) is WithheldReason.consent_withdrawn
    consent(db, world, witness, kind=ConsentKind.notify, channel=Channel.email, is_granted=True)
    assert refusal(db, witness, Channel.email, "amina@mail.example") is None  # case-blind
    assert refusal(db, witness, Channel.email, "old@mail.example") is WithheldReason.address_changed
    for given in (None, "", "  "):  # a message made with no address is not "moved"
        assert refusal(db, witness, Channel.email, given) is WithheldReason.no_address
    witness.email = None
    assert refusal(db, witness, Channel.email, "amina@mail.example") is WithheldReason.no_address


def test_delivery_by_phone_checks_the_phone_number(db, world):
    witness = world.assigned
    witness.phone = "+44 7700 900123"
    consent(db, world, witness, kind=ConsentKind.notify, channel=Channel.phone, is_granted=True)
    assert access.witness_contact_refusal(db, witness, Channel.phone, "+44  7700 900123") is None
    assert (
        access.witness_contact_refusal(db, witness, Channel.phone, "+44 7700 900999")
        is WithheldReason.address_changed
    )


def test_news_goes_only_by_a_consented_chosen_channel_to_the_safe_address(db, world):
    """``notification_refusal``: consent, then the preferences (opted out, channels), then the
    preferences' safe address over the file's own."""
    from witness.notify.models import ContactPreference, NewsWanted
    from witness.outcomes.models import EventKind

    witness = world.assigned
    witness.address = "1 Home Street"
    refusal = access.notification_refusal
    verdict = EventKind.verdict
    assert refusal(db, witness, Channel.post, "1 Home Street", verdict) is (
        WithheldReason.consent_withdrawn
    )
    consent(db, world, witness, kind=ConsentKind.notify, channel=Channel.post, is_granted=True)
    # no preferences recorded: the file's address, every kind of news
    assert refusal(db, witness, Channel.post, "1  Home Street", verdict) is None
    preference = ContactPreference(
        witness_id=witness.id,
        news_wanted=NewsWanted.key_stages,
        channels=["post"],
        postal_address="c/o Safe Harbour, 9 Quiet Road",
        recorded_by_id=world.officer.id,
    )
    db.add(preference)
    db.flush()
    assert refusal(db, witness, Channel.post, "1 Home Street", verdict) is (
        WithheldReason.address_changed
    )
    assert refusal(db, witness, Channel.post, "c/o Safe Harbour, 9 Quiet Road", verdict) is None
    assert refusal(db, witness, Channel.post, "c/o Safe Harbour, 9 Quiet Road", EventKind.plea) is (
        WithheldReason.opted_out
    )
    consent(db, world, witness, kind=ConsentKind.notify, channel=Channel.in_person, is_granted=True)
    assert refusal(db, witness, Channel.in_person, None, verdict) is (
        WithheldReason.channel_not_chosen
    )
    preference.channels = ["in_person", "post"]
    assert refusal(db, witness, Channel.in_person, None, verdict) is None
    preference.news_wanted = NewsWanted.nothing
    assert refusal(db, witness, Channel.in_person, None, verdict) is WithheldReason.opted_out


def test_delivery_to_staff_needs_an_enabled_account_at_the_same_address(world):
    officer = world.officer
    assert access.staff_contact_refusal(officer, officer.email.upper()) is None
    assert (
        access.staff_contact_refusal(officer, "old@test.example") is WithheldReason.address_changed
    )
    assert access.staff_contact_refusal(None, officer.email) is WithheldReason.account_disabled
    officer.is_enabled = False
    assert access.staff_contact_refusal(officer, officer.email) is WithheldReason.account_disabled


# --- full-detail invites ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chose, born, presumed, full",
    [
        (False, date(1990, 1, 1), False, False),  # discreet by default
        (True, date(1990, 1, 1), False, True),  # an adult's recorded choice
        (True, date(2010, 1, 1), False, False),  # a child: never
        (True, date(2008, 3, 10), False, True),  # 18 today
        (True, date(2008, 3, 11), False, False),  # 18 tomorrow
        (True, None, True, False),  # presumed a child
    ],
)
def test_full_detail_only_for_an_adult_who_chose_it(chose, born, presumed, full):
    row = SimpleNamespace(invites_full_detail=chose, date_of_birth=born, is_presumed_child=presumed)
    assert access.invites_in_full_detail(row, TODAY) is full


# --- who may be put beside a witness -------------------------------------------------------


def eligible(db, condition, user) -> bool:
    return db.scalar(select(User.id).where(User.id == user.id, condition)) is not None


def test_who_may_be_assigned(db, world, make_user, make_org):
    rule = access.assignable_staff(world.shared)  # shares with the NGO
    assert eligible(db, rule, world.officer)  # an officer of the office
    assert eligible(db, rule, world.ngo_worker)  # an NGO worker of an organisation shared with
    assert not eligible(db, rule, make_user(Role.liaison_officer, organisation=world.other_office))
    assert not eligible(db, rule, make_user(Role.liaison_officer, is_enabled=False))
    assert not eligible(db, rule, world.supervisor)
    assert not eligible(db, rule, world.prosecutor)
    # of an organisation shared with, only its NGO workers: not its supervisor
    assert not eligible(db, rule, make_user(Role.supervisor, organisation=world.ngo))
    unshared = make_user(Role.ngo_worker, organisation=make_org(OrganisationKind.ngo, "Else"))
    assert not eligible(db, rule, unshared)
    assert not eligible(db, access.assignable_staff(world.assigned), world.ngo_worker)


def test_who_may_attend_with_a_witness(db, world, make_user, make_org):
    witness = world.shared  # office witness, shares with the NGO, assigned to officer2
    rule = access.attending_staff(witness)
    for user in (world.officer, world.supervisor, world.prosecutor):  # the owning office
        assert eligible(db, rule, user), user
    assert eligible(db, rule, world.ngo_worker)  # an NGO shared with
    ngo_supervisor = make_user(Role.supervisor, organisation=world.ngo)
    assert eligible(db, rule, ngo_supervisor)
    assert not eligible(db, rule, world.admin)  # administrators do not attend
    assert not eligible(db, rule, make_user(Role.liaison_officer, is_enabled=False))
    unshared = make_user(Role.ngo_worker, organisation=make_org(OrganisationKind.ngo, "Else"))
    assert not eligible(db, rule, unshared)
    assert not eligible(db, access.attending_staff(world.assigned), world.ngo_worker)
    # another office's officer only while assigned to the witness
    visitor = make_user(Role.liaison_officer, organisation=world.other_office)
    assert not eligible(db, rule, visitor)
    db.add(Assignment(witness_id=world.foreign.id, user_id=visitor.id, assigned_by_id=visitor.id))
    db.flush()
    assert not eligible(db, rule, visitor)  # assigned to someone else is not enough
    db.add(Assignment(witness_id=witness.id, user_id=visitor.id, assigned_by_id=visitor.id))
    db.flush()
    assert eligible(db, rule, visitor)
    # another office's prosecutor only while leading one of the witness's cases
    lead = make_user(Role.prosecutor, organisation=world.other_office)
    assert not eligible(db, rule, lead)
    world.case.lead_prosecutor_id = lead.id  # a case the witness is not in
    db.flush()
    assert not eligible(db, rule, lead)
    world.other_case.lead_prosecutor_id = lead.id
    db.flush()
    assert eligible(db, rule, lead) and access.may_attend(db, lead, witness)
    # leading the case counts for a prosecutor only: one who since became an officer elsewhere
    # (and is not assigned) does not attend on the strength of the old lead
    lead.role = Role.liaison_officer
    db.flush()
    assert not eligible(db, rule, lead)


def test_attending_through_a_share_or_an_assignment_has_its_limits(
    db, world, make_user, make_org, share
):
    witness = world.shared
    rule = access.attending_staff(witness)
    # a share lets the other organisation's supervisors and NGO workers attend, not its
    # officers: an officer of an office the witness shares with attends only when assigned
    share(witness, world.other_office)
    visitor = make_user(Role.liaison_officer, organisation=world.other_office)
    assert not eligible(db, rule, visitor)
    # an assignment that has ended no longer counts
    ended = Assignment(
        witness_id=witness.id,
        user_id=visitor.id,
        assigned_by_id=visitor.id,
        ended_dt=datetime(2026, 3, 1, tzinfo=UTC),
    )
    db.add(ended)
    db.flush()
    assert not eligible(db, rule, visitor)
    # an NGO worker still assigned after the share with their organisation was withdrawn
    # attends no more (an assignment lets officers attend, not other roles)
    elsewhere = make_user(Role.ngo_worker, organisation=make_org(OrganisationKind.ngo, "Else"))
    db.add(Assignment(witness_id=witness.id, user_id=elsewhere.id, assigned_by_id=visitor.id))
    db.flush()
    assert not eligible(db, rule, elsewhere)


# --- appointments ----------------------------------------------------------------------------


@pytest.fixture
def appointment(db, world):
    """An appointment of ``world.shared`` (officer2's witness) attended by the NGO worker."""
    row = Appointment(
        organisation_id=world.office.id,
        witness_id=world.shared.id,
        kind=AppointmentKind.counselling,
        start_dt=datetime(2026, 3, 12, 10, tzinfo=UTC),
        end_dt=datetime(2026, 3, 12, 11, tzinfo=UTC),
        address="Flat 2, 14 Elm Street",
        created_by_id=world.officer2.id,
        staff_links=[AppointmentStaff(user_id=world.ngo_worker.id)],
    )
    db.add(row)
    db.flush()
    return row


def sees(db, user, appointment) -> bool:
    query = select(Appointment.id).where(
        Appointment.id == appointment.id, access.visible_appointments(user)
    )
    return db.scalar(query) is not None


def test_an_appointment_is_seen_by_who_sees_the_witness_or_attends(
    db, world, appointment, make_user
):
    assert sees(db, world.officer2, appointment)  # sees the witness
    assert sees(db, world.ngo_worker, appointment)  # attends (and sees the witness)
    assert not sees(db, world.officer, appointment)  # neither
    stranger = make_user(Role.liaison_officer, organisation=world.other_office)
    appointment.staff_links.append(AppointmentStaff(user_id=stranger.id))
    db.flush()
    assert sees(db, stranger, appointment)  # attends, without seeing the witness's file


def test_the_owning_office_manages_and_the_staff_attending_update(db, world, appointment):
    assert access.can_manage_appointment(world.officer, appointment)  # an office role
    assert not access.can_manage_appointment(world.ngo_worker, appointment)
    assert not access.can_manage_appointment(world.prosecutor, appointment)
    assert not access.can_manage_appointment(world.foreign_admin, appointment)
    assert access.can_update_status(world.ngo_worker, appointment)  # attending
    assert not access.can_update_status(world.other_prosecutor, appointment)


def test_where_it_takes_place_only_for_the_office_and_those_attending(db, world, appointment):
    assert access.can_see_place(world.supervisor, appointment)
    assert access.can_see_place(world.ngo_worker, appointment)
    # the prosecutor of its case sees the witness, but neither manages nor attends
    assert not access.can_see_place(world.other_prosecutor, appointment)


def test_a_remote_sites_location_only_for_room_managers_and_those_attending_there(db, world):
    court = world.case.court
    room = Resource(court=court, kind=ResourceKind.courtroom, name="Court 1", location="Floor 2")
    site = Resource(court=court, kind=ResourceKind.remote_site, name="Site", location="Elm St")
    assert access.can_see_site(world.officer, room, attends_there=False)  # courtrooms are public
    assert not access.can_see_site(world.officer, site, attends_there=False)
    assert access.can_see_site(world.officer, site, attends_there=True)
    assert access.can_see_site(world.supervisor, site, attends_there=False)
    assert access.can_see_site(world.admin, site, attends_there=False)
    assert not access.can_see_site(world.ngo_worker, site, attends_there=False)


def test_rooms_are_managed_by_supervisors_and_administrators_only(world):
    assert access.can_manage_rooms(world.admin)
    assert access.can_manage_rooms(world.supervisor)
    assert access.can_manage_rooms(world.foreign_admin)  # rooms are courts', not an office's
    for who in ("officer", "prosecutor", "ngo_worker"):
        assert not access.can_manage_rooms(getattr(world, who)), who


def test_a_week_is_opened_by_its_owner_or_a_supervisor_of_their_office(world):
    assert access.can_open_week(world.officer, world.officer)
    assert access.can_open_week(world.ngo_worker, world.ngo_worker)
    assert access.can_open_week(world.supervisor, world.officer)
    assert access.can_open_week(world.admin, world.prosecutor)
    assert not access.can_open_week(world.officer, world.officer2)  # a colleague's
    assert not access.can_open_week(world.prosecutor, world.officer)
    assert not access.can_open_week(world.supervisor, world.ngo_worker)  # another organisation
    assert not access.can_open_week(world.foreign_admin, world.officer)


def test_may_see_witness_answers_without_auditing(db, world):
    from witness.audit.models import AuditEvent

    assert access.may_see_witness(db, world.officer, world.assigned.id)
    assert not access.may_see_witness(db, world.officer, world.shared.id)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "witness.refused")).all() == []


# --- the office's mail and audit log -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin", True),
        ("supervisor", True),
        ("officer", True),
        ("ngo_worker", False),
        ("prosecutor", False),
    ],
)
def test_the_outbox_is_for_the_offices_own_staff(world, role, sees):
    assert access.can_see_outbox(getattr(world, role)) is sees


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("admin", True),
        ("supervisor", True),
        ("officer", False),
        ("ngo_worker", False),
        ("prosecutor", False),
    ],
)
def test_the_audit_log_is_for_administrators_and_supervisors(world, role, reads):
    assert access.can_read_audit_log(getattr(world, role)) is reads


def test_who_looked_at_a_file_is_for_its_own_offices_administrators_and_supervisors(
    world, make_user
):
    witness = world.shared  # the office's, shared with the NGO
    assert access.can_see_access_log(world.admin, witness)
    assert access.can_see_access_log(world.supervisor, witness)
    assert not access.can_see_access_log(world.officer2, witness)  # assigned, still not theirs
    assert not access.can_see_access_log(world.foreign_admin, witness)
    ngo_supervisor = make_user(Role.supervisor, organisation=world.ngo)
    assert not access.can_see_access_log(ngo_supervisor, witness)


def test_a_legal_hold_is_for_the_owning_offices_administrators_and_supervisors(world, make_user):
    witness = world.shared
    assert access.can_hold_witness(world.admin, witness)
    assert access.can_hold_witness(world.supervisor, witness)
    for user in (world.officer, world.officer2, world.prosecutor, world.foreign_admin):
        assert not access.can_hold_witness(user, witness), user.role
    assert not access.can_hold_witness(make_user(Role.supervisor, organisation=world.ngo), witness)


def test_needs_are_recorded_by_the_office_and_ngo_workers_until_the_file_is_anonymised(world):
    """Of a witness the user may see: the owning office's staff who manage it and the NGO
    workers it is shared with; nobody once its file is anonymised."""
    witness = world.shared
    assert access.can_record_needs(world.officer2, witness)  # assigned
    assert access.can_record_needs(world.ngo_worker, witness)
    assert not access.can_record_needs(world.prosecutor, witness)
    assert access.can_manage_witness(world.supervisor, witness)
    witness.anonymised_dt = datetime(2032, 1, 1, tzinfo=UTC)
    for user in (world.officer2, world.supervisor, world.ngo_worker):
        assert not access.can_record_needs(user, witness), user.role
        assert not access.can_manage_witness(user, witness), user.role


def test_an_office_sees_another_offices_case_through_a_witness_it_may_see(db, world, make_user):
    """An officer of another office, assigned to the witness, sees the witness's case (of the
    witness's office), not the office's other cases."""
    visitor = make_user(Role.liaison_officer, organisation=world.other_office)
    db.add(Assignment(witness_id=world.shared.id, user_id=visitor.id, assigned_by_id=visitor.id))
    db.flush()

    def sees(case) -> bool:
        query = select(Case.id).where(Case.id == case.id, access.visible_cases(visitor))
        return db.scalar(query) is not None

    assert sees(world.other_case)  # world.shared is in it
    assert not sees(world.case)


def test_a_refused_witness_is_audited_as_a_witness_by_its_id(db, world):
    from witness.audit.models import AuditEvent
    from witness.core.errors import NotFound

    with pytest.raises(NotFound):
        access.get_witness(db, world.ngo_worker, world.assigned.id)
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "witness.refused")).all()
    assert (event.actor_id, event.object_type, event.object_id, event.witness_id) == (
        world.ngo_worker.id,
        "witness",
        world.assigned.id,
        world.assigned.id,
    )


def test_a_refusal_without_its_own_words_says_the_record_may_not_be_changed():
    from witness.core.errors import AccessDenied

    with pytest.raises(AccessDenied) as refused:
        access.require(False)
    assert refused.value.message == "You may not change this record."
    access.require(True)  # allowed: nothing raised


# --- what mutation testing found unguarded (README, "Mutation testing") ---------------------------


def test_news_by_e_mail_is_case_blind_and_needs_a_safe_address_on_file(db, world):
    """The preferences' e-mail is compared case-blind, as an e-mail address is; with no address
    on file for the channel nothing goes, whatever address the message carries."""
    from witness.notify.models import ContactPreference
    from witness.outcomes.models import EventKind

    witness, verdict = world.assigned, EventKind.verdict
    consent(db, world, witness, kind=ConsentKind.notify, channel=Channel.email, is_granted=True)
    db.add(ContactPreference(witness_id=witness.id, channels=["email"], email="Mai@Safe.example",
                             recorded_by_id=world.officer.id))  # fmt: skip
    db.flush()
    refusal = access.notification_refusal
    assert refusal(db, witness, Channel.email, "mai@safe.example", verdict) is None
    for given in (None, "", "  "):  # news made with no address is not "moved"
        assert refusal(db, witness, Channel.email, given, verdict) is WithheldReason.no_address
    witness.email = None
    preference = access.current_preference(db, witness.id)
    preference.email = ""
    assert refusal(db, witness, Channel.email, "mai@safe.example", verdict) is (
        WithheldReason.no_address
    )


def test_the_consents_of_many_witnesses_read_at_once_are_each_one_s_own(db, world):
    """``accepted_channels`` (the delivery sweep's batch read) says for each witness exactly
    what ``accepts_channel`` says of it: a current granted consent to be told, by channel."""
    a, b, c = world.assigned, world.unassigned, world.shared
    consent(db, world, a, kind=ConsentKind.notify, channel=Channel.email, is_granted=True)
    consent(db, world, a, kind=ConsentKind.notify, channel=Channel.post, is_granted=True)
    consent(db, world, b, kind=ConsentKind.notify, channel=Channel.phone, is_granted=False)
    consent(db, world, c, kind=ConsentKind.notify, channel=Channel.post, is_granted=True)
    consent(db, world, b, kind=ConsentKind.share, organisation_id=world.ngo.id, is_granted=True)
    found = access.accepted_channels(db, [a.id, b.id, c.id])
    assert found == {a.id: {Channel.email, Channel.post}, b.id: set(), c.id: {Channel.post}}
    for witness in (a, b, c):
        for channel in Channel:
            assert (channel in found[witness.id]) is access.accepts_channel(
                db, witness.id, channel
            ), (witness.reference, channel)
    assert access.accepted_channels(db, []) == {}
    # only the witnesses asked about: another's consents are not read into the answer
    assert access.accepted_channels(db, [c.id]) == {c.id: {Channel.post}}


def test_a_consent_to_be_told_that_names_no_channel_grants_none(db, world):
    witness = world.shared
    consent(db, world, witness, kind=ConsentKind.notify, channel=None, is_granted=True)
    consent(db, world, witness, kind=ConsentKind.notify, channel=Channel.post, is_granted=True)
    assert access.accepted_channels(db, [witness.id]) == {witness.id: {Channel.post}}


def test_only_the_case_s_own_office_edits_it_and_only_its_lead_sees_all_of_it(world):
    """Another office's administrator may not edit the case; a prosecutor who does not lead it
    is not told its whole ledger chain, nor is a supervisor."""
    assert access.can_edit_case(world.supervisor, world.case)
    assert not access.can_edit_case(world.foreign_admin, world.case)
    assert access.sees_every_witness_of(world.prosecutor, world.case)
    assert not access.sees_every_witness_of(world.other_prosecutor, world.case)
    assert not access.sees_every_witness_of(world.supervisor, world.case)


def test_a_supervisor_sees_another_office_s_file_only_once_it_is_shared_with_theirs(
    db, world, share
):
    """A witness of another office who consents to share with this office is seen by its
    supervisor and administrator; not before, and never by its officers unless assigned."""
    foreign = world.foreign
    assert not access.may_see_witness(db, world.supervisor, foreign.id)
    share(foreign, world.office)
    assert access.may_see_witness(db, world.supervisor, foreign.id)
    assert access.may_see_witness(db, world.admin, foreign.id)
    assert not access.may_see_witness(db, world.officer, foreign.id)
