"""Everything held about one witness, gathered for an access request: one section per kind of
record, each row's own columns (staff, organisations and cases named beside their ids), and
what is withheld with the reason, so the reader knows what they do not see and why.

Only rows of this witness are read (``witness_id``, or a record reached from one of theirs), so
another witness's data never enters, even from a booking several witnesses shared: the others
of a group booking are counted as withheld, never named."""

from __future__ import annotations

import enum
import io
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pypdf import PdfReader
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from witness.audit.models import AuditEvent
from witness.auth.models import Organisation, User
from witness.calendar.models import CalendarFeed
from witness.cases.models import Case, Court, Hearing
from witness.hearings.models import SpecialMeasure
from witness.ledger.models import DisclosureExport, LedgerFlag, SupportApproval, SupportItem
from witness.letters.models import Letter
from witness.notify.models import (
    ContactAttempt,
    ContactPreference,
    News,
    NotificationTask,
    OutboundEmail,
    StaffAlert,
)
from witness.outcomes.models import OutcomeEvent
from witness.people.models import (
    Assignment,
    Consent,
    InviteDetailChoice,
    NeedsAssessment,
    Participation,
    PhaseTransition,
    Witness,
)
from witness.posttrial.models import (
    CompensationClaim,
    CompensationPayment,
    ImpactStatement,
    PropertyItem,
)
from witness.protection.models import PlanConsultation, ProtectionAction
from witness.retention.models import FileClosure, LegalHold
from witness.risk.models import RiskAssessment, RiskIncident, RiskReview
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentStaff, Interpreter
from witness.subject_access.models import AccessRequest, CorrectionRequest

#: the export's format; raised when a section or a field changes meaning
SCHEMA = "witness.subject-access/1"

#: the sections, in the order the PDF prints them, with their headings
SECTIONS: tuple[tuple[str, str], ...] = (
    ("personal_details", "Personal details"),
    ("assigned_staff", "Staff assigned to you"),
    ("invite_detail_choices", "What your calendar invites say"),
    ("calendar_feeds", "Your calendar feeds"),
    ("consents", "Consents, with their history"),
    ("contact_preferences", "Contact preferences, with their history"),
    ("participations", "Cases and phases"),
    ("needs", "Needs"),
    ("appointments", "Appointments"),
    ("special_measures", "Special measures"),
    ("risk_assessments", "Risk assessments"),
    ("risk_reviews", "Risk reviews"),
    ("risk_incidents", "Incidents"),
    ("protection_actions", "Protection plan: actions"),
    ("plan_consultations", "Protection plan: consultations with you"),
    ("support_items", "Support given (ledger)"),
    ("letters", "Letters"),
    ("emails", "E-mails sent to you"),
    ("notification_tasks", "What we had to tell you"),
    ("contact_attempts", "Attempts to reach you"),
    ("news", "News of your case"),
    ("outcome_events", "Outcomes of your cases, as you were told"),
    ("impact_statements", "Impact statements"),
    ("compensation_claims", "Compensation"),
    ("property_items", "Your property"),
    ("access_requests", "Your requests for your data"),
    ("correction_requests", "Your requests for corrections"),
    ("file_closures", "When your file was closed or reopened"),
    ("legal_holds", "Holds that keep your file from being anonymised"),
    ("access_log", "Who looked at or changed your file"),
)

#: columns that hold nothing about the witness (integrity hashes, delivery bookkeeping, stored
#: files): left out of every section, as the export's ``withheld`` says
TECHNICAL = frozenset(
    {
        "chain_seq",
        "prev_hash",
        "entry_hash",
        "key_id",
        "ical_uid",
        "ical_sequence",
        "claimed_until_dt",
        "next_attempt_dt",
        "attempts",
        "channel_index",
        "pdf",
        "sha256",
        "attachment",
        "batch_id",
        "token_hash",
    }
)
#: columns naming a member of staff: their name is written beside the id
USER_KEYS = frozenset(
    {
        "actor_id",
        "approved_by_id",
        "assigned_by_id",
        "by_id",
        "closed_by_id",
        "completed_by_id",
        "created_by_id",
        "decided_by_id",
        "done_by_id",
        "owner_user_id",
        "posted_by_id",
        "proposed_by_id",
        "recorded_by_id",
        "told_by_id",
        "updated_by_id",
        "user_id",
    }
)


@dataclass
class Withheld:
    """Something held but not given, why, and how many of it."""

    section: str
    what: str
    reason: str
    count: int

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "reason": self.reason,
            "section": self.section,
            "what": self.what,
        }


@dataclass
class Collected:
    sections: dict[str, list[dict]] = field(default_factory=dict)
    withheld: list[Withheld] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {key: len(rows) for key, rows in self.sections.items()}


def plain(value: Any) -> Any:
    """A value as JSON writes it: money as its exact decimal text, instants in ISO 8601 UTC."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class _Collector:
    def __init__(self, session: Session, witness: Witness) -> None:
        self.session, self.witness = session, witness
        self.out = Collected()

    # --- one row ------------------------------------------------------------------------------

    def _name(self, model, ident: int | None, attr: str) -> str | None:
        if ident is None:
            return None
        record = self.session.get(model, ident)
        return getattr(record, attr) if record is not None else None

    def row(self, obj, omit: frozenset[str] | set[str] = frozenset(), **extra) -> dict:
        """``obj``'s columns (less ``omit`` and the technical ones), with staff, organisations
        and cases named beside their ids."""
        found: dict[str, Any] = {}
        for attr in inspect(obj).mapper.column_attrs:
            key = attr.key
            if key in TECHNICAL or key in omit:
                continue
            value = getattr(obj, key)
            found[key] = plain(value)
            if key in USER_KEYS:
                found[key.removesuffix("_id")] = self._name(User, value, "name")
            elif key.endswith("organisation_id"):
                found[key.removesuffix("_id")] = self._name(Organisation, value, "name")
            elif key == "case_id":
                found["case_reference"] = self._name(Case, value, "reference")
        found.update({k: plain(v) for k, v in extra.items()})
        return found

    def rows(self, model, *conditions) -> list:
        query = select(model).where(*conditions).order_by(model.id)
        return list(self.session.scalars(query))

    def add(self, key: str, rows: list[dict]) -> None:
        self.out.sections[key] = rows

    def withhold(self, section: str, what: str, reason: str, count: int) -> None:
        if count:
            self.out.withheld.append(Withheld(section, what, reason, count))

    # --- the sections -------------------------------------------------------------------------

    def person(self) -> None:
        w = self.witness
        self.add("personal_details", [self.row(w)])
        mine = Assignment.witness_id == w.id
        self.add("assigned_staff", [self.row(a) for a in self.rows(Assignment, mine)])
        choices = self.rows(InviteDetailChoice, InviteDetailChoice.witness_id == w.id)
        self.add("invite_detail_choices", [self.row(c) for c in choices])
        feeds = self.rows(CalendarFeed, CalendarFeed.witness_id == w.id)
        self.add("calendar_feeds", [self.row(f) for f in feeds])
        self.add("consents", [self.row(c) for c in self.rows(Consent, Consent.witness_id == w.id)])
        preferences = self.rows(ContactPreference, ContactPreference.witness_id == w.id)
        self.add("contact_preferences", [self.row(p) for p in preferences])
        participations = []
        for p in self.rows(Participation, Participation.witness_id == w.id):
            history = self.rows(PhaseTransition, PhaseTransition.participation_id == p.id)
            participations.append(
                self.row(p, court=p.case.court.name, phase_history=[self.row(t) for t in history])
            )
        self.add("participations", participations)
        needs = self.rows(NeedsAssessment, NeedsAssessment.witness_id == w.id)
        self.add("needs", [self.row(n) for n in needs])

    def appointments(self) -> None:
        w = self.witness
        found, shared, interpreted = [], 0, 0
        omit = {"group_id", "interpreter_id", "resource_id", "risk_review_id"}
        for a in self.rows(Appointment, Appointment.witness_id == w.id):
            staff = self.session.scalars(
                select(User.name)
                .join(AppointmentStaff, AppointmentStaff.user_id == User.id)
                .where(AppointmentStaff.appointment_id == a.id)
                .order_by(User.name)
            )
            interpreter = (
                self.session.get(Interpreter, a.interpreter_id) if a.interpreter_id else None
            )
            shared += a.group_id is not None
            interpreted += interpreter is not None
            found.append(
                self.row(
                    a,
                    omit,
                    shared_booking=a.group_id is not None,
                    staff=list(staff),
                    place=self._name(Resource, a.resource_id, "name"),
                    interpreter=(
                        {"name": interpreter.name, "languages": interpreter.languages}
                        if interpreter
                        else None
                    ),
                )
            )
        self.add("appointments", found)
        self.withhold(
            "appointments",
            "The other witnesses booked for the same meeting or hearing (group bookings)",
            "Other people's personal data: each witness is told only of their own booking.",
            shared,
        )
        self.withhold(
            "appointments",
            "Interpreters' e-mail addresses",
            "Third parties' contact details: an interpreter is reached through the office.",
            interpreted,
        )
        measures = []
        for m in self.rows(SpecialMeasure, SpecialMeasure.witness_id == w.id):
            hearing = self.session.get(Hearing, m.hearing_id)
            measures.append(
                self.row(
                    m,
                    hearing_type=hearing.type,
                    hearing_start_dt=hearing.start_dt,
                    case_reference=self._name(Case, hearing.case_id, "reference"),
                    court=self._name(Court, hearing.court_id, "name"),
                )
            )
        self.add("special_measures", measures)

    def risk(self) -> None:
        w = self.witness
        assessments = self.rows(RiskAssessment, RiskAssessment.witness_id == w.id)
        self.add("risk_assessments", [self.row(a, {"override_reason"}) for a in assessments])
        self.withhold(
            "risk_assessments",
            "The officer's reasons for setting a level other than the instrument's",
            "May record intelligence from the police or other agencies about people around the "
            "accused; disclosing it could endanger its source (the data-protection officer "
            "reviews each one on request).",
            sum(1 for a in assessments if a.override_reason.strip()),
        )
        reviews = self.rows(RiskReview, RiskReview.witness_id == w.id)
        self.add("risk_reviews", [self.row(r, {"key"}) for r in reviews])
        incidents = self.rows(RiskIncident, RiskIncident.witness_id == w.id)
        omit = {"reported_by", "police_reference"}
        self.add("risk_incidents", [self.row(i, omit) for i in incidents])
        self.withhold(
            "risk_incidents",
            "Who reported each incident",
            "Names a third party who reported it; disclosing them could put them at risk.",
            sum(1 for i in incidents if i.reported_by.strip()),
        )
        self.withhold(
            "risk_incidents",
            "Police references of incidents",
            "Part of a police investigation (prevention and detection of crime); ask the police.",
            sum(1 for i in incidents if i.police_reference.strip()),
        )
        actions = self.rows(ProtectionAction, ProtectionAction.witness_id == w.id)
        self.add("protection_actions", [self.row(a) for a in actions])
        talks = self.rows(PlanConsultation, PlanConsultation.witness_id == w.id)
        self.add("plan_consultations", [self.row(c) for c in talks])

    def support(self) -> None:
        w = self.witness
        found = []
        for item in self.rows(SupportItem, SupportItem.witness_id == w.id):
            approval = self.session.scalar(
                select(SupportApproval).where(SupportApproval.item_id == item.id)
            )
            omit = {"case_id", "item_id", "id"}
            found.append(self.row(item, approval=self.row(approval, omit) if approval else None))
        self.add("support_items", found)
        reports = self.session.scalar(
            select(func.count())
            .select_from(DisclosureExport)
            .where(DisclosureExport.witness_id == w.id)
        )
        self.withhold(
            "support_items",
            "Disclosure reports of the ledger prepared for the court",
            "Copies of the entries listed above, made for the prosecution's duty of disclosure.",
            reports or 0,
        )
        flags = self.session.scalar(
            select(func.count()).select_from(LedgerFlag).where(LedgerFlag.witness_id == w.id)
        )
        self.withhold(
            "support_items",
            "Checks the office ran on its own spending (ledger flags)",
            "Internal control of staff conduct: they record nothing about you beyond the "
            "entries listed.",
            flags or 0,
        )

    def messages(self) -> None:
        w = self.witness
        letters = self.rows(Letter, Letter.witness_id == w.id)
        self.add("letters", [self.row(letter, text=letter_text(letter.pdf)) for letter in letters])
        mails = self.rows(
            OutboundEmail, OutboundEmail.witness_id == w.id, OutboundEmail.user_id.is_(None)
        )
        self.add("emails", [self.row(m, {"user_id"}) for m in mails])
        staff_copies = self.session.scalar(
            select(func.count())
            .select_from(OutboundEmail)
            .where(OutboundEmail.witness_id == w.id, OutboundEmail.user_id.is_not(None))
        )
        self.withhold(
            "emails",
            "E-mails to staff about your appointments (their calendar invites)",
            "Internal messages to staff at their own addresses; the appointments they concern "
            "are listed above.",
            staff_copies or 0,
        )
        tasks = self.rows(NotificationTask, NotificationTask.witness_id == w.id)
        self.add(
            "notification_tasks",
            [
                self.row(
                    t, {"breach_alerted_dt"}, about=self._name(OutcomeEvent, t.event_id, "kind")
                )
                for t in tasks
            ],
        )
        attempts = self.rows(ContactAttempt, ContactAttempt.witness_id == w.id)
        self.add("contact_attempts", [self.row(a) for a in attempts])
        self.add("news", [self.row(n) for n in self.rows(News, News.witness_id == w.id)])
        alerts = self.session.scalar(
            select(func.count()).select_from(StaffAlert).where(StaffAlert.witness_id == w.id)
        )
        self.withhold(
            "notification_tasks",
            "Reminders the system sent to staff about your file",
            "Internal working notes to staff (a deadline near, a review due); what they were "
            "about is listed in this export.",
            alerts or 0,
        )

    def after_trial(self) -> None:
        w = self.witness
        statements = self.rows(ImpactStatement, ImpactStatement.witness_id == w.id)
        claims = self.rows(CompensationClaim, CompensationClaim.witness_id == w.id)
        tasks = self.rows(NotificationTask, NotificationTask.witness_id == w.id)
        event_ids = {t.event_id for t in tasks}
        event_ids |= {s.sentence_event_id for s in statements if s.sentence_event_id}
        event_ids |= {c.order_event_id for c in claims if c.order_event_id}
        events = self.rows(OutcomeEvent, OutcomeEvent.id.in_(event_ids)) if event_ids else []
        omit = {"note", "source_system", "external_id", "defendant_id"}
        self.add("outcome_events", [self.row(e, omit) for e in events])
        self.withhold(
            "outcome_events",
            "Staff notes on outcomes",
            "Notes on the accused's case beyond what you were told: the accused's personal "
            "data, not yours.",
            sum(1 for e in events if e.note.strip()),
        )
        self.add("impact_statements", [self.row(s) for s in statements])
        found = []
        for claim in claims:
            paid = self.rows(CompensationPayment, CompensationPayment.claim_id == claim.id)
            found.append(self.row(claim, payments=[self.row(p, {"claim_id"}) for p in paid]))
        self.add("compensation_claims", found)
        items = self.rows(PropertyItem, PropertyItem.witness_id == w.id)
        self.add("property_items", [self.row(p) for p in items])

    def requests(self) -> None:
        w = self.witness
        asked = self.rows(AccessRequest, AccessRequest.witness_id == w.id)
        self.add("access_requests", [self.row(r) for r in asked])
        corrections = []
        for c in self.rows(CorrectionRequest, CorrectionRequest.witness_id == w.id):
            corrections.append(self.row(c, fields_corrected=c.fields_corrected))
        self.add("correction_requests", corrections)
        closures = self.rows(FileClosure, FileClosure.witness_id == w.id)
        self.add("file_closures", [self.row(c) for c in closures])
        holds = self.rows(LegalHold, LegalHold.witness_id == w.id)
        self.add("legal_holds", [self.row(h) for h in holds])

    def access_log(self) -> None:
        w = self.witness
        events = self.rows(AuditEvent, AuditEvent.witness_id == w.id)
        found = []
        for e in events:
            actor = self.session.get(User, e.actor_id) if e.actor_id else None
            found.append(
                {
                    "id": e.id,
                    "occurred_dt": plain(e.occurred_dt),
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "actor": actor.name if actor else None,
                    "actor_role": plain(actor.role) if actor else None,
                    "actor_organisation": actor.organisation.name if actor else None,
                }
            )
        self.add("access_log", found)
        self.withhold(
            "access_log",
            "The network address each look came from, and the log's internal details",
            "Staff members' personal data and the office's network security.",
            len(events),
        )


#: every table with a ``witness_id``, and where the export answers for it: a section, or a
#: withheld entry with its reason (``tests/subject_access`` fails on a table missing here, so a
#: new feature's records cannot silently stay out of an access request)
COVERED = {
    "access_requests": "access_requests",
    "appointments": "appointments",
    "assignments": "assigned_staff",
    "audit_events": "access_log",
    "calendar_feeds": "calendar_feeds",
    "compensation_claims": "compensation_claims",
    "consents": "consents",
    "contact_attempts": "contact_attempts",
    "contact_preferences": "contact_preferences",
    "correction_requests": "correction_requests",
    "disclosure_exports": "withheld",
    "file_closures": "file_closures",
    "legal_holds": "legal_holds",
    "impact_statements": "impact_statements",
    "invite_detail_choices": "invite_detail_choices",
    "ledger_flags": "withheld",
    "letters": "letters",
    "needs_assessments": "needs",
    "news": "news",
    "notification_tasks": "notification_tasks",
    "outbound_emails": "emails",
    "participations": "participations",
    "plan_consultations": "plan_consultations",
    "property_items": "property_items",
    "protection_actions": "protection_actions",
    "risk_assessments": "risk_assessments",
    "risk_incidents": "risk_incidents",
    "risk_reviews": "risk_reviews",
    "special_measures": "special_measures",
    "staff_alerts": "withheld",
    "support_items": "support_items",
}


def letter_text(pdf: bytes | None) -> str:
    """The words of a stored letter, read back from the PDF that was printed: by poppler's
    ``pdftotext`` where it is installed (it reads the ``ActualText`` each Thai, Khmer or Arabic
    run carries, so the words come back exactly), else by pypdf (exact for Latin letters; it
    decodes shaped glyphs one by one, so a Thai letter may lose some marks)."""
    if not pdf:
        return ""
    tool = shutil.which("pdftotext")
    if tool is not None:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if done.returncode == 0:
            return "\n".join(line.rstrip() for line in done.stdout.decode().splitlines()).strip()
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def collect(session: Session, witness: Witness) -> Collected:
    """Every section of ``witness``'s data, and what is withheld from it with the reasons."""
    collector = _Collector(session, witness)
    collector.person()
    collector.appointments()
    collector.risk()
    collector.support()
    collector.messages()
    collector.after_trial()
    collector.requests()
    collector.access_log()
    collector.withhold(
        "all",
        "Technical fields (integrity hashes, delivery bookkeeping, the stored letter files)",
        "They hold nothing about you: they let the office prove its records were not altered.",
        1,
    )
    return collector.out
