"""The custody picture of a defendant, from the latest standing (not superseded) events: where
they are now, the expected release date and every change to it, parole dates, and the orders
and conditions that protect the victim. Read by the pages, the API and ``services`` (which
keeps ``Defendant.custody_status`` and ``expected_release_date`` in step)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.cases.models import CustodyStatus, Defendant
from witness.outcomes.models import EventKind, OutcomeEvent, SentenceKind

_K = EventKind
#: what each kind says about where the defendant is: (words on screen, status kept)
WHERE = {
    _K.remanded: ("Remanded in custody", CustodyStatus.remanded),
    _K.bailed: ("On bail", CustodyStatus.on_bail),
    _K.bail_varied: ("On bail (conditions changed)", CustodyStatus.on_bail),
    _K.transferred: ("In custody", None),
    _K.released: ("Released", CustodyStatus.released),
    _K.temporary_release: ("On temporary release", None),
    _K.escaped: ("Escaped from custody", CustodyStatus.at_large),
    _K.absconded: ("Absconded", CustodyStatus.at_large),
    _K.recaptured: ("Back in custody", CustodyStatus.serving_sentence),
    _K.deported: ("Deported", CustodyStatus.released),
    _K.died: ("Died", CustodyStatus.deceased),
}
#: kinds that name the place the defendant is held
PLACES = frozenset({_K.remanded, _K.transferred, _K.recaptured, _K.parole_hearing})
#: kinds whose conditions bind the defendant now (bail, licence)
CONDITIONS = frozenset({_K.remanded, _K.bailed, _K.bail_varied, _K.released, _K.temporary_release})


@dataclass
class ReleaseChange:
    effective_date: date
    release_date: date
    event: OutcomeEvent


@dataclass
class CustodyPicture:
    """Where a defendant is, as the standing events say (``None``: no event says)."""

    status: str | None = None
    since: date | None = None
    custody_status: CustodyStatus | None = None
    institution: str = ""
    conditions: str = ""
    expected_release: date | None = None
    #: every standing change to the expected release date, oldest first
    release_changes: list[ReleaseChange] = field(default_factory=list)
    #: whether any standing event speaks of release (else the date entered by hand stands)
    release_known: bool = False
    parole_eligible: date | None = None
    parole_hearings: list[date] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    events: list[OutcomeEvent] = field(default_factory=list)


def standing():
    """SQL condition on ``OutcomeEvent``: not superseded by a correction."""
    corrected = select(OutcomeEvent.supersedes_id).where(OutcomeEvent.supersedes_id.is_not(None))
    return OutcomeEvent.id.not_in(corrected)


def standing_events(session: Session, defendant_id: int) -> list[OutcomeEvent]:
    """The defendant's standing events, oldest first (by effective date, then as recorded)."""
    return list(
        session.scalars(
            select(OutcomeEvent)
            .where(OutcomeEvent.defendant_id == defendant_id, standing())
            .order_by(OutcomeEvent.effective_date, OutcomeEvent.id)
        )
    )


def _sentence(picture: CustodyPicture, event: OutcomeEvent) -> None:
    if event.sentence_kind is SentenceKind.custody:
        picture.status, picture.since = "Serving a prison sentence", event.effective_date
        picture.custody_status = CustodyStatus.serving_sentence
    elif event.sentence_kind is not None:
        picture.status = f"Sentenced: {event.sentence_kind.label}"
        picture.since = event.effective_date
    picture.orders = list(event.orders or [])


def _apply(picture: CustodyPicture, event: OutcomeEvent) -> None:
    kind = event.kind
    if kind in WHERE:
        words, status = WHERE[kind]
        picture.status, picture.since = words, event.effective_date
        picture.custody_status = status or picture.custody_status or CustodyStatus.serving_sentence
        if kind in (_K.released, _K.deported, _K.died, _K.escaped, _K.absconded):
            picture.institution = ""
    if kind is _K.sentence:
        _sentence(picture, event)
    if kind in PLACES and event.institution:
        picture.institution = event.institution
    if kind in CONDITIONS:
        picture.conditions = event.conditions
        if event.orders:
            picture.orders = list(event.orders)
    if event.release_date and kind in (_K.release_date_set, _K.sentence, _K.appeal_decided):
        picture.expected_release, picture.release_known = event.release_date, True
        picture.release_changes.append(
            ReleaseChange(event.effective_date, event.release_date, event)
        )
    if kind is _K.released:
        picture.expected_release, picture.release_known = None, True
    if kind is _K.parole_eligible:
        picture.parole_eligible = event.deadline_date
    if kind is _K.parole_hearing and event.hearing_date:
        picture.parole_hearings.append(event.hearing_date)


def picture(session: Session, defendant: Defendant) -> CustodyPicture:
    """The defendant's custody picture from their standing events."""
    result = CustodyPicture()
    result.events = standing_events(session, defendant.id)
    for event in result.events:
        _apply(result, event)
    if result.status is None and result.events:
        result.status = defendant.custody_status.label
    return result
