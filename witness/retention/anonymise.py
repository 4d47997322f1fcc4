"""Anonymising a witness's file once the retention period after its closure has passed.

What is removed: the witness's identity and contact details, and every free text written about
them that could identify them (notes, reasons, descriptions, addresses, the e-mails and letters
sent to them). What stays, pseudonymised: the reference, every record's ids and dates, the
support ledger, the audit log and the outcome events. Nothing hashed is rewritten: a ledger
entry's description and rationale and an approval's note are in its keyed hash (and the tables
are append-only), so the chain still verifies; they are evidence, written to name the witness
by reference only. Every value is set through the ORM, so it works whatever the column's type
(plain or encrypted at rest).

``plan`` says what would change without changing anything; ``anonymise`` changes it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.calendar.models import CalendarFeed
from witness.core.time import now_utc
from witness.hearings.models import SpecialMeasure
from witness.ledger.models import DisclosureExport
from witness.letters.models import Letter, PrintBatch
from witness.notify.models import (
    ContactAttempt,
    ContactPreference,
    MailStatus,
    News,
    OutboundEmail,
    WithheldReason,
)
from witness.notify.tasks import cancel_open_tasks
from witness.people.models import (
    Consent,
    InviteDetailChoice,
    NeedsAssessment,
    Participation,
    PhaseTransition,
    Witness,
)
from witness.posttrial.models import CompensationClaim, ImpactStatement, PropertyItem
from witness.protection.models import PlanConsultation, ProtectionAction
from witness.retention.models import FileClosure
from witness.risk.models import RiskAssessment, RiskIncident
from witness.scheduling.models import Appointment
from witness.subject_access.models import AccessRequest, CorrectionRequest

EMPTY_PDF_SHA256 = hashlib.sha256(b"").hexdigest()


def pseudonym(witness: Witness) -> str:
    """The name an anonymised file keeps: its reference, never the person's name."""
    return f"Anonymised witness {witness.reference}"


@dataclass(frozen=True)
class Rule:
    """Which rows of one table belong to the witness, and each field's value once cleared."""

    model: type
    rows: Callable[[int], ColumnElement[bool]]
    fields: dict[str, object]


def _own(model) -> Callable[[int], ColumnElement[bool]]:
    return lambda witness_id: model.witness_id == witness_id


def _via_participation(model) -> Callable[[int], ColumnElement[bool]]:
    return lambda witness_id: model.participation_id.in_(
        select(Participation.id).where(Participation.witness_id == witness_id)
    )


def _mail_of(witness_id: int) -> ColumnElement[bool]:
    # Mail to the witness, and staff's invites to the witness's appointments (their place
    # and notes are in the body and the calendar file).
    return or_(
        OutboundEmail.witness_id == witness_id,
        OutboundEmail.appointment_id.in_(
            select(Appointment.id).where(Appointment.witness_id == witness_id)
        ),
    )


def _batches_of(witness_id: int) -> ColumnElement[bool]:
    # A print batch is one PDF of many letters: it holds this witness's letter and address.
    return PrintBatch.id.in_(select(Letter.batch_id).where(Letter.witness_id == witness_id))


def _notes_cleared(answers: dict | None) -> dict:
    """A risk assessment's answers kept (present, absent, unknown), each factor's note cleared:
    the notes say who threatened whom, and where."""
    return {key: {**answer, "note": ""} for key, answer in (answers or {}).items()}


#: every table holding the witness's personal data, and what is left of it (a value, or a
#: function of the value held)
RULES: tuple[Rule, ...] = (
    Rule(Consent, _own(Consent), {"notes": ""}),
    Rule(NeedsAssessment, _own(NeedsAssessment), {"notes": ""}),
    Rule(InviteDetailChoice, _own(InviteDetailChoice), {"reason": ""}),
    Rule(PhaseTransition, _via_participation(PhaseTransition), {"reason": "(anonymised)"}),
    Rule(SpecialMeasure, _own(SpecialMeasure), {"decision_note": ""}),
    Rule(
        ContactPreference,
        _own(ContactPreference),
        dict.fromkeys(
            (
                "postal_name",
                "postal_address",
                "email",
                "phone",
                "safe_times",
                "contact_person",
                "contact_person_relation",
                "note",
            ),
            "",
        ),
    ),
    Rule(ContactAttempt, _own(ContactAttempt), {"note": ""}),
    Rule(News, _own(News), {"told_note": ""}),
    Rule(
        OutboundEmail,
        _mail_of,
        {"to_address": "", "body": "", "attachment_name": None, "attachment": None},
    ),
    Rule(
        Letter,
        _own(Letter),
        {
            "recipient_name": "",
            "recipient_address": "",
            "return_reason": "",
            "pdf": b"",
            "sha256": EMPTY_PDF_SHA256,
        },
    ),
    Rule(PrintBatch, _batches_of, {"pdf": None, "sha256": None}),
    Rule(
        Appointment,
        _own(Appointment),
        {"address": "", "notes": "", "witness_meeting_point": "", "status_reason": ""},
    ),
    Rule(
        RiskAssessment,
        _own(RiskAssessment),
        {"answers": _notes_cleared, "own_view": "", "override_reason": ""},
    ),
    Rule(RiskIncident, _own(RiskIncident), {"description": "", "reported_by": ""}),
    Rule(
        ProtectionAction,
        _own(ProtectionAction),
        {"detail": "", "owner_other": "", "closed_reason": ""},
    ),
    Rule(
        PlanConsultation,
        _own(PlanConsultation),
        {"interpreter_name": "", "agreed": "", "objected": ""},
    ),
    Rule(ImpactStatement, _own(ImpactStatement), {"note": ""}),
    Rule(CompensationClaim, _own(CompensationClaim), {"note": ""}),
    Rule(
        PropertyItem,
        _own(PropertyItem),
        {"description": "", "held_at": "", "returned_to": "", "returned_by": "", "note": ""},
    ),
    Rule(DisclosureExport, _own(DisclosureExport), {"content": None}),
    Rule(FileClosure, _own(FileClosure), {"reason": "(anonymised)", "reopen_reason": ""}),
    Rule(AccessRequest, _own(AccessRequest), {"identity_check": "(anonymised)"}),
    Rule(CorrectionRequest, _own(CorrectionRequest), {"request": "(anonymised)", "reason": ""}),
)


def witness_fields(witness: Witness) -> dict[str, object]:
    """The witness row's own fields once anonymised."""
    return {
        "legal_name": pseudonym(witness),
        "date_of_birth": None,
        "phone": None,
        "email": None,
        "address": None,
        "guardian_name": None,
        "guardian_contact": None,
        "gender": None,
        "nationality": None,
        "languages": [],
        "invites_full_detail": False,
    }


@dataclass
class Change:
    """What anonymising changes in one table: rows and the names of the fields (never values)."""

    table: str
    rows: int
    fields: list[str]


def _differs(row, name: str, value) -> bool:
    current = getattr(row, name)
    if value == "" and current is None:
        return False
    return current != value


def _rule_change(session: Session, rule: Rule, witness_id: int, apply: bool) -> Change | None:
    changed_rows = 0
    names: set[str] = set()
    for row in session.scalars(select(rule.model).where(rule.rows(witness_id))):
        cleared = {
            name: value(getattr(row, name)) if callable(value) else value
            for name, value in rule.fields.items()
        }
        fields = [name for name, value in cleared.items() if _differs(row, name, value)]
        if fields:
            changed_rows += 1
            names.update(fields)
            if apply:
                for name in fields:
                    setattr(row, name, cleared[name])
    if not changed_rows:
        return None
    return Change(rule.model.__tablename__, changed_rows, sorted(names))


def _live_feeds(witness_id: int):
    return select(CalendarFeed).where(
        CalendarFeed.witness_id == witness_id, CalendarFeed.revoked_dt.is_(None)
    )


def _pending_mail(witness_id: int):
    return select(OutboundEmail).where(
        _mail_of(witness_id), OutboundEmail.status == MailStatus.pending
    )


def changes(session: Session, witness: Witness, *, apply: bool = False) -> list[Change]:
    """What anonymising ``witness`` changes, table by table; made only when ``apply``."""
    found = []
    own = [n for n, v in witness_fields(witness).items() if _differs(witness, n, v)]
    if own:
        found.append(Change("witnesses", 1, sorted(own)))
    feeds = list(session.scalars(_live_feeds(witness.id)))
    if feeds:
        found.append(Change("calendar_feeds", len(feeds), ["revoked_dt"]))
    pending = list(session.scalars(_pending_mail(witness.id)))
    if pending:
        found.append(Change("outbound_emails (pending)", len(pending), ["status"]))
    for rule in RULES:
        change = _rule_change(session, rule, witness.id, apply=False)
        if change is not None:
            found.append(change)
    if apply:
        _apply(session, witness, feeds, pending)
    return found


def _apply(session: Session, witness: Witness, feeds, pending) -> None:
    now = now_utc()
    for feed in feeds:  # a subscribed calendar must stop showing the witness's appointments
        feed.revoked_dt = now
    for email in pending:  # nothing more goes to an address that is about to be erased
        email.status = MailStatus.withheld
        email.withheld_reason = WithheldReason.no_address
        email.claimed_until_dt = None
    for rule in RULES:
        _rule_change(session, rule, witness.id, apply=True)
    for name, value in witness_fields(witness).items():
        if _differs(witness, name, value):
            setattr(witness, name, value)
    witness.anonymised_dt = now
    session.flush()


def anonymise(session: Session, actor: User | None, witness: Witness) -> list[Change]:
    """Anonymise ``witness`` (see the module's docstring): open notification tasks are
    cancelled (no one is left to tell), and the audit event counts rows and names fields,
    never the values removed."""
    found = changes(session, witness, apply=True)
    cancelled = cancel_open_tasks(
        session, reason="The witness's file was anonymised.", witness_id=witness.id
    )
    record_event(
        session,
        actor,
        "witness.anonymise",
        witness,
        witness_id=witness.id,
        rows={c.table: c.rows for c in found},
        fields={c.table: c.fields for c in found},
        tasks_cancelled=cancelled,
    )
    return found
