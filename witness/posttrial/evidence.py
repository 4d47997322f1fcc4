"""Property of the victim's held as evidence: recorded without what identifies them, ready for
return (they are told by letter), returned (when, to whom, by whom), or retained or destroyed
by the court's order."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.cases.models import Case
from witness.core.errors import DomainError, InvalidTransition
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.people.models import Witness
from witness.posttrial import letters
from witness.posttrial.models import PropertyItem, PropertyStatus
from witness.posttrial.services import audit_change, check_managed, clean_note, matter_day

P = PropertyStatus
PROPERTY_STEPS: dict[PropertyStatus, tuple[PropertyStatus, ...]] = {
    P.held: (P.ready_for_return, P.retained, P.destroyed),
    P.ready_for_return: (P.returned, P.held, P.retained, P.destroyed),
    P.retained: (P.ready_for_return, P.destroyed),  # a retention order may later be lifted
    P.returned: (),
    P.destroyed: (),
}
IDENTIFYING = (
    "Describe the item without the witness's name, phone, e-mail, address or date of birth: "
    "the description is shown on lists and in letters."
)


# --- property held as evidence ----------------------------------------------------------------


def _identifies(witness: Witness, text: str) -> bool:
    """Whether ``text`` names the witness: their legal name, phone, e-mail, address or date
    of birth (the reference, a pseudonym, may appear)."""
    folded = " ".join(text.casefold().split())
    digits = "".join(c for c in text if c.isdigit())
    for value in (witness.legal_name, witness.email, witness.address):
        value = " ".join((value or "").casefold().split())
        if len(value) >= 3 and value in folded:
            return True
    phone = "".join(c for c in (witness.phone or "") if c.isdigit())
    if len(phone) >= 6 and phone[-6:] in digits:
        return True
    born = witness.date_of_birth
    return born is not None and (born.isoformat() in text or born.strftime("%d/%m/%Y") in text)


def record_property_item(
    session: Session,
    actor: User,
    witness: Witness,
    case: Case,
    *,
    description: str,
    held_at: str = "",
    held_since: date | None = None,
    note: str = "",
) -> PropertyItem:
    """Record something of the victim's held as evidence, described without what identifies
    them (it is shown on lists and in letters), and where it is kept."""
    check_managed(session, actor, witness, case)
    description = clean_text(description, "description", max_length=500)
    if not description:
        raise DomainError(gettext("Describe the item."), field="description")
    if _identifies(witness, description):
        raise DomainError(IDENTIFYING, field="description")
    item = PropertyItem(
        witness_id=witness.id,
        case_id=case.id,
        description=description,
        status=P.held,
        held_at=clean_text(held_at, "held_at", max_length=200),
        held_since=matter_day(held_since, "held_since", case, required=False),
        note=clean_note(note),
        updated_by_id=actor.id,
    )
    session.add(item)
    audit_change(session, actor, "property_recorded", item, held_at=item.held_at)
    return item


def change_property_status(
    session: Session,
    actor: User,
    item: PropertyItem,
    target: PropertyStatus,
    *,
    on: date | None = None,
    returned_to: str = "",
    returned_by: str = "",
    order: str = "",
    note: str = "",
) -> PropertyItem:
    """Move an item on (``PROPERTY_STEPS``): ready for return (the victim is told by letter),
    returned (when, to whom, by whom), or retained or destroyed by the court's order."""
    check_managed(session, actor, item.witness, item.case)
    current = item.status
    if target not in PROPERTY_STEPS[current]:
        allowed = ", ".join(s.label.lower() for s in PROPERTY_STEPS[current]) or "none"
        raise InvalidTransition(
            gettext(
                "Property that is %(lower)s cannot become %(lower2)s (allowed next: %(allowed)s).",
                lower=current.label.lower(),
                lower2=target.label.lower(),
                allowed=allowed,
            ),
            field="status",
        )
    if target is P.returned:
        item.returned_date = matter_day(on, "on", item.case, required=True, after=item.held_since)
        item.returned_to = clean_text(returned_to, "returned_to", max_length=200)
        item.returned_by = clean_text(returned_by, "returned_by", max_length=200)
        if not item.returned_to:
            raise DomainError(gettext("Say to whom it was returned."), field="returned_to")
        if not item.returned_by:
            raise DomainError(gettext("Say who handed it back."), field="returned_by")
    if target in (P.retained, P.destroyed):
        item.disposal_order = clean_text(order, "order", max_length=300)
        if not item.disposal_order:
            raise DomainError(
                gettext("Give the court's order (its reference and date)."), field="order"
            )
    item.status = target
    if note:
        item.note = clean_note(note)
    item.updated_by_id = actor.id
    audit_change(
        session,
        actor,
        "property_status",
        item,
        from_status=current,
        to_status=target,
        on=on,
        returned_to=item.returned_to if target is P.returned else None,
        order=item.disposal_order if target in (P.retained, P.destroyed) else None,
    )
    if target is P.ready_for_return:
        letters.tell(
            session,
            actor,
            item.witness,
            item.case,
            "property_return",
            {"item": item.description},
        )
    return item
