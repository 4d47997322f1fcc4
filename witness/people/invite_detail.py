"""How much a witness's own calendar invites say: discreet by default, full detail (court, case,
place, purpose) only as an informed adult's recorded choice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import can_manage_witness, require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.people.models import InviteDetailChoice, Witness


def set_invite_detail(
    session: Session,
    actor: User,
    witness: Witness,
    *,
    full_detail: bool,
    reason: str,
    informed: bool = False,
) -> InviteDetailChoice:
    """Record the witness's choice (their office only). Full detail needs a reason and the
    witness's having been told who could read such an invite; a child's is refused."""
    require(can_manage_witness(actor, witness), "Only the witness's office records this choice.")
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(
            gettext("Say why: the witness's own reasons, as they gave them."), "reason"
        )
    if full_detail:
        if witness.is_child_on(now_utc().date()):
            raise DomainError(
                gettext(
                    "A child's invites are always discreet: full detail cannot be chosen while the "
                    "witness is (or is presumed) under 18."
                ),
                field="full_detail",
            )
        if not informed:
            raise DomainError(
                gettext(
                    "Tell the witness first that anyone who sees their phone or e-mail could then "
                    "read the court, the case and the place, and tick that you did."
                ),
                field="informed",
            )
    if bool(witness.invites_full_detail) == full_detail:
        now = "full detail" if full_detail else "discreet"
        raise DomainError(
            gettext("The witness's invites are already %(now)s.", now=now), field="full_detail"
        )
    choice = InviteDetailChoice(
        witness_id=witness.id,
        full_detail=full_detail,
        reason=reason,
        informed=informed,
        recorded_by_id=actor.id,
    )
    session.add(choice)
    witness.invites_full_detail = full_detail
    session.flush()
    record_event(
        session,
        actor,
        "witness.invite_detail",
        witness,
        witness_id=witness.id,
        full_detail=full_detail,
    )
    return choice


def invite_detail_history(session: Session, witness: Witness) -> list[InviteDetailChoice]:
    """Every recorded choice, newest first, with who recorded it."""
    return list(
        session.scalars(
            select(InviteDetailChoice)
            .where(InviteDetailChoice.witness_id == witness.id)
            .order_by(InviteDetailChoice.id.desc())
            .options(joinedload(InviteDetailChoice.recorded_by))
        )
    )
