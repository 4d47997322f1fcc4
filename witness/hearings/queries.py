"""What the hearing pages read: a hearing's history and the witnesses of its case the user may
see with their measures, a witness's measures by hearing, a court's day list, and the records a
page names by id (loaders for ``core.web.load_or_404`` that audit a refusal)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case, Court, Hearing, HearingChange, HearingStatus
from witness.core.access import get_witness, visible_cases, visible_witnesses
from witness.core.errors import NotFound
from witness.core.time import now_utc
from witness.hearings.models import MeasureKind, SpecialMeasure
from witness.notify.models import News
from witness.people.models import Participation, Witness
from witness.rooms.models import Resource

#: hearings that will still take place
ACTIVE_HEARING = (HearingStatus.listed, HearingStatus.moved)
#: the order measures are listed in: as ``MeasureKind`` lists them
KIND_ORDER = {kind: i for i, kind in enumerate(MeasureKind)}


# --- loaders -----------------------------------------------------------------------------------


def get_court(session: Session, actor: User, court_id: int) -> Court:
    """The court of a day list; an unknown id is audited as ``court.refused``."""
    court = session.get(Court, court_id)
    if court is None:
        record_event(session, actor, "court.refused", object_type="court", object_id=court_id)
        raise NotFound("No such court.")
    return court


def get_news(session: Session, actor: User, news_id: int) -> News:
    """News to tell a witness the actor may see. An unknown id is audited as ``news.refused``,
    news of a hidden witness as ``witness.refused`` (``get_witness``)."""
    news = session.get(News, news_id)
    if news is None:
        record_event(session, actor, "news.refused", object_type="news", object_id=news_id)
        raise NotFound("No such news.")
    get_witness(session, actor, news.witness_id)
    return news


def find_hearing(session: Session, hearing_id: int | None) -> Hearing | None:
    """A hearing by id (one a form offered), or None."""
    return session.get(Hearing, hearing_id) if hearing_id is not None else None


# --- a case's hearings and a hearing's page --------------------------------------------------


def hearings_of_case(session: Session, case: Case) -> list[Hearing]:
    """The hearings of a case, earliest first, with their courtrooms."""
    return list(
        session.scalars(
            select(Hearing)
            .where(Hearing.case_id == case.id)
            .order_by(Hearing.start_dt, Hearing.id)
            .options(joinedload(Hearing.courtroom))
        )
    )


def changes_of(session: Session, hearing: Hearing) -> list[HearingChange]:
    """The hearing's moves and status changes, oldest first, with who made them."""
    return list(
        session.scalars(
            select(HearingChange)
            .where(HearingChange.hearing_id == hearing.id)
            .order_by(HearingChange.id)
            .options(joinedload(HearingChange.actor))
        )
    )


def visible_participations(session: Session, actor: User, case_id: int) -> list[Participation]:
    """The witnesses of the case ``actor`` may see, by reference, with the witness loaded."""
    return list(
        session.scalars(
            select(Participation)
            .join(Witness, Witness.id == Participation.witness_id)
            .where(Participation.case_id == case_id, visible_witnesses(actor))
            .order_by(Witness.reference)
            .options(contains_eager(Participation.witness))
        )
    )


def measures_at(
    session: Session, hearing: Hearing, witness_ids: list[int]
) -> dict[int, list[SpecialMeasure]]:
    """The measures of these witnesses at the hearing, by witness id, in ``KIND_ORDER``."""
    measures: dict[int, list[SpecialMeasure]] = defaultdict(list)
    if not witness_ids:
        return measures
    rows = session.scalars(
        select(SpecialMeasure).where(
            SpecialMeasure.hearing_id == hearing.id, SpecialMeasure.witness_id.in_(witness_ids)
        )
    )
    for measure in sorted(rows, key=lambda m: KIND_ORDER[m.kind]):
        measures[measure.witness_id].append(measure)
    return measures


def proposed_for(session: Session, hearing: Hearing) -> list[int]:
    """The witness of each measure proposed at the hearing (one id per measure)."""
    return list(
        session.scalars(
            select(SpecialMeasure.witness_id).where(SpecialMeasure.hearing_id == hearing.id)
        )
    )


# --- a witness's measures ----------------------------------------------------------------------


def _by_hearing(measures: Iterable[SpecialMeasure]) -> dict[Hearing, list[SpecialMeasure]]:
    by_hearing: dict[Hearing, list[SpecialMeasure]] = {}
    for m in sorted(measures, key=lambda m: (m.hearing.start_dt, m.hearing_id, KIND_ORDER[m.kind])):
        by_hearing.setdefault(m.hearing, []).append(m)
    return by_hearing


def measures_by_hearing(
    session: Session, witness: Witness, *, ending_after: datetime | None = None
) -> dict[Hearing, list[SpecialMeasure]]:
    """The witness's special measures by hearing, earliest hearing first (only those of
    hearings that end after ``ending_after``, when given), each hearing's case loaded."""
    query = (
        select(SpecialMeasure)
        .join(Hearing, Hearing.id == SpecialMeasure.hearing_id)
        .where(SpecialMeasure.witness_id == witness.id)
        .order_by(Hearing.start_dt, Hearing.id)
        .options(contains_eager(SpecialMeasure.hearing).joinedload(Hearing.case))
    )
    if ending_after is not None:
        query = query.where(Hearing.end_dt >= ending_after)
    return _by_hearing(session.scalars(query))


def hearings_to_come(session: Session, witness: Witness) -> list[Hearing]:
    """Hearings still to come in the witness's cases: those a measure can be proposed for."""
    return list(
        session.scalars(
            select(Hearing)
            .where(
                Hearing.case_id.in_(
                    select(Participation.case_id).where(Participation.witness_id == witness.id)
                ),
                Hearing.status.in_(ACTIVE_HEARING),
                Hearing.end_dt > now_utc(),
            )
            .order_by(Hearing.start_dt, Hearing.id)
            .options(joinedload(Hearing.case))
        )
    )


# --- a court's day -------------------------------------------------------------------------


def day_list(session: Session, actor: User, court: Court, start: datetime, end: datetime):
    """The court's hearings starting in [start, end) of cases ``actor`` may see, as plain rows
    of the columns the list shows: no ORM bookkeeping per row on a long day."""
    return session.execute(
        select(
            Hearing.id,
            Hearing.case_id,
            Hearing.type,
            Hearing.status,
            Hearing.start_dt,
            Hearing.end_dt,
            Case.reference.label("case_reference"),
            Resource.name.label("courtroom"),
        )
        .join(Case, Case.id == Hearing.case_id)
        .outerjoin(Resource, Resource.id == Hearing.courtroom_id)
        .where(
            Hearing.court_id == court.id,
            Hearing.start_dt >= start,
            Hearing.start_dt < end,
            visible_cases(actor),
        )
        .order_by(Hearing.start_dt, Hearing.id)
    ).all()
