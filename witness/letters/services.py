"""Letters: made once (rendered, stored with their hash, audited), queued for the office's next
print batch, posted, sometimes returned; reprinted byte for byte.

``letter_for_task`` is the post channel of a notification task (the delivery sweep calls it);
``letter_pdf_for_task`` gives the same letter to attach to an e-mail without queueing it for
post; ``queue_letter`` writes about a post-trial matter. Delivery is checked again when the
letter is printed (``witness.letters.jobs``), since consent and the safe address may change in
between."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case
from witness.config import DEFAULT_RETURN_ADDRESS
from witness.core import access, access_after
from witness.core.errors import AccessDenied, DomainError, RecordedRefusal
from witness.core.i18n import format_day, gettext, in_language
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.letters.content import TEMPLATES, compose, facts_for_task, officer_of
from witness.letters.discreet import envelope_refusal
from witness.letters.layout import Envelope, LetterMeta, render_letter
from witness.letters.models import BatchStatus, Letter, LetterStatus, PrintBatch
from witness.letters.translations import translation_refusal
from witness.letters.words import locale_code
from witness.notify.attempts import call_with_interpreter, record_attempt
from witness.notify.models import (
    AttemptOutcome,
    NotificationTask,
    WithheldReason,
    preferred_address,
)
from witness.outcomes.models import EventKind
from witness.people.models import Channel, Witness

#: a letter made only to attach to an e-mail: never printed or posted (``status`` cancelled
#: with this reason); the post channel takes it up later if the address still holds
EMAIL_ONLY = "email_only"
#: post-trial matters have no event kind: whoever hears of key stages hears of them
POST_TRIAL_NEWS = EventKind.sentence
#: letters that stand for their task: a second call hands back the same one
LIVE = (LetterStatus.queued, LetterStatus.printed, LetterStatus.posted)


def settings() -> dict:
    """The letters' settings (``WITNESS_LETTER_*``), or their defaults outside an app."""
    config = current_app.config if has_app_context() else {}
    return {
        "return_address": config.get("LETTER_RETURN_ADDRESS", DEFAULT_RETURN_ADDRESS),
        "safe_line": config.get("LETTER_SAFE_LINE", ""),
        "support_services": config.get("LETTER_SUPPORT_SERVICES", ""),
    }


class UnreviewedTranslation(DomainError):
    """A letter that cannot be written in the reader's language now (no catalogue, no font, or
    no reviewed translation of its kind): it is never made, in English or otherwise."""


def written_language(session: Session, kind: str, language: str | None) -> str:
    """The language a letter of ``kind`` is written in: the reader's, when English (the source)
    or when a person reviewed that kind's translation (``letters.translations``); otherwise
    ``UnreviewedTranslation`` saying why ("no reviewed Thai translation of the sentence
    letter"). Never English instead of a language the reader asked for."""
    code = (language or "en").strip() or "en"
    refusal = translation_refusal(session, kind, code)
    if refusal is not None:
        raise UnreviewedTranslation(f"No letter: {refusal}.", field="language")
    return code


def recipient(session: Session, witness: Witness) -> tuple[str, str, str]:
    """(name on the envelope, safe postal address, language) from the preferences in force:
    the person to write to instead (a child's guardian) when one is named, else the postal
    name, else the witness's own name; the safe address, else the file's."""
    preference = access.current_preference(session, witness.id)
    address = preferred_address(preference, witness, Channel.post.value) or ""
    if preference is not None and preference.contact_person.strip():
        name = preference.contact_person.strip()
    elif preference is not None and preference.postal_name.strip():
        name = preference.postal_name.strip()
    elif witness.is_child_on(now_utc().date()) and (witness.guardian_name or "").strip():
        name = (witness.guardian_name or "").strip()
    else:
        name = witness.legal_name
    language = preference.language if preference is not None else "en"
    return name, address, language


def _letter_date(letter: Letter, case: Case | None, region: str) -> str:
    zone = ZoneInfo(case.court.timezone) if case is not None else ZoneInfo("UTC")
    day = letter.created_dt.astimezone(zone).date()
    with in_language(letter.language):
        return format_day(day, locale_code(region))


def render(session: Session, letter: Letter, facts: dict, reminder: str = "") -> None:
    """Lay out ``letter`` with ``facts`` and keep the PDF, its hash and its page count."""
    case = session.get(Case, letter.case_id) if letter.case_id else None
    region = case.court.country if case is not None else ""
    config = settings()
    facts = {
        "region": region,
        "recipient_name": letter.recipient_name,
        "safe_line": config["safe_line"],
        "support_services": config["support_services"],
        **facts,
    }
    if not facts.get("officer_name"):
        facts["officer_name"] = officer_of(session, letter.witness_id)
    envelope = Envelope(config["return_address"], letter.recipient_name, letter.recipient_address)
    meta = LetterMeta(
        reference=reference(letter),
        date_text=_letter_date(letter, case, region),
        created=letter.created_dt,
        language=letter.language,
    )
    with in_language(letter.language):
        rendered = render_letter(compose(letter.kind, facts, reminder=reminder), envelope, meta)
    letter.pdf = rendered.pdf
    letter.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    letter.pages = rendered.pages


def reference(letter: Letter) -> str:
    """The letter's number as printed on it (never the case's title)."""
    return f"L-{letter.id:06d}"


def _make(
    session: Session,
    actor: User | None,
    *,
    witness: Witness,
    kind: str,
    facts: dict,
    case_id: int | None,
    task: NotificationTask | None,
    organisation_id: int | None,
    language: str | None,
    status: LetterStatus,
    withheld_reason: str = "",
) -> Letter:
    if kind not in TEMPLATES:
        raise DomainError(
            gettext("There is no letter for %(kind)s.", kind=repr(kind)), field="kind"
        )
    name, address, preferred_language = recipient(session, witness)
    indiscreet = envelope_refusal(
        [settings()["return_address"], name, address], language or preferred_language
    )
    if indiscreet is not None:
        raise DomainError(
            gettext("No letter: %(indiscreet)s. Give a neutral address.", indiscreet=indiscreet),
            field="address",
        )
    letter = Letter(
        organisation_id=organisation_id or witness.organisation_id,
        witness_id=witness.id,
        case_id=case_id,
        task_id=task.id if task is not None else None,
        kind=kind,
        language=written_language(session, kind, language or preferred_language),
        status=status,
        recipient_name=name,
        recipient_address=address,
        pdf=b"",
        sha256="",
        created_dt=now_utc().replace(microsecond=0),
        created_by_id=actor.id if actor is not None else None,
        withheld_reason=withheld_reason,
    )
    session.add(letter)
    session.flush()  # its number is printed on it
    render(session, letter, facts, reminder=task.reminder if task is not None else "")
    session.flush()
    record_event(
        session,
        actor,
        "letter.created",
        letter,
        witness_id=witness.id,
        kind=kind,
        language=letter.language,
        task_id=letter.task_id,
        pages=letter.pages,
        sha256=letter.sha256,
        status=status.value,
    )
    return letter


def letters_of_task(session: Session, task: NotificationTask) -> list[Letter]:
    return list(
        session.scalars(select(Letter).where(Letter.task_id == task.id).order_by(Letter.id))
    )


def letter_for_task(session: Session, actor: User | None, task: NotificationTask) -> Letter | None:
    """The letter telling ``task``'s witness of its event, queued for the next print batch.

    Refused by ``access.notification_refusal`` (consent, opted out, post not chosen, no safe
    address): no letter, a ``withheld`` attempt (the task moves to the next channel), None.
    Without a reviewed translation of the kind in the reader's language: no letter either, and
    the task is told by phone with an interpreter instead (``call_with_interpreter``).
    Called again for the same task, the letter already made is handed back; one made earlier
    for an e-mail (``letter_pdf_for_task``) to the same address is queued rather than a second
    one made."""
    witness = task.witness
    name, address, language = recipient(session, witness)
    refusal = access.notification_refusal(session, witness, Channel.post, address, task.event.kind)
    if refusal is not None:
        record_attempt(
            session,
            actor,
            task,
            channel=Channel.post,
            outcome=AttemptOutcome.withheld,
            note=f"No letter: {refusal.label}.",
        )
        return None
    for letter in reversed(letters_of_task(session, task)):
        if letter.status in LIVE:
            return letter
        same = (letter.recipient_name, letter.recipient_address) == (name, address)
        if letter.withheld_reason == EMAIL_ONLY and same:
            letter.status = LetterStatus.queued
            letter.withheld_reason = ""
            record_event(session, actor, "letter.queued", letter, witness_id=witness.id)
            session.flush()
            return letter
    kind = task.event.kind.value
    untranslated = translation_refusal(session, kind, language)
    if untranslated is not None:
        call_with_interpreter(session, actor, task, channel=Channel.post, reason=untranslated)
        return None
    indiscreet = envelope_refusal([settings()["return_address"], name, address], language)
    if indiscreet is not None:
        record_attempt(
            session, actor, task, channel=Channel.post, outcome=AttemptOutcome.withheld,
            note=f"No letter: {indiscreet}.",
        )  # fmt: skip
        return None
    return _make(
        session,
        actor,
        witness=witness,
        kind=kind,
        facts=facts_for_task(session, task),
        case_id=task.case_id,
        task=task,
        organisation_id=None,
        language=None,
        status=LetterStatus.queued,
    )


def letter_pdf_for_task(session: Session, task: NotificationTask) -> tuple[str, bytes]:
    """(file name, PDF) of ``task``'s letter, to attach to an e-mail: the letter already made
    for it, or one made now WITHOUT queueing it for post (kept, hashed and audited like every
    letter, with status cancelled and reason ``EMAIL_ONLY``). The e-mail's own delivery check
    is the caller's. The file name says nothing about the matter."""
    letter = next(
        (
            letter
            for letter in reversed(letters_of_task(session, task))
            if letter.status in LIVE or letter.withheld_reason == EMAIL_ONLY
        ),
        None,
    )
    if letter is None:
        letter = _make(
            session,
            None,
            witness=task.witness,
            kind=task.event.kind.value,
            facts=facts_for_task(session, task),
            case_id=task.case_id,
            task=task,
            organisation_id=None,
            language=None,
            status=LetterStatus.cancelled,
            withheld_reason=EMAIL_ONLY,
        )
    return f"letter-{letter.id}.pdf", letter.pdf


def queue_letter(
    session: Session,
    actor: User | None,
    *,
    witness: Witness,
    kind: str,
    facts: dict,
    case: Case | None = None,
    task: NotificationTask | None = None,
    organisation_id: int | None = None,
    language: str | None = None,
) -> Letter:
    """A letter of ``kind`` (a post-trial matter such as "compensation_ordered", or an event
    kind) with ``facts`` to ``witness``, queued for their office's next print batch. Consent
    and the safe address are checked when it is printed."""
    return _make(
        session,
        actor,
        witness=witness,
        kind=kind,
        facts=facts,
        case_id=case.id if case is not None else None,
        task=task,
        organisation_id=organisation_id,
        language=language,
        status=LetterStatus.queued,
    )


def letter_refusal(session: Session, letter: Letter) -> WithheldReason | None:
    """Why ``letter`` must not be printed now, or None: ``access.notification_refusal`` by
    post at the address on its envelope, for its event's kind (a post-trial matter counts as
    a key stage, like the sentence it follows)."""
    witness = session.get(Witness, letter.witness_id)
    try:
        kind = EventKind(letter.kind)
    except ValueError:
        kind = POST_TRIAL_NEWS
    return access.notification_refusal(
        session, witness, Channel.post, letter.recipient_address, kind
    )


def verified_pdf(letter: Letter) -> bytes:
    """The stored PDF if it is the one made (its hash holds), else a ``DomainError``."""
    if hashlib.sha256(letter.pdf or b"").hexdigest() != letter.sha256:
        raise DomainError(
            gettext(
                "Letter %(reference)s was changed after it was made: its PDF no longer matches "
                "the fingerprint kept when it was made. It was not printed. Tell your "
                "administrator.",
                reference=reference(letter),
            )
        )
    return letter.pdf


def reprint(session: Session, actor: User, letter: Letter) -> bytes:
    """The letter's PDF exactly as made, audited; a stored PDF that was tampered with is
    refused (the refusal is audited and kept)."""
    try:
        pdf = verified_pdf(letter)
    except DomainError as exc:
        record_event(session, actor, "letter.reprint_refused", letter, witness_id=letter.witness_id)
        raise RecordedRefusal(exc.message) from exc
    record_event(session, actor, "letter.reprinted", letter, witness_id=letter.witness_id)
    return pdf


# --- post -------------------------------------------------------------------------------------


def _require_office(actor: User, letter: Letter) -> None:
    if not access_after.can_post_letter(actor, letter):
        raise AccessDenied("Only the office that sends a letter may change it.")


def post_letter(
    session: Session, actor: User, letter: Letter, *, batch_posted: bool = False
) -> None:
    """A printed letter went into the post: ``posted``, and the task's attempt succeeds."""
    _require_office(actor, letter)
    if letter.status is not LetterStatus.printed:
        raise DomainError(
            gettext(
                "Letter %(reference)s is %(lower)s: only a printed letter can be marked posted.",
                reference=reference(letter),
                lower=letter.status.label.lower(),
            )
        )
    letter.status = LetterStatus.posted
    letter.posted_dt = now_utc()
    letter.posted_by_id = actor.id
    if letter.task_id is not None:
        task = session.get(NotificationTask, letter.task_id)
        record_attempt(
            session, actor, task, channel=Channel.post, outcome=AttemptOutcome.posted,
            letter_id=letter.id,
        )  # fmt: skip
    session.flush()
    record_event(
        session,
        actor,
        "letter.posted",
        letter,
        witness_id=letter.witness_id,
        batch_id=letter.batch_id if batch_posted else None,
    )


def return_letter(session: Session, actor: User, letter: Letter, reason: str) -> None:
    """A posted letter came back: ``returned`` with the reason, and its task reopens on the
    witness's next channel."""
    _require_office(actor, letter)
    reason = clean_text(reason, "reason", max_length=500)
    if not reason:
        raise DomainError(
            gettext("Say why it came back (for example: moved away)."), field="reason"
        )
    if letter.status not in (LetterStatus.posted, LetterStatus.printed):
        raise DomainError(
            gettext(
                "Letter %(reference)s is %(lower)s: only a letter that was sent can come back.",
                reference=reference(letter),
                lower=letter.status.label.lower(),
            )
        )
    letter.status = LetterStatus.returned
    letter.returned_dt = now_utc()
    letter.return_reason = reason
    if letter.task_id is not None:
        task = session.get(NotificationTask, letter.task_id)
        record_attempt(
            session, actor, task, channel=Channel.post, outcome=AttemptOutcome.returned,
            note=reason, letter_id=letter.id,
        )  # fmt: skip
    session.flush()
    record_event(
        session, actor, "letter.returned", letter, witness_id=letter.witness_id, reason=reason
    )


# --- print batches ----------------------------------------------------------------------------


def waiting_letters(actor: User):
    """SQL: the letters of ``actor``'s office waiting for a print batch that ``actor`` may see
    (an officer: their witnesses' letters; a supervisor: the office's)."""
    return (
        select(Letter)
        .join(Witness, Witness.id == Letter.witness_id)
        .where(
            Letter.organisation_id == actor.organisation_id,
            Letter.status == LetterStatus.queued,
            Letter.batch_id.is_(None),
            access.visible_witnesses(actor),
        )
        .order_by(Letter.id)
    )


def request_batch(session: Session, actor: User) -> PrintBatch:
    """A print batch of every letter waiting that ``actor`` may see, built in the background
    (``witness.letters.jobs``): the request only queues it. Letters queued later wait for the
    next batch."""
    if actor.role not in access_after.PRINT_ROLES:
        raise AccessDenied("Only an office's staff print its letters.")
    letters = session.scalars(waiting_letters(actor)).all()
    if not letters:
        raise DomainError(gettext("No letters are waiting to be printed."))
    batch = PrintBatch(
        organisation_id=actor.organisation_id,
        requested_by_id=actor.id,
        requested_dt=now_utc(),
        status=BatchStatus.queued,
        total=len(letters),
        done=0,
    )
    session.add(batch)
    session.flush()
    for letter in letters:
        letter.batch_id = batch.id
    session.flush()
    record_event(session, actor, "print_batch.requested", batch, letters=len(letters))
    return batch


def post_batch(session: Session, actor: User, batch: PrintBatch) -> int:
    """Every printed letter of a ready batch went into the post; returns how many."""
    if batch.status is not BatchStatus.ready:
        raise DomainError(gettext("This batch is not printed yet: wait until it is ready."))
    if batch.posted_dt is not None:
        raise DomainError(gettext("This batch was already marked posted."))
    posted = 0
    for letter in batch.letters:
        if letter.status is LetterStatus.printed:
            post_letter(session, actor, letter, batch_posted=True)
            posted += 1
    batch.posted_dt = now_utc()
    session.flush()
    record_event(session, actor, "print_batch.posted", batch, letters=posted)
    return posted
