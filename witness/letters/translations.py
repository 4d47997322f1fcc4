"""Reviewed translations only: a letter, an e-mail or a call script in a language other than
English (the source) is used only after a person who reads the language checked that kind's
translation and a supervisor recorded it (``review_translation``). The review holds for the
catalogue they read: its translations are hashed, and any later edit of the language's .po
(compiled to .mo) asks for a fresh review. A revoked review is kept as history.

Without a reviewed translation no letter is made (``translation_refusal``): the notification
task is told by phone with an interpreter instead (``witness.notify.delivery``)."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.core.errors import AccessDenied, DomainError
from witness.core.i18n import TRANSLATIONS, gettext, language_name, reader
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.letters.content import TEMPLATES
from witness.letters.layout import can_write
from witness.letters.models import TranslationReview
from witness.outcomes.models import EventKind

#: the e-mail bodies and subject, and the call scripts: reviewed like a letter kind
EMAIL = "email"
CALL = "call"
#: the modules whose words reach a witness (the letters, e-mails and call scripts): only their
#: messages are reviewed. The pages' messages share the catalogue (``messages.pot``) but are the
#: staff's, so translating a page never asks for the letters to be reviewed again.
WITNESS_FACING = (
    "witness/letters/kinds_",
    "witness/letters/content.py",
    "witness/letters/words.py",
    "witness/letters/layout.py",
    "witness/notify/wording.py",
    "witness/notify/calls.py",
)
#: who may record or revoke a review (install-wide: the catalogues are the install's)
REVIEWER_ROLES = (Role.admin, Role.supervisor)


def kinds() -> list[str]:
    """Everything that is reviewed: each letter kind, then the e-mails and the call scripts."""
    return [*sorted(TEMPLATES), EMAIL, CALL]


def kind_label(kind: str) -> str:
    """How a refusal names what was not reviewed: "the sentence letter", "the e-mails"."""
    if kind == EMAIL:
        return "the e-mails"
    if kind == CALL:
        return "the call script"
    return f"the {kind.replace('_', ' ')} letter"


def page_label(kind: str) -> str:
    """``kind_label`` in the reader's language: "the sentence letter" in English; in another
    language the event's own label ("จดหมายเรื่องการลงโทษ")."""
    if kind == EMAIL:
        return gettext("the e-mails")
    if kind == CALL:
        return gettext("the call script")
    event = next((e for e in EventKind if e.value == kind), None)
    english = reader().split("_")[0] == "en"
    name = kind.replace("_", " ") if english or event is None else event.label
    return gettext("the %(kind)s letter", kind=name)


def is_source(language: str | None) -> bool:
    """English is the source the catalogues are translated from: it needs no review."""
    return (language or "en").replace("-", "_").split("_")[0].lower() == "en"


def catalogue_path(language: str):
    """The compiled catalogue gettext would use for ``language`` ("th_TH" falls back to "th"),
    or None."""
    code = (language or "").replace("-", "_")
    for candidate in (code, code.split("_")[0]):
        path = TRANSLATIONS / candidate / "LC_MESSAGES" / "messages.mo"
        if candidate and path.exists():
            return path
    return None


def languages() -> list[str]:
    """The languages with a compiled catalogue, by code."""
    return sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo"))


@cache
def _witness_facing_ids(mtime_ns: int) -> frozenset:
    """The messages of the template (.pot) that a witness reads: those used in a
    ``WITNESS_FACING`` module."""
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    return frozenset(
        _key(message.id)
        for message in template
        if message.id and any(where.startswith(WITNESS_FACING) for where, _ in message.locations)
    )


def _key(msgid):
    """A message's id, hashable: a plural's (singular, plural) as a tuple."""
    return tuple(msgid) if isinstance(msgid, list | tuple) else msgid


def witness_facing_ids() -> frozenset:
    return _witness_facing_ids((TRANSLATIONS / "messages.pot").stat().st_mtime_ns)


@cache
def _hash(path: str, mtime_ns: int, reviewed: frozenset) -> str:
    with open(path, "rb") as handle:
        catalogue = read_mo(handle)
    # the translations alone (not the header's dates): re-extracting changes nothing reviewed;
    # and a witness's words alone, not the pages'
    pairs = sorted((repr(m.id), repr(m.string)) for m in catalogue if _key(m.id) in reviewed)
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()


def catalogue_sha256(language: str) -> str | None:
    """SHA-256 of the translations ``language``'s compiled catalogue holds now, or None."""
    path = catalogue_path(language)
    if path is None:
        return None
    return _hash(str(path), path.stat().st_mtime_ns, witness_facing_ids())


def current_review(session: Session, kind: str, language: str) -> TranslationReview | None:
    """The review in force for ``kind`` in ``language``: the newest not revoked, made against
    the catalogue as it is now; None when there is none."""
    digest = catalogue_sha256(language)
    if digest is None:
        return None
    return session.scalars(
        select(TranslationReview)
        .where(
            TranslationReview.kind == kind,
            TranslationReview.language == language,
            TranslationReview.revoked_dt.is_(None),
            TranslationReview.catalogue_sha256 == digest,
        )
        .order_by(TranslationReview.id.desc())
        .limit(1)
    ).first()


def translation_refusal(session: Session, kind: str, language: str | None) -> str | None:
    """Why ``kind`` may not be written in ``language`` now ("no reviewed Thai translation of
    the sentence letter"), or None (English; or a catalogue and, for a letter, a font, and a
    review in force)."""
    if is_source(language):
        return None
    name = language_name(language or "", "en")
    what = kind_label(kind)
    if catalogue_path(language) is None:
        return f"no {name} translation of {what}"
    if kind not in (EMAIL, CALL) and not can_write(language):
        return f"no font for {name} in this install to print {what}"
    if current_review(session, kind, language) is None:
        return f"no reviewed {name} translation of {what}"
    return None


def _require_reviewer(actor: User) -> None:
    if actor.role not in REVIEWER_ROLES:
        raise AccessDenied("Only a supervisor or an administrator records translation reviews.")


def review_translation(
    session: Session, actor: User, kind: str, language: str, note: str
) -> TranslationReview:
    """Record that a person who reads ``language`` checked ``kind``'s translation as the
    catalogue is now; ``note`` says who read it. Audited."""
    _require_reviewer(actor)
    if kind not in kinds():
        raise DomainError(
            gettext("There is nothing called %(kind)s to review.", kind=repr(kind)), field="kind"
        )
    if is_source(language):
        raise DomainError(gettext("English is the source: it needs no review."), field="language")
    digest = catalogue_sha256(language)
    if digest is None:
        raise DomainError(
            gettext(
                "There is no %(language_name)s catalogue in this install.",
                language_name=language_name(language, reader()),
            ),
            field="language",
        )
    note = clean_text(note, "note", max_length=500)
    if not note:
        raise DomainError(
            gettext(
                "Say who read it and how they know the language (for example: native speaker, "
                "registered court interpreter)."
            ),
            field="note",
        )
    if current_review(session, kind, language) is not None:
        raise DomainError(
            gettext(
                "%(capitalize)s in %(language_name)s is already reviewed.",
                capitalize=kind_label(kind).capitalize(),
                language_name=language_name(language, reader()),
            )
        )
    review = TranslationReview(
        kind=kind,
        language=language,
        catalogue_sha256=digest,
        reviewed_by_id=actor.id,
        reviewed_dt=now_utc(),
        note=note,
        revoked_reason="",
    )
    session.add(review)
    session.flush()
    record_event(
        session,
        actor,
        "translation.reviewed",
        review,
        kind=kind,
        language=language,
        catalogue_sha256=digest,
    )
    return review


def revoke_review(session: Session, actor: User, review: TranslationReview, reason: str) -> None:
    """Withdraw a review (the row is kept): letters of its kind in its language stop until it
    is reviewed again. Audited."""
    _require_reviewer(actor)
    reason = clean_text(reason, "reason", max_length=500)
    if not reason:
        raise DomainError(gettext("Say why the review is withdrawn."), field="reason")
    if review.revoked_dt is not None:
        raise DomainError(gettext("This review was already withdrawn."))
    review.revoked_dt = now_utc()
    review.revoked_by_id = actor.id
    review.revoked_reason = reason
    session.flush()
    record_event(
        session,
        actor,
        "translation.review_revoked",
        review,
        kind=review.kind,
        language=review.language,
        reason=reason,
    )
