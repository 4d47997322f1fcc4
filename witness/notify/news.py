"""News a witness must be told: listed on their page until someone records telling them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import can_record_needs, get_witness, require
from witness.core.errors import DomainError, NotFound
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.notify.models import News
from witness.people.models import Witness


def untold_news(session: Session, witness: Witness) -> list[News]:
    return list(
        session.scalars(
            select(News)
            .where(News.witness_id == witness.id, News.told_dt.is_(None))
            .order_by(News.created_dt)
        )
    )


def mark_told(session: Session, actor: User, news_id: int, note: str) -> News:
    """Record that the witness was told, how and by whom."""
    news = session.get(News, news_id)
    if news is None:
        raise NotFound("No such news.")
    witness = get_witness(session, actor, news.witness_id)
    require(can_record_needs(actor, witness), "You may not record this for the witness.")
    if news.told_dt is not None:
        raise DomainError(gettext("The witness has already been told."))
    note = clean_text(note, "note", multiline=True, max_length=2000)
    if not note:
        raise DomainError(
            gettext("Say how the witness was told (e.g. by phone, in person)."), field="note"
        )
    news.told_dt = now_utc()
    news.told_by_id = actor.id
    news.told_note = note
    record_event(session, actor, "news.told", news, witness_id=witness.id)
    return news
