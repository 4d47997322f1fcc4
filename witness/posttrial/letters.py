"""The letters a post-trial change queues for the victim: only when they accept post
(``core.access_after.posttrial_letter_refusal``) and read a reviewed translation of it in their
language (``letters.translations``); otherwise the change is kept and the reason the letter was
not queued is audited, so the officer can tell them another way."""

from __future__ import annotations

from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case
from witness.core.access_after import posttrial_letter_refusal
from witness.letters.models import Letter
from witness.letters.services import queue_letter, recipient
from witness.letters.translations import translation_refusal
from witness.people.models import Witness

#: the letters' templates (``witness.letters``) for the post-trial matters
KINDS = (
    "impact_statement_invitation",
    "compensation_ordered",
    "compensation_payment",
    "property_return",
    "case_closed",
)


def tell(
    session: Session, actor: User, witness: Witness, case: Case, kind: str, facts: dict
) -> Letter | None:
    """Queue the letter ``kind`` about ``case`` for the witness, or audit why not; returns the
    letter queued, or None."""
    assert kind in KINDS, kind
    refusal = posttrial_letter_refusal(session, witness) or translation_refusal(
        session, kind, recipient(session, witness)[2]
    )
    if refusal is not None:
        record_event(
            session,
            actor,
            "posttrial.letter_not_queued",
            object_type="witness",
            object_id=witness.id,
            witness_id=witness.id,
            case_id=case.id,
            kind=kind,
            reason=refusal,
        )
        return None
    return _queue(session, actor, witness, case, kind, facts)


def _queue(session, actor, witness, case, kind, facts):
    """Hand the letter to ``witness.letters``: made now, in the witness's language, for their
    office's next print batch (where consent and the address are checked again)."""
    return queue_letter(session, actor, witness=witness, kind=kind, facts=facts, case=case)
