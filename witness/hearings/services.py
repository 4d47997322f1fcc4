"""Hearings of a case: listing, moving (history kept, appointments flagged, witnesses to be
told), vacating, held."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case, Hearing, HearingChange, HearingStatus, HearingType
from witness.core.access import can_edit_case, get_case, require
from witness.core.errors import DomainError, NotFound
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import format_span
from witness.hearings.measures import propose_for_hearing
from witness.notify.models import News, NewsKind
from witness.people.models import Participation
from witness.risk import triggers as risk_triggers
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import Appointment, AppointmentStatus

#: a hearing listed for longer than this is a typing mistake, not a hearing
MAX_HEARING = timedelta(hours=12)


def _check_times(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise DomainError(gettext("Give times with their timezone."), field="start")
    if end <= start:
        raise DomainError(gettext("The end must be after the start."), field="end")
    if end - start > MAX_HEARING:
        raise DomainError(gettext("A hearing lasts at most 12 hours; list each day."), field="end")


def _check_courtroom(session: Session, case: Case, courtroom_id: int | None) -> None:
    if courtroom_id is None:
        return
    room = session.get(Resource, courtroom_id)
    if room is None or room.court_id != case.court_id or room.kind is not ResourceKind.courtroom:
        raise DomainError(gettext("Choose a courtroom of the case's court."), field="courtroom_id")


def _check_external_ref(session: Session, case: Case, ref: str | None, hearing_id=None):
    if not ref:
        return None
    ref = clean_text(ref, "external_ref", max_length=80)
    query = select(Hearing.id).where(Hearing.court_id == case.court_id, Hearing.external_ref == ref)
    if hearing_id is not None:
        query = query.where(Hearing.id != hearing_id)
    if session.scalar(query) is not None:
        raise DomainError(
            gettext("The court already lists a hearing as %(ref)s.", ref=repr(ref)),
            field="external_ref",
        )
    return ref


def create_hearing(
    session: Session,
    actor: User,
    case: Case,
    *,
    type: HearingType,
    start: datetime,
    end: datetime,
    courtroom_id: int | None = None,
    external_ref: str | None = None,
    notes: str = "",
) -> Hearing:
    """List a hearing of the case; standard special measures are proposed for the children
    and trafficking complainants who will give evidence."""
    require(can_edit_case(actor, case), "Only the case's office lists its hearings.")
    _check_times(start, end)
    _check_courtroom(session, case, courtroom_id)
    hearing = Hearing(
        case_id=case.id,
        court_id=case.court_id,
        type=type,
        start_dt=start,
        end_dt=end,
        courtroom_id=courtroom_id,
        external_ref=_check_external_ref(session, case, external_ref),
        notes=clean_text(notes, "notes", multiline=True, max_length=4000),
    )
    session.add(hearing)
    session.flush()
    record_event(session, actor, "hearing.create", hearing, case_id=case.id, type=type)
    propose_for_hearing(session, actor, hearing)
    risk_triggers.hearing_listed(session, actor, hearing)
    return hearing


def move_hearing(
    session: Session,
    actor: User | None,
    hearing: Hearing,
    *,
    start: datetime,
    end: datetime,
    reason: str,
    courtroom_id: int | None = None,
) -> list[Appointment]:
    """Move the hearing; its history is kept and each active appointment that serves it is
    flagged for rescheduling, and each witness in the case gets news to be told. ``actor`` is
    None when a court system posts the move. Returns the flagged appointments."""
    if actor is not None:
        require(can_edit_case(actor, hearing.case), "Only the case's office moves its hearings.")
    if hearing.status in (HearingStatus.vacated, HearingStatus.held):
        raise DomainError(
            gettext("A %(lower)s hearing cannot be moved.", lower=hearing.status.label.lower())
        )
    _check_times(start, end)
    if courtroom_id is not None:
        _check_courtroom(session, hearing.case, courtroom_id)
    reason = _reason(reason)
    if (
        start == hearing.start_dt
        and end == hearing.end_dt
        and courtroom_id
        in (
            None,
            hearing.courtroom_id,
        )
    ):
        raise DomainError(gettext("The hearing is already listed at that time."), field="start")
    _record_change(session, actor, hearing, HearingStatus.moved, start, end, reason)
    hearing.start_dt, hearing.end_dt = start, end
    if courtroom_id is not None:
        hearing.courtroom_id = courtroom_id
    flagged = _flag_appointments(session, hearing)
    when = format_span(start, end, hearing.case.court.timezone)
    _news_for_witnesses(
        session, hearing, NewsKind.hearing_moved, f"{hearing.type.label} moved to {when}: {reason}"
    )
    record_event(
        session, actor, "hearing.move", hearing, case_id=hearing.case_id, flagged=len(flagged)
    )
    risk_triggers.hearing_moved(session, actor, hearing)
    return flagged


def vacate_hearing(session: Session, actor: User | None, hearing: Hearing, reason: str) -> None:
    """Take the hearing out of the list; appointments serving it are flagged."""
    if actor is not None:
        require(can_edit_case(actor, hearing.case))
    if hearing.status in (HearingStatus.vacated, HearingStatus.held):
        raise DomainError(
            gettext("This hearing is already %(lower)s.", lower=hearing.status.label.lower())
        )
    reason = _reason(reason)
    _record_change(session, actor, hearing, HearingStatus.vacated, None, None, reason)
    _flag_appointments(session, hearing)
    _news_for_witnesses(
        session, hearing, NewsKind.hearing_vacated, f"{hearing.type.label} will not take place"
    )
    record_event(session, actor, "hearing.vacate", hearing, case_id=hearing.case_id)


def mark_held(session: Session, actor: User, hearing: Hearing) -> None:
    """The hearing took place."""
    require(can_edit_case(actor, hearing.case))
    if hearing.status in (HearingStatus.vacated, HearingStatus.held):
        raise DomainError(
            gettext("This hearing is already %(lower)s.", lower=hearing.status.label.lower())
        )
    _record_change(session, actor, hearing, HearingStatus.held, None, None, "Hearing held")
    record_event(session, actor, "hearing.held", hearing, case_id=hearing.case_id)


def _reason(reason: str | None) -> str:
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Give a reason for the change."), field="reason")
    return reason


def _record_change(session, actor, hearing, to_status, start, end, reason) -> None:
    session.add(
        HearingChange(
            hearing_id=hearing.id,
            actor_id=actor.id if actor is not None else None,
            from_status=hearing.status,
            to_status=to_status,
            from_start_dt=hearing.start_dt,
            from_end_dt=hearing.end_dt,
            to_start_dt=start or hearing.start_dt,
            to_end_dt=end or hearing.end_dt,
            reason=reason,
        )
    )
    hearing.status = to_status


def _flag_appointments(session: Session, hearing: Hearing) -> list[Appointment]:
    active = [AppointmentStatus.scheduled, AppointmentStatus.confirmed]
    flagged = list(
        session.scalars(
            select(Appointment).where(
                Appointment.hearing_id == hearing.id, Appointment.status.in_(active)
            )
        )
    )
    session.execute(
        update(Appointment)
        .where(Appointment.hearing_id == hearing.id, Appointment.status.in_(active))
        .values(needs_reschedule=True)
        .execution_options(synchronize_session="fetch")
    )
    return flagged


def _news_for_witnesses(session: Session, hearing: Hearing, kind: NewsKind, summary: str):
    witness_ids = session.scalars(
        select(Participation.witness_id).where(Participation.case_id == hearing.case_id)
    ).all()
    session.add_all(
        News(witness_id=wid, case_id=hearing.case_id, kind=kind, summary=summary)
        for wid in witness_ids
    )


def find_by_external_ref(session: Session, actor: User, court_id: int, ref: str) -> Hearing:
    """The hearing a court system lists as ``ref``, if the actor may see its case."""
    hearing = session.scalar(
        select(Hearing).where(Hearing.court_id == court_id, Hearing.external_ref == ref)
    )
    if hearing is None:
        raise NotFound("No such hearing.")
    get_case(session, actor, hearing.case_id)
    return hearing
