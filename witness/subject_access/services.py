"""Recording a witness's access and correction requests, answering them, and handing out the
export of their data (audited with the count of each section, never a value)."""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import may_see_witness, require
from witness.core.access_after import can_answer_data_request
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import check_year, to_local, today_in
from witness.people.models import Witness
from witness.subject_access import export_pdf
from witness.subject_access.collect import SCHEMA, SECTIONS, collect
from witness.subject_access.models import AccessRequest, CorrectionOutcome, CorrectionRequest

FORMATS = ("json", "pdf")


def _require(session: Session, actor: User, witness: Witness) -> None:
    """A supervisor of the owning office, or the officer assigned to the witness."""
    require(
        can_answer_data_request(actor, witness) and may_see_witness(session, actor, witness.id),
        gettext("Only a supervisor or the witness's own officer may do this."),
    )


def _received(day: date | None, witness: Witness) -> date:
    if day is None:
        raise DomainError(gettext("Give the date the request was received."), "received_date")
    check_year(day, "received_date")
    if day > today_in(witness.timezone):
        raise DomainError(
            gettext("The request cannot have been received after today."), "received_date"
        )
    return day


def _required_text(value: str | None, field: str, message: str) -> str:
    text = clean_text(value, field, multiline=True, max_length=2000)
    if not text:
        raise DomainError(message, field)
    return text


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day if it is shorter
    (a request received on 31 January is due on 28 or 29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- access requests -------------------------------------------------------------------------


def record_access_request(
    session: Session,
    actor: User,
    witness: Witness,
    received_date: date | None,
    identity_check: str | None,
) -> AccessRequest:
    """Record that the witness asked for their data, and how the requester's identity was
    checked: required, because a copy must never go to someone posing as the witness."""
    _require(session, actor, witness)
    received = _received(received_date, witness)
    check = _required_text(
        identity_check,
        "identity_check",
        gettext("Say how you checked that the request comes from the witness."),
    )
    asked = AccessRequest(
        witness_id=witness.id, received_date=received, identity_check=check, recorded_by_id=actor.id
    )
    session.add(asked)
    session.flush()
    record_event(session, actor, "access_request.create", asked, witness_id=witness.id)
    return asked


def export_document(
    session: Session, actor: User, witness: Witness, asked: AccessRequest, now: datetime
) -> dict:
    """Everything held about the witness as one document: the request it answers, each section
    of ``collect.SECTIONS``, and what is withheld with the reasons."""
    _require(session, actor, witness)
    found = collect(session, witness)
    return {
        "schema": SCHEMA,
        "generated_dt": now.isoformat(),
        "timezone": witness.timezone,
        "request": {
            "id": asked.id,
            "received_date": asked.received_date.isoformat(),
            "identity_check": asked.identity_check,
            "prepared_by": actor.name,
        },
        "withheld": [w.as_dict() for w in found.withheld],
        **{key: found.sections[key] for key, _ in SECTIONS},
    }


def render_json(doc: dict) -> bytes:
    """The document as UTF-8 JSON, keys in a fixed order: the same data gives the same bytes."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2).encode() + b"\n"


def export_data(
    session: Session, actor: User, witness: Witness, asked: AccessRequest, fmt: str, now: datetime
) -> bytes:
    """The export of the witness's data in ``fmt`` (json or pdf), audited as
    ``witness.data_exported`` with how many records each section held: never a value."""
    if fmt not in FORMATS:
        raise DomainError(gettext("The export is a JSON file or a PDF."))
    if asked.witness_id != witness.id:
        raise DomainError(gettext("That request is not this witness's."))
    doc = export_document(session, actor, witness, asked, now)
    body = render_json(doc) if fmt == "json" else export_pdf.render_pdf(doc)
    counts = {key: len(doc[key]) for key, _ in SECTIONS}
    record_event(
        session,
        actor,
        "witness.data_exported",
        asked,
        witness_id=witness.id,
        format=fmt,
        counts=counts,
        withheld=len(doc["withheld"]),
    )
    return body


# --- correction requests ---------------------------------------------------------------------


def record_correction_request(
    session: Session,
    actor: User,
    witness: Witness,
    received_date: date | None,
    request: str | None,
    months: int = 1,
) -> CorrectionRequest:
    """Record what the witness says is wrong; it is due ``months`` calendar months after
    receipt (one, under GDPR article 12(3))."""
    _require(session, actor, witness)
    received = _received(received_date, witness)
    text = _required_text(
        request, "request", gettext("Say what the witness says is wrong, in their words.")
    )
    correction = CorrectionRequest(
        witness_id=witness.id,
        received_date=received,
        request=text,
        due_date=add_months(received, months),
        recorded_by_id=actor.id,
    )
    session.add(correction)
    session.flush()
    record_event(
        session,
        actor,
        "correction_request.create",
        correction,
        witness_id=witness.id,
        due_date=correction.due_date,
    )
    return correction


def _edit_event(session: Session, correction: CorrectionRequest, witness: Witness, event_id):
    """The audited edit of the witness's file that made the correction: one made through the
    file's edit form (``witness.update``) on or after the day the request was received."""
    event = session.get(AuditEvent, event_id) if event_id else None
    if (
        event is None
        or event.action != "witness.update"
        or event.witness_id != witness.id
        or to_local(event.occurred_dt, witness.timezone).date() < correction.received_date
    ):
        raise DomainError(
            gettext(
                "Choose the edit of the file that made the correction: correct the file "
                "through its edit form first, then record the outcome here."
            ),
            "edit_event_id",
        )
    return event


def decide_correction(
    session: Session,
    actor: User,
    witness: Witness,
    correction: CorrectionRequest,
    outcome: CorrectionOutcome | None,
    reason: str | None,
    edit_event_id: int | None,
    now: datetime,
) -> CorrectionRequest:
    """Record the outcome: corrected (linked to the edit that did it), refused (with the reason
    the witness is told) or partly (both). Decided once."""
    _require(session, actor, witness)
    if correction.witness_id != witness.id:
        raise DomainError(gettext("That request is not this witness's."))
    if correction.outcome is not None:
        raise DomainError(gettext("This request was already answered."))
    if outcome is None:
        raise DomainError(gettext("Choose the outcome."), "outcome")
    event = None
    if outcome in (CorrectionOutcome.corrected, CorrectionOutcome.partly):
        event = _edit_event(session, correction, witness, edit_event_id)
    text = clean_text(reason, "reason", multiline=True, max_length=2000)
    if outcome in (CorrectionOutcome.refused, CorrectionOutcome.partly) and not text:
        raise DomainError(
            gettext("Give the reason for refusing, as the witness will be told it."), "reason"
        )
    correction.outcome, correction.reason = outcome, text
    correction.edit_event_id = event.id if event is not None else None
    correction.decided_by_id, correction.decided_dt = actor.id, now
    session.flush()
    record_event(
        session,
        actor,
        "correction_request.decide",
        correction,
        witness_id=witness.id,
        outcome=outcome,
        fields=correction.fields_corrected,
    )
    return correction


def overdue_since(correction: CorrectionRequest, today: date) -> timedelta | None:
    """How long an open request has been past its due date, or None."""
    return today - correction.due_date if correction.is_overdue(today) else None
