"""The print-batch builder: a sweep every few seconds takes a requested batch and lays its
letters into one PDF, each starting on a new sheet (a letter of an odd number of pages gets a
blank page, so duplex printing never puts two letters on one sheet).

Delivery is checked again here, at print time (``access.letter_refusal``): a letter the
witness may no longer be sent is withheld, with a contact attempt that moves its task on.

Exactly once across a crash: a builder claims a batch until ``claimed_until_dt`` and extends
the claim as it goes; progress (``done``) and each letter withheld are committed per chunk;
the letters become ``printed`` only in the last transaction, together with the batch's PDF.
A builder that dies leaves the batch running; once its claim passes another takes it up and
builds it from the start, skipping what was already withheld, so each letter is in the PDF
once and each withheld letter has one attempt. The stored letters are joined object by object
(``concat.BatchPdf``: measured faster than pypdf, which parsed every font's widths, and than
laying every letter out again in one document: ``letters.bench``)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, undefer

from witness.audit.services import record_event
from witness.core.errors import DomainError
from witness.core.time import now_utc
from witness.letters.concat import BatchPdf
from witness.letters.layout import PAGE_HEIGHT, PAGE_WIDTH
from witness.letters.models import BatchStatus, Letter, LetterStatus, PrintBatch
from witness.letters.services import letter_refusal, verified_pdf
from witness.notify.attempts import record_attempt
from witness.notify.models import AttemptOutcome, NotificationTask
from witness.people.models import Channel

log = logging.getLogger(__name__)

#: a builder's hold on a batch, renewed after every chunk
CLAIM_FOR = timedelta(minutes=2)
#: letters checked and laid out between two commits of progress
CHUNK = 50
#: how often the scheduler looks for batches to build
SWEEP_SECONDS = 5
#: the reason kept on a letter whose stored PDF no longer matches its hash
PDF_CHANGED = "pdf_changed"


def claim_next(session: Session, now: datetime) -> int | None:
    """Claim the oldest batch requested (or one whose builder's claim has passed): mark it
    running, claimed until ``now + CLAIM_FOR``; return its id. PostgreSQL: the select locks
    the row it picks, skipping one another sweep holds; SQLite: one UPDATE ... RETURNING."""
    due = (
        select(PrintBatch.id)
        .where(
            or_(
                PrintBatch.status == BatchStatus.queued,
                and_(
                    PrintBatch.status == BatchStatus.running,
                    PrintBatch.claimed_until_dt <= now,
                ),
            )
        )
        .order_by(PrintBatch.requested_dt, PrintBatch.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(PrintBatch)
        .values(status=BatchStatus.running, started_dt=now, claimed_until_dt=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    )
    if session.get_bind().dialect.name == "sqlite":
        return session.scalar(claim.where(PrintBatch.id.in_(due)).returning(PrintBatch.id))
    batch_id = session.scalar(due)
    if batch_id is not None:
        session.execute(claim.where(PrintBatch.id == batch_id))
    return batch_id


def withhold(session: Session, letter: Letter, reason: str, note: str) -> None:
    """Not printed: ``withheld`` with the reason; its task (if any) moves to the next channel."""
    letter.status = LetterStatus.withheld
    letter.withheld_reason = reason
    if letter.task_id is not None:
        task = session.get(NotificationTask, letter.task_id)
        record_attempt(
            session,
            None,
            task,
            channel=Channel.post,
            outcome=AttemptOutcome.withheld,
            note=note,
            letter_id=letter.id,
        )
    record_event(
        session, None, "letter.withheld", letter, witness_id=letter.witness_id, reason=reason
    )


def printable(session: Session, letter: Letter) -> bytes | None:
    """The letter's PDF if it may be printed now; otherwise it is withheld and None."""
    refusal = letter_refusal(session, letter)
    if refusal is not None:
        withhold(session, letter, refusal.value, f"Not printed: {refusal.label}.")
        return None
    try:
        return verified_pdf(letter)
    except DomainError as exc:
        withhold(session, letter, PDF_CHANGED, exc.message)
        return None


def new_batch_pdf() -> BatchPdf:
    return BatchPdf((PAGE_WIDTH, PAGE_HEIGHT))


def append_letter(writer: BatchPdf, pdf: bytes) -> int:
    """Add one letter's pages, and a blank page when they are odd in number; pages added."""
    return writer.add(pdf)


def build_batch(session: Session, batch_id: int, claimed: datetime) -> bool:
    """Build a claimed batch (``claimed``: the claim's start, as ``claim_next`` set it) and
    commit as it goes; False when another builder has taken it over meanwhile."""
    ids = list(
        session.scalars(select(Letter.id).where(Letter.batch_id == batch_id).order_by(Letter.id))
    )
    batch = session.get(PrintBatch, batch_id, populate_existing=True)
    batch.done, batch.total = 0, len(ids)
    writer, printed = new_batch_pdf(), []
    for start in range(0, len(ids), CHUNK):
        letters = session.scalars(
            select(Letter)
            .where(Letter.id.in_(ids[start : start + CHUNK]))
            .order_by(Letter.id)
            .options(undefer(Letter.pdf))
            .execution_options(populate_existing=True)
        ).all()
        for letter in letters:
            pdf = printable(session, letter) if letter.status is LetterStatus.queued else None
            if pdf is not None:
                append_letter(writer, pdf)
                printed.append(letter.id)
            batch.done += 1
            session.expire(letter, ["pdf"])  # its pages are in the writer: keep memory flat
        if not _still_ours(session, batch, claimed):
            return False
        batch.claimed_until_dt = now_utc() + CLAIM_FOR
        session.commit()
    return _finish(session, batch, writer, printed, claimed)


def _still_ours(session: Session, batch: PrintBatch, claimed: datetime) -> bool:
    """No other builder has claimed the batch since we did (its claim start is ours)."""
    started = session.scalar(
        select(PrintBatch.started_dt).where(PrintBatch.id == batch.id).with_for_update()
    )
    if started != claimed:
        session.rollback()
        return False
    return True


def _finish(
    session: Session, batch: PrintBatch, writer: BatchPdf, printed: list[int], claimed
) -> bool:
    if not _still_ours(session, batch, claimed):
        return False
    body = writer.getvalue() if printed else b""
    for start in range(0, len(printed), 500):
        chunk = printed[start : start + 500]
        query = select(Letter).where(Letter.id.in_(chunk), Letter.status == LetterStatus.queued)
        for letter in session.scalars(query.execution_options(populate_existing=True)):
            letter.status = LetterStatus.printed
    batch.pdf = body or None
    batch.sha256 = hashlib.sha256(body).hexdigest() if body else None
    batch.status = BatchStatus.ready
    batch.finished_dt = now_utc()
    batch.claimed_until_dt = None
    batch.error = ""
    record_event(
        session,
        None,
        "print_batch.built",
        batch,
        letters=len(printed),
        withheld=batch.total - len(printed),
        size=len(body),
    )
    session.commit()
    return True


def run_due(session: Session, now: datetime | None = None, limit: int = 3) -> int:
    """Build up to ``limit`` batches waiting (or left by a builder that died); return how
    many were built. Commits: a claim must be seen by other sweeps before the long build."""
    built = 0
    for _ in range(limit):
        now = now or now_utc()
        batch_id = claim_next(session, now)
        session.commit()
        if batch_id is None:
            break
        claimed = session.scalar(select(PrintBatch.started_dt).where(PrintBatch.id == batch_id))
        try:
            built += build_batch(session, batch_id, claimed)
        except Exception:  # the claim lapses and a later sweep takes the batch up again
            log.exception("print batch %s could not be built", batch_id)
            session.rollback()
        now = None
    return built


def print_batch_sweep(app: Flask, runner: Callable = run_due) -> int:
    """For the scheduler: build the print batches asked for."""
    with app.app_context():
        sessionmaker = app.extensions["witness.db"].sessionmaker
        with sessionmaker() as session:
            built = runner(session)
    if built:
        app.logger.info("print batches: %d built", built)
    return built


def eta_seconds(batch: PrintBatch, now: datetime) -> int | None:
    """Seconds until a running batch is built, from its pace so far (None: not yet known)."""
    if batch.status is not BatchStatus.running or not batch.done or batch.started_dt is None:
        return None
    elapsed = (now - batch.started_dt).total_seconds()
    return max(0, round(elapsed / batch.done * (batch.total - batch.done)))


@click.command("letters-print")
@with_appcontext
def letters_print() -> None:
    """Build the print batches waiting, once (the scheduler does it every few seconds)."""
    from witness.db import db_session

    click.echo(f"{run_due(db_session())} print batches built.")
