"""Witness files, participation and phases, consents, assignments and needs.

Services take a session and an actor, check need to know, flush when they need ids and never
commit; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, joinedload

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Case
from witness.core.access import (
    assignable_staff,
    can_manage_witness,
    can_record_needs,
    get_case,
    require,
)
from witness.core.errors import DomainError, InvalidTransition
from witness.core.i18n import format_when, gettext, reader
from witness.core.time import now_utc
from witness.notify.models import ContactAttempt
from witness.people import phases
from witness.people.models import (
    Assignment,
    Channel,
    Consent,
    ConsentKind,
    NeedArea,
    NeedsAssessment,
    Participation,
    ParticipationRole,
    Phase,
    PhaseTransition,
    Witness,
)
from witness.risk import triggers as risk_triggers

#: fields of a witness file that staff may edit
WITNESS_FIELDS = (
    "reference",
    "legal_name",
    "date_of_birth",
    "gender",
    "nationality",
    "languages",
    "needs_interpreter",
    "is_presumed_child",
    "guardian_name",
    "guardian_contact",
    "phone",
    "email",
    "address",
)


#: the longest each encrypted field may be: its column (text, holding the ciphertext) no longer
#: refuses a longer value, so the service does (the forms and the API say the same)
ENCRYPTED_LENGTHS = {
    "legal_name": 200,
    "phone": 40,
    "email": 254,
    "address": 500,
    "guardian_name": 200,
    "guardian_contact": 300,
}


def _check_lengths(fields: dict[str, Any]) -> None:
    for name, limit in ENCRYPTED_LENGTHS.items():
        value = fields.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise DomainError(
                gettext("Use at most %(max_length)s characters.", max_length=limit), field=name
            )


def _check_reference_free(session: Session, reference: str, witness_id: int | None) -> None:
    query = select(Witness.id).where(Witness.reference == reference)
    if witness_id is not None:
        query = query.where(Witness.id != witness_id)
    if session.scalar(query) is not None:
        raise DomainError(
            gettext("The reference %(reference)s is already in use.", reference=repr(reference)),
            field="reference",
        )


def create_witness(session: Session, actor: User, **fields: Any) -> Witness:
    """Open a witness file in the actor's office; an officer who opens it is assigned to it."""
    require(
        actor.role in (Role.admin, Role.supervisor, Role.liaison_officer),
        "Only prosecution office staff open witness files.",
    )
    _check_lengths(fields)
    _check_reference_free(session, fields["reference"], None)
    witness = Witness(organisation_id=actor.organisation_id)
    for name in WITNESS_FIELDS:
        if name in fields:
            setattr(witness, name, fields[name])
    session.add(witness)
    session.flush()
    if actor.role is Role.liaison_officer:
        session.add(Assignment(witness_id=witness.id, user_id=actor.id, assigned_by_id=actor.id))
    record_event(session, actor, "witness.create", witness, witness_id=witness.id)
    return witness


def update_witness(session: Session, actor: User, witness: Witness, **fields: Any) -> list[str]:
    """Change the file's fields; returns the names of the fields that changed."""
    require(can_manage_witness(actor, witness))
    _check_lengths(fields)
    if "reference" in fields:
        _check_reference_free(session, fields["reference"], witness.id)
    changed = []
    for name in WITNESS_FIELDS:
        if name in fields and getattr(witness, name) != fields[name]:
            setattr(witness, name, fields[name])
            changed.append(name)
    if changed:
        # Field names only: the audit log must not become a second copy of sensitive data.
        record_event(
            session, actor, "witness.update", witness, witness_id=witness.id, fields=changed
        )
    if "address" in changed:
        risk_triggers.address_changed(session, actor, witness, now_utc().isoformat())
    return changed


def add_participation(
    session: Session,
    actor: User,
    witness: Witness,
    case_id: int,
    role: ParticipationRole,
    reason: str,
    reflection_end_date: date | None = None,
) -> Participation:
    """Put the witness in a case, starting in the reflection phase."""
    require(can_manage_witness(actor, witness))
    case = get_case(session, actor, case_id)
    already = session.scalar(
        select(
            exists().where(Participation.witness_id == witness.id, Participation.case_id == case.id)
        )
    )
    if already:
        raise DomainError(
            gettext(
                "%(reference)s is already a witness in %(reference2)s.",
                reference=witness.reference,
                reference2=case.reference,
            )
        )
    participation = Participation(
        witness=witness,
        case=case,
        role=role,
        phase=Phase.reflection,
        reflection_end_date=reflection_end_date,
    )
    session.add(participation)
    session.flush()
    session.add(
        PhaseTransition(
            participation=participation,
            from_phase=None,
            to_phase=Phase.reflection,
            actor_id=actor.id,
            reason=_required_reason(reason),
        )
    )
    record_event(
        session,
        actor,
        "participation.create",
        participation,
        witness_id=witness.id,
        case_id=case.id,
    )
    from witness.hearings.measures import propose_for_participation  # builds on people

    propose_for_participation(session, actor, participation)
    return participation


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Give a reason for the change."), field="reason")
    return reason


def closed_from(participation: Participation) -> Phase | None:
    """The phase held before the participation was last closed."""
    for transition in reversed(participation.transitions):
        if transition.to_phase is Phase.closed:
            return transition.from_phase
    return None


def change_phase(
    session: Session,
    actor: User,
    participation: Participation,
    target: Phase,
    reason: str,
    *,
    after_verdict: bool = False,
) -> PhaseTransition:
    """Move a participation to another phase by the rules in ``phases``; the move is kept.

    ``after_verdict``: the move a recorded verdict makes (``outcomes.services``), which has
    checked the actor's right to record it (a court system, the prosecutor); any open phase may
    then go straight to post-trial."""
    if not after_verdict:
        require(can_manage_witness(actor, participation.witness))
    reason = _required_reason(reason)
    current = participation.phase
    previous = closed_from(participation) if current is Phase.closed else None
    if not phases.is_allowed(current, target, previous, after_verdict=after_verdict):
        allowed = ", ".join(p.label for p in phases.allowed_targets(current, previous))
        raise InvalidTransition(
            gettext(
                "A witness cannot move from %(label)s to %(label2)s. Allowed: %(allowed)s.",
                label=current.label,
                label2=target.label,
                allowed=allowed,
            ),
            field="phase",
        )
    transition = PhaseTransition(
        participation=participation,
        from_phase=current,
        to_phase=target,
        actor_id=actor.id,
        reason=reason,
    )
    participation.phase = target
    session.add(transition)
    session.flush()
    record_event(
        session,
        actor,
        "participation.phase_change",
        participation,
        witness_id=participation.witness_id,
        from_phase=current,
        to_phase=target,
    )
    risk_triggers.phase_changed(session, actor, transition)
    return transition


def record_consent(
    session: Session,
    actor: User,
    witness: Witness,
    kind: ConsentKind,
    is_granted: bool,
    *,
    case_id: int | None = None,
    organisation_id: int | None = None,
    includes_identity: bool = False,
    channel: Channel | None = None,
    notes: str = "",
) -> Consent:
    """Record a grant or withdrawal; it replaces the current decision for the same scope."""
    require(can_manage_witness(actor, witness))
    if kind is ConsentKind.share and organisation_id is None:
        raise DomainError(
            gettext("Name the organisation the file may be shared with."), "organisation_id"
        )
    if kind is ConsentKind.notify and channel is None:
        raise DomainError(gettext("Choose the channel for notifications."), field="channel")
    if kind is ConsentKind.participate and case_id is not None:
        get_case(session, actor, case_id)
    scope = {
        ConsentKind.participate: dict(case_id=case_id),
        ConsentKind.share: dict(organisation_id=organisation_id),
        ConsentKind.notify: dict(channel=channel),
    }[kind]
    session.execute(
        update(Consent)
        .where(
            Consent.witness_id == witness.id,
            Consent.kind == kind,
            Consent.is_current.is_(True),
            *(
                getattr(Consent, k) == v if v is not None else getattr(Consent, k).is_(None)
                for k, v in scope.items()
            ),
        )
        .values(is_current=False)
    )
    consent = Consent(
        witness_id=witness.id,
        kind=kind,
        is_granted=is_granted,
        includes_identity=includes_identity if kind is ConsentKind.share else False,
        recorded_by_id=actor.id,
        notes=notes.strip(),
        **scope,
    )
    session.add(consent)
    session.flush()
    record_event(
        session,
        actor,
        "consent.grant" if is_granted else "consent.withdraw",
        consent,
        witness_id=witness.id,
        kind=kind,
    )
    return consent


#: what a consent's description needs, loaded with it
_CONSENT_LOADS = (
    joinedload(Consent.recorded_by),
    joinedload(Consent.organisation),
    joinedload(Consent.case),
)


def current_consents(session: Session, witness: Witness) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.witness_id == witness.id, Consent.is_current.is_(True))
            .order_by(Consent.kind, Consent.id)
            .options(*_CONSENT_LOADS)
        )
    )


def assign_staff(session: Session, actor: User, witness: Witness, user_id: int) -> Assignment:
    """Assign a liaison officer of the owning office, or an NGO worker the witness shares with."""
    require(can_manage_witness(actor, witness))
    staff = session.get(User, user_id)
    if staff is None or not staff.is_enabled:
        raise DomainError(gettext("Choose an active member of staff."), field="user_id")
    eligible = select(User.id).where(User.id == staff.id, assignable_staff(witness))
    if session.scalar(eligible) is None:
        if staff.role is Role.liaison_officer:
            raise DomainError(gettext("That officer belongs to another office."), field="user_id")
        if staff.role is Role.ngo_worker:
            raise DomainError(
                gettext(
                    "%(reference)s has not consented to share their file with %(name)s.",
                    reference=witness.reference,
                    name=staff.organisation.name,
                ),
                field="user_id",
            )
        raise DomainError(
            gettext("Only liaison officers and NGO workers are assigned."), field="user_id"
        )
    active = session.scalar(
        select(Assignment).where(
            Assignment.witness_id == witness.id,
            Assignment.user_id == staff.id,
            Assignment.ended_dt.is_(None),
        )
    )
    if active is not None:
        raise DomainError(
            gettext("%(name)s is already assigned.", name=staff.name), field="user_id"
        )
    assignment = Assignment(witness_id=witness.id, user_id=staff.id, assigned_by_id=actor.id)
    session.add(assignment)
    session.flush()
    record_event(
        session, actor, "assignment.create", assignment, witness_id=witness.id, user_id=staff.id
    )
    return assignment


def end_assignment(session: Session, actor: User, assignment: Assignment) -> None:
    witness = session.get(Witness, assignment.witness_id)
    require(witness is not None and can_manage_witness(actor, witness))
    if assignment.ended_dt is not None:
        raise DomainError(gettext("That assignment has already ended."))
    assignment.ended_dt = now_utc()
    record_event(session, actor, "assignment.end", assignment, witness_id=assignment.witness_id)


def active_assignments(session: Session, witness: Witness) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.witness_id == witness.id, Assignment.ended_dt.is_(None))
            .order_by(Assignment.assigned_dt)
            .options(joinedload(Assignment.user))
        )
    )


def record_need(
    session: Session,
    actor: User,
    witness: Witness,
    area: NeedArea,
    notes: str,
    review_date: date,
) -> NeedsAssessment:
    """Record an assessed need and the date it must be reviewed by."""
    require(can_record_needs(actor, witness))
    need = NeedsAssessment(
        witness_id=witness.id,
        area=area,
        notes=notes.strip(),
        review_date=review_date,
        recorded_by_id=actor.id,
    )
    session.add(need)
    session.flush()
    record_event(session, actor, "need.create", need, witness_id=witness.id, area=area)
    return need


def review_need(
    session: Session,
    actor: User,
    need: NeedsAssessment,
    notes: str,
    review_date: date | None,
    is_open: bool,
) -> None:
    """Review a need: new notes and next review date, or close it as met."""
    witness = session.get(Witness, need.witness_id)
    require(witness is not None and can_record_needs(actor, witness))
    need.notes = notes.strip()
    need.is_open = is_open
    if review_date is not None:
        need.review_date = review_date
    record_event(session, actor, "need.review", need, witness_id=need.witness_id, is_open=is_open)


@dataclass
class TimelineEntry:
    when: Any
    kind: str
    title: str
    detail: str
    actor: str


def witness_timeline(session: Session, witness: Witness) -> list[TimelineEntry]:
    """Phase changes, consents, needs and contact attempts of a witness, newest first."""
    entries: list[TimelineEntry] = []
    transitions = session.scalars(
        select(PhaseTransition)
        .join(Participation)
        .where(Participation.witness_id == witness.id)
        .options(joinedload(PhaseTransition.actor), joinedload(PhaseTransition.participation))
    )
    for t in transitions:
        case: Case = t.participation.case
        title = (
            gettext("Joined %(case)s in %(phase)s", case=case.reference, phase=t.to_phase.label)
            if t.from_phase is None
            else f"{case.reference}: {t.from_phase.label} → {t.to_phase.label}"
        )
        entries.append(TimelineEntry(t.transition_dt, "phase", title, t.reason, t.actor.name))
    consents = select(Consent).where(Consent.witness_id == witness.id).options(*_CONSENT_LOADS)
    for c in session.scalars(consents):
        title = (
            gettext("Consent granted: %(kind)s — %(scope)s", kind=c.kind.label, scope=c.scope_label)
            if c.is_granted
            else gettext(
                "Consent withdrawn: %(kind)s — %(scope)s", kind=c.kind.label, scope=c.scope_label
            )
        )
        entries.append(TimelineEntry(c.recorded_dt, "consent", title, c.notes, c.recorded_by.name))
    needs = (
        select(NeedsAssessment)
        .where(NeedsAssessment.witness_id == witness.id)
        .options(joinedload(NeedsAssessment.recorded_by))
    )
    for n in session.scalars(needs):
        title = gettext(
            "Need assessed: %(area)s (review by %(date)s)",
            area=n.area.label,
            date=format_when(n.review_date, "%d %b %Y", reader()),
        )
        entries.append(TimelineEntry(n.recorded_dt, "need", title, n.notes, n.recorded_by.name))
    attempts = (
        select(ContactAttempt)
        .where(ContactAttempt.witness_id == witness.id)
        .options(joinedload(ContactAttempt.by), joinedload(ContactAttempt.task))
    )
    for a in session.scalars(attempts):
        channel = Channel(a.channel).label
        title = gettext(
            "Contact attempt (%(channel)s): %(outcome)s — %(event)s",
            channel=channel,
            outcome=a.outcome.label,
            event=a.task.event.kind.label,
        )
        by = a.by.name if a.by is not None else gettext("Witness (sent automatically)")
        entries.append(TimelineEntry(a.attempted_dt, "contact", title, a.note, by))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
