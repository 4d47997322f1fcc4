"""Need to know: the one place that decides who may see and change which witness, and what may
be sent to a witness.

Every witness route, every list, every file and every job goes through here. Lists filter in
SQL with the clauses below, so a record the actor may not see never reaches Python. A refusal is
reported as ``NotFound`` (the record's existence is not revealed) and audited. One function per
rule; ``tests/test_access_rules.py`` has a test per clause.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from witness.audit.services import audit_type, record_event
from witness.auth.models import Role, User
from witness.cases.models import Case, Hearing
from witness.core.errors import AccessDenied, NotFound
from witness.hearings.models import SpecialMeasure
from witness.ledger.models import SupportItem
from witness.notify.models import (
    ContactPreference,
    WithheldReason,
    preferred_address,
    wants_news,
)
from witness.outcomes.models import EventKind
from witness.people.models import (
    Assignment,
    Channel,
    Consent,
    ConsentKind,
    Participation,
    Witness,
    is_child,
)
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentStaff

OFFICE_ROLES = frozenset({Role.admin, Role.supervisor, Role.liaison_officer})
CASE_EDITOR_ROLES = frozenset({Role.admin, Role.supervisor, Role.liaison_officer, Role.prosecutor})
#: who may attend an appointment with a witness (when they may also see the witness)
STAFF_ROLES = frozenset({Role.liaison_officer, Role.ngo_worker, Role.supervisor, Role.prosecutor})
#: who adds and withdraws court rooms, and sees every remote site's location
RESOURCE_MANAGERS = frozenset({Role.admin, Role.supervisor})
#: who may open the week of anyone of their office
WEEK_OPENERS = frozenset({Role.admin, Role.supervisor})


# --- consent ---------------------------------------------------------------------------------


def _current_consent(kind: ConsentKind) -> tuple[ColumnElement[bool], ...]:
    """A witness's decision of ``kind`` that stands now and is a yes: the one clause every
    consent rule below is made of."""
    return (Consent.kind == kind, Consent.is_current.is_(True), Consent.is_granted.is_(True))


def sharing_organisations(witness_id, *, identity: bool = False):
    """SQL: the ids of the organisations the witness currently shares the file with (and their
    identity, when ``identity``). ``witness_id`` is a value or a column to correlate with."""
    conditions = [Consent.witness_id == witness_id, *_current_consent(ConsentKind.share)]
    if identity:
        conditions.append(Consent.includes_identity.is_(True))
    return select(Consent.organisation_id).where(*conditions)


def accepts_channel(session: Session, witness_id: int, channel: Channel) -> bool:
    """The witness's current decision about being contacted by ``channel`` is a yes."""
    return (
        session.scalar(
            select(Consent.id).where(
                Consent.witness_id == witness_id,
                Consent.channel == channel,
                *_current_consent(ConsentKind.notify),
            )
        )
        is not None
    )


def accepted_channels(session: Session, witness_ids: Iterable[int]) -> dict[int, set[Channel]]:
    """``accepts_channel`` for many witnesses at once: each one's channels with a yes."""
    found: dict[int, set[Channel]] = {wid: set() for wid in witness_ids}
    if not found:
        return found
    rows = session.execute(
        select(Consent.witness_id, Consent.channel).where(
            Consent.witness_id.in_(found),
            Consent.channel.is_not(None),
            *_current_consent(ConsentKind.notify),
        )
    )
    for witness_id, channel in rows:
        found[witness_id].add(channel)
    return found


def _same_address(channel: Channel, given: str | None, current: str | None) -> bool:
    if channel is Channel.email:  # the domain is case-blind, and nobody types case to mean much
        return (given or "").strip().casefold() == (current or "").strip().casefold()
    return " ".join((given or "").split()) == " ".join((current or "").split())


def witness_contact_refusal(
    session: Session, witness: Witness, channel: Channel, address: str | None
) -> WithheldReason | None:
    """Why a message to the witness by ``channel`` at ``address`` must not go now, or None.

    Asked when a message is queued and again at the moment it is handed over (SMTP, the print
    run, the call list): the witness may have withdrawn consent, or moved, in between."""
    if not accepts_channel(session, witness.id, channel):
        return WithheldReason.consent_withdrawn
    current = {
        Channel.email: witness.email,
        Channel.phone: witness.phone,
        Channel.post: witness.address,
    }.get(channel)
    if not current or not (address or "").strip():
        return WithheldReason.no_address
    if not _same_address(channel, address, current):
        return WithheldReason.address_changed
    return None


def current_preference(session: Session, witness_id: int) -> ContactPreference | None:
    """The witness's contact preferences in force, or None if none were recorded."""
    return session.scalar(
        select(ContactPreference)
        .where(ContactPreference.witness_id == witness_id, ContactPreference.is_current)
        .order_by(ContactPreference.id.desc())
        .limit(1)
    )


def notification_refusal(
    session: Session,
    witness: Witness,
    channel: Channel,
    address: str | None,
    kind: EventKind | None,
) -> WithheldReason | None:
    """Why news of ``kind`` to the witness by ``channel`` at ``address`` must not go now, or
    None. The rule for every channel of notification (a letter at its print run, an e-mail
    when handed to SMTP, a call when dialled, a visit): asked again at delivery, because
    consent, the preferences (opted out, channels) and the safe address may have changed
    since the message was made. Channels without an address (through the NGO, in person)
    pass ``address=None``; ``kind`` None is a notice about the witness's own file (the final
    notice when it is closed)."""
    if not accepts_channel(session, witness.id, channel):
        return WithheldReason.consent_withdrawn
    preference = current_preference(session, witness.id)
    if not wants_news(preference, kind):
        return WithheldReason.opted_out
    if preference is not None and channel.value not in preference.channels:
        return WithheldReason.channel_not_chosen
    if channel not in (Channel.post, Channel.email, Channel.phone):
        return None
    current = preferred_address(preference, witness, channel.value)
    if not current or not (address or "").strip():
        return WithheldReason.no_address
    if not _same_address(channel, address, current):
        return WithheldReason.address_changed
    return None


def invites_in_full_detail(witness, today: date) -> bool:
    """A witness's own invites name the court, the case and the place only when they chose so
    (a recorded choice, see ``people.services.set_invite_detail``) and are an adult today: a
    child's are always discreet. ``witness`` is a loaded witness or a row with its columns."""
    chose = bool(witness.invites_full_detail)
    return chose and not is_child(witness.date_of_birth, witness.is_presumed_child, today)


def staff_contact_refusal(user: User | None, address: str) -> WithheldReason | None:
    """Why a message to a member of staff at ``address`` must not go now, or None: their
    account was disabled, or the address is no longer theirs."""
    if user is None or not user.is_enabled:
        return WithheldReason.account_disabled
    if not _same_address(Channel.email, address, user.email):
        return WithheldReason.address_changed
    return None


# --- who sees which witness and case -----------------------------------------------------------

# These two are IN (uncorrelated subquery) rather than EXISTS: the database reads the short list
# of ids from a covering index once, instead of probing it for every witness in the table
# (measured at 100,000 witnesses: 238 ms -> 0.2 ms for an officer's list count on SQLite).


def _shared_with(org_id: int, *, identity: bool = False) -> ColumnElement[bool]:
    """The witness's current consent shares the file with ``org_id`` (and their identity)."""
    conditions = [Consent.organisation_id == org_id, *_current_consent(ConsentKind.share)]
    if identity:
        conditions.append(Consent.includes_identity.is_(True))
    return Witness.id.in_(select(Consent.witness_id).where(*conditions))


def _assigned_to(user_id: int) -> ColumnElement[bool]:
    return Witness.id.in_(
        select(Assignment.witness_id).where(
            Assignment.user_id == user_id, Assignment.ended_dt.is_(None)
        )
    )


def _in_cases_led_by(user_id: int) -> ColumnElement[bool]:
    return exists().where(
        Participation.witness_id == Witness.id,
        Participation.case_id == Case.id,
        Case.lead_prosecutor_id == user_id,
    )


def visible_witnesses(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``Witness``: the witnesses ``actor`` may see."""
    match actor.role:
        case Role.admin | Role.supervisor:
            return or_(
                Witness.organisation_id == actor.organisation_id,
                _shared_with(actor.organisation_id),
            )
        case Role.liaison_officer:
            return _assigned_to(actor.id)
        case Role.ngo_worker:
            return _shared_with(actor.organisation_id)
        case Role.prosecutor:
            return _in_cases_led_by(actor.id)
    return false()


def visible_cases(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the cases ``actor`` may see."""
    via_witness = exists().where(
        Participation.case_id == Case.id,
        Participation.witness_id == Witness.id,
        visible_witnesses(actor),
    )
    match actor.role:
        case Role.admin | Role.supervisor | Role.liaison_officer:
            return or_(Case.organisation_id == actor.organisation_id, via_witness)
        case Role.prosecutor:
            return Case.lead_prosecutor_id == actor.id
        case Role.ngo_worker:
            return via_witness
    return false()


def may_see_witness(session: Session, actor: User, witness_id: int) -> bool:
    """Whether ``actor`` may see the witness (no audit: for checks, not for loading)."""
    query = select(Witness.id).where(Witness.id == witness_id, visible_witnesses(actor))
    return session.scalar(query) is not None


def get_witness(session: Session, actor: User, witness_id: int) -> Witness:
    """The witness if ``actor`` may see it; otherwise audit the refusal and raise ``NotFound``."""
    witness = session.scalar(
        select(Witness).where(Witness.id == witness_id, visible_witnesses(actor))
    )
    if witness is None:
        record_event(
            session,
            actor,
            "witness.refused",
            object_type="witness",
            object_id=witness_id,
            witness_id=witness_id,
        )
        raise NotFound("No such witness.")
    return witness


def get_case(session: Session, actor: User, case_id: int) -> Case:
    """The case if ``actor`` may see it; otherwise audit the refusal and raise ``NotFound``."""
    case = session.scalar(select(Case).where(Case.id == case_id, visible_cases(actor)))
    if case is None:
        record_event(session, actor, "case.refused", object_type="case", object_id=case_id)
        raise NotFound("No such case.")
    return case


def sees_every_witness_of(actor: User, case: Case) -> bool:
    """The case's lead prosecutor sees every witness in it (``visible_witnesses``); anyone else
    may see only some, so what they are told of the whole case (its ledger chain's length and
    head hash) must not count the others. A rule, not a count: whether someone else's witness
    is in the case is itself not to be revealed."""
    return actor.role is Role.prosecutor and case.lead_prosecutor_id == actor.id


def get_hearing(session: Session, actor: User, hearing_id: int) -> Hearing:
    """The hearing if the actor may see its case; otherwise audit the refusal, raise NotFound."""
    hearing = session.scalar(
        select(Hearing)
        .join(Case, Case.id == Hearing.case_id)
        .where(Hearing.id == hearing_id, visible_cases(actor))
    )
    if hearing is None:
        record_event(session, actor, "hearing.refused", object_type="hearing", object_id=hearing_id)
        raise NotFound("No such hearing.")
    return hearing


def via_witness(session: Session, actor: User, model, ident: int, what: str):
    """A record of a witness (a letter, an impact statement, a claim, an item of property):
    seen by who sees the witness; otherwise the refusal is audited (``<kind>.refused``) and
    ``NotFound`` raised."""
    record = session.get(model, ident)
    kind = audit_type(model)
    if record is None or not may_see_witness(session, actor, record.witness_id):
        record_event(
            session,
            actor,
            f"{kind}.refused",
            object_type=kind,
            object_id=ident,
            witness_id=record.witness_id if record is not None else None,
        )
        raise NotFound(f"No such {what}.")
    return record


def get_special_measure(session: Session, actor: User, measure_id: int) -> SpecialMeasure:
    """The special measure if the actor may see its witness. An unknown id is audited as
    ``measure.refused``, one of a hidden witness as ``witness.refused`` (``get_witness``)."""
    measure = session.get(SpecialMeasure, measure_id)
    if measure is None:
        record_event(
            session, actor, "measure.refused", object_type="special_measure", object_id=measure_id
        )
        raise NotFound("No such special measure.")
    _witness_of(session, actor, measure.witness_id, "No such special measure.")
    return measure


def get_support_item(session: Session, actor: User, item_id: int) -> SupportItem:
    """The ledger entry if ``actor`` may see its witness; otherwise the refusal is audited
    (``support.refused`` for an unknown entry, ``witness.refused`` for a witness they may not
    see) and ``NotFound`` raised."""
    item = session.get(SupportItem, item_id)
    if item is None:
        record_event(
            session, actor, "support.refused", object_type="support_item", object_id=item_id
        )
        raise NotFound("No such entry.")
    _witness_of(session, actor, item.witness_id, "No such entry.")
    return item


def _witness_of(session: Session, actor: User, witness_id: int, message: str) -> None:
    """``get_witness`` (a hidden witness's refusal audited), answered as ``message``: a record
    of a hidden witness reads as one that is not there, so ids cannot be probed."""
    try:
        get_witness(session, actor, witness_id)
    except NotFound as exc:
        raise NotFound(message) from exc


def can_see_identity(session: Session, actor: User, witness: Witness) -> bool:
    """Legal name, date of birth and contact details: everyone who sees the witness through
    their own office or a case, but an NGO only when the sharing consent covers them."""
    if can_manage_witness(actor, witness) or actor.role is Role.prosecutor:
        return True  # a prosecutor sees the witness only through a case they lead
    shared = _shared_with(actor.organisation_id, identity=True)
    return bool(session.scalar(select(Witness.id).where(Witness.id == witness.id, shared)))


def can_manage_witness(actor: User, witness: Witness) -> bool:
    """Edit the file, change phases, record consents and assignments: the owning office, and
    no one once the file is anonymised (what is left is the pseudonymised record)."""
    if witness.anonymised_dt is not None:
        return False
    return actor.organisation_id == witness.organisation_id and actor.role in OFFICE_ROLES


def can_hold_witness(actor: User, witness: Witness) -> bool:
    """Place or lift a legal hold, and see the office's retention list: the owning office's
    supervisors and administrators."""
    return actor.organisation_id == witness.organisation_id and actor.role in (
        Role.admin,
        Role.supervisor,
    )


def can_record_needs(actor: User, witness: Witness) -> bool:
    """Needs are assessed by the owning office and by NGO workers the witness shares with
    (no one once the file is anonymised)."""
    if witness.anonymised_dt is not None:
        return False
    return can_manage_witness(actor, witness) or actor.role is Role.ngo_worker


def can_edit_case(actor: User, case: Case) -> bool:
    return actor.organisation_id == case.organisation_id and actor.role in CASE_EDITOR_ROLES


def require(allowed: bool, message: str = "You may not change this record.") -> None:
    if not allowed:
        raise AccessDenied(message)


# --- who may be put beside a witness ------------------------------------------------------------


def assignable_staff(witness: Witness) -> ColumnElement[bool]:
    """SQL condition on ``User``: who may be assigned to the witness — enabled liaison officers
    of the owning office, and enabled NGO workers of organisations the witness shares with."""
    return and_(
        User.is_enabled.is_(True),
        or_(
            and_(
                User.role == Role.liaison_officer,
                User.organisation_id == witness.organisation_id,
            ),
            and_(
                User.role == Role.ngo_worker,
                User.organisation_id.in_(sharing_organisations(witness.id)),
            ),
        ),
    )


def attending_staff(witness: Witness) -> ColumnElement[bool]:
    """SQL condition on ``User``: who may attend an appointment with the witness — enabled
    staff (officers, supervisors, NGO workers, prosecutors) of the owning office, or who may see
    the witness: an NGO the witness shares with, the officer assigned, the case's prosecutor."""
    sees = or_(
        and_(
            User.role.in_([Role.supervisor, Role.ngo_worker]),
            User.organisation_id.in_(sharing_organisations(witness.id)),
        ),
        and_(
            User.role == Role.liaison_officer,
            User.id.in_(
                select(Assignment.user_id).where(
                    Assignment.witness_id == witness.id, Assignment.ended_dt.is_(None)
                )
            ),
        ),
        and_(
            User.role == Role.prosecutor,
            User.id.in_(
                select(Case.lead_prosecutor_id)
                .join(Participation, Participation.case_id == Case.id)
                .where(Participation.witness_id == witness.id)
            ),
        ),
    )
    return and_(
        User.is_enabled.is_(True),
        User.role.in_(STAFF_ROLES),
        or_(User.organisation_id == witness.organisation_id, sees),
    )


def may_attend(session: Session, user: User, witness: Witness) -> bool:
    """``attending_staff`` for one user."""
    query = select(User.id).where(User.id == user.id, attending_staff(witness))
    return session.scalar(query) is not None


# --- appointments -------------------------------------------------------------------------------


def visible_appointments(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``Appointment``: those of witnesses the actor may see, or that they
    attend."""
    attends = Appointment.id.in_(
        select(AppointmentStaff.appointment_id).where(AppointmentStaff.user_id == actor.id)
    )
    # EXISTS probes the one witness of each appointment by its key; an IN over every visible
    # witness would read a whole office's files first (100 ms per query for a supervisor at
    # 100,000 witnesses).
    witness_visible = exists().where(Witness.id == Appointment.witness_id, visible_witnesses(actor))
    return or_(witness_visible, attends)


def get_appointment(session: Session, actor: User, appointment_id: int) -> Appointment:
    """The appointment if ``actor`` may see it; otherwise audit the refusal, raise NotFound."""
    appointment = session.scalar(
        select(Appointment)
        .where(Appointment.id == appointment_id, visible_appointments(actor))
        .options(
            selectinload(Appointment.staff_links).joinedload(AppointmentStaff.user),
            joinedload(Appointment.resource).joinedload(Resource.court),
            joinedload(Appointment.hearing),
            joinedload(Appointment.witness),
        )
    )
    if appointment is None:
        record_event(
            session,
            actor,
            "appointment.refused",
            object_type="appointment",
            object_id=appointment_id,
        )
        raise NotFound("No such appointment.")
    return appointment


def can_manage_appointment(actor: User, appointment: Appointment) -> bool:
    """Book, move, cancel, hand over the witness's invite: the owning office."""
    return actor.organisation_id == appointment.organisation_id and actor.role in OFFICE_ROLES


def attends(actor: User, appointment: Appointment) -> bool:
    return any(link.user_id == actor.id for link in appointment.staff_links)


def can_update_status(actor: User, appointment: Appointment) -> bool:
    """Confirm and complete: the owning office and the staff attending."""
    return can_manage_appointment(actor, appointment) or attends(actor, appointment)


def can_see_place(actor: User, appointment: Appointment) -> bool:
    """Where an appointment takes place — an address typed on it (a shelter, an office), a
    remote witness site's location: the owning office and the staff attending only, on the
    page, in files and in the API alike."""
    return can_update_status(actor, appointment)


def can_manage_rooms(actor: User) -> bool:
    """Add, change and withdraw court rooms and remote sites: supervisors and administrators."""
    return actor.role in RESOURCE_MANAGERS


def can_open_week(actor: User, owner: User) -> bool:
    """A member of staff's week of appointments: their own; a supervisor or administrator may
    open that of anyone of their office."""
    if actor.id == owner.id:
        return True
    return actor.role in WEEK_OPENERS and owner.organisation_id == actor.organisation_id


def can_see_site(actor: User, resource: Resource, *, attends_there: bool) -> bool:
    """Where a room is: every court room is public, a remote witness site's location only for
    room managers and the staff attending a booking there."""
    return not resource.is_sensitive or actor.role in RESOURCE_MANAGERS or attends_there


# --- the office's mail and audit log -------------------------------------------------------------


def can_see_outbox(actor: User) -> bool:
    """The office's outbox (every mail it sent, to whom): its own staff, not partners."""
    return actor.role in OFFICE_ROLES


def can_read_audit_log(actor: User) -> bool:
    """Who read or changed what in the office: its administrators and supervisors."""
    return actor.role in (Role.admin, Role.supervisor)


def can_see_access_log(actor: User, witness: Witness) -> bool:
    """Who looked at a witness's file, when and from where: the administrators and supervisors
    of the witness's own office (not those of an organisation the file is shared with)."""
    return can_read_audit_log(actor) and witness.organisation_id == actor.organisation_id


def own_work(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``Witness``: the files ``actor`` reads as their ordinary work, so that
    reading them is never unusual (``audit.watch``). A witness assigned to them now (an officer
    or an NGO worker), one in a case they lead (a prosecutor), and for a supervisor or an
    administrator every witness of their own office. Anything else they open (a file shared
    with their organisation, say) or try to open (a refusal) is reading outside their work."""
    conditions = [_assigned_to(actor.id)]
    if actor.role is Role.prosecutor:
        conditions.append(_in_cases_led_by(actor.id))
    if actor.role in (Role.admin, Role.supervisor):
        conditions.append(Witness.organisation_id == actor.organisation_id)
    return or_(*conditions)


# --- loading one record -----------------------------------------------------------------------

#: how each kind of record is loaded through need to know (``core.web.load_or_404``); each
#: loader audits a refusal and raises ``NotFound``
LOADERS = {
    Witness: get_witness,
    Case: get_case,
    Appointment: get_appointment,
    Hearing: get_hearing,
    SpecialMeasure: get_special_measure,
    SupportItem: get_support_item,
}


def load(session: Session, actor: User, model, ident: int):
    """The record of ``model`` with id ``ident`` as ``actor`` may see it, or ``NotFound`` with
    the refusal audited."""
    return LOADERS[model](session, actor, ident)
