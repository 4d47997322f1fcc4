"""What the letters pages read: the office's letters waiting, printed and posted, its print
batches, a letter's contact attempts. Need to know: a letter is listed only to who may see its
witness; a liaison officer sees the batches they asked for."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.access import visible_witnesses
from witness.core.access_after import PRINT_ROLES
from witness.core.errors import NotFound
from witness.letters import translations
from witness.letters.models import Letter, LetterStatus, PrintBatch, TranslationReview
from witness.notify import task_queries
from witness.notify.models import ContactAttempt, ContactPreference, NotificationTask
from witness.people.models import Witness


def _letters(actor: User, *statuses: LetterStatus):
    return (
        select(Letter, Witness.reference)
        .join(Witness, Witness.id == Letter.witness_id)
        .where(
            Letter.organisation_id == actor.organisation_id,
            Letter.status.in_(statuses),
            visible_witnesses(actor),
        )
    )


def task_letters(session: Session, task: NotificationTask) -> list[Letter]:
    """The letters made for a notification task, oldest first (its page lists them)."""
    return list(
        session.scalars(select(Letter).where(Letter.task_id == task.id).order_by(Letter.id))
    )


task_queries.TASK_PAGE_PARTS["letters"] = task_letters


def waiting(session: Session, actor: User, limit: int = 200) -> list:
    """Letters queued for a print batch, not yet in one: (letter, witness reference)."""
    query = _letters(actor, LetterStatus.queued).where(Letter.batch_id.is_(None))
    return session.execute(query.order_by(Letter.id).limit(limit)).all()


def waiting_count(session: Session, actor: User) -> int:
    query = _letters(actor, LetterStatus.queued).where(Letter.batch_id.is_(None))
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def sent(session: Session, actor: User, limit: int = 100) -> list:
    """Letters printed or posted, newest first: to mark posted or returned."""
    query = _letters(actor, LetterStatus.printed, LetterStatus.posted, LetterStatus.returned)
    return session.execute(query.order_by(Letter.id.desc()).limit(limit)).all()


def batches(session: Session, actor: User, limit: int = 20) -> list[PrintBatch]:
    query = select(PrintBatch).where(PrintBatch.organisation_id == actor.organisation_id)
    if actor.role is Role.liaison_officer:
        query = query.where(PrintBatch.requested_by_id == actor.id)
    return list(session.scalars(query.order_by(PrintBatch.id.desc()).limit(limit)))


def batch_letters(session: Session, batch: PrintBatch) -> list:
    """(letter, witness reference, plain envelope) of a batch, in print order. A plain
    envelope (no office name, logo or franking mark) unless the witness's preferences in force
    allow the office's own: the discreet choice is the default, and so is it without any."""
    plain = func.coalesce(ContactPreference.discreet_envelope, True)
    query = (
        select(Letter, Witness.reference, plain)
        .join(Witness, Witness.id == Letter.witness_id)
        .outerjoin(
            ContactPreference,
            (ContactPreference.witness_id == Letter.witness_id) & ContactPreference.is_current,
        )
        .where(Letter.batch_id == batch.id)
        .order_by(Letter.id)
    )
    return session.execute(query).all()


def attempts_of(session: Session, letter: Letter) -> list[ContactAttempt]:
    query = select(ContactAttempt).where(ContactAttempt.letter_id == letter.id)
    return list(session.scalars(query.order_by(ContactAttempt.id)))


def batch_pdf(session: Session, batch: PrintBatch) -> bytes | None:
    return session.scalar(select(PrintBatch.pdf).where(PrintBatch.id == batch.id))


def get_print_batch(session: Session, actor: User, batch_id: int) -> PrintBatch:
    """A print batch named in a URL: the office's administrators and supervisors see every
    one, an officer the batches they asked for; anyone else an audited ``NotFound``."""
    batch = session.get(PrintBatch, batch_id)
    allowed = (
        batch is not None
        and actor.role in PRINT_ROLES
        and actor.organisation_id == batch.organisation_id
        and (actor.role is not Role.liaison_officer or batch.requested_by_id == actor.id)
    )
    if not allowed:
        record_event(
            session, actor, "print_batch.refused", object_type="print_batch", object_id=batch_id
        )
        raise NotFound("No such print batch.")
    return batch


def translation_reviews(session: Session, actor: User) -> dict:
    """The translations page: for each language with a catalogue, each kind with its review
    in force (or None), and every review ever recorded (revoked ones too), newest first. Only
    a supervisor or an administrator sees it."""
    if actor.role not in translations.REVIEWER_ROLES:
        raise NotFound("No such page.")
    table = {
        language: [
            (
                kind,
                translations.page_label(kind),
                translations.current_review(session, kind, language),
            )
            for kind in translations.kinds()
        ]
        for language in translations.languages()
    }
    history = list(
        session.scalars(select(TranslationReview).order_by(TranslationReview.id.desc()).limit(500))
    )
    return {"table": table, "history": history}


def get_review(session: Session, actor: User, review_id: int) -> TranslationReview:
    """A review, for a supervisor or an administrator (a loader for ``load_or_404``)."""
    review = session.get(TranslationReview, review_id)
    if review is None or actor.role not in translations.REVIEWER_ROLES:
        raise NotFound("No such review.")
    return review
