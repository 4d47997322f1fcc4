"""Group bookings: several witnesses of one case accompanied together in one booking.

A booking of several witnesses is one appointment per witness sharing ``group_id``, so each
witness's row, invite and need to know stay their own. This module says which witnesses may
join a booking (those of its case that the booking user may see and whose office books them),
checks that one interpreter can serve them all (one language), and reads a booking's members.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.core.access import can_manage_witness, visible_witnesses
from witness.core.errors import DomainError
from witness.core.i18n import gettext as _
from witness.people.models import Participation, Phase, Witness
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, Interpreter

ACTIVE = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)
#: the most witnesses one booking carries (a bound on the form and on the clash check)
MAX_WITNESSES = 20


def case_witnesses(
    session: Session, actor: User, witness: Witness, case_ids: Iterable[int]
) -> list[Witness]:
    """The other witnesses of ``case_ids`` that ``actor`` may see and book for (their office's
    staff), by reference: those the booking form offers to accompany with ``witness``."""
    case_ids = list(case_ids)
    if not case_ids:
        return []
    rows = session.scalars(
        select(Witness)
        .where(
            # EXISTS, not a join made DISTINCT: PostgreSQL cannot compare the JSON columns
            exists().where(
                Participation.witness_id == Witness.id,
                Participation.case_id.in_(case_ids),
                Participation.phase != Phase.closed,
            ),
            Witness.id != witness.id,
            Witness.organisation_id == witness.organisation_id,
            visible_witnesses(actor),
        )
        .order_by(Witness.reference)
    ).all()
    return [w for w in rows if can_manage_witness(actor, w)]


def companions(
    session: Session,
    actor: User,
    witness: Witness,
    ids: Sequence[int],
    case_id: int | None,
    *,
    already: Iterable[int] = (),
) -> list[Witness]:
    """The witnesses asked for beside ``witness``, each checked: of the booking's case (of one
    of the witness's cases when none is chosen), seen by ``actor`` and booked by their office.
    Anything else is one form error that names no one, so an id cannot be probed."""
    wanted = sorted(set(ids) - {witness.id} - set(already))
    if not wanted:
        return []
    if len(wanted) + 1 > MAX_WITNESSES:
        raise DomainError(
            _("One booking carries at most %(count)d witnesses.", count=MAX_WITNESSES),
            field="other_witness_ids",
        )
    case_ids = [case_id] if case_id is not None else [p.case_id for p in witness.participations]
    allowed = {w.id: w for w in case_witnesses(session, actor, witness, case_ids)}
    if any(wid not in allowed for wid in wanted):
        raise DomainError(
            _("Choose other witnesses of this case whose file you may see."),
            field="other_witness_ids",
        )
    return [allowed[wid] for wid in wanted]


def check_kind(kind: AppointmentKind, count: int) -> None:
    """Only going to court together is a group: a meeting, a review or counselling is one
    witness's own."""
    if count > 1 and kind not in (AppointmentKind.accompaniment, AppointmentKind.familiarisation):
        raise DomainError(
            _(
                "Only an accompaniment to a hearing or a court familiarisation visit can "
                "carry several witnesses."
            ),
            field="other_witness_ids",
        )


def group_language(
    witnesses: Sequence[Witness],
    interpreter: Interpreter | None,
    language: str | None,
    hidden: Sequence[Witness] = (),
) -> str | None:
    """The one language the booking's interpreter works in for everyone who needs one.

    An interpreter serves several witnesses at one hearing only in one language: when those
    needing an interpreter have no language in common (that the interpreter speaks, and that
    was asked for), the group is refused with the languages each needs (the witnesses in
    ``hidden``, whom the user may not see, unnamed)."""
    needing = [w for w in witnesses if w.needs_interpreter and w.languages]
    if interpreter is None or len(witnesses) < 2 or not needing:
        return language
    common = [
        lang
        for lang in needing[0].languages
        if all(lang in w.languages for w in needing) and lang in interpreter.languages
    ]
    if language:
        common = [lang for lang in common if lang == language]
    if not common:
        unnamed = _("another witness")
        needs = "; ".join(
            f"{unnamed if w in hidden else w.reference}: {', '.join(w.languages)}" for w in needing
        )
        raise DomainError(
            _(
                "One interpreter serves one language at a hearing, and these witnesses have "
                "none in common that %(name)s interprets (%(needs)s). Book them separately, "
                "each with an interpreter of their language.",
                name=interpreter.name,
                needs=needs,
            ),
            field="interpreter_id",
        )
    return common[0]


def members(session: Session, appointment: Appointment) -> list[Appointment]:
    """The appointments of ``appointment``'s booking, itself included, first booked first."""
    if appointment.group_id is None:
        return [appointment]
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.group_id == appointment.group_id)
            .order_by(Appointment.id)
        )
    )


def active_members(session: Session, appointment: Appointment) -> list[Appointment]:
    """The booking's appointments that still take people's time."""
    return [a for a in members(session, appointment) if a.status in ACTIVE or a is appointment]


def visible_ids(session: Session, actor: User, witness_ids: Iterable[int]) -> set[int]:
    """Which of ``witness_ids`` ``actor`` may see."""
    ids = set(witness_ids)
    if not ids:
        return set()
    return set(
        session.scalars(select(Witness.id).where(Witness.id.in_(ids), visible_witnesses(actor)))
    )
