"""Special measures per witness per hearing: proposed, applied for, granted or refused.

Children and complainants of trafficking are presumed to need protection in court; for them the
standard measures are proposed as soon as a trial hearing is listed (or they join its case), so
nobody has to remember to ask.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Hearing, HearingStatus, HearingType
from witness.core.access import can_manage_witness, require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.notify.models import News, NewsKind
from witness.people.models import Participation, ParticipationRole, Witness
from witness.risk import triggers as risk_triggers
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

#: hearings at which witnesses give evidence
EVIDENCE_HEARINGS = frozenset({HearingType.trial_day})

CHILD_STANDARD = (
    MeasureKind.video_link,
    MeasureKind.screens,
    MeasureKind.support_person,
    MeasureKind.pre_recorded_evidence_in_chief,
    MeasureKind.pre_recorded_cross_examination,
    MeasureKind.intermediary,
    MeasureKind.removal_of_wigs_and_gowns,
)
TRAFFICKING_STANDARD = (
    MeasureKind.video_link,
    MeasureKind.screens,
    MeasureKind.support_person,
    MeasureKind.evidence_in_private,
)


def standard_measures(
    witness: Witness, participation: Participation, on: date
) -> list[MeasureKind]:
    """The measures proposed without asking, for this witness in this case."""
    kinds: list[MeasureKind] = []
    if witness.is_child_on(on):
        kinds += CHILD_STANDARD
    complainant = participation.role is ParticipationRole.victim_witness
    if complainant and participation.case.is_trafficking:
        kinds += [k for k in TRAFFICKING_STANDARD if k not in kinds]
    if kinds and witness.needs_interpreter:
        kinds.append(MeasureKind.interpreter)
    return kinds


def propose_for_hearing(session: Session, actor: User | None, hearing: Hearing) -> int:
    """Propose the standard measures for every witness of the hearing's case; returns how many
    were added (existing proposals are left as they are)."""
    if hearing.type not in EVIDENCE_HEARINGS:
        return 0
    participations = session.scalars(
        select(Participation)
        .where(Participation.case_id == hearing.case_id)
        .options(joinedload(Participation.witness))
    ).all()
    return sum(_propose_standard(session, actor, hearing, p.witness, p) for p in participations)


def propose_for_participation(session: Session, actor: User | None, participation) -> int:
    """A witness who joins a case gets the standard measures for its future trial hearings."""
    hearings = session.scalars(
        select(Hearing).where(
            Hearing.case_id == participation.case_id,
            Hearing.type.in_(EVIDENCE_HEARINGS),
            Hearing.status.in_([HearingStatus.listed, HearingStatus.moved]),
            Hearing.start_dt > now_utc(),
        )
    ).all()
    return sum(
        _propose_standard(session, actor, h, participation.witness, participation) for h in hearings
    )


def _propose_standard(session, actor, hearing, witness, participation) -> int:
    kinds = standard_measures(witness, participation, hearing.start_dt.date())
    have = set(
        session.scalars(
            select(SpecialMeasure.kind).where(
                SpecialMeasure.witness_id == witness.id, SpecialMeasure.hearing_id == hearing.id
            )
        )
    )
    added = [k for k in kinds if k not in have]
    session.add_all(
        SpecialMeasure(
            witness_id=witness.id,
            hearing_id=hearing.id,
            kind=k,
            is_standard=True,
            proposed_by_id=actor.id if actor is not None else None,
        )
        for k in added
    )
    if added:
        session.flush()
        record_event(
            session,
            actor,
            "measure.propose_standard",
            object_type="hearing",
            object_id=hearing.id,
            witness_id=witness.id,
            kinds=[k.value for k in added],
        )
    return len(added)


def propose_measure(
    session: Session, actor: User, witness: Witness, hearing: Hearing, kind: MeasureKind
) -> SpecialMeasure:
    """Propose a measure for the witness at a hearing of one of their cases (their office)."""
    require(can_manage_witness(actor, witness))
    if not any(p.case_id == hearing.case_id for p in witness.participations):
        raise DomainError(
            gettext("Choose a hearing of one of the witness's cases."), field="hearing_id"
        )
    existing = session.scalar(
        select(SpecialMeasure).where(
            SpecialMeasure.witness_id == witness.id,
            SpecialMeasure.hearing_id == hearing.id,
            SpecialMeasure.kind == kind,
        )
    )
    if existing is not None:
        raise DomainError(
            gettext(
                "%(label)s is already %(lower)s.",
                label=kind.label,
                lower=existing.status.label.lower(),
            ),
            "kind",
        )
    measure = SpecialMeasure(
        witness_id=witness.id, hearing_id=hearing.id, kind=kind, proposed_by_id=actor.id
    )
    session.add(measure)
    session.flush()
    record_event(session, actor, "measure.propose", measure, witness_id=witness.id, kind=kind)
    return measure


def apply_for_measure(session: Session, actor: User, measure: SpecialMeasure) -> SpecialMeasure:
    """The application has gone to the court."""
    require(can_manage_witness(actor, measure.witness))
    if measure.status is not MeasureStatus.proposed:
        raise DomainError(
            gettext(
                "Only a proposed measure can be applied for (%(label)s).", label=measure.kind.label
            )
        )
    measure.status = MeasureStatus.applied
    measure.applied_dt = now_utc()
    record_event(session, actor, "measure.apply", measure, witness_id=measure.witness_id)
    return measure


def decide_measure(
    session: Session, actor: User, measure: SpecialMeasure, *, granted: bool, note: str = ""
) -> SpecialMeasure:
    """Record the court's decision; the witness must be told, so it becomes news for them."""
    require(can_manage_witness(actor, measure.witness))
    if measure.status is not MeasureStatus.applied:
        raise DomainError(gettext("Record the decision once the measure has been applied for."))
    measure.status = MeasureStatus.granted if granted else MeasureStatus.refused
    measure.decided_dt = now_utc()
    measure.decision_note = clean_text(note, "note", multiline=True, max_length=2000)
    outcome = "granted" if granted else "refused"
    session.add(
        News(
            witness_id=measure.witness_id,
            case_id=measure.hearing.case_id,
            kind=NewsKind.special_measure_decision,
            summary=f"{measure.kind.label} {outcome} for {measure.hearing.type.label.lower()} "
            f"on {measure.hearing.start_dt:%d %b %Y}",
        )
    )
    record_event(
        session, actor, "measure.decide", measure, witness_id=measure.witness_id, granted=granted
    )
    if not granted:
        risk_triggers.measure_refused(session, actor, measure)
    return measure


def withdraw_measure(session: Session, actor: User, measure: SpecialMeasure, note: str):
    """No longer sought (the witness does not want it, or it no longer applies)."""
    require(can_manage_witness(actor, measure.witness))
    if measure.status not in (MeasureStatus.proposed, MeasureStatus.applied):
        raise DomainError(gettext("Only a proposed or applied-for measure can be withdrawn."))
    note = clean_text(note, "note", multiline=True, max_length=2000)
    if not note:
        raise DomainError(gettext("Say why the measure is withdrawn."), field="note")
    measure.status = MeasureStatus.withdrawn
    measure.decision_note = note
    record_event(session, actor, "measure.withdraw", measure, witness_id=measure.witness_id)
    return measure


def measures_for_witness(session: Session, witness: Witness) -> list[SpecialMeasure]:
    """The witness's measures by hearing start, then kind, with their hearings."""
    return list(
        session.scalars(
            select(SpecialMeasure)
            .join(Hearing, Hearing.id == SpecialMeasure.hearing_id)
            .where(SpecialMeasure.witness_id == witness.id)
            .order_by(Hearing.start_dt, SpecialMeasure.kind)
            .options(joinedload(SpecialMeasure.hearing))
        )
    )


def needs_video_link_booking(session: Session, measure: SpecialMeasure) -> bool:
    """A granted video link with no video-link session booked for that hearing yet."""
    if measure.kind is not MeasureKind.video_link or measure.status is not MeasureStatus.granted:
        return False
    booked = session.scalar(
        select(Appointment.id).where(
            Appointment.witness_id == measure.witness_id,
            Appointment.hearing_id == measure.hearing_id,
            Appointment.kind == AppointmentKind.video_link,
            Appointment.status != AppointmentStatus.cancelled,
        )
    )
    return booked is None
