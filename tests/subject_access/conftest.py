"""A witness with something recorded in every feature, and a second witness whose distinctive
values must never appear in the first one's export."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from reportlab.pdfgen import canvas

from witness.audit.services import record_event
from witness.calendar.models import CalendarFeed
from witness.cases.models import Hearing, HearingType
from witness.hearings.models import MeasureKind, SpecialMeasure
from witness.ledger.models import SupportCategory
from witness.ledger.services import record_item
from witness.letters.models import Letter
from witness.notify.models import (
    AttemptOutcome,
    ContactAttempt,
    ContactPreference,
    News,
    NewsKind,
    OutboundEmail,
)
from witness.people.models import (
    Channel,
    Consent,
    ConsentKind,
    InviteDetailChoice,
    NeedArea,
    NeedsAssessment,
)
from witness.posttrial.models import (
    ClaimStatus,
    CompensationClaim,
    ImpactStatement,
    PropertyItem,
    StatementStatus,
)
from witness.protection.models import (
    ActionKind,
    ConsultationMethod,
    PlanConsultation,
    ProtectionAction,
)
from witness.retention.models import FileClosure, LegalHold
from witness.risk.models import (
    AssessmentStatus,
    IncidentKind,
    ReviewSource,
    RiskAssessment,
    RiskIncident,
    RiskReview,
)
from witness.scheduling.models import Appointment, AppointmentKind, Interpreter
from witness.subject_access.services import record_correction_request

THAI_NAME = "สมหญิง ใจดี"
#: the second witness's values: none may appear in the first one's export
OTHER = {
    "legal_name": "Zebulon Quartermaine",
    "phone": "+44 7700 900999",
    "address": "77 Forbidden Lane, Otherton",
    "email": "zebulon@other.example",
}


def _letter_pdf(text: str) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, text)
    c.save()
    return out.getvalue()


@pytest.fixture
def full(db, world, make_user, make_witness, make_task):
    """``world.assigned`` (Thai name) with a record in every feature; ``world.unassigned`` in a
    group booking with them, with distinctive values of its own."""
    w, other, case, officer = world.assigned, world.unassigned, world.case, world.officer
    w.legal_name, w.address, w.email = THAI_NAME, "12 Safe Street, Leeds", "somying@safe.example"
    for key, value in OTHER.items():
        setattr(other, key, value)
    sup = world.supervisor
    now = datetime(2026, 3, 1, 10, tzinfo=UTC)
    db.add_all(
        [
            Consent(
                witness_id=w.id,
                kind=ConsentKind.notify,
                channel=Channel.email,
                is_granted=True,
                recorded_by_id=sup.id,
                notes="Agreed to e-mails",
            ),
            ContactPreference(
                witness_id=w.id,
                channels=["email"],
                email=w.email,
                recorded_by_id=sup.id,
                safe_times="Mornings only",
            ),
            NeedsAssessment(
                witness_id=w.id,
                area=NeedArea.childcare,
                notes="Two small children",
                review_date=date(2026, 4, 1),
                recorded_by_id=sup.id,
            ),
        ]
    )
    interpreter = Interpreter(
        organisation_id=world.office.id,
        name="Anong Interpreter",
        languages=["th"],
        email="anong.secret@interp.example",
    )
    db.add(interpreter)
    db.flush()
    first = Appointment(
        organisation_id=world.office.id,
        witness_id=w.id,
        case_id=case.id,
        kind=AppointmentKind.pre_trial_meeting,
        start_dt=now,
        end_dt=now + timedelta(hours=1),
        interpreter_id=interpreter.id,
        language="th",
        notes="Group familiarisation visit",
        created_by_id=officer.id,
    )
    db.add(first)
    db.flush()
    first.group_id = first.id
    db.add(
        Appointment(
            organisation_id=world.office.id,
            witness_id=other.id,
            case_id=case.id,
            kind=AppointmentKind.pre_trial_meeting,
            start_dt=now,
            end_dt=now + timedelta(hours=1),
            group_id=first.id,
            notes="Zebulon's own note",
            created_by_id=officer.id,
        )
    )
    hearing = Hearing(
        case_id=case.id,
        court_id=case.court_id,
        type=HearingType.trial_day,
        start_dt=now + timedelta(days=30),
        end_dt=now + timedelta(days=30, hours=3),
    )
    db.add(hearing)
    db.flush()
    db.add(
        SpecialMeasure(
            witness_id=w.id,
            hearing_id=hearing.id,
            kind=MeasureKind.screens,
            proposed_by_id=officer.id,
        )
    )
    db.add_all(
        [
            RiskAssessment(
                witness_id=w.id,
                instrument="v1",
                status=AssessmentStatus.completed,
                own_view="I feel watched",
                override_reason="Police intel on cousin",
                created_by_id=officer.id,
            ),
            RiskIncident(
                witness_id=w.id,
                kind=IncidentKind.threat,
                reported_by="Neighbour Ned",
                occurred_dt=now,
                description="A car waited outside",
                police_reference="POL-123",
                recorded_by_id=officer.id,
            ),
            ProtectionAction(
                witness_id=w.id,
                kind=ActionKind.alarm,
                detail="Panic alarm fitted",
                created_by_id=officer.id,
                updated_by_id=officer.id,
            ),
            PlanConsultation(
                witness_id=w.id,
                consulted_on=date(2026, 3, 2),
                method=ConsultationMethod.in_person,
                agreed="The alarm",
                recorded_by_id=officer.id,
            ),
        ]
    )
    record_item(
        db,
        officer,
        w,
        case_id=case.id,
        category=SupportCategory.transport,
        description="Bus fare to court",
        quantity="1",
        unit="ticket",
        value="12.50",
        currency="GBP",
        date_provided=date(2026, 3, 2),
        rationale="Travel to the pre-trial visit",
    )
    task = make_task(w, case)
    db.add_all(
        [
            Letter(
                organisation_id=world.office.id,
                witness_id=w.id,
                case_id=case.id,
                task_id=task.id,
                kind="verdict",
                language="en",
                recipient_name="S. Jaidee",
                recipient_address="12 Safe Street",
                pdf=(pdf := _letter_pdf("The verdict was guilty.")),
                sha256=hashlib.sha256(pdf).hexdigest(),
                created_by_id=officer.id,
            ),
            OutboundEmail(
                organisation_id=world.office.id,
                to_address=w.email,
                subject="A message for you",
                body="Your meeting is on Monday.",
                witness_id=w.id,
            ),
            OutboundEmail(
                organisation_id=world.office.id,
                to_address=officer.email,
                subject="Staff invite",
                body="Officer copy",
                witness_id=w.id,
                user_id=officer.id,
            ),
            ContactAttempt(
                task_id=task.id,
                witness_id=w.id,
                channel="phone",
                outcome=AttemptOutcome.no_answer,
                by_id=officer.id,
            ),
            News(
                witness_id=w.id,
                case_id=case.id,
                kind=NewsKind.hearing_moved,
                summary="Trial moved to April",
            ),
            ImpactStatement(
                witness_id=w.id,
                case_id=case.id,
                status=StatementStatus.offered,
                updated_by_id=officer.id,
                note="Wants to write it in Thai",
            ),
            CompensationClaim(
                witness_id=w.id,
                case_id=case.id,
                status=ClaimStatus.lodged,
                amount_claimed=Decimal("900.00"),
                currency="GBP",
                updated_by_id=officer.id,
            ),
            PropertyItem(
                witness_id=w.id, case_id=case.id, description="Passport", updated_by_id=officer.id
            ),
        ]
    )
    db.add_all(
        [
            CalendarFeed(token_hash="f" * 64, witness_id=w.id, created_by_id=officer.id),
            InviteDetailChoice(
                witness_id=w.id,
                full_detail=False,
                reason="Keep it discreet",
                recorded_by_id=officer.id,
            ),
            RiskReview(
                witness_id=w.id,
                source=ReviewSource.scheduled,
                key="schedule-1",
                due_date=date(2026, 6, 1),
                reason="Three-monthly review",
            ),
        ]
    )
    db.flush()
    record_correction_request(db, officer, w, date(2026, 3, 1), "My date of birth is wrong")
    # a file closed once and reopened, and a hold that keeps it from being anonymised
    db.add_all(
        [
            FileClosure(
                witness_id=w.id,
                closed_by_id=officer.id,
                reason="Support ended",
                reopened_dt=datetime(2026, 3, 4, 9, tzinfo=UTC),
                reopened_by_id=officer.id,
                reopen_reason="Appeal lodged",
            ),
            LegalHold(witness_id=w.id, reason="Appeal pending", placed_by_id=world.supervisor.id),
        ]
    )
    record_event(db, officer, "witness.view", w, witness_id=w.id)
    record_event(db, officer, "witness.view", other, witness_id=other.id)
    db.flush()
    return world
